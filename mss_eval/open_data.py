"""Open data: the key figures of a study as a Frictionless Data Package.

:func:`export_study` writes into one folder

=====================  ===================================================================
``datapackage.json``   the package: every resource with its Table Schema (types, units,
                       descriptions in Dutch and English, missing values)
``key_figures.csv``    every key figure per scope in long format: figure, scope (region,
                       round, study), round, region, value, value_text, unit, ci_low,
                       ci_high, n, suppressed
``figures.csv``        what each figure means: text and base in nl and en, unit, instrument
``data_collection.csv`` respondents, number approached and response per method, region and
                       round (the data-collection table of the reports)
``time_series.csv``    each numeric figure over the rounds, per region and for the regions
                       of a round together
``changes.csv``        change of a figure between consecutive rounds, per region (study)
=====================  ===================================================================

Everything comes from :func:`mss_eval.analysis.key_figures.key_figures`, the function that
writes the reports' ``figures.json``: the same numbers, the same disclosure control (a figure
on fewer than ``min_respondents`` is suppressed, and a total that would give a suppressed part
away is suppressed too). A suppressed value is written as ``x`` (as in the reports), a value
that does not exist as an empty cell; both are the schema's missing values. Nothing in the
package is row-level: only figures per region, round or study.

A text cell (an organisation's name, an answer label, a round's label) comes from a delivery or
``study.yaml``, so the writer treats it as data a spreadsheet must not run: as OWASP advises
against CSV injection, a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe (:data:`FORMULA_GUARD`), and every text cell is written between
double quotes (so a semicolon in it cannot start a new cell in a spreadsheet that splits on
semicolons). Numbers stay numbers, unquoted and unchanged (``-0.25`` is not a formula).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: What a suppressed figure is written as (the marker of the reports).
SUPPRESSED = "x"
PACKAGE_FILE = "datapackage.json"
LEVELS = ("collection", "personal", "executive", "administrative", "indicators")
#: Units whose values are not numbers.
TEXT_UNITS = ("text",)
#: Put before a text cell a spreadsheet would read as a formula (OWASP, CSV injection).
FORMULA_GUARD = "'"
#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

UNITS = {
    "count": ("aantal", "count"),
    "share": ("aandeel (0-1)", "share (0-1)"),
    "rating": ("rapportcijfer (1-10)", "rating (1-10)"),
    "score": ("score (1-5)", "score (1-5)"),
    "alpha": ("Cronbachs alfa", "Cronbach's alpha"),
    "persons": ("personen", "persons"),
    "months": ("maanden", "months"),
    "per_1000": ("per 1.000 van de doelgroep", "per 1,000 of the target population"),
    "per_week": ("per week", "per week"),
    "ratio": ("verhouding", "ratio"),
    "year": ("jaartal", "year"),
    "yes_no": ("ja (1) / nee (0)", "yes (1) / no (0)"),
    "text": ("tekst", "text"),
}


def _field(name: str, type_: str, nl: str, en: str, **extra) -> dict:
    """A Table Schema field with its description in English (``description``) and Dutch
    (``description_nl``)."""
    return {"name": name, "type": type_, "title": name, "description": en,
            "description_nl": nl, **extra}


_SCOPE = _field("scope", "string", "niveau van het cijfer: region (een regio in een ronde), "
                "round (de regio's van een ronde samen) of study (alle rondes samen)",
                "level of the figure: region (one region in one round), round (the regions of "
                "a round together) or study (all rounds together)",
                constraints={"required": True, "enum": ["region", "round", "study"]})
_ROUND = _field("round", "string", "ronde (id uit study.yaml); leeg voor de hele studie",
                "round (id of study.yaml); empty for the whole study")
_REGION = _field("region", "string", "regio (id uit study.yaml); leeg voor een ronde of de "
                 "hele studie", "region (id of study.yaml); empty for a round or the study")
_FIGURE = _field("figure", "string", "id van het kerncijfer (zie figures.csv)",
                 "id of the key figure (see figures.csv)", constraints={"required": True})
_VALUE = _field("value", "number", f"het cijfer, in de eenheid van unit; '{SUPPRESSED}' = "
                "onderdrukt (te weinig respondenten), leeg = geen gegevens of een tekst",
                f"the figure, in the unit of unit; '{SUPPRESSED}' = suppressed (too few "
                "respondents), empty = no data or a text value")
_CI_LOW = _field("ci_low", "number", "ondergrens van het 95%-betrouwbaarheidsinterval",
                 "lower bound of the 95% confidence interval")
_CI_HIGH = _field("ci_high", "number", "bovengrens van het 95%-betrouwbaarheidsinterval",
                  "upper bound of the 95% confidence interval")
_N = _field("n", "integer", "basis: aantal rijen (respondenten, vragenlijsten) waarop het "
            "cijfer rust", "base: number of rows (respondents, questionnaires) the figure "
            "rests on", constraints={"minimum": 0})
_SUPPRESSED = _field("suppressed", "boolean", "onderdrukt omdat de basis kleiner is dan het "
                     "minimum aantal respondenten, of omdat het een onderdrukt cijfer zou "
                     "verraden", "suppressed because the base is below the minimum number of "
                     "respondents, or because it would give a suppressed figure away",
                     trueValues=["true"], falseValues=["false"])
_UNIT = _field("unit", "string", "eenheid van value: " + "; ".join(
    f"{k} = {nl}" for k, (nl, _) in UNITS.items()), "unit of value: " + "; ".join(
    f"{k} = {en}" for k, (_, en) in UNITS.items()), constraints={"enum": list(UNITS)})

SCHEMAS: dict[str, dict] = {
    "key_figures": {
        "fields": [_FIGURE, _SCOPE, _ROUND, _REGION, _VALUE,
                   _field("value_text", "string", "het cijfer als het een tekst is (een "
                          "antwoordlabel, een organisatie); x = onderdrukt",
                          "the figure when it is a text (an answer label, an organisation); "
                          "x = suppressed"),
                   _UNIT, _CI_LOW, _CI_HIGH, _N, _SUPPRESSED],
        "foreignKeys": [{"fields": "figure",
                         "reference": {"resource": "figures", "fields": "figure"}}],
    },
    "figures": {
        "fields": [
            _FIGURE,
            _field("level", "string", "niveau van de evaluatie", "level of the evaluation"),
            _UNIT,
            _field("text_nl", "string", "omschrijving (Nederlands)", "description (Dutch)"),
            _field("text_en", "string", "omschrijving (Engels)", "description (English)"),
            _field("base_nl", "string", "waarop het cijfer rust (Nederlands)",
                   "what the figure rests on (Dutch)"),
            _field("base_en", "string", "waarop het cijfer rust (Engels)",
                   "what the figure rests on (English)"),
            _field("instrument", "string", "instrument waaruit het cijfer komt",
                   "instrument the figure comes from"),
            _field("items", "string", "vragen (items), gescheiden door spaties",
                   "questions (items), separated by spaces"),
            _field("scopes", "string", "niveaus waarop het cijfer bestaat",
                   "scopes the figure exists in"),
        ],
        "primaryKey": ["figure"],
    },
    "data_collection": {
        "fields": [
            _SCOPE, _ROUND, _REGION,
            _field("method", "string", "methode van gegevensverzameling",
                   "method of data collection",
                   constraints={"enum": ["general_interview", "partner_interview",
                                         "client_questionnaire", "client_interview",
                                         "feedback_meeting"]}),
            _field("respondents", "integer", "aantal respondenten (rijen van het instrument)",
                   "number of respondents (rows of the instrument)", constraints={"minimum": 0}),
            _field("approached", "integer", "aantal benaderd (study.yaml); leeg = onbekend",
                   "number approached (study.yaml); empty = unknown",
                   constraints={"minimum": 0}),
            _field("response", "number", "respons: respondenten / benaderd (0-1)",
                   "response: respondents / approached (0-1)"),
        ],
    },
    "time_series": {
        "fields": [
            _FIGURE, _REGION,
            _field("round_order", "integer", "volgnummer van de ronde in study.yaml (1, 2, ...)",
                   "position of the round in study.yaml (1, 2, ...)"),
            _ROUND,
            _field("round_label", "string", "naam van de ronde", "name of the round"),
            _field("period_start", "date", "begin van de veldwerkperiode",
                   "start of the fieldwork period"),
            _field("period_end", "date", "einde van de veldwerkperiode",
                   "end of the fieldwork period"),
            _VALUE, _UNIT, _CI_LOW, _CI_HIGH, _N, _SUPPRESSED,
        ],
    },
    "changes": {
        "fields": [
            _FIGURE, _REGION,
            _field("round_from", "string", "eerdere ronde", "earlier round"),
            _field("round_to", "string", "latere ronde", "later round"),
            _field("value", "number", f"verandering (later min eerder); '{SUPPRESSED}' = "
                   "onderdrukt", f"change (later minus earlier); '{SUPPRESSED}' = suppressed"),
            _UNIT, _CI_LOW, _CI_HIGH, _N, _SUPPRESSED,
        ],
    },
}

DESCRIPTIONS = {
    "key_figures": ("De kerncijfers per regio en ronde, per ronde en voor de hele studie, met "
                    "onderdrukking zoals in de rapporten.",
                    "The key figures per region and round, per round and for the whole study, "
                    "suppressed as in the reports."),
    "figures": ("Wat elk kerncijfer betekent.", "What each key figure means."),
    "data_collection": ("Gegevensverzameling: respondenten, aantal benaderd en respons per "
                        "methode, regio en ronde.",
                        "Data collection: respondents, number approached and response per "
                        "method, region and round."),
    "time_series": ("Elk cijfer over de rondes, per regio en voor de regio's van een ronde "
                    "samen (region leeg).",
                    "Each figure over the rounds, per region and for the regions of a round "
                    "together (region empty)."),
    "changes": ("Verandering tussen opeenvolgende rondes per regio.",
                "Change between consecutive rounds per region."),
}


@dataclass
class ExportResult:
    """What :func:`export_study` wrote."""

    package: Path
    rows: dict[str, int] = field(default_factory=dict)
    #: problems ``frictionless validate`` found (empty: valid)
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


# -- from key figures to rows ---------------------------------------------------------------------
def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _record_cells(record: dict) -> dict[str, str]:
    """value, value_text, ci_low, ci_high, n, suppressed of one figure record."""
    suppressed = bool(record.get("suppressed"))
    value = record.get("value")
    text = isinstance(value, str) or record.get("unit") in TEXT_UNITS
    if suppressed:
        cells = {"value": "" if text else SUPPRESSED, "value_text": SUPPRESSED if text else "",
                 "ci_low": SUPPRESSED if "ci_low" in record else "",
                 "ci_high": SUPPRESSED if "ci_high" in record else ""}
    else:
        cells = {"value": "" if text else _number(value),
                 "value_text": "" if value is None or not text else str(value),
                 "ci_low": _number(record.get("ci_low")),
                 "ci_high": _number(record.get("ci_high"))}
    cells["n"] = _number(record.get("n"))
    cells["suppressed"] = "true" if suppressed else "false"
    return cells


def _levels_rows(levels: dict, scope: str, round_id: str | None, region: str | None):
    for level in LEVELS:
        for name, record in (levels.get(level) or {}).items():
            if not isinstance(record, dict) or "definition" not in record:
                continue
            row = {"figure": record["definition"], "scope": scope, "round": round_id or "",
                   "region": region or "", "unit": record.get("unit", "")}
            row.update(_record_cells(record))
            yield row


def key_figure_rows(figures_by_round: dict[str, dict], study_levels: dict | None) -> list[dict]:
    """Long rows of ``key_figures.csv`` from ``{round: {"round": levels, "regions": {...}}}``
    and the study's levels (None with ``--round``)."""
    rows: list[dict] = []
    for round_id, block in figures_by_round.items():
        for region, levels in block["regions"].items():
            rows += _levels_rows(levels, "region", round_id, region)
        rows += _levels_rows(block["round"], "round", round_id, None)
    if study_levels is not None:
        rows += _levels_rows(study_levels, "study", None, None)
    return rows


