"""Column mappings: how a delivered file's own columns and codes become an instrument's.

A region that exports from LimeSurvey, Qualtrics, Castor EDC or SPSS has its own column names
(``V1``, ``Q2[SQ001]``, ``QID12_3``) and its own codes (``A1``, ``Y``, ``-98``). A **column
mapping** says, as data, what they mean::

    # data/2010-1/den_haag/client_interview.mapping.yaml
    instrument: client_interview
    tool: limesurvey
    drop: [ipaddr]                      # never read
    skip_rows: []                       # spreadsheet rows that are not data
    date_format: "%d-%m-%Y"             # for every date column (or per column: format)
    multiple_choice: {selected: [Y], not_selected: [N]}
    values: {"-98": 98}                 # recodes for every mapped column
    columns:
      id: respondent_id
      G01Q03: {item: gender, values: {A1: 1, A2: 2, A3: 3}}
      G02Q07[SQ001]: participation_needs_company
      wensen: {item: participation_needs, separator: ","}   # one column, options separated

The same in CSV form, for spreadsheet users: a header ``bron;item;waarden;scheidingsteken;formaat``
(or ``source;item;values;separator;format``), one row per source column (``waarden`` as
``A1=1; A2=2``; an empty ``item`` or ``-`` drops the column), and rows whose ``bron`` starts with
``@`` for the settings (``@instrument``, ``@tool``, ``@skip_rows``, ``@date_format``, ``@selected``,
``@not_selected``), their value in ``item``.

Where mappings are found (the most specific one is used, :func:`find_mapping`): next to the file
(``data/<round>/<region>/<instrument>.mapping.yaml``, or ``<file name>.mapping.yaml`` for a file
named otherwise, whose mapping then names the instrument), in the round's folder
(``data/<round>/<instrument>.mapping.yaml``) or for the whole study
(``data/<instrument>.mapping.yaml``). ``.yaml``, ``.yml`` and ``.csv`` are read.

:func:`apply_mapping` turns a :class:`~mss_eval.input.readers.RawTable` into one with the
instrument's column names; the recodes travel beside it (:class:`ValueRecode`) so that messages
keep naming the value as it is in the file, and the source column it came from.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..instruments import Instrument, instruments
from ..problems import MESSAGES, Problem, message

MAPPING_SUFFIXES = (".mapping.yaml", ".mapping.yml", ".mapping.csv")
#: Values of ``item`` (CSV form) that drop the column.
_DROP_WORDS = {"", "-", "drop", "weglaten", "negeren", "ignore"}

MESSAGES.update({
    "mapping_invalid": {
        "nl": "de koppeling (mapping) is ongeldig bij '{key}': {detail}",
        "en": "the column mapping is invalid at '{key}': {detail}",
    },
    "mapping_syntax": {
        "nl": "de koppeling (mapping) is geen geldige YAML of CSV: {detail}",
        "en": "the column mapping is not valid YAML or CSV: {detail}",
    },
    "mapping_item_unknown": {
        "nl": "de bronkolom '{source}' is gekoppeld aan '{value}', maar het instrument "
              "'{instrument}' heeft geen kolom of meerkeuze-item met die naam{suggestion}",
        "en": "the source column '{source}' is mapped to '{value}', but the instrument "
              "'{instrument}' has no column or multiple-choice item of that name{suggestion}",
    },
    "mapping_instrument_unknown": {
        "nl": "de koppeling noemt het instrument '{value}', maar dat bestaat niet (bekend: "
              "{known})",
        "en": "the mapping names the instrument '{value}', which does not exist (known: {known})",
    },
    "mapping_instrument_differs": {
        "nl": "de koppeling is voor '{value}', maar het bestand is '{instrument}'",
        "en": "the mapping is for '{value}', but the file is '{instrument}'",
    },
    "mapping_target_twice": {
        "nl": "de bronkolommen {sources} zijn alle gekoppeld aan '{value}'; koppel één kolom "
              "aan een item",
        "en": "the source columns {sources} are all mapped to '{value}'; map one column to an "
              "item",
    },
    "mapping_value_unknown": {
        "nl": "de hercodering van '{source}' ({value} -> {target}) geeft geen geldig antwoord "
              "van '{item}'; toegestaan: {expected}",
        "en": "the recode of '{source}' ({value} -> {target}) gives no valid answer of "
              "'{item}'; allowed: {expected}",
    },
    "mapping_source_absent": {
        "nl": "de koppeling noemt de bronkolom '{source}', maar die staat niet in het bestand",
        "en": "the mapping names the source column '{source}', which is not in the file",
    },
    "mapping_option_unknown": {
        "nl": "'{value}' in '{source}' is geen keuze van '{item}'; toegestaan: {expected}",
        "en": "'{value}' in '{source}' is not an option of '{item}'; allowed: {expected}",
    },
    "mapped_from": {
        "nl": " (bronkolom '{source}', gekoppeld aan '{target}')",
        "en": " (source column '{source}', mapped to '{target}')",
    },
})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Code = str | int | float


class ColumnRule(_Strict):
    """What one source column becomes."""

    #: An instrument column (``gender``, ``participation_needs_company``) or, with
    #: ``separator``, a multiple-choice item (``participation_needs``).
    item: str
    #: Source value or label -> instrument code, key, label or missing code.
    values: dict[str, Code] = Field(default_factory=dict)
    #: The options of a multiple-choice item in one column, separated by this text.
    separator: str | None = None
    #: A date format for this column (``%d-%m-%Y``).
    format: str | None = None

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_text(cls, v: Any) -> Any:
        if v is None:
            return {}  # "values:" with nothing under it
        if isinstance(v, dict):
            return {_text(k): val for k, val in v.items()}
        return v


class MultipleChoice(_Strict):
    """How an export writes a chosen option: ``selected`` values (or ``any`` non-blank value)
    and ``not_selected`` values; a blank cell is "not chosen" when another option of the item is
    chosen."""

    selected: list[str] | str = Field(default_factory=list)
    not_selected: list[str] = Field(default_factory=list)

    @field_validator("selected", "not_selected", mode="before")
    @classmethod
    def _as_texts(cls, v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return [_text(x) for x in v]
        if isinstance(v, (int, float)):
            return [_text(v)]
        return v


class ColumnMapping(_Strict):
    """A column mapping for one instrument (see the module notes for the format)."""

    instrument: str | None = None
    tool: str | None = None
    columns: dict[str, str | ColumnRule] = Field(default_factory=dict)
    drop: list[str] = Field(default_factory=list)
    skip_rows: list[int] = Field(default_factory=list)
    date_format: str | None = None
    multiple_choice: MultipleChoice | None = None
    values: dict[str, Code] = Field(default_factory=dict)

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {_text(k): val for k, val in v.items()}
        return v

    @field_validator("columns", "values", mode="before")
    @classmethod
    def _null_as_no_keys(cls, v: Any) -> Any:
        # "columns:" with nothing under it (a proposal that matched no column) is YAML null
        return {} if v is None else v

    @field_validator("drop", "skip_rows", mode="before")
    @classmethod
    def _null_as_no_items(cls, v: Any) -> Any:
        return [] if v is None else v

    @field_validator("columns", mode="before")
    @classmethod
    def _sources_as_text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {_text(k): val for k, val in v.items()}
        return v

    def rule(self, source: str) -> ColumnRule:
        r = self.columns[source]
        return ColumnRule(item=r) if isinstance(r, str) else r


def _text(value: Any) -> str:
    """A YAML key or value as the text a cell would hold (``1`` and ``1.0`` are ``"1"``)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- reading a mapping file --------------------------------------------------------------------
