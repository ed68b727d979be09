"""Instruments defined as data: loading ``questionnaires/*.yaml`` into typed objects.

Every instrument of the study (the client interview, the questionnaire about clients, the partner
survey, ...) is described once in a YAML file in ``questionnaires/``. Templates, validation, the
codebook, value labels in tables and figures all derive from these objects; no other module spells
out an item name that an instrument already declares.

The file format is documented in ``docs/instruments.md``. In short: an instrument has an ``id``, a
``title`` in Dutch and English, a ``unit`` of observation, optional ``answer_sets`` (reusable code
lists), ``missing_codes`` and ``scales``, and a list of ``items``. Two kinds of item expand into
several data columns:

* ``type: multiple_choice`` gives one yes/no column per answer, named ``<item>_<answer key>``;
* ``per: <answer set>`` repeats an item for every answer of that set, named ``<item>_<answer key>``
  (for instance support received per life domain).

``Instrument.columns`` lists the expanded data columns, in template order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ItemType = Literal[
    "integer",
    "number",
    "categorical",
    "multiple_choice",
    "yes_no",
    "date",
    "text",
    "identifier",
]
PrivacyClass = Literal["identifier", "quasi_identifier", "free_text", "none"]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

#: Codes used for yes/no columns, also for the expanded multiple-choice columns.
YES_NO_ANSWERS = [
    {"code": 1, "key": "yes", "label": {"nl": "ja", "en": "yes"}},
    {"code": 0, "key": "no", "label": {"nl": "nee", "en": "no"}},
]


def questionnaires_dir() -> Path:
    """The folder with the instrument definitions (``questionnaires/`` at the project root)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "questionnaires", here / "questionnaires"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "The instrument definitions (questionnaires/*.yaml) were not found next to the mss_eval "
        "package. Install mss-eval from its source folder with 'pip install -e .'."
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Dutch and English."""

    nl: str
    en: str

    def __call__(self, language: str = "nl") -> str:
        return self.en if language == "en" else self.nl


class Answer(_Strict):
    """One answer code: the number entered in the data, a stable key and its labels."""

    code: int
    key: str
    label: Text
    #: Other spellings accepted in input files besides the code and the labels (case-insensitive).
    aliases: tuple[str, ...] = ()

    @field_validator("key")
    @classmethod
    def _key_is_a_name(cls, v: str) -> str:
        if not NAME_PATTERN.match(v):
            raise ValueError(f"answer key {v!r} must be lower case letters, digits and _")
        return v


class AnswerSet(_Strict):
    """A reusable code list. ``ordered`` answers form an ordinal scale (e.g. 1-5 agreement)."""

    ordered: bool = False
    answers: tuple[Answer, ...]

    @model_validator(mode="after")
    def _unique(self) -> "AnswerSet":
        for attr in ("code", "key"):
            values = [getattr(a, attr) for a in self.answers]
            dupes = {v for v in values if values.count(v) > 1}
            if dupes:
                raise ValueError(f"answer {attr}s must be unique, repeated: {sorted(dupes)}")
        return self

    def by_code(self) -> dict[int, Answer]:
        return {a.code: a for a in self.answers}

    def by_key(self) -> dict[str, Answer]:
        return {a.key: a for a in self.answers}

    def keys(self) -> list[str]:
        return [a.key for a in self.answers]


class Scale(_Strict):
    """A scale built from items; its score is the mean of the (reversed where marked) item codes."""

    label: Text
    #: A score is computed only for respondents who answered at least this many of its items.
    min_items: int = 1


class Item(_Strict):
    """One question (item) of an instrument as declared in the YAML file."""

    name: str
    label: Text
    type: ItemType
    description: Text | None = None
    #: Name of an answer set of the instrument, or an inline list of answers.
    answers: str | tuple[Answer, ...] | None = None
    #: Repeat this item for every answer of the named answer set (columns ``<name>_<key>``).
    per: str | None = None
    range: tuple[float, float] | None = None
    #: Missing-value codes for this item; ``None`` takes the instrument's ``missing_codes`` for
    #: numeric and coded items, an empty mapping switches them off.
    missing: dict[int, Text] | None = None
    required: bool = False
    scale: str | None = None
    reversed: bool = False
    privacy: PrivacyClass = "none"
    #: Allow values that look like direct identifiers (the identifier screen skips this column).
    identifiers_allowed: bool = False
    #: For identifier items: the instrument whose ids this column refers to (e.g. partner_ties
    #: respondents must exist in partner_survey of the same region and round).
    references: str | None = None
    #: Values must be unique within one data file (respondent ids).
    unique: bool = False
    #: For text items: values must be codes of this vocabulary (``qualitative_codebook``).
    vocabulary: Literal["qualitative_codebook"] | None = None
    #: What the reports lose when a region's file lacks this item (completeness warnings).
    used_for: Text | None = None

    @field_validator("name")
    @classmethod
    def _name_is_a_name(cls, v: str) -> str:
        if not NAME_PATTERN.match(v):
            raise ValueError(f"item name {v!r} must be lower case letters, digits and _")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "Item":
        coded = self.type in ("categorical", "multiple_choice")
        if coded and self.answers is None:
            raise ValueError(f"item {self.name!r} of type {self.type} needs answers")
        if not coded and self.answers is not None:
            raise ValueError(f"item {self.name!r} of type {self.type} cannot have answers")
        if self.range is not None and self.type not in ("integer", "number"):
            raise ValueError(f"item {self.name!r}: only integer and number items have a range")
        if self.type == "multiple_choice" and self.per is not None:
            raise ValueError(f"item {self.name!r}: a multiple-choice item cannot also use 'per'")
        return self


class Column(_Strict):
    """One data column after expansion: what a data file has in its header row."""

    name: str
    item: str
    label: Text
    type: ItemType
    answers: AnswerSet | None = None
    range: tuple[float, float] | None = None
    missing: dict[int, Text] = Field(default_factory=dict)
    #: Other spellings of the missing-value codes accepted in input files (``n.v.t.``, ``wn``).
    missing_aliases: dict[int, tuple[str, ...]] = Field(default_factory=dict)
    required: bool = False
    scale: str | None = None
    reversed: bool = False
    privacy: PrivacyClass = "none"
    identifiers_allowed: bool = False
    references: str | None = None
    unique: bool = False
    vocabulary: Literal["qualitative_codebook"] | None = None
    description: Text | None = None
    #: What the reports lose when this column is not delivered (the item's ``used_for``).
    used_for: Text | None = None
    #: For expanded columns: the answer key of the multiple-choice option or ``per`` set.
    option: str | None = None

    @property
    def is_coded(self) -> bool:
        """Answers are codes with labels (categorical, yes/no and multiple-choice options)."""
        return self.answers is not None

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number")


class Instrument(_Strict):
    """An instrument: a questionnaire, register or coding sheet, one row per unit of observation."""

    id: str
    title: Text
    #: The instrument as a noun phrase inside a sentence ("de enquête onder
    #: samenwerkingspartners"), for report text that names it.
    in_sentence: Text | None = None
    unit: Text
    description: Text | None = None
    #: The column identifying a row (a respondent id, a segment id); pseudonymised when loading.
    id_column: str | None = None
    answer_sets: dict[str, AnswerSet] = Field(default_factory=dict)
    missing_codes: dict[int, Text] = Field(default_factory=dict)
    #: Other spellings of missing-value codes accepted in input files, per code
    #: (``97: [n.v.t., nvt]``); from ``_shared.yaml`` unless the instrument declares its own.
    missing_aliases: dict[int, tuple[str, ...]] = Field(default_factory=dict)
    #: What the reports lose when a region does not deliver this instrument (``{nl, en}``).
    used_for: Text | None = None
    scales: dict[str, Scale] = Field(default_factory=dict)
    items: tuple[Item, ...]
    #: ``per region`` instruments have exactly one row per region and round (governance profile).
    one_row_per_region: bool = False

    @model_validator(mode="after")
    def _references_resolve(self) -> "Instrument":
        names = [i.name for i in self.items]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"item names must be unique, repeated: {sorted(dupes)}")
        for item in self.items:
            if isinstance(item.answers, str) and item.answers not in self.answer_sets:
                raise ValueError(f"item {item.name!r}: unknown answer set {item.answers!r}")
            if item.per is not None and item.per not in self.answer_sets:
                raise ValueError(f"item {item.name!r}: unknown answer set {item.per!r} in 'per'")
            if item.scale is not None and item.scale not in self.scales:
                raise ValueError(f"item {item.name!r}: unknown scale {item.scale!r}")
        if self.id_column is not None and self.id_column not in names:
            raise ValueError(f"id_column {self.id_column!r} is not an item")
        columns = [c.name for c in self.columns]
        dupes = {n for n in columns if columns.count(n) > 1}
        if dupes:
            raise ValueError(f"expanded column names collide: {sorted(dupes)}")
        return self

    # -- derived views ---------------------------------------------------------------------
    def answer_set(self, item: Item) -> AnswerSet | None:
        if item.type == "yes_no":
            return AnswerSet.model_validate({"answers": YES_NO_ANSWERS})
        if item.answers is None:
            return None
        if isinstance(item.answers, str):
            return self.answer_sets[item.answers]
        return AnswerSet(answers=item.answers)

    def _missing_for(self, item: Item) -> dict[int, Text]:
        if item.missing is not None:
            return dict(item.missing)
        if item.type in ("integer", "number", "categorical", "yes_no"):
            return dict(self.missing_codes)
        return {}

    @functools.cached_property
    def columns(self) -> tuple[Column, ...]:
        """The data columns in template order, with multiple-choice and ``per`` items expanded."""
        out: list[Column] = []
        for item in self.items:
            common = dict(
                item=item.name,
                type=item.type,
                range=item.range,
                missing=self._missing_for(item),
                required=item.required,
                scale=item.scale,
                reversed=item.reversed,
                privacy=item.privacy,
                identifiers_allowed=item.identifiers_allowed,
                references=item.references,
                unique=item.unique,
                vocabulary=item.vocabulary,
                description=item.description,
                used_for=item.used_for,
            )
            missing = common["missing"]
            common["missing_aliases"] = {c: a for c, a in self.missing_aliases.items()
                                         if c in missing}
            answers = self.answer_set(item)
            if item.type == "multiple_choice":
                assert answers is not None
                yes_no = AnswerSet.model_validate({"answers": YES_NO_ANSWERS})
                for option in answers.answers:
                    out.append(
                        Column(
                            name=f"{item.name}_{option.key}",
                            label=_joined(item.label, option.label),
                            answers=yes_no,
                            option=option.key,
                            **(common | {"type": "yes_no", "missing": {},
                                         "missing_aliases": {}}),
                        )
                    )
            elif item.per is not None:
                for option in self.answer_sets[item.per].answers:
                    out.append(
                        Column(
                            name=f"{item.name}_{option.key}",
                            label=_joined(item.label, option.label),
                            answers=answers,
                            option=option.key,
                            **common,
                        )
                    )
            else:
                out.append(Column(name=item.name, label=item.label, answers=answers, **common))
        return tuple(out)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"instrument {self.id!r} has no column {name!r}")

    def item(self, name: str) -> Item:
        for i in self.items:
            if i.name == name:
                return i
        raise KeyError(f"instrument {self.id!r} has no item {name!r}")

    def columns_of(self, item: str) -> list[Column]:
        """The data columns an item expands into (one for a plain item)."""
        return [c for c in self.columns if c.item == item]

    def scale_columns(self, scale: str) -> list[Column]:
        return [c for c in self.columns if c.scale == scale]

    def labels(self, column: str, language: str = "nl") -> dict[str, str]:
        """Answer key -> label for a coded column, in the given language."""
        answers = self.column(column).answers
        if answers is None:
            return {}
        return {a.key: a.label(language) for a in answers.answers}

    def codes(self, column: str) -> dict[str, int]:
        """Answer key -> numeric code for a coded column (for scale scores)."""
        answers = self.column(column).answers
        if answers is None:
            return {}
        return {a.key: a.code for a in answers.answers}

    def __iter__(self) -> Iterator[Column]:  # type: ignore[override]
        return iter(self.columns)


def _joined(item_label: Text, option_label: Text) -> Text:
    return Text(nl=f"{item_label.nl}: {option_label.nl}", en=f"{item_label.en}: {option_label.en}")


class InstrumentDefinitionError(ValueError):
    """An instrument file in questionnaires/ is not a valid definition (a developer's error)."""


SHARED_FILE = "_shared.yaml"


def _read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise InstrumentDefinitionError(f"{path}: expected a mapping at the top level")
    return data


def load_instrument(path: Path, shared: dict | None = None) -> Instrument:
    """Read one instrument definition with YAML's safe loader and check it strictly.

    ``shared`` holds the ``answer_sets`` and ``missing_codes`` of ``questionnaires/_shared.yaml``;
    an instrument uses them unless it declares its own under the same name.
    """
    data = _read_yaml(path)
    if shared:
        data["answer_sets"] = {**shared.get("answer_sets", {}), **data.get("answer_sets", {})}
        data.setdefault("missing_codes", shared.get("missing_codes", {}))
        data.setdefault("missing_aliases", shared.get("missing_aliases", {}))
    try:
        instrument = Instrument.model_validate(data)
    except Exception as exc:  # pydantic's ValidationError, re-raised with the file name
        raise InstrumentDefinitionError(f"{path}: {exc}") from exc
    if instrument.id != path.stem:
        raise InstrumentDefinitionError(
            f"{path}: the instrument id {instrument.id!r} must equal the file name {path.stem!r}"
        )
    return instrument


@functools.cache
def _load_all(folder: str) -> dict[str, Instrument]:
    shared_path = Path(folder) / SHARED_FILE
    shared = _read_yaml(shared_path) if shared_path.exists() else {}
    out: dict[str, Instrument] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        if path.name == SHARED_FILE or path.stem == CODEBOOK_ID:
            continue
        out[path.stem] = load_instrument(path, shared)
    return out


def instruments(folder: Path | None = None) -> dict[str, Instrument]:
    """All instruments by id, read once per process from ``questionnaires/``."""
    return _load_all(str(folder or questionnaires_dir()))


def get_instrument(instrument_id: str, folder: Path | None = None) -> Instrument:
    found = instruments(folder)
    if instrument_id not in found:
        raise KeyError(
            f"unknown instrument {instrument_id!r}; known: {', '.join(sorted(found))}"
        )
    return found[instrument_id]


# -- the qualitative codebook ----------------------------------------------------------------
CODEBOOK_ID = "qualitative_codebook"


class Code(_Strict):
    """A theme of the qualitative codebook; its path is ``<level>/<key>``."""

    key: str
    label: Text
    description: Text | None = None


class CodebookLevel(_Strict):
    label: Text
    codes: tuple[Code, ...]


class Codebook(_Strict):
    """The study's codebook for coded interviews: themes per level (bestuurlijk, uitvoerend, ...)."""

    id: str
    title: Text
    levels: dict[str, CodebookLevel]

    def paths(self) -> list[str]:
        """Every code as ``level/key``, in codebook order."""
        return [f"{level}/{code.key}" for level, lv in self.levels.items() for code in lv.codes]

    def label(self, path: str, language: str = "nl") -> str:
        level, _, key = path.partition("/")
        for code in self.levels[level].codes:
            if code.key == key:
                return code.label(language)
        raise KeyError(path)


@functools.cache
def _load_codebook(folder: str) -> Codebook:
    path = Path(folder) / f"{CODEBOOK_ID}.yaml"
    try:
        return Codebook.model_validate(_read_yaml(path))
    except InstrumentDefinitionError:
        raise
    except Exception as exc:
        raise InstrumentDefinitionError(f"{path}: {exc}") from exc


def codebook(folder: Path | None = None) -> Codebook:
    """The qualitative codebook (``questionnaires/qualitative_codebook.yaml``)."""
    return _load_codebook(str(folder or questionnaires_dir()))
