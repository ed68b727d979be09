"""Validating data files against their instruments, and a whole study folder.

:func:`validate_table` checks one :class:`~mss_eval.input.readers.RawTable` against its
:class:`~mss_eval.instruments.Instrument` and turns it into a typed tidy frame (the contract in
``docs/tidy-data.md``); :func:`validate_study` does that for every file of a study, plus the checks
that look at more than one file: ``study.yaml``, the folder layout, references between files of the
same region and round, and the direct-identifier screen (:mod:`mss_eval.input.identifiers`).

Nothing here raises on bad data: every finding is a :class:`~mss_eval.problems.Problem` naming the
file, sheet, row (header = 1), column and value, saying what is wrong and what would be right.
Input files are opened read-only and never changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..instruments import Instrument, codebook, instruments
from ..problems import MESSAGES, Problem, StudyError, message
from ..pseudonym import normalise_ids
from ..study import (COLLECTION_METHODS, DATA_DIR, DATA_SUFFIXES, STUDY_FILE, StudyConfig,
                     load_config)
from .exports import take_out_metadata
from .identifiers import ColumnKind, screen_table, screen_unknown_columns
from .mapping import (CASTOR_MISSING_DATE, ColumnMapping, LoadedMapping, apply_mapping,
                      check_mapping, find_mapping, is_mapping_file, read_mapping, with_sources)
from .readers import RawTable, ReadError, read_table
# the column rules live in a leaf module that the column mapping shares too
from .rules import (_BAD, _MISSING, DATE_DTYPE, _answer_lookup, _ColumnRules,  # noqa: F401
                    _cached_rules, _fmt_number, _suggest, same_dtype, tidy_dtype)

#: At most this many problems of one kind are listed per column of a file; the rest are counted.
MAX_PER_COLUMN = 20

MESSAGES.update({
    # -- columns --
    "column_missing": {
        "nl": "de verplichte kolom '{column}' ({label}) ontbreekt in de kopregel; voeg hem toe "
              "zoals in het sjabloon",
        "en": "the required column '{column}' ({label}) is missing from the header row; add it as "
              "in the template",
    },
    "column_absent": {
        "nl": "'{column}' ({label}{extent}) staat niet in het bestand; deze gegevens "
              "ontbreken voor deze regio en ronde{consequence}",
        "en": "'{column}' ({label}{extent}) is not in the file; these data are missing for "
              "this region and round{consequence}",
    },
    "column_absent_extent": {
        "nl": ", {count} kolommen",
        "en": ", {count} columns",
    },
    "column_absent_lacks": {
        "nl": "; de rapporten missen daardoor {lacks}",
        "en": "; the reports therefore lack {lacks}",
    },
    "column_unknown": {
        "nl": "de kolom '{column}' hoort niet bij het instrument '{instrument}' en wordt "
              "genegeerd{suggestion}",
        "en": "the column '{column}' is not part of the instrument '{instrument}' and is "
              "ignored{suggestion}",
    },
    # -- cells --
    "value_not_number": {
        "nl": "'{value}' is geen getal; verwacht {expected}",
        "en": "'{value}' is not a number; expected {expected}",
    },
    "value_not_integer": {
        "nl": "'{value}' is geen geheel getal; verwacht {expected}",
        "en": "'{value}' is not a whole number; expected {expected}",
    },
    "value_out_of_range": {
        "nl": "{value} ligt buiten het bereik {low} tot en met {high}; verwacht {expected}",
        "en": "{value} is outside the range {low} to {high}; expected {expected}",
    },
    "value_unknown_code": {
        "nl": "'{value}' is geen geldig antwoord; toegestaan: {expected}",
        "en": "'{value}' is not a valid answer; allowed: {expected}",
    },
    "value_not_date": {
        "nl": "'{value}' is geen datum; schrijf een datum als 2010-03-31 of 31-3-2010",
        "en": "'{value}' is not a date; write a date as 2010-03-31 or 31-3-2010",
    },
    "value_date_serial": {
        "nl": "'{value}' is een Excel-datumnummer en is gelezen als {date}; deze kolom heeft er "
              "{count}; controleer de datums en maak de kolom in Excel op als datum",
        "en": "'{value}' is an Excel date serial and was read as {date}; this column has {count} "
              "of them; check the dates and format the column in Excel as a date",
    },
    "value_required": {
        "nl": "de cel is leeg, maar '{column}' ({label}) moet altijd ingevuld zijn",
        "en": "the cell is empty, but '{column}' ({label}) must always be filled in",
    },
    "value_duplicate": {
        "nl": "'{value}' staat ook in rij {first}; elke rij moet een eigen waarde in '{column}' "
              "hebben",
        "en": "'{value}' is also in row {first}; every row needs its own value in '{column}'",
    },
    "value_not_in_codebook": {
        "nl": "'{value}' is geen code uit het codeboek; schrijf niveau/thema, bijvoorbeeld "
              "{expected}",
        "en": "'{value}' is not a code of the codebook; write level/theme, for example {expected}",
    },
    # -- files --
    "header_only": {
        "nl": "het bestand heeft een kopregel maar geen gegevens; het telt mee als 0 rijen",
        "en": "the file has a header row but no data; it counts as 0 rows",
    },
    "one_row_expected": {
        "nl": "'{instrument}' hoort precies één rij per regio per ronde te hebben, maar dit "
              "bestand heeft er {count}",
        "en": "'{instrument}' must have exactly one row per region per round, but this file has "
              "{count}",
    },
    "reference_unknown": {
        "nl": "'{value}' komt niet voor in kolom '{target_column}' van {target} van deze regio en "
              "ronde; gebruik hetzelfde nummer als daar",
        "en": "'{value}' does not occur in column '{target_column}' of {target} of this region "
              "and round; use the same number as there",
    },
    "reference_file_missing": {
        "nl": "kolom '{column}' verwijst naar '{target}', maar er is geen bestand '{target}' voor "
              "deze regio en ronde; lever het mee in dezelfde map",
        "en": "column '{column}' refers to '{target}', but there is no '{target}' file for this "
              "region and round; put it in the same folder",
    },
    # -- layout --
    "data_folder_missing": {
        "nl": "de studie heeft geen map '{value}'; zet de gegevens in data/<ronde>/<regio>/",
        "en": "the study has no '{value}' folder; put the data in data/<round>/<region>/",
    },
    "round_folder_unknown": {
        "nl": "de map '{value}' is geen ronde uit study.yaml (bekend: {known}){suggestion}",
        "en": "the folder '{value}' is not a round in study.yaml (known: {known}){suggestion}",
    },
    "region_folder_unknown": {
        "nl": "de map '{value}' is geen regio uit study.yaml (bekend: {known}){suggestion}",
        "en": "the folder '{value}' is not a region in study.yaml (known: {known}){suggestion}",
    },
    "region_not_in_round": {
        "nl": "regio '{value}' hoort volgens study.yaml niet bij ronde '{round}' (die ronde heeft "
              "{known}); voeg de regio toe aan de ronde of verplaats de map",
        "en": "region '{value}' is not part of round '{round}' in study.yaml (that round has "
              "{known}); add the region to the round or move the folder",
    },
    "region_no_data": {
        "nl": "er zijn nog geen gegevens voor regio '{region}' in ronde '{round}'",
        "en": "there are no data yet for region '{region}' in round '{round}'",
    },
    "instrument_unknown": {
        "nl": "'{value}' is geen bekend instrument; noem het bestand naar een instrument "
              "({known}){suggestion}",
        "en": "'{value}' is not a known instrument; name the file after an instrument "
              "({known}){suggestion}",
    },
    "instrument_twice": {
        "nl": "er is meer dan één bestand voor '{instrument}' in deze map ({value}); houd er "
              "één en verwijder of hernoem de andere",
        "en": "there is more than one file for '{instrument}' in this folder ({value}); keep one "
              "and remove or rename the others",
    },
    "file_misplaced": {
        "nl": "'{value}' staat niet in een map data/<ronde>/<regio>/ en is overgeslagen",
        "en": "'{value}' is not in a data/<round>/<region>/ folder and was skipped",
    },
    "file_format_unsupported": {
        "nl": "'{value}' is een {kind}-bestand; sla het op als .xlsx of .csv",
        "en": "'{value}' is a {kind} file; save it as .xlsx or .csv",
    },
    "file_ignored": {
        "nl": "'{value}' is geen .csv, .xlsx of .sav en is overgeslagen",
        "en": "'{value}' is not a .csv, .xlsx or .sav file and was skipped",
    },
    "approached_unknown": {
        "nl": "'approached' van ronde '{round}' noemt '{value}', maar dat is {what}; bekend: "
              "{known}",
        "en": "'approached' of round '{round}' names '{value}', which is {what}; known: {known}",
    },
    "workers_failed": {
        "nl": "de hulpprocessen voor het inlezen stopten bij het starten; de bestanden worden nu "
              "een voor een gelezen. Roept een eigen script load_study aan, zet de code dan "
              "onder 'if __name__ == \"__main__\":' (elk hulpproces leest het script opnieuw), "
              "of zet MSS_EVAL_WORKERS=1",
        "en": "the worker processes for reading stopped while starting; the files are now read "
              "one by one. If a script of your own calls load_study, put its code under "
              "'if __name__ == \"__main__\":' (every worker reads the script again), or set "
              "MSS_EVAL_WORKERS=1",
    },
    "approached_feeds_nothing": {
        "nl": "'approached' van ronde '{round}' noemt '{value}', maar daar wordt geen respons "
              "voor berekend: het aantal benaderden hoort bij een methode van de tabel "
              "dataverzameling ({known})",
        "en": "'approached' of round '{round}' names '{value}', but no response is computed for "
              "it: the number approached belongs to a method of the data-collection table "
              "({known})",
    },
    "instrument_missing": {
        "nl": "'{instrument}' ({title}) is niet aangeleverd voor regio '{region}' in ronde "
              "'{round}'{consequence}; hoort de regio het niet aan te leveren, zet het dan onder "
              "not_expected in study.yaml",
        "en": "'{instrument}' ({title}) was not delivered for region '{region}' in round "
              "'{round}'{consequence}; if the region is not meant to deliver it, list it under "
              "not_expected in study.yaml",
    },
    "not_expected_unknown": {
        "nl": "'not_expected' noemt '{value}', maar dat is geen instrument of regio hier; "
              "bekend: {known}",
        "en": "'not_expected' names '{value}', which is no instrument or region here; known: "
              "{known}",
    },
    "path_outside_study": {
        "nl": "'{value}' is een snelkoppeling (symbolische link) naar een plek buiten de "
              "studiemap; kopieer het bestand zelf in de studiemap",
        "en": "'{value}' is a symbolic link to a place outside the study folder; copy the file "
              "itself into the study folder",
    },
})

# -- converting one column ---------------------------------------------------------------------
def _distinct(s: pd.Series) -> tuple[np.ndarray, list]:
    """Factorise a column: codes per row (-1 for NA) and the distinct values."""
    codes, uniques = pd.factorize(s)
    return codes, list(uniques)


def _per_row(per_distinct: list, codes: np.ndarray, blank: object, dtype=bool) -> np.ndarray:
    """Spread one value per distinct cell back over the rows (``blank`` for empty cells)."""
    return np.array(list(per_distinct) + [blank], dtype=dtype)[codes]


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_THOUSANDS_DOT_DECIMAL_COMMA = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")


def parse_number(text: str) -> float | None:
    """A number as a researcher may write it: ``7.5``, ``7,5`` (decimal comma), ``1.234,5``."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if _THOUSANDS_DOT_DECIMAL_COMMA.match(t):
        t = t.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.match(t):
        t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                 "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S",
                 "%d/%m/%Y %H:%M", "%d-%m-%y", "%d/%m/%y", "%Y/%m/%d", "%Y%m%d")