@dataclass
class LoadedMapping:
    """A mapping file as read: the mapping (``None`` when it has errors) and its problems."""

    file: str
    path: Path
    mapping: ColumnMapping | None
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""


def _node_line(node, loc: tuple) -> int | None:
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for key, value in node.value:
                if key.value == str(part):
                    nxt = key if part == loc[-1] else value
                    break
            if nxt is None:
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def read_mapping(path: Path | str, *, file: str | None = None,
                 language: str = "nl") -> LoadedMapping:
    """Read a mapping file (YAML or the CSV form) strictly; problems name the line."""
    import hashlib

    path = Path(path)
    file = file or str(path)
    raw = path.read_bytes()
    loaded = LoadedMapping(file=file, path=path, mapping=None,
                           sha256=hashlib.sha256(raw).hexdigest())
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    node = None
    try:
        if path.name.lower().endswith(".csv"):
            data, lines = _csv_form(text)
        else:
            data = yaml.safe_load(text) or {}
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            lines = None
    except (yaml.YAMLError, csv.Error, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        loaded.problems.append(Problem("mapping_syntax", message(
            "mapping_syntax", language, detail=getattr(exc, "problem", None) or exc),
            file=file, line=mark.line + 1 if mark else None))
        return loaded
    if not isinstance(data, dict):
        loaded.problems.append(Problem("mapping_syntax", message(
            "mapping_syntax", language, detail="expected keys such as columns, drop"),
            file=file, line=1))
        return loaded
    try:
        loaded.mapping = ColumnMapping.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            # a column entry is "str | ColumnRule": report the rule's own error once
            loc = tuple(p for p in loc if p not in ("str", "ColumnRule"))
            line = (lines or {}).get(loc[1]) if lines and len(loc) > 1 else \
                _node_line(node, loc) if node is not None else None
            loaded.problems.append(Problem("mapping_invalid", message(
                "mapping_invalid", language, key=".".join(str(p) for p in loc),
                detail=err["msg"]), file=file, line=line))
        # a dict column value tried against str and ColumnRule gives two errors for one fault
        seen = set()
        loaded.problems = [p for p in loaded.problems
                           if not (p.line, p.file) in seen and not seen.add((p.line, p.file))]
    return loaded


_CSV_KEYS = {
    "bron": "source", "source": "source", "bronkolom": "source", "kolom": "source",
    "item": "item", "doel": "item", "target": "item",
    "waarden": "values", "values": "values", "hercodering": "values", "recode": "values",
    "scheidingsteken": "separator", "separator": "separator",
    "formaat": "format", "format": "format",
}


def _csv_form(text: str) -> tuple[dict, dict[str, int]]:
    """The CSV form of a mapping as the YAML form's data, with the line of each source column."""
    from .delimiters import sniff_delimiter

    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
    rows = list(reader)
    if not rows:
        return {}, {}
    header = [_CSV_KEYS.get(h.strip().casefold(), h.strip().casefold()) for h in rows[0]]
    if "source" not in header or "item" not in header:
        raise ValueError("the first row must name the columns bron;item;waarden "
                         "(source;item;values)")
    data: dict[str, Any] = {"columns": {}, "drop": []}
    lines: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, (c.strip() for c in row)))
        source = cells.get("source", "")
        if not source or source.startswith("#"):
            continue
        value = cells.get("item", "")
        if source.startswith("@"):
            key = source[1:].strip().casefold()
            if key == "skip_rows":
                data["skip_rows"] = [int(x) for x in re.split(r"[,;\s]+", value) if x]
            elif key in ("selected", "not_selected"):
                words = [x.strip() for x in re.split(r"[,;|]", value)]
                mc = data.setdefault("multiple_choice", {})
                mc[key] = "any" if key == "selected" and value.strip() == "any" else \
                    [w for w in words if w or key == "not_selected"]
            else:
                data[key] = value
            continue
        lines[source] = number
        if value.casefold() in _DROP_WORDS:
            data["drop"].append(source)
            continue
        rule: dict[str, Any] = {"item": value}
        if cells.get("values"):
            pairs = [p for p in re.split(r"[;\n]", cells["values"]) if p.strip()]
            rule["values"] = dict(tuple(x.strip() for x in p.split("=", 1)) for p in pairs)
        for key in ("separator", "format"):
            if cells.get(key):
                rule[key] = cells[key]
        data["columns"][source] = rule if len(rule) > 1 else value
    return data, lines


