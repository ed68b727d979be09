"""Mapping the codes of a QDA tool to the study codebook (``questionnaires/qualitative_codebook.yaml``).

A code in a QDA project is known by its *path*: the names of the code and its parent codes joined
with ``/`` (``Uitvoerend niveau/Kortere lijnen``). A code of the study codebook is known by its path
``<level>/<key>`` (``executive/shorter_lines``). Without a mapping file, a tool code maps to a study
code when its path is

* the study path itself (``executive/shorter_lines``; codebooks written by
  ``mss-eval export-codebook`` with code keys as names), or
* the path of Dutch or English labels (``Uitvoerend niveau/Kortere lijnen en betere afstemming``,
  ``Executive level/Shorter lines and better coordination``; codebooks exported with labels),

comparing without regard to case and to spaces around the ``/``. A code whose key or label is
also the name of another code or level is written with its level in brackets by
``mss-eval export-codebook`` and ``export-qda`` (``executive/peer_expertise (executive)``,
``Uitvoerend niveau/Ervaringsdeskundigheid (Uitvoerend niveau)``), because QualCoder merges codes
of one name; those paths map too (:func:`unique_code_names`). Everything else needs a mapping
file, which a region writes once and reuses for every project it exports:

* **YAML** (``.yaml``/``.yml``): one line per tool code, ``"tool path": study path``; an empty
  value (``~``) leaves a tool code out on purpose (a code for memos, say)::

      "Uitvoerend/Werktafel": executive/shorter_lines
      "Uitvoerend/Kennis doelgroep": executive/knowledge_target_group
      "Opvallend": ~

* **CSV** (``.csv``, comma or semicolon): a header row with ``tool_code`` and ``study_code``, then
  one row per tool code; an empty ``study_code`` leaves the tool code out on purpose.

Several tool codes may map to one study code. Entries of the mapping file come before the default
matches. A tool code that is used in the project and maps to nothing is *unmapped*: the import
lists it with the number of codings and stops, unless ``--allow-unmapped`` is given; then the list
is shown and those codings are left out. Nothing is dropped without being listed.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..instruments import Codebook, codebook as study_codebook
from ..problems import MESSAGES, Problem, StudyError, message

MESSAGES.update({
    "mapping_unreadable": {
        "nl": "het koppelbestand kan niet worden gelezen: {detail}",
        "en": "the mapping file cannot be read: {detail}",
    },
    "mapping_format": {
        "nl": "een koppelbestand is een .yaml-bestand (regels 'code in programma: niveau/code') "
              "of een .csv-bestand met de kolommen tool_code en study_code",
        "en": "a mapping file is a .yaml file (lines 'tool code: level/code') or a .csv file with "
              "the columns tool_code and study_code",
    },
    "mapping_unknown_study_code": {
        "nl": "'{value}' is geen code van het studiecodeboek{suggestion}",
        "en": "'{value}' is not a code of the study codebook{suggestion}",
    },
    "mapping_duplicate": {
        "nl": "code '{value}' staat meer dan eens in het koppelbestand met verschillende doelen",
        "en": "code '{value}' appears more than once in the mapping file with different targets",
    },
    "qda_unmapped_code": {
        "nl": "code '{value}' uit het QDA-project ({count} codering(en)) hoort bij geen code van "
              "het studiecodeboek; neem hem op in een koppelbestand (--mapping){hint}",
        "en": "code '{value}' of the QDA project ({count} coding(s)) matches no code of the study "
              "codebook; add it to a mapping file (--mapping){hint}",
    },
})

_HINT = {
    "nl": {"allow": " of geef --allow-unmapped om deze coderingen weg te laten",
           "left": "; de coderingen zijn weggelaten (--allow-unmapped)",
           "did_you_mean": "; bedoelt u '{0}'?"},
    "en": {"allow": " or pass --allow-unmapped to leave these codings out",
           "left": "; the codings were left out (--allow-unmapped)",
           "did_you_mean": "; did you mean '{0}'?"},
}


def normalise_path(path: str) -> str:
    """A code path for matching: NFC, case-folded, spaces around each ``/`` and inside names
    collapsed."""
    parts = [" ".join(p.split()) for p in unicodedata.normalize("NFC", path).split("/")]
    return "/".join(parts).casefold()


@dataclass(frozen=True)
class CodeMapping:
    """Tool code path -> study code path (``None``: leave the tool code out on purpose)."""

    rules: Mapping[str, str | None] = field(default_factory=dict)
    #: The mapping file it was read from, for messages.
    file: str | None = None

    def target(self, tool_path: str) -> tuple[bool, str | None]:
        """(listed, study path) for a tool path; ``listed`` is False when the file has no entry."""
        key = normalise_path(tool_path)
        for tool, study in self.rules.items():
            if normalise_path(tool) == key:
                return True, study
        return False, None


@dataclass
class MappingResult:
    """How the codes of a QDA project were mapped to the study codebook.

    ``mapped``: tool path -> study path; ``how``: tool path -> ``"mapping file"``,
    ``"study path"`` or ``"label path"``; ``left_out``: tool paths the mapping file leaves out on
    purpose; ``unmapped``: tool paths that map to nothing, with their number of codings.
    """

    mapped: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    unmapped: dict[str, int] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """One row per tool code: ``tool_code``, ``study_code`` (NA when not mapped), ``how``
        (``mapping file``, ``study path``, ``label path``, ``left out``, ``unmapped``) and
        ``codings`` (NA when the count is not known)."""
        rows = [{"tool_code": t, "study_code": s, "how": self.how[t]} for t, s in self.mapped.items()]
        rows += [{"tool_code": t, "study_code": None, "how": "left out"} for t in self.left_out]
        rows += [{"tool_code": t, "study_code": None, "how": "unmapped", "codings": n}
                 for t, n in self.unmapped.items()]
        out = pd.DataFrame(rows, columns=["tool_code", "study_code", "how", "codings"])
        return out.astype({"tool_code": "string", "study_code": "string", "how": "string",
                           "codings": "Int64"})

    def unmapped_problems(self, *, allowed: bool, file: str | None = None,
                          language: str = "nl") -> list[Problem]:
        """One problem per unmapped tool code: an error, or a warning when ``allowed``."""
        hint = _HINT[language]["left" if allowed else "allow"]
        return [Problem("qda_unmapped_code", message("qda_unmapped_code", language, value=t,
                                                     count=n, hint=hint),
                        severity="warning" if allowed else "error", file=file, value=t)
                for t, n in self.unmapped.items()]


def unique_code_names(book: Codebook | None = None, *, names: str = "keys",
                      language: str = "nl") -> dict[str, str]:
    """Study path (levels and codes) -> a name no other code or level of the codebook has.

    A level is named by its key (``names="keys"``) or its label in ``language``; a code too,
    followed by its level's name in brackets when another code or a level has the same name
    (``peer_expertise (executive)``). Names compare without regard to case and spaces.
    """
    from collections import Counter

    book = book or study_codebook()

    def name(key: str, label) -> str:
        return key if names == "keys" else label(language)

    plain = {level: name(level, lv.label) for level, lv in book.levels.items()}
    for level, lv in book.levels.items():
        for code in lv.codes:
            plain[f"{level}/{code.key}"] = name(code.key, code.label)
    seen = Counter(normalise_path(n) for n in plain.values())
    out = {}
    for path, n in plain.items():
        level = path.split("/")[0]
        out[path] = f"{n} ({plain[level]})" if "/" in path and seen[normalise_path(n)] > 1 else n
    return out


def default_targets(book: Codebook | None = None) -> dict[str, tuple[str, str]]:
    """Normalised tool path -> (study path, how) for the paths mapped without a mapping file."""
    book = book or study_codebook()
    out: dict[str, tuple[str, str]] = {}
    for level, lv in book.levels.items():
        for code in lv.codes:
            study = f"{level}/{code.key}"
            out.setdefault(normalise_path(study), (study, "study path"))
    for level, lv in book.levels.items():
        for code in lv.codes:
            study = f"{level}/{code.key}"
            for language in ("nl", "en"):
                label_path = f"{lv.label(language)}/{code.label(language)}"
                out.setdefault(normalise_path(label_path), (study, "label path"))
    # the names made unique for QDA tools that merge codes of one name
    for names, how in (("keys", "study path"), ("labels", "label path")):
        for language in ("nl", "en") if names == "labels" else ("nl",):
            unique = unique_code_names(book, names=names, language=language)
            for study, name in unique.items():
                if "/" in study:
                    tool = f"{unique[study.split('/')[0]]}/{name}"
                    out.setdefault(normalise_path(tool), (study, how))
    return out


def map_codes(tool_paths: Iterable[str] | Mapping[str, int], mapping: CodeMapping | None = None,
              *, book: Codebook | None = None) -> MappingResult:
    """Map tool code paths to study code paths.

    Parameters
    ----------
    tool_paths
        The tool's code paths, or a mapping path -> number of codings (the counts are shown with
        unmapped codes). Give only the codes that were used when parent codes that are never
        coded should not count as unmapped.
    mapping
        Entries of a mapping file (:func:`read_mapping`); they come before the default matches.
    book
        The study codebook (default: ``questionnaires/qualitative_codebook.yaml``).

    Returns
    -------
    MappingResult
    """
    counts = dict(tool_paths) if isinstance(tool_paths, Mapping) else {p: 0 for p in tool_paths}
    defaults = default_targets(book)
    result = MappingResult()
    for tool, n in counts.items():
        if mapping is not None:
            listed, study = mapping.target(tool)
            if listed:
                if study is None:
                    result.left_out.append(tool)
                else:
                    result.mapped[tool] = study
                    result.how[tool] = "mapping file"
                continue
        hit = defaults.get(normalise_path(tool))
        if hit is not None:
            result.mapped[tool], result.how[tool] = hit
        else:
            result.unmapped[tool] = n
    return result


# -- mapping files ------------------------------------------------------------------------------
def read_mapping(path: Path | str, *, language: str = "nl",
                 book: Codebook | None = None) -> CodeMapping:
    """Read a mapping file (YAML or CSV, see the module docstring) and check its study codes.

    Raises
    ------
    StudyError
        The file cannot be read, has another format, names a study code that does not exist (with
        the line or row), or maps one tool code to two study codes.
    """
    path = Path(path)
    file = path.name
    book = book or study_codebook()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("cp1252", errors="replace")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        entries = _yaml_entries(text, file, language)
    elif suffix == ".csv":
        entries = _csv_entries(text, file, language)
    else:
        raise StudyError([Problem("mapping_format", message("mapping_format", language),
                                  file=file)])

    known = book.paths()
    by_fold = {p.casefold(): p for p in known}
    problems: list[Problem] = []
    rules: dict[str, str | None] = {}
    seen: dict[str, str | None] = {}
    for tool, study, where in entries:
        target = None
        if study is not None:
            target = by_fold.get(normalise_path(study))
            if target is None:
                close = difflib.get_close_matches(study, known, n=1)
                suggestion = _HINT[language]["did_you_mean"].format(close[0]) if close else ""
                problems.append(Problem("mapping_unknown_study_code", message(
                    "mapping_unknown_study_code", language, value=study, suggestion=suggestion),
                    file=file, value=study, **where))
                continue
        key = normalise_path(tool)
        if key in seen and seen[key] != target:
            problems.append(Problem("mapping_duplicate", message("mapping_duplicate", language,
                                                                 value=tool),
                                    file=file, value=tool, **where))
            continue
        seen[key] = target
        rules[tool] = target
    if problems:
        raise StudyError(problems, summary=f"{file}: {len(problems)} problem(s)")
    return CodeMapping(rules=rules, file=file)


def _yaml_entries(text: str, file: str, language: str) -> list[tuple[str, str | None, dict]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise StudyError([Problem("mapping_unreadable", message(
            "mapping_unreadable", language, detail=getattr(exc, "problem", None) or exc),
            file=file, line=mark.line + 1 if mark else None)]) from None
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise StudyError([Problem("mapping_format", message("mapping_format", language),
                                  file=file, line=node.start_mark.line + 1)])
    out = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            raise StudyError([Problem("mapping_format", message("mapping_format", language),
                                      file=file, line=key.start_mark.line + 1)])
        study = value.value.strip() if value.value is not None else ""
        if value.tag.endswith(":null") or study in ("", "~", "null"):
            study_or_none = None
        else:
            study_or_none = study
        out.append((str(key.value).strip(), study_or_none, {"line": key.start_mark.line + 1}))
    return out


def _csv_entries(text: str, file: str, language: str) -> list[tuple[str, str | None, dict]]:
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [r for r in reader]
    if not rows:
        return []
    header = [h.strip().casefold() for h in rows[0]]
    if "tool_code" not in header or "study_code" not in header:
        raise StudyError([Problem("mapping_format", message("mapping_format", language),
                                  file=file, row=1)])
    ti, si = header.index("tool_code"), header.index("study_code")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        tool = row[ti].strip() if ti < len(row) else ""
        if not tool:
            continue
        study = row[si].strip() if si < len(row) else ""
        out.append((tool, study or None, {"row": number, "column": "study_code"}))
    return out