def parse_date(text: str) -> dt.datetime | None:
    """A date as a researcher may write it: ISO ``2010-03-31`` or Dutch ``31-3-2010``."""
    t = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(t, fmt)
        except ValueError:
            continue
    return None


def _in_declared(value: float, spans: list[tuple[float, float]]) -> bool:
    return any(lo <= value <= hi for lo, hi in spans)


@dataclass
class _CellIssues:
    """Rows of one column with one kind of problem, and the parameters for each message."""

    code: str
    column: str
    rows: list[int]
    values: list[str]
    params: dict = field(default_factory=dict)
    row_params: list[dict] | None = None
    severity: str = "error"


#: Excel date serials accepted in a date column: 1990-01-01 up to 2100-12-31 (the template's
#: date range); Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
_SERIAL_RANGE = (32874, 73415)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial_date(text: str) -> dt.datetime | None:
    """An Excel date serial (``40268`` is 2010-03-31) as a date, when it is a whole number (or a
    serial with a time fraction) within :data:`_SERIAL_RANGE`; else ``None``."""
    number = parse_number(text)
    if number is None or not (_SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]):
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def _convert_column(raw: pd.Series, rules: _ColumnRules, declared: list[tuple[float, float]],
                    vocabulary: dict[str, str] | None, language: str,
                    recode: "ValueRecode | None" = None
                    ) -> tuple[object, list[_CellIssues]]:
    """One raw column to its tidy values; returns the values (array/Series) and the issues.

    ``recode`` (from a column mapping) turns a source value into the text that is then read as
    usual (``A1`` -> ``1``); messages keep showing the value as it is in the file.
    """
    col = rules.column
    issues: list[_CellIssues] = []
    index = raw.index
    rows = index.to_numpy()
    translate = recode.translate if recode is not None else (lambda u: u)

    def issue(code: str, mask: np.ndarray, **params) -> None:
        if mask.any():
            issues.append(_CellIssues(code, col.name, rows[mask].tolist(),
                                      raw.to_numpy(dtype=object)[mask].tolist(), params))

    kind = rules.kind
    if kind in ("categorical", "yes_no", "option"):
        codes, uniques = _distinct(raw)
        resolved = []
        for u in uniques:
            t = str(translate(u)).casefold()
            hit = rules.lookup.get(t)
            if hit is None:
                number = parse_number(t)
                if number is not None:
                    if declared and _in_declared(number, declared):
                        hit = _MISSING
                    elif number.is_integer():
                        hit = rules.lookup.get(str(int(number)))
            resolved.append(_BAD if hit is None else hit)
        issue("value_unknown_code", _per_row([v is _BAD for v in resolved], codes, False),
              expected=rules.expected)
        if kind == "categorical":
            position = {k: i for i, k in enumerate(col.answers.keys())}
            cat_codes = _per_row([position.get(v, -1) if isinstance(v, str) else -1
                                  for v in resolved], codes, -1, dtype=np.int64)
            dtype = pd.CategoricalDtype(categories=col.answers.keys(),
                                        ordered=col.answers.ordered)
            return pd.Categorical.from_codes(cat_codes, dtype=dtype), issues
        truth = {"yes": True, "no": False}
        known = [isinstance(v, str) and v in truth for v in resolved]
        value = [truth.get(v, False) if isinstance(v, str) else False for v in resolved]
        out = pd.arrays.BooleanArray(_per_row(value, codes, False),
                                     ~_per_row(known, codes, False))
        if kind == "option":
            # a blank option is not chosen; the rule across the item's options is the caller's
            return (out, codes == -1), issues
        return out, issues

    if kind in ("integer", "number"):
        codes, uniques = _distinct(raw)
        parsed: list[object] = []
        for u in uniques:
            t = str(translate(u)).casefold()
            if rules.lookup.get(t) is _MISSING:
                parsed.append(_MISSING)
                continue
            number = parse_number(t)
            if number is None:
                parsed.append(_BAD)
            elif number in rules.missing_numbers or (declared and _in_declared(number, declared)):
                parsed.append(_MISSING)
            else:
                parsed.append(number)
        is_num = _per_row([isinstance(v, float) for v in parsed], codes, False)
        values = _per_row([v if isinstance(v, float) else np.nan for v in parsed], codes, np.nan,
                          dtype=float)
        issue("value_not_number", _per_row([v is _BAD for v in parsed], codes, False),
              expected=rules.expected)
        ok = is_num.copy()
        if kind == "integer":
            frac = is_num & (np.mod(np.where(is_num, values, 0), 1) != 0)
            issue("value_not_integer", frac, expected=rules.expected)
            ok &= ~frac
        if col.range is not None:
            low, high = col.range
            outside = ok & ((values < low) | (values > high))
            issue("value_out_of_range", outside, low=_fmt_number(low), high=_fmt_number(high),
                  expected=rules.expected)
            ok &= ~outside
        if kind == "integer":
            # beyond 2**53 a float no longer holds every whole number exactly
            too_big = ok & (np.abs(np.where(ok, values, 0)) >= 2.0**53)
            issue("value_out_of_range", too_big, low="-9007199254740992",
                  high="9007199254740992", expected=rules.expected)
            ok &= ~too_big
            whole = np.where(ok, values, 0).astype(np.int64)
            return pd.arrays.IntegerArray(whole, ~ok), issues
        return pd.arrays.FloatingArray(np.where(ok, values, 0.0), ~ok), issues

    if kind == "date":
        codes, uniques = _distinct(raw)
        date_format = recode.date_format if recode is not None else None
        parsed_dates, serial = [], []
        missing_codes = {str(c) for c in col.missing}
        for u in uniques:
            text_u = str(translate(u))
            when = None
            if text_u.strip() in missing_codes or (
                    recode is not None and recode.castor_dates
                    and (re.fullmatch(r"-9[5-9](?:\.0+)?", str(u).strip())
                         or CASTOR_MISSING_DATE.fullmatch(str(u).strip()))):
                # a missing-value code (Castor's missing date 01-01-2996 comes here as -96)
                parsed_dates.append(_MISSING)
                serial.append(False)
                continue
            if date_format:
                with contextlib.suppress(ValueError):
                    when = dt.datetime.strptime(text_u.strip(), date_format)
            when = when or parse_date(text_u)
            is_serial = False
            if when is None:
                when = excel_serial_date(text_u)
                is_serial = when is not None
            parsed_dates.append(when)
            serial.append(is_serial)
        issue("value_not_date", _per_row([p is None for p in parsed_dates], codes, False))
        parsed_dates = [None if p is _MISSING else p for p in parsed_dates]
        serial_rows = _per_row(serial, codes, False)
        if serial_rows.any():
            first = int(np.flatnonzero(serial_rows)[0])
            value = str(raw.iloc[first])
            issues.append(_CellIssues(
                "value_date_serial", col.name, [int(rows[first])], [value],
                {"count": int(serial_rows.sum()),
                 "date": parsed_dates[int(codes[first])].date().isoformat()},
                severity="warning"))
        stamps = pd.to_datetime(pd.Series(parsed_dates + [None], dtype=object))
        return stamps.astype(DATE_DTYPE).to_numpy()[codes], issues

    # text and identifier
    text = raw.astype("string")
    if vocabulary is not None:
        folded = text.str.casefold()
        canonical = folded.map(vocabulary)
        unknown = (text.notna() & canonical.isna()).to_numpy(dtype=bool)
        if unknown.any():
            paths = list(vocabulary.values())
            values = raw.to_numpy(dtype=object)
            rows_bad = rows[unknown]
            # suggest the nearest codes per distinct wrong value
            suggestions = {}
            for v in dict.fromkeys(values[unknown]):
                near = difflib.get_close_matches(str(v).casefold(), list(vocabulary), n=3,
                                                 cutoff=0.5)
                suggestions[v] = ", ".join(vocabulary[n] for n in near) or ", ".join(paths[:3])
            issues.append(_CellIssues(
                "value_not_in_codebook", col.name, rows_bad.tolist(), values[unknown].tolist(),
                row_params=[{"expected": suggestions[v]} for v in values[unknown]]))
        text = canonical.astype("string")  # a code outside the codebook is NA, like any error
    return text.to_numpy(), issues