def mapping_names(stem: str) -> list[str]:
    return [stem + suffix for suffix in MAPPING_SUFFIXES]


def is_mapping_file(path: Path) -> bool:
    return path.name.lower().endswith(MAPPING_SUFFIXES)


def find_mapping(data_file: Path, data_dir: Path, instrument: str | None) -> Path | None:
    """The mapping that applies to a data file: next to it (named after the file or the
    instrument), else in its round's folder, else in ``data/`` (named after the instrument)."""
    folder = data_file.parent
    candidates = [folder / n for n in mapping_names(data_file.stem)]
    if instrument:
        candidates += [folder / n for n in mapping_names(instrument)]
        candidates += [folder.parent / n for n in mapping_names(instrument)]
        candidates += [data_dir / n for n in mapping_names(instrument)]
    for c in candidates:
        if c.is_file():
            return c
    return None


# -- applying a mapping ------------------------------------------------------------------------
_NUMBER = re.compile(r"[+-]?\d+\.0+")
CASTOR_MISSING_DATE = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.](299[5-9])(?:[ T][\d:.]+)?"
                                  r"|(299[5-9])[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T][\d:.]+)?")


@dataclass
class ValueRecode:
    """The recodes of one mapped column: source text (case-folded) -> text then read as usual."""

    values: dict[str, str] = field(default_factory=dict)
    selected_any: bool = False
    not_selected: frozenset = frozenset()
    date_format: str | None = None
    #: Castor EDC's missing dates (year 2995-2999) are its missing codes -95 ... -99.
    castor_dates: bool = False

    def translate(self, value: object) -> object:
        text = str(value).strip()
        hit = self.values.get(text.casefold())
        if hit is None and self.values:
            # a recode of -95 applies to -95.0 too (Castor's API writes missing codes as floats)
            number = _NUMBER.fullmatch(text)
            if number is not None:
                hit = self.values.get(_text(float(text)))
        if hit is None and self.castor_dates:
            # Castor writes a missing date as a date in 2995-2999 (01-01-2996: code -96)
            year = CASTOR_MISSING_DATE.fullmatch(text)
            if year is not None:
                code = str(2900 - int(year.group(1) or year.group(2)))
                hit = self.values.get(code, code)
        if hit is not None:
            return hit
        if self.selected_any:
            return "0" if text.casefold() in self.not_selected else "1"
        return value