_METHOD = re.compile(r"^collection\.([a-z_]+?)(_response)?$")


def collection_rows(key_rows: Iterable[dict]) -> list[dict]:
    """``data_collection.csv``: respondents, approached and response per method from the
    ``collection`` figures (the response record's base is the number approached)."""
    table: dict[tuple, dict] = {}
    for row in key_rows:
        match = _METHOD.match(row["figure"])
        if not match:
            continue
        key = (row["scope"], row["round"], row["region"], match.group(1))
        entry = table.setdefault(key, {"scope": row["scope"], "round": row["round"],
                                       "region": row["region"], "method": match.group(1),
                                       "respondents": "", "approached": "", "response": ""})
        if match.group(2):
            if row["value"] not in ("", SUPPRESSED):
                entry["approached"] = row["n"]
            entry["response"] = row["value"]
        else:
            entry["respondents"] = row["value"]
    return list(table.values())


def time_series_rows(key_rows: Iterable[dict], config) -> list[dict]:
    """``time_series.csv``: every numeric figure of the region and round scopes, ordered by
    figure, region and round."""
    order = {r.id: i for i, r in enumerate(config.rounds, start=1)}
    rounds = {r.id: r for r in config.rounds}
    out = []
    for row in key_rows:
        if row["scope"] == "study" or row["value_text"]:
            continue
        rnd = rounds[row["round"]]
        out.append({"figure": row["figure"], "region": row["region"],
                    "round_order": str(order[row["round"]]), "round": row["round"],
                    "round_label": rnd.label,
                    "period_start": rnd.period.start.isoformat() if rnd.period else "",
                    "period_end": rnd.period.end.isoformat() if rnd.period else "",
                    **{k: row[k] for k in ("value", "unit", "ci_low", "ci_high", "n",
                                           "suppressed")}})
    out.sort(key=lambda r: (r["figure"], r["region"], int(r["round_order"])))
    return out