# -- one file -----------------------------------------------------------------------------------
def _match_header(columns: list[str], instrument: Instrument) -> dict[str, str]:
    """File column -> instrument column; exact names first, then ignoring case and spaces."""
    names = [c.name for c in instrument.columns]
    by_fold = {n.casefold(): n for n in names}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for c in columns:
        if c in names:
            out[c] = c
            taken.add(c)
    for c in columns:
        if c in out:
            continue
        target = by_fold.get(re.sub(r"\s+", "_", c.strip()).casefold())
        if target and target not in taken:
            out[c] = target
            taken.add(target)
    return out


def empty_frame(instrument: Instrument, *, with_location: bool = True) -> pd.DataFrame:
    """A tidy frame with no rows and the instrument's columns and dtypes."""
    data: dict[str, object] = {}
    if with_location:
        data["round"] = pd.array([], dtype="string")
        data["region"] = pd.array([], dtype="string")
    for column in instrument.columns:
        data[column.name] = pd.Series([], dtype=tidy_dtype(instrument, column)).array
    return pd.DataFrame(data)


def _codebook_vocabulary() -> dict[str, str]:
    return {p.casefold(): p for p in codebook().paths()}


def _cap(issues: list[_CellIssues], skip: set[tuple[int, str]], *, file: str, sheet: str | None,
         round_: str | None, region: str | None, language: str) -> list[Problem]:
    problems: list[Problem] = []
    for iss in issues:
        shown = 0
        hidden = 0
        per_row = iss.row_params or [{}] * len(iss.rows)
        for row, value, extra in zip(iss.rows, iss.values, per_row):
            if (row, iss.column) in skip:
                continue
            if shown >= MAX_PER_COLUMN:
                hidden += 1
                continue
            shown += 1
            text_value = "" if value is None or value is pd.NA else str(value)
            params = {"value": text_value, "column": iss.column, **iss.params, **extra}
            problems.append(Problem(iss.code, message(iss.code, language, **params), file=file,
                                    sheet=sheet, row=int(row), column=iss.column,
                                    value=text_value or None, round=round_, region=region,
                                    severity=iss.severity))
        if hidden:
            what = iss.code
            problems.append(Problem("more_problems", message("more_problems", language,
                                                             count=hidden, what=what),
                                    file=file, sheet=sheet, column=iss.column, round=round_,
                                    region=region, extra={"code": what, "count": hidden}))
    return problems