@dataclass
class MappedTable:
    """A raw table after its mapping: instrument column names, recodes beside them."""

    raw: Any                                  # RawTable with renamed columns
    sources: dict[str, str] = field(default_factory=dict)    # target column -> source column
    recodes: dict[str, ValueRecode] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    kept: set[str] = field(default_factory=set)   # source columns the mapping uses


def _instrument_targets(instrument: Instrument) -> tuple[set[str], set[str]]:
    columns = {c.name for c in instrument.columns}
    choice_items = {i.name for i in instrument.items if i.type == "multiple_choice"}
    return columns, choice_items


def check_mapping(loaded: LoadedMapping, instrument: Instrument, *,
                  language: str = "nl") -> list[Problem]:
    """Problems of a mapping against its instrument: unknown items, one item from two columns,
    recodes to codes the item does not have. Each names the mapping file and line."""
    from .rules import _cached_rules, _suggest

    mapping = loaded.mapping
    if mapping is None:
        return []
    problems: list[Problem] = []
    lines = _mapping_lines(loaded)
    if mapping.instrument and mapping.instrument not in instruments():
        problems.append(Problem("mapping_instrument_unknown", message(
            "mapping_instrument_unknown", language, value=mapping.instrument,
            known=", ".join(sorted(instruments()))), file=loaded.file,
            line=lines.get("instrument"), value=mapping.instrument))
        return problems
    if mapping.instrument and mapping.instrument != instrument.id:
        problems.append(Problem("mapping_instrument_differs", message(
            "mapping_instrument_differs", language, value=mapping.instrument,
            instrument=instrument.id), file=loaded.file, line=lines.get("instrument"),
            value=mapping.instrument))
        return problems
    columns, choice_items = _instrument_targets(instrument)
    rules, _ = _cached_rules(instrument, language)
    by_target: dict[str, list[str]] = {}
    for source in mapping.columns:
        rule = mapping.rule(source)
        line = lines.get(source)
        if rule.item in columns and not rule.separator:
            by_target.setdefault(rule.item, []).append(source)
            r = rules[rule.item]
            if r.lookup and r.kind in ("categorical", "yes_no", "option"):
                for value, target in rule.values.items():
                    t = _text(target).casefold()
                    if r.lookup.get(t) is None:
                        problems.append(Problem("mapping_value_unknown", message(
                            "mapping_value_unknown", language, source=source, value=value,
                            target=_text(target), item=rule.item, expected=r.expected),
                            file=loaded.file, line=line, column=source, value=value))
        elif rule.item in choice_items:
            for col in instrument.columns_of(rule.item):
                by_target.setdefault(col.name, []).append(source)
        else:
            known = sorted(columns | choice_items)
            problems.append(Problem("mapping_item_unknown", message(
                "mapping_item_unknown", language, source=source, value=rule.item,
                instrument=instrument.id, suggestion=_suggest(rule.item, known, language)),
                file=loaded.file, line=line, column=source, value=rule.item))
    for target, sources in by_target.items():
        if len(sources) > 1:
            problems.append(Problem("mapping_target_twice", message(
                "mapping_target_twice", language, value=target,
                sources=", ".join(f"'{s}'" for s in sources)), file=loaded.file,
                line=lines.get(sources[1]), value=target))
    return problems


