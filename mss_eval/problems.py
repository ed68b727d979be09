"""Problems found in a researcher's data, told as sentences about that data.

A :class:`Problem` names the file, sheet, row (as the researcher sees it in Excel: the header is row
1), column and value, and says what is wrong and what would be right, in the study's language.
Validation collects problems instead of raising at the first one; :class:`StudyError` carries them
to the command line, which prints them without a traceback.

Message texts live in :data:`MESSAGES`, one entry per problem code with a Dutch and an English
template; each module that finds problems adds its codes there.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

#: problem code -> {"nl": template, "en": template}; templates use str.format fields.
MESSAGES: dict[str, dict[str, str]] = {
    "yaml_syntax": {
        "nl": "het bestand is geen geldige YAML: {detail}",
        "en": "the file is not valid YAML: {detail}",
    },
    "yaml_unknown_key": {
        "nl": "onbekende sleutel '{key}'; toegestaan zijn: {allowed}",
        "en": "unknown key '{key}'; allowed are: {allowed}",
    },
    "yaml_missing_key": {
        "nl": "verplichte sleutel '{key}' ontbreekt",
        "en": "required key '{key}' is missing",
    },
    "yaml_invalid": {
        "nl": "ongeldige waarde bij '{key}': {detail}",
        "en": "invalid value at '{key}': {detail}",
    },
    "region_id_invalid": {
        "nl": "regio-id '{value}' mag alleen kleine letters, cijfers, '-' en '_' bevatten "
        "(bijvoorbeeld 'den_haag')",
        "en": "region id '{value}' may only contain lower-case letters, digits, '-' and '_' "
        "(for example 'den_haag')",
    },
    "round_id_invalid": {
        "nl": "ronde-id '{value}' mag alleen letters, cijfers, '-' en '_' bevatten "
        "(bijvoorbeeld '2010-1')",
        "en": "round id '{value}' may only contain letters, digits, '-' and '_' "
        "(for example '2010-1')",
    },
    "round_unknown_region": {
        "nl": "ronde '{round}' noemt regio '{value}', maar die staat niet onder 'regions'",
        "en": "round '{round}' names region '{value}', which is not listed under 'regions'",
    },
    "duplicate_id_in_yaml": {
        "nl": "'{value}' komt meer dan eens voor onder '{key}'",
        "en": "'{value}' appears more than once under '{key}'",
    },
    "study_yaml_missing": {
        "nl": "geen study.yaml gevonden in {value}; maak een studie met '{command} init'",
        "en": "no study.yaml found in {value}; create a study with '{command} init'",
    },
}


def message(code: str, language: str = "nl", **params: object) -> str:
    """The sentence for a problem code in the given language, with its fields filled in."""
    templates = MESSAGES.get(code)
    if templates is None:
        raise KeyError(f"no message text for problem code {code!r}")
    template = templates.get(language) or templates["nl"]
    if "{command}" in template and "command" not in params:
        from .invocation import command

        params["command"] = command()  # a command the user's shell finds as printed
    return template.format(**params)


#: Words used when a problem is printed as one line.
_WORDS = {
    "nl": {"sheet": "blad", "row": "rij", "line": "regel", "column": "kolom", "value": "waarde",
           "error": "fout", "warning": "waarschuwing"},
    "en": {"sheet": "sheet", "row": "row", "line": "line", "column": "column", "value": "value",
           "error": "error", "warning": "warning"},
}


@dataclass(frozen=True)
class Problem:
    """One problem in the researcher's input.

    ``row`` is the spreadsheet row as the user sees it (the header is row 1, the first data row is
    row 2); ``line`` is a line number in a text file such as study.yaml. ``file`` is relative to the
    study folder where possible.
    """

    code: str
    message: str
    severity: Severity = "error"
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    region: str | None = None
    round: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def describe(self, language: str = "nl") -> str:
        """One line for the terminal: where, what value, what is wrong."""
        w = _WORDS.get(language, _WORDS["nl"])
        where = [self.file or "study"]
        if self.sheet:
            where.append(f"{w['sheet']} '{self.sheet}'")
        if self.row is not None:
            where.append(f"{w['row']} {self.row}")
        if self.line is not None:
            where.append(f"{w['line']} {self.line}")
        if self.column:
            where.append(f"{w['column']} '{self.column}'")
        return f"{', '.join(where)}: {self.message}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        return d


class StudyError(Exception):
    """The researcher's input has errors; carries the problems so a CLI can print them as sentences."""

    def __init__(self, problems: list[Problem], summary: str | None = None):
        self.problems = list(problems)
        self.summary = summary or (
            f"{sum(p.severity == 'error' for p in self.problems)} problem(s) in the study input"
        )
        super().__init__(self.summary)

    def __str__(self) -> str:
        lines = [self.summary]
        lines += ["  " + p.describe() for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        return "\n".join(lines)


def problems_to_json(problems: list[Problem]) -> str:
    return json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2)