def validate_table(raw: RawTable, instrument: Instrument, *, language: str = "nl",
                   round: str | None = None, region: str | None = None,
                   mapping: "ColumnMapping | None" = None
                   ) -> tuple[pd.DataFrame, list[Problem]]:
    """Check one data file against its instrument and turn it into a tidy frame.

    Parameters
    ----------
    raw
        The file as read by :func:`mss_eval.input.readers.read_table`.
    instrument
        The instrument the file belongs to.
    language
        Language of the messages (``"nl"`` or ``"en"``).
    round, region
        Where the file was found; they fill the ``round`` and ``region`` columns and the problems.
    mapping
        The file's column mapping (:mod:`mss_eval.input.mapping`), if it has one: its source
        columns are read as the items they map to, with its recodes; problems in those columns
        name the source column and the item.

    Returns
    -------
    frame
        The tidy frame (docs/tidy-data.md): ``round``, ``region`` and the instrument's columns with
        their dtypes; index = the spreadsheet row of each record. Identifier columns still hold the
        ids as entered (pseudonyms are made by :func:`mss_eval.tidy.load_study`). Cells with a
        problem are ``NA``.
    problems
        The reading problems of the file followed by everything found here, in column order and
        row order, at most :data:`MAX_PER_COLUMN` per kind and column.
    """
    file, sheet = raw.file, raw.sheet
    where = dict(file=file, sheet=sheet, round=round, region=region)
    problems: list[Problem] = [
        Problem(**{**p.to_dict(), "round": round, "region": region}) if p.round is None else p
        for p in raw.problems
    ]
    sources: dict[str, str] = {}
    recodes: dict = {}
    if mapping is not None:
        mapped = apply_mapping(raw, mapping, instrument, language=language)
        raw = mapped.raw
        sources, recodes = mapped.sources, mapped.recodes
        problems += [Problem(**{**p.to_dict(), "round": round, "region": region})
                     for p in mapped.problems]
    metadata = take_out_metadata(raw, set(sources), language=language)
    problems += [Problem(**{**p.to_dict(), "round": round, "region": region}) for p in metadata]
    header_map = _match_header(raw.columns, instrument)
    rules, dtypes = _cached_rules(instrument, language)

    # columns: unknown (warning) and missing required (error)
    known_names = [c.name for c in instrument.columns]
    unknown_columns = [c for c in raw.columns if c not in header_map]
    for c in unknown_columns:
        problems.append(Problem("column_unknown", message(
            "column_unknown", language, column=c, instrument=instrument.id,
            suggestion=_suggest(c, known_names, language)), severity="warning", column=c,
            row=raw.header_row, **where))
    present = set(header_map.values())
    for column in instrument.columns:
        if column.required and column.name not in present:
            problems.append(Problem("column_missing", message(
                "column_missing", language, column=column.name, label=column.label(language)),
                column=column.name, row=raw.header_row, **where))
    problems += _absent_columns(instrument, present, raw.header_row, language, where)

    data = raw.data.rename(columns=header_map)
    data = data[[c for c in known_names if c in present]]

    # direct identifiers: every column of the file, also unknown ones
    kinds: dict[str, ColumnKind] = {}
    for c in raw.columns:
        target = header_map.get(c)
        if target is None:
            kinds[c] = ColumnKind(name=c, labels=(raw.labels.get(c, ""),), unknown=True)
            continue
        col = instrument.column(target)
        kinds[c] = ColumnKind(name=c, labels=(col.label.nl, col.label.en),
                              is_identifier=col.type == "identifier",
                              # coded excerpts are screened as quotes once approved
                              # (qualitative.quotes): their dates are no dates of birth
                              is_free_text=col.privacy == "free_text" and (
                                  instrument.id, target) != ("coded_segments", "excerpt"),
                              is_date=col.type == "date", allowed=col.identifiers_allowed)
    id_problems, flagged = screen_table(raw.data, kinds, file=file, sheet=sheet, language=language,
                                        limit_per_column=MAX_PER_COLUMN)
    flagged = {(row, header_map.get(c, c)) for row, c in flagged}
    problems += [Problem(**{**p.to_dict(), "round": round, "region": region}) for p in id_problems]
    column_problems = screen_unknown_columns(raw.data[unknown_columns], raw.labels, file=file,
                                             sheet=sheet, row=raw.header_row, language=language)
    problems += [Problem(**{**p.to_dict(), "round": round, "region": region})
                 for p in column_problems]

    n = len(data)
    if n == 0 and not instrument.one_row_per_region:
        problems.append(Problem("header_only", message("header_only", language),
                                severity="warning", **where))

    vocabulary = None
    tidy: dict[str, object] = {
        "round": pd.array([round] * n, dtype="string"),
        "region": pd.array([region] * n, dtype="string"),
    }
    issues: list[_CellIssues] = []
    option_blanks: dict[str, list[tuple[str, np.ndarray]]] = {}
    for column in instrument.columns:
        name = column.name
        r = rules[name]
        if name not in data.columns:
            tidy[name] = pd.Series([pd.NA] * n, dtype=dtypes[name]).array
            if r.kind == "option":
                option_blanks.setdefault(column.item, []).append((name, np.ones(n, dtype=bool)))
            continue
        raw_col = data[name]
        if column.vocabulary == "qualitative_codebook" and vocabulary is None:
            vocabulary = _codebook_vocabulary()
        values, col_issues = _convert_column(
            raw_col, r, raw.declared_missing.get(name, []),
            vocabulary if column.vocabulary else None, language, recode=recodes.get(name))
        issues += col_issues
        if r.kind == "option":
            values, blank = values
            option_blanks.setdefault(column.item, []).append((name, blank))
        tidy[name] = values
        blank_cells = raw_col.isna().to_numpy()
        if column.required and r.kind != "option" and blank_cells.any():
            rows = raw_col.index.to_numpy()[blank_cells]
            issues.append(_CellIssues("value_required", name, rows.tolist(), [None] * len(rows),
                                      {"label": column.label(language)}))

    # multiple choice: a row with every option blank is NA for all options, else blank is False
    for item_name, parts in option_blanks.items():
        all_blank = np.logical_and.reduce([b for _, b in parts]) if parts else np.ones(n, bool)
        for name, blank in parts:
            arr = pd.array(tidy[name], dtype="boolean")
            fill_false = blank & ~all_blank
            values = np.where(fill_false, False, arr.to_numpy(dtype=bool, na_value=False))
            mask = (arr.isna() & ~fill_false) | all_blank
            tidy[name] = pd.arrays.BooleanArray(values, mask)
        if instrument.item(item_name).required and all_blank.any():
            rows = data.index.to_numpy()[all_blank]
            label = instrument.item(item_name).label(language)
            issues.append(_CellIssues("value_required", parts[0][0], rows.tolist(),
                                      [None] * len(rows), {"label": label}))

    frame = pd.DataFrame(tidy, index=data.index.copy())
    frame.index.name = "row"
    for column in instrument.columns:
        if not same_dtype(frame[column.name].dtype, dtypes[column.name]):
            frame[column.name] = frame[column.name].astype(dtypes[column.name])

    # unique columns (respondent ids, segment ids)
    for column in instrument.columns:
        if not column.unique or column.name not in data.columns:
            continue
        values = data[column.name]
        if column.type == "identifier":
            key = normalise_ids(values)
        elif column.type == "text":
            key = values.str.casefold()
        else:
            key = frame[column.name].astype("string")
        key = key[key.notna()]
        dup = key.duplicated(keep="first").to_numpy()
        if dup.any():
            first_of = dict(zip(key.to_numpy()[~dup], key.index[~dup]))
            dup_rows = key.index[dup]
            issues.append(_CellIssues(
                "value_duplicate", column.name, [int(r) for r in dup_rows],
                [str(values.at[r]) for r in dup_rows],
                row_params=[{"first": int(first_of[k])} for k in key.to_numpy()[dup]]))

    if instrument.one_row_per_region and n != 1:
        problems.append(Problem("one_row_expected", message(
            "one_row_expected", language, instrument=instrument.id, count=n), **where))

    # order: per column in template order, rows ascending within a kind
    order = {c.name: i for i, c in enumerate(instrument.columns)}
    issues.sort(key=lambda i: (order.get(i.column, 10**6), i.rows[0] if i.rows else 0))
    problems += _cap(issues, flagged, file=file, sheet=sheet, round_=round, region=region,
                     language=language)
    # blank out cells flagged as identifiers: they never enter the tidy data
    by_column: dict[str, list[int]] = {}
    for row, name in flagged:
        if name in frame.columns and row in frame.index:
            by_column.setdefault(name, []).append(row)
    for name, rows in by_column.items():
        frame.loc[rows, name] = pd.NA
    return frame, with_sources(problems, sources, language)