def _mapping_lines(loaded: LoadedMapping) -> dict[str, int]:
    """Line of each top-level key and each source column of a mapping file."""
    out: dict[str, int] = {}
    try:
        text = loaded.path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return out
    if loaded.path.name.lower().endswith(".csv"):
        with_lines = _csv_form(text)[1]
        return with_lines
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out
    if not isinstance(node, yaml.MappingNode):
        return out
    for key, value in node.value:
        out[key.value] = key.start_mark.line + 1
        if key.value == "columns" and isinstance(value, yaml.MappingNode):
            for k, _ in value.value:
                out.setdefault(k.value, k.start_mark.line + 1)
    return out


def _recode_for(mapping: ColumnMapping, rule: ColumnRule | None, is_option: bool,
                is_date: bool) -> ValueRecode | None:
    values = {k.casefold(): _text(v) for k, v in mapping.values.items()}
    if rule is not None:
        values.update({k.casefold(): _text(v) for k, v in rule.values.items()})
    recode = ValueRecode(values=values)
    if is_option and mapping.multiple_choice is not None:
        mc = mapping.multiple_choice
        if mc.selected == "any" or mc.selected == ["any"]:
            recode.selected_any = True
        else:
            for v in mc.selected:
                recode.values.setdefault(v.casefold(), "1")
        for v in mc.not_selected:
            recode.values.setdefault(v.casefold(), "0")
        recode.not_selected = frozenset(v.casefold() for v in mc.not_selected)
    if is_date:
        recode.date_format = (rule.format if rule is not None and rule.format else None) \
            or mapping.date_format
        recode.castor_dates = (mapping.tool or "").casefold() == "castor"
    if not recode.values and not recode.selected_any and not recode.date_format \
            and not recode.castor_dates:
        return None
    return recode


