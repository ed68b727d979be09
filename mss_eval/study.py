"""The study on disk: ``study.yaml`` and the folder layout around it.

A study is a folder::

    study.yaml                          what the study is: rounds, regions, settings
    data/<round>/<region>/<instrument>.<csv|xlsx|sav>
    texts/                              authors' narrative per report and chapter (Markdown)
    reports/                            rendered output (default)
    .mss-secret                         local key for pseudonyms; never leaves the folder

``study.yaml`` is read with YAML's safe loader and checked strictly: an unknown key, a region id
with path characters or a round naming an unknown region is an error that names the line.

Files read from a study never leave it: :func:`load_config` refuses a study whose ``data/`` or
``texts/`` holds a link (or is one) to something outside that folder, or whose ``.mss-secret`` is
a link to outside the study; :func:`reports_folder` refuses a ``reports/`` that is a link to
outside the study (docs/security.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .problems import MESSAGES, Problem, StudyError, message

STUDY_FILE = "study.yaml"
DATA_DIR = "data"
TEXTS_DIR = "texts"
REPORTS_DIR = "reports"
SECRET_FILE = ".mss-secret"
DATA_SUFFIXES = (".csv", ".xlsx", ".sav", ".zsav")
#: How a column mapping's file name ends (``mss_eval.input.mapping.MAPPING_SUFFIXES``; the study
#: layout comes before the input stage, so it cannot import it; a test keeps the two equal).
MAPPING_SUFFIXES = (".mapping.yaml", ".mapping.yml", ".mapping.csv")

#: The methods of data collection (the data-collection table, the interim report's Table 1):
#: method id -> (instrument that records it, value of its ``kind`` or ``None`` for every row).
#: ``rounds[].approached`` takes exactly these ids: each feeds one response figure.
COLLECTION_METHODS: dict[str, tuple[str, str | None]] = {
    "general_interview": ("interview_register", "general"),
    "partner_interview": ("interview_register", "partner"),
    "client_questionnaire": ("client_questionnaire", None),
    "client_interview": ("client_interview", None),
    "feedback_meeting": ("feedback_meeting", None),
}

#: A region id is a slug: it becomes a folder name and a notebook parameter, so nothing else.
REGION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}\Z")
ROUND_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}\Z")


MESSAGES.update({
    "path_link_outside": {
        "nl": "dit is een symbolische koppeling naar {target}, buiten {folder}; zet het bestand "
              "zelf in de studie in plaats van een koppeling",
        "en": "this is a symbolic link to {target}, outside {folder}; put the file itself in "
              "the study instead of a link",
    },
    "reports_link_outside": {
        "nl": "dit is een symbolische koppeling naar {target}, buiten de studiemap; verwijder de "
              "koppeling of noem de uitvoermap met --out",
        "en": "this is a symbolic link to {target}, outside the study folder; remove the link or "
              "name the output folder with --out",
    },
    "links_outside": {
        "nl": "De studie verwijst met een koppeling naar bestanden buiten de studie:",
        "en": "The study links to files outside it:",
    },
})

#: How :func:`outside_links` names the folder a link must stay in.
_WITHIN = {"nl": {".": "de studiemap", DATA_DIR: f"de map {DATA_DIR}/",
                  TEXTS_DIR: f"de map {TEXTS_DIR}/"},
           "en": {".": "the study folder", DATA_DIR: f"the folder {DATA_DIR}/",
                  TEXTS_DIR: f"the folder {TEXTS_DIR}/"}}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    start: dt.date
    end: dt.date


class RegionProfile(_Strict):
    """A short profile of the MSS in a region (used in chapter 2 of its report)."""

    goal: str | None = None
    target_group: str | None = None
    way_of_working: str | None = None


class Region(_Strict):
    id: str
    name: str
    municipalities: tuple[str, ...] = ()
    #: Estimated number of people in the MSS's target group in the region (for reach per 1,000).
    target_population: int | None = Field(default=None, ge=0)
    profile: RegionProfile = RegionProfile()
    #: Instruments this region is not expected to deliver in any round (no completeness warning;
    #: the reports say "niet aangeleverd").
    not_expected: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not REGION_ID.match(v):
            raise ValueError("region_id_invalid")
        return v


class Round(_Strict):
    id: str
    label: str
    period: Period | None = None
    regions: tuple[str, ...]
    #: How many people were approached, per region and method of :data:`COLLECTION_METHODS`,
    #: for response figures.
    approached: dict[str, dict[str, int]] = Field(default_factory=dict)
    #: Per region of this round: instruments it is not expected to deliver in this round.
    not_expected: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("id", mode="before")
    @classmethod
    def _round_slug(cls, v: Any) -> str:
        v = str(v)
        if not ROUND_ID.match(v):
            raise ValueError("round_id_invalid")
        return v


class Settings(_Strict):
    #: A statistic resting on fewer respondents than this is suppressed.
    min_respondents: int = Field(default=5, ge=1)
    language: Literal["nl", "en"] = "nl"
    #: Client characteristics the regions are compared with (case mix of the multilevel model,
    #: docs/methods.md); ``[]`` compares without case-mix adjustment.
    case_mix: tuple[Literal["age_band", "gender", "education", "living_situation"], ...] = (
        "age_band", "gender", "education", "living_situation")


class StudyConfig(_Strict):
    name: str
    commissioned_by: str | None = None
    synthetic: bool = False
    description: str | None = None
    rounds: tuple[Round, ...]
    regions: tuple[Region, ...]
    settings: Settings = Settings()

    def region(self, region_id: str) -> Region:
        for r in self.regions:
            if r.id == region_id:
                return r
        raise KeyError(region_id)

    def round(self, round_id: str) -> Round:
        for r in self.rounds:
            if r.id == round_id:
                return r
        raise KeyError(round_id)

    def not_expected(self, round_id: str, region_id: str) -> set[str]:
        """The instruments a region is not expected to deliver in a round (study.yaml)."""
        found: set[str] = set()
        for r in self.regions:
            if r.id == region_id:
                found |= set(r.not_expected)
        for r in self.rounds:
            if r.id == round_id:
                found |= set(r.not_expected.get(region_id, ()))
        return found

    def round_regions(self) -> list[tuple[str, str]]:
        """Every (round, region) pair of the study, in study.yaml order."""
        return [(r.id, region) for r in self.rounds for region in r.regions]


# -- reading study.yaml with line numbers ------------------------------------------------------
def _node_at(node: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """The YAML node at a pydantic error location, or the deepest one that exists."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = None
            for key, value in node.value:
                if key.value == str(part):
                    child = key if part == loc[-1] else value
                    break
            if child is None:
                return node
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _parse_yaml(text: str) -> Any:
    """``study.yaml``'s data: with libyaml's parser where PyYAML has it (a study.yaml of hundreds
    of regions is read by every process of a render), else, and for any text libyaml refuses
    (it knows fewer characters), with PyYAML's own safe loader, whose errors are the ones told."""
    if getattr(yaml, "__with_libyaml__", False):
        with contextlib.suppress(yaml.YAMLError):
            return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)