def change_rows(changes: dict) -> list[dict]:
    """``changes.csv`` from the study's ``changes`` block."""
    out = []
    for region, pairs in changes.items():
        for pair, records in pairs.items():
            round_from, _, round_to = pair.partition("_")
            for name, record in records.items():
                cells = _record_cells(record)
                out.append({"figure": record.get("definition", f"changes.{name}"),
                            "region": region, "round_from": round_from, "round_to": round_to,
                            "value": cells["value"], "unit": record.get("unit", ""),
                            "ci_low": cells["ci_low"], "ci_high": cells["ci_high"],
                            "n": cells["n"], "suppressed": cells["suppressed"]})
    return out


def definition_rows() -> list[dict]:
    """``figures.csv``: every key figure's meaning in both languages."""
    from .analysis.key_figures import DEFINITIONS

    return [{"figure": d.id, "level": d.level, "unit": d.unit, "text_nl": d.text["nl"],
             "text_en": d.text["en"], "base_nl": d.base["nl"], "base_en": d.base["en"],
             "instrument": d.instrument or "", "items": " ".join(d.items),
             "scopes": " ".join(d.scopes)} for d in DEFINITIONS.values()]


# -- writing --------------------------------------------------------------------------------------
_NUMERIC_TYPES = ("number", "integer")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def neutralise(text: str) -> str:
    """A text cell as a spreadsheet shows it and does not run: with :data:`FORMULA_GUARD`
    before it when it starts like a formula (OWASP's advice against CSV injection).

    >>> print(neutralise('=HYPERLINK("http://example.org/","klik")'))
    '=HYPERLINK("http://example.org/","klik")
    >>> neutralise("Stichting Anker")
    'Stichting Anker'
    """
    return FORMULA_GUARD + text if text.startswith(FORMULA_STARTS) else text