def _absent_columns(instrument: Instrument, present: set[str], header_row: int, language: str,
                    where: dict) -> list[Problem]:
    """One ``column_absent`` warning per item of the instrument (not required) that has no
    column in the file, saying what the reports lack without it; an item that expands into
    several columns is named once when all of them are absent, else per absent column."""
    out = []
    for item in instrument.items:
        columns = instrument.columns_of(item.name)
        absent = [c for c in columns if c.name not in present]
        if not absent or any(c.required for c in absent):
            continue
        named = [item.name] if len(absent) == len(columns) else [c.name for c in absent]
        for name in named:
            label = (item.label(language) if name == item.name
                     else instrument.column(name).label(language))
            lacks = item.used_for(language) if item.used_for else ""
            consequence = message("column_absent_lacks", language, lacks=lacks) if lacks else ""
            out.append(Problem("column_absent", message(
                "column_absent", language, column=name, label=label,
                extent=(message("column_absent_extent", language, count=len(columns))
                        if name == item.name and len(columns) > 1 else ""),
                consequence=consequence), severity="warning", column=name, row=header_row,
                **where))
    return out


# -- the whole study -----------------------------------------------------------------------------
@dataclass
class FileResult:
    """One data file of the study: where it is, what it holds, and what was found in it."""

    file: str                       # relative to the study folder, with '/'
    path: Path
    format: str                     # csv, xlsx, sav
    instrument: str | None = None
    round: str | None = None
    region: str | None = None
    sha256: str = ""
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    frame: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)
    #: The column mapping that applies (:mod:`mss_eval.input.mapping`): its file (relative to the
    #: study), the mapping and its SHA-256 (part of the file cache's key).
    mapping_file: str | None = None
    mapping: ColumnMapping | None = None
    mapping_sha256: str = ""

    @property
    def rows(self) -> int:
        return 0 if self.frame is None else len(self.frame)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


@dataclass
class ValidationReport:
    """Everything :func:`validate_study` found.

    Attributes
    ----------
    path
        The study folder.
    config
        The checked ``study.yaml`` (``None`` when it has errors).
    problems
        Every problem, in study order: study.yaml, folder layout, then file by file.
    files
        One :class:`FileResult` per data file that was read (or tried), in study order.
    language
        The language of the messages.
    """

    path: Path
    config: StudyConfig | None
    problems: list[Problem]
    files: list[FileResult]
    language: str = "nl"
    #: Per round and region with data: which instruments were delivered (with their rows),
    #: delivered as a header only, unreadable, missing, or not expected (:func:`_completeness`).
    completeness: list[dict] = field(default_factory=list)

    def completeness_lines(self) -> list[str]:
        """One sentence per round and region: what was delivered, what is missing."""
        return [completeness_sentence(c, self.language) for c in self.completeness]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def valid(self) -> bool:
        """No errors (warnings are allowed)."""
        return not self.errors

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Per file (relative path): its tidy frame (ids not yet pseudonymised)."""
        return {f.file: f.frame for f in self.files if f.frame is not None}

    def files_frame(self) -> pd.DataFrame:
        """One row per data file: file, instrument, round, region, format, sha256, rows."""
        records = [{"file": f.file, "instrument": f.instrument, "round": f.round,
                    "region": f.region, "format": f.format, "sha256": f.sha256, "rows": f.rows}
                   for f in self.files]
        frame = pd.DataFrame(records, columns=["file", "instrument", "round", "region", "format",
                                               "sha256", "rows"])
        for c in ["file", "instrument", "round", "region", "format", "sha256"]:
            frame[c] = frame[c].astype("string")
        frame["rows"] = frame["rows"].astype("Int64")
        return frame

    def summary(self) -> str:
        """One sentence: how many errors and warnings in how many files, valid or not."""
        e, w, n = len(self.errors), len(self.warnings), len(self.files)
        if self.language == "en":
            verdict = "the study is valid" if self.valid else "the study is NOT valid"
            return (f"{e} error(s) and {w} warning(s) in {n} data file(s); {verdict}.")
        verdict = "de studie is geldig" if self.valid else "de studie is NIET geldig"
        return f"{e} fout(en) en {w} waarschuwing(en) in {n} gegevensbestand(en); {verdict}."


def _peek_language(study_dir: Path) -> str:
    """The report language from study.yaml, read leniently (before it is checked strictly)."""
    from ..study import _parse_yaml

    try:
        data = _parse_yaml((study_dir / STUDY_FILE).read_text(encoding="utf-8-sig"))
        lang = data.get("settings", {}).get("language", "nl")
        return lang if lang in ("nl", "en") else "nl"
    except Exception:
        return "nl"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def _rel(path: Path, study_dir: Path) -> str:
    try:
        return path.relative_to(study_dir).as_posix()
    except ValueError:
        return str(path)


def _entries(folder: Path) -> list[Path]:
    """The entries of a folder, sorted; hidden files, Excel lock files and READMEs left out."""
    try:
        return sorted(p for p in folder.iterdir()
                      if not p.name.startswith((".", "~$"))
                      and p.name not in ("Thumbs.db", "desktop.ini")
                      and not p.name.casefold().startswith(("readme", "leesmij")))
    except OSError:
        return []


class _Mappings:
    """The study's mapping files, each read and checked once however many files it serves;
    its problems go to the study's problems once."""

    def __init__(self, study_dir: Path, language: str, problems: list[Problem]):
        self.study_dir, self.language, self.problems = study_dir, language, problems
        self._loaded: dict[Path, LoadedMapping] = {}
        self._checked: set[tuple[Path, str]] = set()

    def get(self, path: Path, for_file: Path | None = None) -> LoadedMapping:
        if path not in self._loaded:
            try:
                loaded = read_mapping(path, file=_rel(path, self.study_dir),
                                      language=self.language)
            except OSError as exc:
                loaded = LoadedMapping(file=_rel(path, self.study_dir), path=path, mapping=None,
                                       problems=[Problem("mapping_syntax", message(
                                           "mapping_syntax", self.language, detail=exc),
                                           file=_rel(path, self.study_dir))])
            self._loaded[path] = loaded
            self.problems += loaded.problems
        return self._loaded[path]

    def attach(self, fr: FileResult, path: Path | None) -> None:
        if path is None:
            return
        from ..instruments import get_instrument

        loaded = self.get(path)
        fr.mapping_file, fr.mapping_sha256 = loaded.file, loaded.sha256
        if loaded.mapping is None:
            fr.mapping_sha256 = "invalid"
            return
        key = (path, fr.instrument)
        found = check_mapping(loaded, get_instrument(fr.instrument), language=self.language)
        if key not in self._checked:
            self._checked.add(key)
            self.problems += found
        if any(p.severity == "error" for p in found):
            fr.mapping_sha256 = "invalid"
            return
        fr.mapping = loaded.mapping