def _node_tree(text: str) -> yaml.Node | None:
    """The node tree of a text :func:`_parse_yaml` read (for line numbers), by the same parser
    (libyaml takes a few texts, such as a tab after a colon, that PyYAML's own parser refuses)."""
    if getattr(yaml, "__with_libyaml__", False):
        with contextlib.suppress(yaml.YAMLError):
            return yaml.compose(text, Loader=yaml.CSafeLoader)
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def load_config(study_dir: Path | str, language: str = "nl") -> StudyConfig:
    """Read and check ``study.yaml`` strictly; raise :class:`StudyError` naming the lines at fault."""
    study_dir = Path(study_dir)
    path = study_dir / STUDY_FILE
    if not path.is_file():
        raise StudyError(
            [Problem("study_yaml_missing", message("study_yaml_missing", language, value=study_dir),
                     file=str(path))],
            summary=message("study_yaml_missing", language, value=study_dir),
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyError([Problem("yaml_syntax", message("yaml_syntax", language, detail=exc),
                                  file=STUDY_FILE)]) from None
    try:
        data = _parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = getattr(exc, "problem", None) or str(exc)
        raise StudyError([Problem("yaml_syntax", message("yaml_syntax", language, detail=detail),
                                  file=STUDY_FILE,
                                  line=mark.line + 1 if mark else None)]) from None
    except (ValueError, OverflowError) as exc:  # a value YAML reads as a date that is none
        raise StudyError([Problem("yaml_syntax", message("yaml_syntax", language, detail=exc),
                                  file=STUDY_FILE)]) from None
    if not isinstance(data, dict):
        raise StudyError([Problem("yaml_invalid", message(
            "yaml_invalid", language, key="study.yaml",
            detail="expected keys such as name, rounds, regions"), file=STUDY_FILE, line=1)])

    tree: list[yaml.Node | None] = []

    def lines_of(loc: tuple) -> int | None:
        if not tree:
            tree.append(_node_tree(text))
        return _line(_node_at(tree[0], loc))

    problems: list[Problem] = []
    try:
        config = StudyConfig.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc)
            at = lines_of(loc)
            ctx_error = str(err.get("ctx", {}).get("error", ""))
            if err["type"] == "extra_forbidden":
                model = _model_at(StudyConfig, loc[:-1])
                allowed = ", ".join(model.model_fields) if model else "?"
                text_ = message("yaml_unknown_key", language, key=loc[-1], allowed=allowed)
                code = "yaml_unknown_key"
            elif err["type"] == "missing":
                code, text_ = "yaml_missing_key", message("yaml_missing_key", language, key=where)
            elif ctx_error in ("region_id_invalid", "round_id_invalid"):
                code = ctx_error
                text_ = message(code, language, value=err.get("input"))
            else:
                code = "yaml_invalid"
                text_ = message("yaml_invalid", language, key=where, detail=err["msg"])
            value = err.get("input")
            problems.append(Problem(code, text_, file=STUDY_FILE, line=at,
                                    value=None if isinstance(value, (dict, list)) else
                                    (None if value is None else str(value))))
        raise StudyError(problems, summary=f"{STUDY_FILE}: {len(problems)} problem(s)") from None

    # references between rounds and regions, duplicate ids
    region_ids = [r.id for r in config.regions]
    for key, ids in (("regions", region_ids), ("rounds", [r.id for r in config.rounds])):
        for i, v in enumerate(ids):
            if v in ids[:i]:
                problems.append(Problem("duplicate_id_in_yaml",
                                        message("duplicate_id_in_yaml", language, value=v, key=key),
                                        file=STUDY_FILE, line=lines_of((key, i, "id")),
                                        value=v))
    for ri, rnd in enumerate(config.rounds):
        for gi, region in enumerate(rnd.regions):
            if region not in region_ids:
                problems.append(Problem(
                    "round_unknown_region",
                    message("round_unknown_region", language, round=rnd.id, value=region),
                    file=STUDY_FILE, line=lines_of(("rounds", ri, "regions", gi)),
                    value=region))
    if problems:
        raise StudyError(problems, summary=f"{STUDY_FILE}: {len(problems)} problem(s)")
    check_links(study_dir, language)
    return config