def _cell(text: str, type_: str):
    """One cell for :func:`_csv`: a number of a numeric field as a number (written unquoted);
    anything else as a text, neutralised (written quoted)."""
    if type_ in _NUMERIC_TYPES and _NUMBER.fullmatch(text):
        number = int(text) if text.lstrip("-").isdigit() else float(text)
        # written back as the same characters: a float's repr (_number) reads and prints alike
        if str(number) == text:
            return number
    return neutralise(text)


def _csv(rows: Sequence[dict], fields: Sequence[dict]) -> str:
    """The rows as CSV text: numbers bare, texts quoted and neutralised (see the module notes)."""
    names = [f["name"] for f in fields]
    types = {f["name"]: f.get("type", "string") for f in fields}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(str(row.get(name, "")), types[name]) for name in names])
    return buffer.getvalue()


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower().encode("ascii", "ignore").decode()).strip("-")
    return slug or "mss-eval-study"


def package_descriptor(config, resources: Sequence[str], min_respondents: int,
                       rounds: Sequence[str]) -> dict:
    """``datapackage.json`` for the resources written."""
    from . import __version__

    synthetic = (" Synthetische voorbeeldgegevens. / Synthetic example data."
                 if config.synthetic else "")
    return {
        "name": _slug(config.name),
        "title": config.name,
        "description": (
            "Kerncijfers van een evaluatie van maatschappelijke steunsystemen (MSS), per regio "
            f"en ronde, met onderdrukking van cijfers op minder dan {min_respondents} "
            "respondenten. / Key figures of an evaluation of community support systems (MSS) per "
            f"region and round; figures on fewer than {min_respondents} respondents are "
            f"suppressed ('{SUPPRESSED}')." + synthetic),
        "keywords": ["maatschappelijke steunsystemen", "community support systems", "ggz",
                     "mental health care", "key figures"],
        "sources": [{"title": f"mss-eval {__version__}",
                     "path": "https://pypi.org/project/mss-eval/"}],
        "mss_eval": {"version": __version__, "min_respondents": min_respondents,
                     "suppression_marker": SUPPRESSED, "formula_guard": FORMULA_GUARD,
                     "formula_starts": list(FORMULA_STARTS), "rounds": list(rounds),
                     "synthetic": bool(config.synthetic)},
        "resources": [
            {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "title": name.replace("_", " "), "description": DESCRIPTIONS[name][1],
             "description_nl": DESCRIPTIONS[name][0],
             "dialect": {"delimiter": ",", "header": True},
             "schema": {**SCHEMAS[name], "missingValues": ["", SUPPRESSED]}}
            for name in resources],
    }