def _discover(study_dir: Path, config: StudyConfig, language: str
              ) -> tuple[list[FileResult], list[Problem]]:
    """Walk data/<round>/<region>/ and return the data files to read and the layout problems."""
    root = study_dir.resolve()
    problems: list[Problem] = []
    found: list[FileResult] = []
    data_dir = study_dir / DATA_DIR

    def outside(p: Path) -> bool:
        if p.is_symlink() and not _inside(p, root):
            problems.append(Problem("path_outside_study", message(
                "path_outside_study", language, value=_rel(p, study_dir)),
                file=_rel(p, study_dir), value=_rel(p, study_dir)))
            return True
        return False

    if not data_dir.is_dir() or outside(data_dir):
        if not data_dir.exists():
            problems.append(Problem("data_folder_missing", message(
                "data_folder_missing", language, value=DATA_DIR), severity="warning",
                file=DATA_DIR))
        return found, problems

    round_ids = [r.id for r in config.rounds]
    region_ids = [r.id for r in config.regions]
    known_instruments = sorted(instruments())
    by_fold = {i.casefold(): i for i in known_instruments}
    seen_pairs: set[tuple[str, str]] = set()
    per_folder: dict[tuple[str, str], list[FileResult]] = {}
    mappings = _Mappings(study_dir, language, problems)

    def misplaced(p: Path) -> None:
        problems.append(Problem("file_misplaced", message(
            "file_misplaced", language, value=_rel(p, study_dir)), severity="warning",
            file=_rel(p, study_dir), value=p.name))

    for round_dir in _entries(data_dir):
        if outside(round_dir):
            continue
        if not round_dir.is_dir():
            if not is_mapping_file(round_dir):
                misplaced(round_dir)
            continue
        if round_dir.name not in round_ids:
            problems.append(Problem("round_folder_unknown", message(
                "round_folder_unknown", language, value=round_dir.name,
                known=", ".join(round_ids) or "-",
                suggestion=_suggest(round_dir.name, round_ids, language)),
                file=_rel(round_dir, study_dir), value=round_dir.name))
            continue
        rnd = config.round(round_dir.name)
        for region_dir in _entries(round_dir):
            if outside(region_dir):
                continue
            if not region_dir.is_dir():
                if not is_mapping_file(region_dir):
                    misplaced(region_dir)
                continue
            where = dict(file=_rel(region_dir, study_dir), value=region_dir.name, round=rnd.id)
            if region_dir.name not in region_ids:
                problems.append(Problem("region_folder_unknown", message(
                    "region_folder_unknown", language, value=region_dir.name,
                    known=", ".join(region_ids) or "-",
                    suggestion=_suggest(region_dir.name, region_ids, language)), **where))
                continue
            if region_dir.name not in rnd.regions:
                problems.append(Problem("region_not_in_round", message(
                    "region_not_in_round", language, value=region_dir.name, round=rnd.id,
                    known=", ".join(rnd.regions) or "-"), region=region_dir.name, **where))
                continue
            pair = (rnd.id, region_dir.name)
            seen_pairs.add(pair)
            for f in _entries(region_dir):
                rel = _rel(f, study_dir)
                if outside(f) or not _inside(f, root):
                    continue
                if f.is_dir():
                    misplaced(f)
                    continue
                if is_mapping_file(f):
                    continue
                suffix = f.suffix.lower()
                if suffix not in DATA_SUFFIXES:
                    if suffix in (".xls", ".ods", ".numbers"):
                        kind = {".xls": "oud Excel (.xls)" if language == "nl" else
                                "old Excel (.xls)", ".ods": "OpenDocument (.ods)",
                                ".numbers": "Numbers"}[suffix]
                        problems.append(Problem("file_format_unsupported", message(
                            "file_format_unsupported", language, value=f.name, kind=kind),
                            file=rel, value=f.name, round=pair[0], region=pair[1]))
                    else:
                        problems.append(Problem("file_ignored", message(
                            "file_ignored", language, value=f.name), severity="warning",
                            file=rel, value=f.name, round=pair[0], region=pair[1]))
                    continue
                instrument = by_fold.get(f.stem.casefold())
                own_mapping = find_mapping(f, data_dir, None)
                if instrument is None and own_mapping is not None:
                    # a file kept under its export name: its own mapping names the instrument
                    named = mappings.get(own_mapping, f)
                    if named.mapping is not None and named.mapping.instrument in by_fold.values():
                        instrument = named.mapping.instrument
                if instrument is None:
                    problems.append(Problem("instrument_unknown", message(
                        "instrument_unknown", language, value=f.stem,
                        known=", ".join(known_instruments),
                        suggestion=_suggest(f.stem, known_instruments, language)),
                        file=rel, value=f.name, round=pair[0], region=pair[1]))
                    continue
                fr = FileResult(file=rel, path=f, format=suffix[1:], instrument=instrument,
                                round=pair[0], region=pair[1])
                mappings.attach(fr, find_mapping(f, data_dir, instrument))
                per_folder.setdefault(pair, []).append(fr)

    # study order: rounds and regions as in study.yaml, then instruments by name
    for rnd in config.rounds:
        for region in rnd.regions:
            pair = (rnd.id, region)
            files = per_folder.get(pair, [])
            if not files:
                problems.append(Problem("region_no_data", message(
                    "region_no_data", language, region=region, round=rnd.id),
                    severity="warning", file=f"{DATA_DIR}/{rnd.id}/{region}", round=rnd.id,
                    region=region))
                continue
            by_instrument: dict[str, list[FileResult]] = {}
            for fr in files:
                by_instrument.setdefault(fr.instrument, []).append(fr)
            for instrument_id in sorted(by_instrument):
                group = by_instrument[instrument_id]
                if len(group) > 1:
                    names = ", ".join(g.path.name for g in group)
                    for g in group:
                        problems.append(Problem("instrument_twice", message(
                            "instrument_twice", language, instrument=instrument_id, value=names),
                            file=g.file, value=g.path.name, round=rnd.id, region=region))
                    continue
                found.append(group[0])
    return found, problems


def _read_and_check(fr: FileResult, language: str) -> None:
    """Read one file and check it against its instrument, filling in the FileResult."""
    from ..instruments import get_instrument

    try:
        raw = read_table(fr.path, file=fr.file, language=language)
    except ReadError as exc:
        fr.problems = [Problem(**{**p.to_dict(), "round": fr.round, "region": fr.region})
                       for p in exc.problems]
        try:
            from .readers import sha256_of
            fr.sha256 = sha256_of(fr.path)
        except OSError:
            pass
        return
    except Exception as exc:
        # A file damaged in a way the readers did not foresee is still the researcher's file
        # problem, not a crash; MSS_EVAL_DEBUG=1 shows the traceback to a developer.
        if os.environ.get("MSS_EVAL_DEBUG"):
            raise
        detail = getattr(exc, "strerror", None) or f"{type(exc).__name__}: {exc}"
        fr.problems = [Problem("file_unreadable", message(
            "file_unreadable", language, format=fr.format, detail=detail),
            file=fr.file, round=fr.round, region=fr.region)]
        return
    fr.sha256, fr.sheet, fr.encoding, fr.delimiter = (raw.sha256, raw.sheet, raw.encoding,
                                                      raw.delimiter)
    if fr.mapping_sha256 == "invalid":
        # the mapping has errors (reported once for the study): checking the file against the
        # instrument without it would only repeat them as hundreds of unknown columns
        fr.frame, fr.problems = None, list(raw.problems)
        return
    frame, problems = validate_table(raw, get_instrument(fr.instrument), language=language,
                                     round=fr.round, region=fr.region, mapping=fr.mapping)
    fr.frame, fr.problems = frame, problems


def _check_references(files: list[FileResult], language: str) -> None:
    """Ids that must exist in another instrument's file of the same region and round."""
    from ..instruments import get_instrument

    by_pair: dict[tuple, dict[str, FileResult]] = {}
    for fr in files:
        by_pair.setdefault((fr.round, fr.region), {})[fr.instrument] = fr
    for fr in files:
        if fr.frame is None:
            continue
        instrument = get_instrument(fr.instrument)
        for column in instrument.columns:
            if column.references is None or column.name not in fr.frame.columns:
                continue
            target_instrument = get_instrument(column.references)
            target_column = target_instrument.id_column or column.name
            target = by_pair[(fr.round, fr.region)].get(column.references)
            where = dict(file=fr.file, sheet=fr.sheet, round=fr.round, region=fr.region)
            if target is None:
                if fr.frame[column.name].notna().any():
                    fr.problems.append(Problem("reference_file_missing", message(
                        "reference_file_missing", language, column=column.name,
                        target=column.references), column=column.name, **where))
                continue
            if target.frame is None or target_column not in target.frame.columns:
                continue  # the target file has its own (reported) problems
            known = set(normalise_ids(target.frame[target_column]).dropna())
            ids = fr.frame[column.name]
            normal = normalise_ids(ids)
            unknown = normal.notna() & ~normal.isin(known)
            if unknown.any():
                rows = fr.frame.index[unknown.to_numpy()]
                issue = _CellIssues("reference_unknown", column.name, [int(r) for r in rows],
                                    [str(ids.at[r]) for r in rows],
                                    {"target": target.file, "target_column": target_column})
                fr.problems += _cap([issue], set(), file=fr.file, sheet=fr.sheet,
                                    round_=fr.round, region=fr.region, language=language)