# -- files stay inside the study ---------------------------------------------------------------
def is_inside(path: Path | str, folder: Path | str) -> bool:
    """Whether ``path``, with every symbolic link resolved, lies in ``folder`` (also resolved)."""
    resolved = Path(os.path.realpath(path))
    base = Path(os.path.realpath(folder))
    return resolved == base or base in resolved.parents


def link_outside_problem(study: Path | str, path: Path, folder: str, language: str = "nl",
                         code: str = "path_link_outside") -> Problem:
    """The problem of a link at ``path`` leading out of ``folder`` (``"."`` for the study,
    :data:`DATA_DIR` or :data:`TEXTS_DIR`): names the link, where it leads and what to do."""
    study = Path(study).absolute()
    try:
        rel = Path(path).absolute().relative_to(study).as_posix()
    except ValueError:
        rel = str(path)
    within = _WITHIN.get(language, _WITHIN["nl"])[folder]
    return Problem(code, message(code, language, target=os.path.realpath(path), folder=within),
                   file=rel, value=os.readlink(path) if Path(path).is_symlink() else None)


def outside_links(study_dir: Path | str, language: str = "nl") -> list[Problem]:
    """A problem for every symbolic link of the study that leads out of where it belongs.

    ``texts/`` (or any file or folder in it) may not link out of ``texts/``, so a report can
    show neither a file of the machine nor the study's secret or deliveries; a column mapping in
    ``data/`` may not link out of ``data/``, nor a data file or folder to elsewhere in the
    study (such as ``.mss-secret``); ``.mss-secret`` may not link out of the study. (A data
    file or folder in ``data/`` that links out of the study is refused, and not read, by
    validation: ``path_outside_study``.) Links are looked at, never followed into: a linked
    folder outside is one problem, not a walk through it.
    """
    study = Path(study_dir).absolute()
    problems: list[Problem] = []
    secret = study / SECRET_FILE
    if secret.is_symlink() and not is_inside(secret, study):
        problems.append(link_outside_problem(study, secret, ".", language))
    texts = study / TEXTS_DIR
    if texts.is_symlink() and not is_inside(texts, study):
        problems.append(link_outside_problem(study, texts, ".", language))
    else:
        problems += _links_out_of(study, TEXTS_DIR, lambda name, path: True, language)
    # a mapping may not leave data/; a data file or folder may not lead to elsewhere in the
    # study (the secret, texts/): one that leaves the study is validation's to refuse
    problems += _links_out_of(study, DATA_DIR, lambda name, path: name.lower().endswith(
        MAPPING_SUFFIXES) or is_inside(path, study), language)
    return problems