def validate_package(descriptor: Path) -> list[str]:
    """``frictionless validate`` of a package: one line per error (empty: valid)."""
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(descriptor)).validate()
    errors = []
    for task in report.tasks:
        for error in task.errors:
            errors.append(f"{task.name}: {error.message}")
    errors += [error.message for error in report.errors]
    return errors


def export_study(study_path: Path | str, out_dir: Path | str, *,
                 rounds: Sequence[str] | None = None, language: str | None = None,
                 validate: bool = True) -> ExportResult:
    """Write the open-data package of a study (see the module notes) into ``out_dir``.

    Parameters
    ----------
    study_path : path
        The study folder.
    out_dir : path
        Where ``datapackage.json`` and the CSV files go (created; files of an earlier export
        are replaced).
    rounds : list of str, optional
        Only these rounds (no figures of the whole study and no changes).
    language : {"nl", "en"}, optional
        Language of text values (answer labels); default the study's.
    validate : bool
        Validate the package with frictionless after writing it.

    Raises
    ------
    StudyError
        A round not in study.yaml, or a study that cannot be read.
    """
    from .analysis.key_figures import key_figures
    from .atomic import atomic_write
    from .problems import Problem, StudyError, message
    from .study import load_config
    from .tidy_cache import load_study_cached

    study_path = Path(study_path)
    config = load_config(study_path)
    language = language or config.settings.language
    known = [r.id for r in config.rounds]
    unknown = [r for r in rounds or () if r not in known]
    if unknown:
        problems = [Problem("render_unknown_round", message(
            "render_unknown_round", language, value=r, known=", ".join(known)), value=r)
            for r in unknown]
        raise StudyError(problems, summary=problems[0].message)
    study = load_study_cached(study_path, on_error="skip", language=language)
    chosen = [r for r in known if not rounds or r in rounds]
    if rounds:
        by_round = {}
        for r in chosen:
            figures = key_figures(study, r, language=language, definitions=False)
            by_round[r] = {"round": figures["round"], "regions": figures["regions"]}
        study_levels, changes = None, {}
    else:
        figures = key_figures(study, language=language, definitions=False)
        by_round = figures["rounds"]
        study_levels, changes = figures["study"], figures.get("changes", {})
    min_n = int(config.settings.min_respondents)
    key_rows = key_figure_rows(by_round, study_levels)
    tables = {"key_figures": key_rows, "figures": definition_rows(),
              "data_collection": collection_rows(key_rows),
              "time_series": time_series_rows(key_rows, config)}
    if study_levels is not None:
        tables["changes"] = change_rows(changes)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult(package=out / PACKAGE_FILE)
    for name, rows in tables.items():
        atomic_write(out / f"{name}.csv", _csv(rows, SCHEMAS[name]["fields"]))
        result.rows[name] = len(rows)
    descriptor = package_descriptor(config, list(tables), min_n, chosen)
    atomic_write(result.package, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")
    if validate:
        result.errors = validate_package(result.package)
    return result


def read_key_figures(package_dir: Path | str) -> list[dict]:
    """The rows of ``key_figures.csv`` of an exported package (strings, as written)."""
    with open(Path(package_dir) / "key_figures.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


__all__ = ["ExportResult", "FORMULA_GUARD", "PACKAGE_FILE", "SCHEMAS", "SUPPRESSED",
           "export_study", "neutralise", "read_key_figures", "validate_package"]