def _check_approached(study_dir: Path, config: StudyConfig, language: str) -> list[Problem]:
    """The response counts in study.yaml (``rounds[].approached``) name regions of that round
    and known instruments."""
    from ..study import _line, _node_at, _node_tree

    if not any(r.approached for r in config.rounds):
        return []
    try:
        node = _node_tree((study_dir / STUDY_FILE).read_text(encoding="utf-8-sig"))
    except OSError:
        node = None
    words = {"nl": ("geen regio van deze ronde", "geen methode of instrument"),
             "en": ("not a region of this round", "neither a method nor an instrument")}[
        "en" if language == "en" else "nl"]
    methods = list(COLLECTION_METHODS)
    known_instruments = sorted(instruments())
    problems = []
    for ri, rnd in enumerate(config.rounds):
        for region, counts in rnd.approached.items():
            if region not in rnd.regions:
                problems.append(Problem("approached_unknown", message(
                    "approached_unknown", language, round=rnd.id, value=region, what=words[0],
                    known=", ".join(rnd.regions)), file=STUDY_FILE, value=region,
                    line=_line(_node_at(node, ("rounds", ri, "approached", region)))))
            for key in counts:
                if key in methods:
                    continue
                # an instrument without a method of its own (the partner survey, the interview
                # register that holds two methods) would be accepted and then silently unused
                code = "approached_feeds_nothing" if key in known_instruments else \
                    "approached_unknown"
                problems.append(Problem(code, message(
                    code, language, round=rnd.id, value=key, what=words[1],
                    known=", ".join(methods)), file=STUDY_FILE, value=key,
                    line=_line(_node_at(node, ("rounds", ri, "approached", region, key)))))
    return problems


def _check_not_expected(study_dir: Path, config: StudyConfig, language: str) -> list[Problem]:
    """``not_expected`` in study.yaml names known instruments (and, per round, its regions)."""
    from ..study import _line, _node_at, _node_tree

    wanted = [(("regions", i, "not_expected"), r.not_expected, None)
              for i, r in enumerate(config.regions) if r.not_expected]
    for ri, rnd in enumerate(config.rounds):
        for region, names in rnd.not_expected.items():
            wanted.append((("rounds", ri, "not_expected", region), names,
                           (rnd, region)))
    if not wanted:
        return []
    try:
        node = _node_tree((study_dir / STUDY_FILE).read_text(encoding="utf-8-sig"))
    except OSError:
        node = None
    known = sorted(instruments())
    problems = []
    for loc, names, round_region in wanted:
        if round_region is not None and round_region[1] not in round_region[0].regions:
            problems.append(Problem("not_expected_unknown", message(
                "not_expected_unknown", language, value=round_region[1],
                known=", ".join(round_region[0].regions)), file=STUDY_FILE,
                value=round_region[1], line=_line(_node_at(node, loc))))
        for i, name in enumerate(names):
            if name not in known:
                problems.append(Problem("not_expected_unknown", message(
                    "not_expected_unknown", language, value=name, known=", ".join(known)),
                    file=STUDY_FILE, value=name, line=_line(_node_at(node, (*loc, i)))))
    return problems


def _completeness(config: StudyConfig, files: list[FileResult], language: str
                  ) -> tuple[list[dict], list[Problem]]:
    """What each round and region delivered, and a warning per instrument it did not.

    A region without any file has its ``region_no_data`` warning already; an instrument that
    ``study.yaml`` says the region is not expected to deliver gets no warning.
    """
    from ..instruments import get_instrument

    by_pair: dict[tuple[str, str], list[FileResult]] = {}
    for fr in files:
        by_pair.setdefault((fr.round, fr.region), []).append(fr)
    records, problems = [], []
    for rnd, region in config.round_regions():
        pair_files = by_pair.get((rnd, region))
        if not pair_files:
            continue
        not_expected = config.not_expected(rnd, region)
        record = {"round": rnd, "region": region, "delivered": {}, "header_only": [],
                  "unreadable": [], "missing": [], "not_expected": sorted(not_expected)}
        for fr in sorted(pair_files, key=lambda f: f.instrument or ""):
            if fr.frame is None:
                record["unreadable"].append(fr.instrument)
            elif len(fr.frame) == 0:
                record["header_only"].append(fr.instrument)
            else:
                record["delivered"][fr.instrument] = len(fr.frame)
        have = {fr.instrument for fr in pair_files}
        for instrument_id in sorted(instruments()):
            if instrument_id in have or instrument_id in not_expected:
                continue
            record["missing"].append(instrument_id)
            instrument = get_instrument(instrument_id)
            lacks = instrument.used_for(language) if instrument.used_for else ""
            problems.append(Problem("instrument_missing", message(
                "instrument_missing", language, instrument=instrument_id,
                title=instrument.title(language), round=rnd, region=region,
                consequence=message("column_absent_lacks", language, lacks=lacks)
                if lacks else ""), severity="warning", file=f"{DATA_DIR}/{rnd}/{region}",
                value=instrument_id, round=rnd, region=region))
        records.append(record)
    return records, problems


def completeness_sentence(record: dict, language: str = "nl") -> str:
    """``2010-2, hilversum: 3 van 11 instrumenten aangeleverd (client_interview 6 rijen, ...);
    ontbreekt: ...; alleen kopregel: ...; niet verwacht: ...``."""
    nl = language != "en"
    total = len(instruments())
    delivered = record["delivered"]
    def rows(v: int) -> str:
        return f"{v} " + (("rij" if v == 1 else "rijen") if nl else ("row" if v == 1 else "rows"))

    parts = [(f"{len(delivered)} van {total} instrumenten aangeleverd" if nl else
              f"{len(delivered)} of {total} instruments delivered")
             + (" (" + ", ".join(f"{k} {rows(v)}" for k, v in delivered.items()) + ")"
                if delivered else "")]
    for key, nl_word, en_word in (("header_only", "alleen kopregel", "header only"),
                                  ("unreadable", "met fouten", "with errors"),
                                  ("missing", "ontbreekt", "missing"),
                                  ("not_expected", "niet verwacht", "not expected")):
        if record[key]:
            parts.append(f"{nl_word if nl else en_word}: {', '.join(record[key])}")
    return f"{record['round']}, {record['region']}: " + "; ".join(parts)


#: Below this many files to read, a study is checked in this process (small studies, tests).
PARALLEL_MIN_FILES = 200
#: Files per task handed to a worker process.
_BATCH = 24
#: Set to a number of worker processes (1 = check every file in this process).
WORKERS_ENV = "MSS_EVAL_WORKERS"
#: What the last :func:`validate_study` of this process read: ``files`` read and checked (not
#: taken from the cache), ``workers`` used (0: none to read, 1: this process) and the CPU seconds
#: spent reading and checking them, worker processes included (benchmarks, tests).
last_check: dict[str, float] = {"files": 0, "workers": 0, "cpu_seconds": 0.0}