def _links_out_of(study: Path, folder: str, which, language: str) -> list[Problem]:
    """The links under ``study/folder`` that lead out of it and that ``which(name, path)``
    takes."""
    top = study / folder
    if not top.is_dir():
        return []
    problems = []
    for here, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(here) / name
            if path.is_symlink() and not is_inside(path, top) and which(name, path):
                problems.append(link_outside_problem(study, path, folder, language))
    return problems


def check_links(study_dir: Path | str, language: str = "nl") -> None:
    """Raise :class:`StudyError` when :func:`outside_links` finds a link out of the study."""
    problems = outside_links(study_dir, language)
    if problems:
        raise StudyError(problems, summary=message("links_outside", language))


def reports_folder(study_dir: Path | str, language: str = "nl") -> Path:
    """The study's default output folder ``reports/``; refused (:class:`StudyError`) when it is
    a symbolic link to somewhere outside the study, so a render never writes outside it."""
    study = Path(study_dir).absolute()
    folder = study / REPORTS_DIR
    if folder.is_symlink() and not is_inside(folder, study):
        problem = link_outside_problem(study, folder, ".", language,
                                       code="reports_link_outside")
        raise StudyError([problem], summary=message("links_outside", language))
    return folder


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class that a location inside StudyConfig points into."""
    import typing

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        for _ in range(3):  # unwrap tuple[...] / Optional[...]
            args = [a for a in typing.get_args(ann) if a is not type(None) and a is not Ellipsis]
            if args and not (isinstance(ann, type) and issubclass(ann, BaseModel)):
                ann = args[-1]
        current = ann
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None
