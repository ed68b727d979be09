"""Exports of survey tools: recognising them, their metadata columns and their survey structure.

Regions collect with LimeSurvey, Qualtrics, Castor EDC or SPSS, and send what the tool exports.
This module knows what those exports look like, so that the readers and the column mapping
(:mod:`mss_eval.input.mapping`) can take them as they are:

* **Qualtrics** CSV/XLSX: three header rows, the column names, the question text and a row of
  ``{"ImportId": ...}`` JSON. The two extra rows are taken out of the data (the question text is
  kept as the columns' labels); its metadata columns (``IPAddress``, ``LocationLatitude``,
  ``RecipientEmail``, ``ResponseId``, ...) are never read into the tidy data.
* **LimeSurvey** response export (CSV or XLSX): ``id``, ``submitdate``, ``lastpage``,
  ``startlanguage``, ``seed``, then question codes such as ``Q1`` and ``Q2[SQ001]``, with answer
  codes ``A1``...; the survey structure (``.lss``, XML) gives question and answer texts.
* **Castor EDC** export: semicolon CSV with ``Participant Id``, ``Participant Status``, ``Site
  Abbreviation``, then the field variables; its field list (``Field Variable Name``,
  ``Field Label``, ``Field Option Group``) and option list (``Option Group Name``,
  ``Option Name``, ``Option Value``) give labels and answer texts; Castor's own missing codes are
  ``-95`` ... ``-99``.
* **SPSS**: variable and value labels, read by :func:`mss_eval.input.readers.read_sav`.

Nothing here changes a file; the recognised structure is attached to the
:class:`~mss_eval.input.readers.RawTable`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..problems import MESSAGES, Problem, message

MESSAGES.update({
    "export_header_rows": {
        "nl": "dit is een {tool}-export: rij {rows} (vraagteksten en ImportId's) is geen "
              "gegevens en is overgeslagen; de vraagteksten zijn gebruikt als kolomlabels",
        "en": "this is a {tool} export: rows {rows} (question texts and ImportIds) are not data "
              "and were skipped; the question texts were used as column labels",
    },
    "export_metadata_dropped": {
        "nl": "de kolommen {columns} zijn metagegevens van {tool} die een persoon kunnen "
              "aanwijzen (IP-adres, locatie, naam of e-mail van de ontvanger); ze zijn niet "
              "ingelezen; exporteer voortaan zonder deze kolommen of verwijder ze uit het bestand",
        "en": "the columns {columns} are {tool} metadata that can point to a person (IP address, "
              "location, recipient name or e-mail); they were not read; export without them "
              "next time or delete them from the file",
    },
    "export_metadata_ignored": {
        "nl": "de kolommen {columns} zijn metagegevens van {tool} (geen vragen) en zijn niet "
              "ingelezen",
        "en": "the columns {columns} are {tool} metadata (not questions) and were not read",
    },
})

TOOL_NAMES = {"qualtrics": "Qualtrics", "limesurvey": "LimeSurvey", "castor": "Castor EDC",
              "spss": "SPSS"}

#: Metadata columns of each tool that can identify a person (dropped with a note when the
#: export is recognised; in any other file they go through the identifier screen).
IDENTIFYING_METADATA = {
    "qualtrics": ("IPAddress", "LocationLatitude", "LocationLongitude", "RecipientLastName",
                  "RecipientFirstName", "RecipientEmail", "ExternalReference",
                  "ExternalDataReference"),
    "limesurvey": ("ipaddr", "refurl", "token", "email", "firstname", "lastname"),
    "castor": ("Participant Email", "Email"),
}
#: Metadata columns that hold no answers and identify no one (recognised in any file: LimeSurvey's
#: ``seed`` is a random number that may pass the eleven-test, Qualtrics' ``ResponseId`` looks like
#: a postcode to a pattern).
SURVEY_METADATA = {
    "qualtrics": ("StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)",
                  "Finished", "RecordedDate", "ResponseId", "DistributionChannel", "UserLanguage",
                  "Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore",
                  "Q_RelevantIDFraudScore", "Q_RelevantIDLastStartDate", "Q_TotalDuration"),
    "limesurvey": ("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                   "datestamp", "interviewtime"),
    "castor": ("Participant Status", "Site Abbreviation", "Participant Creation Date",
               "Survey Instance Id", "Survey Package Id", "Survey Package Name",
               "Survey Completed On", "Survey Sent On", "Survey Progress", "Record Id",
               "Institute Abbreviation", "Randomization Group", "Randomization Date",
               "Record Creation Date"),
}
#: Columns recognised as survey metadata in any file, with the values they must have (a column
#: named ``seed`` holding e-mail addresses is screened like any other).
_GENERIC_METADATA = {
    "seed": re.compile(r"^\d{1,12}$"),
    "responseid": re.compile(r"^R_[A-Za-z0-9]{10,20}$"),
    "surveyinstanceid": re.compile(r"^[0-9A-Fa-f-]{8,40}$"),
}

_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')
_LIMESURVEY_MARKERS = {"id", "submitdate", "lastpage", "startlanguage", "seed"}
_CASTOR_MARKERS = {"participant id", "participant status", "site abbreviation",
                   "castor participant id", "record id", "institute abbreviation"}


def _folded(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def detect_tool(columns: list[str]) -> str | None:
    """The tool whose export has these columns (LimeSurvey or Castor), from its fixed columns."""
    folded = {c.strip().casefold() for c in columns}
    if len(folded & _LIMESURVEY_MARKERS) >= 3:
        return "limesurvey"
    if len(folded & _CASTOR_MARKERS) >= 2:
        return "castor"
    qualtrics = {c.casefold() for c in SURVEY_METADATA["qualtrics"]}
    if len(folded & qualtrics) >= 4:
        return "qualtrics"
    return None


def recognise_export(table, *, language: str = "nl"):
    """Recognise a survey tool's export in a freshly read table (in place, and returned).

    A Qualtrics export's question-text and ImportId rows leave the data (their row numbers are
    kept, so later rows keep the numbers the user sees) and become the columns' labels. The tool
    is recorded in ``table.tool``.
    """
    data = table.data
    if len(data) >= 2:
        second = data.iloc[1]
        filled = [v for v in second.tolist() if isinstance(v, str)]
        hits = sum(bool(_IMPORT_ID.match(v)) for v in filled)
        if filled and hits * 2 >= len(filled):
            first = data.iloc[0]
            for column, text in first.items():
                if isinstance(text, str) and text.strip() and text.strip() != column:
                    table.labels.setdefault(column, text.strip())
            rows = [int(r) for r in data.index[:2]]
            table.data = data.iloc[2:]
            table.tool = "qualtrics"
            table.problems.append(Problem(
                "export_header_rows", message("export_header_rows", language, tool="Qualtrics",
                                              rows=f"{rows[0]}-{rows[1]}"),
                severity="warning", file=table.file, sheet=table.sheet, row=rows[0]))
            return table
    if table.tool is None:
        table.tool = detect_tool(table.columns)
    return table


def metadata_kind(column: str, tool: str | None, values: pd.Series | None = None) -> str | None:
    """``"identifying"`` or ``"survey"`` for a metadata column of the recognised tool, ``"survey"``
    for a generic one (``seed``, ``ResponseId``) whose values look the part; else ``None``."""
    if tool in IDENTIFYING_METADATA and column in IDENTIFYING_METADATA[tool]:
        return "identifying"
    if tool in SURVEY_METADATA and column in SURVEY_METADATA[tool]:
        return "survey"
    pattern = _GENERIC_METADATA.get(_folded(column))
    if pattern is not None and values is not None:
        filled = values.dropna().astype(str)
        if len(filled) and filled.str.match(pattern).all():
            return "survey"
    return None


def take_out_metadata(table, keep: set[str], *, language: str = "nl") -> list[Problem]:
    """Remove the tool's metadata columns (not mapped to an item) from the table, with a note.

    Identifying metadata of a recognised export (IP address, location, recipient) is dropped with
    a warning; other survey metadata is dropped with one note. Columns in ``keep`` (mapped to an
    item by a column mapping) stay.
    """
    identifying, survey = [], []
    for column in table.columns:
        if column in keep:
            continue
        kind = metadata_kind(column, table.tool, table.data[column])
        if kind == "identifying":
            identifying.append(column)
        elif kind == "survey":
            survey.append(column)
    if not identifying and not survey:
        return []
    table.data = table.data.drop(columns=identifying + survey)
    tool = TOOL_NAMES.get(table.tool or "", "de enquêtetool" if language == "nl"
                          else "the survey tool")
    out = []
    for code, columns in (("export_metadata_dropped", identifying),
                          ("export_metadata_ignored", survey)):
        if columns:
            out.append(Problem(code, message(code, language, tool=tool,
                                             columns=", ".join(f"'{c}'" for c in columns)),
                               severity="warning", file=table.file, sheet=table.sheet,
                               row=table.header_row, column=columns[0]))
    return out


# -- survey structures: labels and answer texts for proposing a mapping ------------------------
@dataclass
class Structure:
    """Question texts and answer texts of an export, from the tool's survey structure.

    ``labels``: column -> question text; ``answers``: column -> {answer code: answer text}.
    """

    labels: dict[str, str] = field(default_factory=dict)
    answers: dict[str, dict[str, str]] = field(default_factory=dict)

    def update(self, other: "Structure") -> None:
        for column, text in other.labels.items():
            self.labels.setdefault(column, text)
        for column, answers in other.answers.items():
            self.answers.setdefault(column, {}).update(answers)


def _strip_html(text: str | None) -> str:
    if not text:
        return ""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def read_lss(path: Path | str, language: str | None = None) -> Structure:
    """A LimeSurvey survey structure (``.lss``, XML) as labels and answer texts per column.

    Questions give ``<title>`` (the code) and their text (in ``<question>`` of the row, or in
    ``question_l10ns`` in LimeSurvey 4 and later); subquestions (``parent_qid``) make columns
    ``PARENT[SUB]`` labelled "question: subquestion"; answers (``<code>``, text in ``<answer>`` or
    ``answer_l10ns``) belong to every column of their question.
    """
    import xml.etree.ElementTree as ET

    root = ET.parse(str(path)).getroot()

    def rows(section: str) -> list[dict[str, str]]:
        out = []
        for row in root.findall(f"./{section}/rows/row"):
            out.append({child.tag: (child.text or "") for child in row})
        return out

    def wanted(row: dict) -> bool:
        return language is None or row.get("language", language) in ("", language)

    texts: dict[str, str] = {}
    for row in rows("question_l10ns"):
        if wanted(row) or row["qid"] not in texts:
            texts[row["qid"]] = _strip_html(row.get("question"))
    questions: dict[str, dict] = {}
    for row in rows("questions") + rows("subquestions"):
        qid = row.get("qid", "")
        if qid in questions and not wanted(row):
            continue
        row["text"] = _strip_html(row.get("question")) or texts.get(qid, "")
        questions[qid] = row
    answer_texts: dict[str, str] = {}
    for row in rows("answer_l10ns"):
        if wanted(row) or row.get("aid", "") not in answer_texts:
            answer_texts[row.get("aid", "")] = _strip_html(row.get("answer"))
    answers: dict[str, dict[str, str]] = {}
    for row in rows("answers"):
        if not wanted(row) and row.get("code", "") in answers.get(row.get("qid", ""), {}):
            continue
        text = _strip_html(row.get("answer")) or answer_texts.get(row.get("aid", ""), "")
        answers.setdefault(row.get("qid", ""), {})[row.get("code", "")] = text
    structure = Structure()
    for qid, q in questions.items():
        parent = q.get("parent_qid", "0") or "0"
        if parent != "0" and parent in questions:
            top = questions[parent]
            column = f"{top['title']}[{q['title']}]"
            structure.labels[column] = f"{top['text']}: {q['text']}"
            if parent in answers:
                structure.answers[column] = dict(answers[parent])
        else:
            structure.labels[q["title"]] = q["text"]
            if qid in answers:
                structure.answers[q["title"]] = dict(answers[qid])
    return structure


def _read_semicolon_csv(path: Path) -> list[dict[str, str]]:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    from .delimiters import sniff_delimiter

    return list(csv.DictReader(io.StringIO(text), delimiter=sniff_delimiter(text)))


def read_castor_lists(paths: list[Path | str]) -> Structure:
    """Castor EDC's field list and option list (CSV) as labels and answer texts per field.

    The field list has ``Field Variable Name``, ``Field Label`` and ``Field Option Group``; the
    option list ``Option Group Name`` (or ``Option Group Id``), ``Option Name`` and
    ``Option Value``. Which file is which is told by its columns.
    """
    fields: list[dict[str, str]] = []
    options: dict[str, dict[str, str]] = {}
    for path in paths:
        records = _read_semicolon_csv(Path(path))
        if not records:
            continue
        keys = {k.strip().casefold(): k for k in records[0]}
        if "field variable name" in keys:
            fields += [{k.strip().casefold(): (v or "").strip() for k, v in r.items() if k}
                       for r in records]
        elif "option value" in keys:
            for r in records:
                r = {k.strip().casefold(): (v or "").strip() for k, v in r.items() if k}
                for group in (r.get("option group name"), r.get("option group id")):
                    if group:
                        options.setdefault(group, {})[r.get("option value", "")] = \
                            r.get("option name", "")
    structure = Structure()
    for f in fields:
        name = f.get("field variable name", "")
        if not name:
            continue
        if f.get("field label"):
            structure.labels[name] = _strip_html(f["field label"])
        group = f.get("field option group", "")
        if group and group in options:
            structure.answers[name] = dict(options[group])
    return structure


def read_structure(paths: list[Path | str]) -> Structure:
    """Labels and answer texts from survey structures: ``.lss`` files and Castor lists."""
    structure = Structure()
    castor = []
    for path in paths:
        if Path(path).suffix.lower() == ".lss":
            structure.update(read_lss(path))
        else:
            castor.append(path)
    if castor:
        structure.update(read_castor_lists(castor))
    return structure


def qualtrics_import_id(text: str) -> str | None:
    """The ImportId of a Qualtrics third-row cell (``{"ImportId":"QID12_3"}`` -> ``QID12_3``)."""
    try:
        return json.loads(text).get("ImportId")
    except (ValueError, AttributeError):
        return None