def apply_mapping(raw, mapping: ColumnMapping, instrument: Instrument, *,
                  language: str = "nl") -> MappedTable:
    """The raw table with its columns renamed to the instrument's, rows and columns skipped and
    dropped as the mapping says, multiple-choice columns with separators split into one column
    per option; the recodes per column are returned beside it (never written into the cells)."""
    from .rules import _cached_rules

    data = raw.data
    problems: list[Problem] = []
    where = dict(file=raw.file, sheet=raw.sheet)
    if mapping.skip_rows:
        data = data[~data.index.isin(mapping.skip_rows)]
    drop = [c for c in mapping.drop if c in data.columns]
    data = data.drop(columns=drop)
    columns, choice_items = _instrument_targets(instrument)
    rules, _ = _cached_rules(instrument, language)
    rename: dict[str, str] = {}
    sources: dict[str, str] = {}
    recodes: dict[str, ValueRecode] = {}
    new_columns: dict[str, pd.Series] = {}
    kept: set[str] = set(drop)
    for source in mapping.columns:
        if source not in data.columns:
            problems.append(Problem("mapping_source_absent", message(
                "mapping_source_absent", language, source=source), severity="warning",
                column=source, row=raw.header_row, **where))
            continue
        rule = mapping.rule(source)
        kept.add(source)
        if rule.item in choice_items and rule.separator is not None:
            split, issues = _split_choices(data[source], rule, mapping, instrument, source,
                                           rules, language, where)
            problems += issues
            for name, series in split.items():
                new_columns[name] = series
                sources[name] = source
            continue
        if rule.item in choice_items:
            continue  # reported by check_mapping (a choice item needs a separator)
        if rule.item not in columns or rule.item in sources:
            continue  # reported by check_mapping
        rename[source] = rule.item
        sources[rule.item] = source
        kind = rules[rule.item].kind
        recode = _recode_for(mapping, rule, kind == "option", kind == "date")
        if recode is not None:
            recodes[rule.item] = recode
    # columns already named as the instrument's get the study-wide settings too
    for c in data.columns:
        if c in columns and c not in sources and c not in rename:
            kind = rules[c].kind
            recode = _recode_for(mapping, None, kind == "option", kind == "date")
            if recode is not None:
                recodes[c] = recode
    # a file column with an instrument name that is also a mapping's target gives way
    clash = [c for c in data.columns if c in sources and c not in rename]
    data = data.drop(columns=clash).rename(columns=rename)
    for name, series in new_columns.items():
        data[name] = series
    positions = {rename.get(k, k): v for k, v in raw.positions.items()}
    for name, source in sources.items():
        positions.setdefault(name, raw.positions.get(source, 0))
    from dataclasses import replace

    mapped = replace(raw, data=data, positions=positions,
                     labels={rename.get(k, k): v for k, v in raw.labels.items()},
                     declared_missing={rename.get(k, k): v
                                       for k, v in raw.declared_missing.items()},
                     problems=list(raw.problems))
    return MappedTable(raw=mapped, sources=sources, recodes=recodes, problems=problems,
                       kept=kept)


def _split_choices(values: pd.Series, rule: ColumnRule, mapping: ColumnMapping,
                   instrument: Instrument, source: str, rules, language: str,
                   where: dict) -> tuple[dict[str, pd.Series], list[Problem]]:
    """One column with the chosen options separated (``1,3`` or ``A1;A3`` or labels) as one
    yes/no column per option; a blank cell is blank for every option."""
    from .readers import RAW_DTYPE

    options = instrument.columns_of(rule.item)
    lookup: dict[str, str] = {}
    answers = instrument.answer_set(instrument.item(rule.item))
    for a in answers.answers:
        for spelling in (a.code, a.key, a.label.nl, a.label.en, *a.aliases):
            lookup[_text(spelling).casefold()] = a.key
    recode = {k.casefold(): _text(v).casefold() for k, v in
              {**mapping.values, **rule.values}.items()}
    expected = ", ".join(f"{a.code} = {a.label(language)}" for a in answers.answers)
    chosen: dict[str, list] = {o.option: [] for o in options}
    problems: list[Problem] = []
    for row, cell in values.items():
        if cell is pd.NA or cell is None:
            for key in chosen:
                chosen[key].append(pd.NA)
            continue
        picked = set()
        for token in str(cell).split(rule.separator):
            token = token.strip()
            if not token:
                continue
            t = recode.get(token.casefold(), token.casefold())
            key = lookup.get(t)
            if key is None:
                problems.append(Problem("mapping_option_unknown", message(
                    "mapping_option_unknown", language, value=token, source=source,
                    item=rule.item, expected=expected), row=int(row), column=source,
                    value=token, **where))
                continue
            picked.add(key)
        for key in chosen:
            chosen[key].append("1" if key in picked else "0")
    return ({f"{rule.item}_{key}": pd.Series(v, index=values.index, dtype=RAW_DTYPE)
             for key, v in chosen.items()}, problems)