def default_workers() -> int:
    """Worker processes for checking files: ``MSS_EVAL_WORKERS``, else the usable cores."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    if text:
        try:
            return max(1, int(text))
        except ValueError:
            pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _result_of(fr: FileResult) -> dict:
    return {"sha256": fr.sha256, "sheet": fr.sheet, "encoding": fr.encoding,
            "delimiter": fr.delimiter, "frame": fr.frame, "problems": list(fr.problems)}


def _apply(fr: FileResult, result: dict) -> None:
    fr.sha256, fr.sheet, fr.encoding, fr.delimiter = (result["sha256"], result["sheet"],
                                                      result["encoding"], result["delimiter"])
    fr.frame, fr.problems = result["frame"], list(result["problems"])


def _check_batch(items: list[tuple[FileResult, str | None, str | None]], language: str,
                 cache_folder: Path | None) -> list[dict]:
    """Read and check files (in this process or a worker); store each result under its key when
    the file read is the one hashed for the key."""
    from . import file_cache

    start = time.process_time()
    out = []
    for fr, key, expected_sha in items:
        _read_and_check(fr, language)
        result = _result_of(fr)
        if cache_folder is not None and key and fr.sha256 and fr.sha256 == expected_sha:
            file_cache.store(cache_folder, key, result)
        out.append(result)
    return out, time.process_time() - start


_IN_WORKER = False


def _worker_init() -> None:
    global _IN_WORKER
    _IN_WORKER = True  # a worker checks its files itself, it never starts workers of its own


@functools.cache
def _pool_context():
    """The forkserver context of the worker processes, or ``None`` where there is none (Windows).

    forkserver: workers start from a clean process (no threads of pyarrow, a kernel or a render
    engine copied half-way), with the reading modules imported once in the server. Like every
    ``spawn`` or ``forkserver`` worker, each imports the caller's ``__main__`` module again; a
    script must keep its work under ``if __name__ == "__main__":`` (notebooks, the ``mss-eval``
    command and ``python -m`` modules with the guard are fine). multiprocessing has no public way
    to leave the main module out (its documentation asks for the guard: "Safe importing of main
    module"); see :func:`_check_files` for what happens without it.
    """
    import multiprocessing as mp

    if "forkserver" not in mp.get_all_start_methods():
        return None
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["mss_eval.input.validate"])
    return context


def _check_files(todo: list[tuple[FileResult, str | None, str | None]], language: str,
                 cache_folder: Path | None, workers: int | None) -> None:
    """Read and check ``todo`` (serially, or over worker processes), filling in each FileResult.

    The results are put back in the order of ``todo``, so problems and frames are the same
    whichever way the files were checked.
    """
    import multiprocessing as mp

    last_check.update(files=0, workers=0, cpu_seconds=0.0)
    if not todo:
        return
    n = default_workers() if workers is None else max(1, int(workers))
    parallel = n > 1 and (workers is not None and workers > 1 or len(todo) >= PARALLEL_MIN_FILES)
    if parallel and (mp.current_process().daemon or _IN_WORKER or _pool_context() is None):
        parallel = False  # a worker (daemonic or ours) does not start processes of its own
    if parallel:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        batches = [todo[i:i + _BATCH] for i in range(0, len(todo), _BATCH)]
        try:
            with ProcessPoolExecutor(max_workers=min(n, len(batches)), mp_context=_pool_context(),
                                     initializer=_worker_init) as pool:
                futures = [pool.submit(_check_batch, [(fr, key, sha) for fr, key, sha in batch],
                                       language, cache_folder) for batch in batches]
                cpu = 0.0
                for batch, future in zip(batches, futures):
                    results, seconds = future.result()
                    cpu += seconds
                    for (fr, _, _), result in zip(batch, results):
                        _apply(fr, result)
            last_check.update(files=len(todo), workers=min(n, len(batches)), cpu_seconds=cpu)
            return
        except (BrokenProcessPool, OSError) as error:
            if os.environ.get("MSS_EVAL_DEBUG"):
                raise
            # no worker processes here (a sandbox, a frozen interpreter), or workers that died
            # starting (a script without the __main__ guard, re-run in each worker, stops there
            # with Python's own explanation): the files are checked in turn
            if isinstance(error, BrokenProcessPool):
                warnings.warn(message("workers_failed", language), RuntimeWarning, stacklevel=2)
    results, cpu = _check_batch(todo, language, cache_folder)
    for fr, result in zip([t[0] for t in todo], results):
        _apply(fr, result)
    last_check.update(files=len(todo), workers=1, cpu_seconds=cpu)


def validate_study(path: Path | str, language: str | None = None, *, workers: int | None = None,
                   cache: bool = False, hashes: dict[str, str] | None = None
                   ) -> ValidationReport:
    """Check a whole study folder: study.yaml, the folder layout and every data file.

    Parameters
    ----------
    path
        The study folder (with ``study.yaml`` and ``data/<round>/<region>/``).
    language
        Language of the messages; by default the study's own (``settings.language``), else Dutch.
    workers
        Worker processes that read and check files. ``None`` (default): ``MSS_EVAL_WORKERS`` or
        the usable cores, but only when at least :data:`PARALLEL_MIN_FILES` files are to be read;
        ``1``: every file in this process; more than 1: always in worker processes. The report
        is the same whichever is used.
    cache
        Take the result of each unchanged file from ``<study>/.mss-cache/files/`` and store the
        results of files read now (:mod:`mss_eval.input.file_cache`). ``MSS_EVAL_NO_CACHE=1``
        turns it off.
    hashes
        The study's :func:`mss_eval.cache_keys.file_hashes`, when the caller has them already.

    Returns
    -------
    ValidationReport
        The problems, the files read (with their SHA-256) and each file's tidy frame. Never raises
        on bad data; input files are only read.
    """
    study_dir = Path(path)
    language = language or _peek_language(study_dir)
    try:
        config = load_config(study_dir, language=language)
    except StudyError as exc:
        return ValidationReport(path=study_dir, config=None, problems=list(exc.problems),
                                files=[], language=language)
    problems = _check_approached(study_dir, config, language)
    problems += _check_not_expected(study_dir, config, language)
    files, layout = _discover(study_dir, config, language)
    problems += layout

    from ..cache_keys import cache_disabled, file_hashes
    from . import file_cache

    folder = None
    todo: list[tuple[FileResult, str | None, str | None]] = []
    keyed: list[tuple[FileResult, str]] = []
    bundle = None
    in_bundle: set[str] = set()
    reused: dict[str, tuple] = {}
    if cache and not cache_disabled() and files:
        folder = file_cache.files_dir(study_dir)
        if hashes is None:
            hashes = file_hashes(study_dir)
        bundle = file_cache.load_bundle(folder)
        for fr in files:
            sha = hashes.get(fr.file)
            if not sha:
                todo.append((fr, None, None))
                continue
            key = file_cache.file_key(sha256=sha, file=fr.file, instrument=fr.instrument,
                                      round=fr.round, region=fr.region, format=fr.format,
                                      language=language, mapping=fr.mapping_sha256 or None)
            keyed.append((fr, key))
            found = None
            if bundle is not None:
                found = file_cache.from_bundle(bundle, key)
                if found is not None:
                    in_bundle.add(key)
                    span = bundle["entries"][key]["span"]
                    if span is not None:
                        reused[key] = span
            if found is None:
                found = file_cache.load(folder, key)
            if found is None:
                todo.append((fr, key, sha))
            else:
                _apply(fr, found)
    else:
        todo = [(fr, None, None) for fr in files]
    _check_files(todo, language, folder, workers)
    if folder is not None and keyed:
        used = {key for _, key in keyed}
        if bundle is None or in_bundle != used or set(bundle["entries"]) != used:
            # the checks of this load, before the checks across files add their problems
            results = {key: {**_result_of(fr), "instrument": fr.instrument} for fr, key in keyed}
            with contextlib.suppress(OSError):
                file_cache.save_bundle(folder, results, bundle, reused)
        if any(key for _, key, _ in todo):
            file_cache.prune(folder, used)
    _check_references(files, language)
    from ..qualitative.quotes import check_approved_quotes
    problems += check_approved_quotes(study_dir, files, language=language)
    for fr in files:
        problems += fr.problems
    completeness, missing = _completeness(config, files, language)
    problems += missing
    return ValidationReport(path=study_dir, config=config, problems=problems, files=files,
                            language=language, completeness=completeness)