def with_sources(problems: list[Problem], sources: dict[str, str], language: str
                 ) -> list[Problem]:
    """Problems about mapped columns renamed to name the source column, the item in the text."""
    if not sources:
        return problems
    from dataclasses import replace

    out = []
    for p in problems:
        source = sources.get(p.column or "")
        if source is None or p.code.startswith("mapping_"):
            out.append(p)
            continue
        out.append(replace(p, column=source, message=p.message + message(
            "mapped_from", language, source=source, target=p.column)))
    return out


# -- writing a mapping -------------------------------------------------------------------------
def _yaml_scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.strip().removesuffix("...").strip()


@dataclass
class ProposedLine:
    """One source column of a proposed mapping, with how sure the proposal is."""

    source: str
    rule: ColumnRule
    confidence: float
    reason: str = ""
    check: bool = False


def write_yaml(lines: list[ProposedLine], *, instrument: str, tool: str | None,
               drop: list[str], unmatched: list[str], missing_items: list[str],
               header: str, values: dict[str, Code] | None = None,
               multiple_choice: MultipleChoice | None = None, language: str = "nl") -> str:
    """A proposed mapping as YAML, a confidence and ``# controleer`` comment on each line."""
    check_word = "controleer" if language == "nl" else "check"
    out = [f"# {line}" for line in header.splitlines()]
    out.append(f"instrument: {instrument}")
    if tool:
        out.append(f"tool: {tool}")
    if drop:
        out.append(f"drop: {_yaml_scalar(drop)}")
    if values:
        out.append(f"values: {_yaml_scalar({k: v for k, v in values.items()})}")
    if multiple_choice is not None:
        out.append("multiple_choice: " + _yaml_scalar(multiple_choice.model_dump()))
    # a proposal that matched no column still gives a mapping validate reads (and screens)
    out.append("columns:" if lines else "columns: {}")
    for ln in lines:
        note = f"{ln.confidence:.2f}" + (f" {ln.reason}" if ln.reason else "")
        if ln.check:
            note += f"  # {check_word}"
        rule = ln.rule
        extra = {k: v for k, v in (("values", rule.values), ("separator", rule.separator),
                                    ("format", rule.format)) if v}
        key = _yaml_scalar(ln.source)
        if not extra:
            out.append(f"  {key}: {rule.item}  # {note}")
        else:
            out.append(f"  {key}:  # {note}")
            out.append(f"    item: {rule.item}")
            for k, v in extra.items():
                out.append(f"    {k}: {_yaml_scalar(v)}")
    if unmatched:
        word = ("niet gekoppeld (worden gecontroleerd op identificerende gegevens en genegeerd)"
                if language == "nl" else "not mapped (screened for identifiers, then ignored)")
        out.append(f"# {word}:")
        out += [f"#   {_yaml_scalar(u)}" for u in unmatched]
    if missing_items:
        word = ("items zonder bronkolom" if language == "nl" else "items without a source column")
        out.append(f"# {word}: {', '.join(missing_items)}")
    return "\n".join(out) + "\n"


def write_csv(lines: list[ProposedLine], *, instrument: str, tool: str | None,
              drop: list[str], language: str = "nl") -> str:
    """A proposed mapping in the CSV form (semicolons, UTF-8 with BOM for Excel)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    head = (["bron", "item", "waarden", "scheidingsteken", "formaat", "zekerheid", "opmerking"]
            if language == "nl" else
            ["source", "item", "values", "separator", "format", "confidence", "note"])
    w.writerow(head)
    w.writerow(["@instrument", instrument, "", "", "", "", ""])
    if tool:
        w.writerow(["@tool", tool, "", "", "", "", ""])
    for d in drop:
        w.writerow([d, "-", "", "", "", "", ""])
    for ln in lines:
        values = "; ".join(f"{k}={v}" for k, v in ln.rule.values.items())
        note = ("controleer" if language == "nl" else "check") if ln.check else ""
        w.writerow([ln.source, ln.rule.item, values, ln.rule.separator or "",
                    ln.rule.format or "", f"{ln.confidence:.2f}", note])
    return "\ufeff" + buf.getvalue()
