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

TOOL_NAMES = {"qualtrics": "Qualtrics", "qualtrics_legacy": "Qualtrics", "limesurvey": "LimeSurvey",
              "castor": "Castor EDC", "redcap": "REDCap", "spss": "SPSS"}

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
SURVEY_METADATA["redcap"] = ("redcap_event_name", "redcap_repeat_instrument",
                             "redcap_repeat_instance", "redcap_data_access_group",
                             "redcap_survey_identifier", "Event Name", "Repeat Instrument",
                             "Repeat Instance", "Data Access Group", "Survey Identifier")
SURVEY_METADATA["limesurvey"] += ("Response ID", "Date submitted", "Last page", "Start language",
                                  "Seed", "Date started", "Date last action", "Total time")
IDENTIFYING_METADATA["limesurvey"] += ("IP address", "Referrer URL", "Token", "Email address",
                                       "First name", "Last name")
IDENTIFYING_METADATA["qualtrics_legacy"] = ("V3", "V4", "V5", "V6", "LocationLatitude",
                                            "LocationLongitude", "LocationAccuracy")
SURVEY_METADATA["qualtrics_legacy"] = ("V1", "V2", "V7", "V8", "V9", "V10")
SURVEY_METADATA["castor"] += ("archived", "institute", "randomisation_group",
                              "randomisation_datetime", "randomization_group",
                              "randomization_datetime")

_HEX_ID = re.compile(r"^[0-9A-Fa-f]{8,40}$|^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")
#: Columns recognised as survey metadata in any file, with the values they must have (a column
#: named ``seed`` holding e-mail addresses is screened like any other): the random ids survey and
#: panel tools add (Prolific's participant, study and session ids, Qualtrics' panel token and
#: payment code) identify a response, never a person.
_GENERIC_METADATA = {
    "seed": re.compile(r"^\d{1,12}$"),
    "responseid": re.compile(r"^R_[A-Za-z0-9]{10,20}$"),
    "surveyinstanceid": re.compile(r"^[0-9A-Fa-f-]{8,40}$"),
    "prolificpid": _HEX_ID, "studyid": _HEX_ID, "sessionid": _HEX_ID,
    "tokenguid": _HEX_ID, "paymentcode": re.compile(r"^[A-Za-z0-9]{6,40}$"),
    "recipientid": re.compile(r"^[A-Za-z0-9_]{6,40}$"),
}
#: Columns a tool adds beside a question, told by their name's ending (Qualtrics' page timers
#: ``Q5_t_First Click`` and browser meta ``browser_Resolution``; its Text iQ ``Q2 - Topics``;
#: LimeSurvey's timings ``Question time: Q5``; REDCap's form status ``demographics_complete`` and
#: survey stamps ``..._timestamp``).
_SUFFIX_METADATA = {
    "qualtrics": re.compile(r"(?:_(?:First Click|Last Click|Page Submit|Click Count)"
                            r"|_(?:Browser|Version|Operating System|Resolution)"
                            r"| - (?:Parent )?Topics| - Sentiment(?: Polarity| Score)?"
                            r"|_DO_\w+|_TEXT - Topics)$"),
    "limesurvey": re.compile(r"^(?:Question time|Group time|interviewtime)(?::.*)?$"),
    "redcap": re.compile(r"_(?:complete|timestamp)$|(?:^| )Complete\?$|^Survey Timestamp$"),
}
_SUFFIX_VALUES = {"redcap": re.compile(
    r"^(?:[012]|\d{4}-\d\d-\d\d[ \d:]*|\[not completed\]|Incomplete|Unverified|Complete)$")}

_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')
_LIMESURVEY_MARKERS = {"id", "submitdate", "lastpage", "startlanguage", "seed"}
_CASTOR_MARKERS = {"participant id", "participant status", "site abbreviation",
                   "castor participant id", "record id", "institute abbreviation"}


_LIMESURVEY_TEXTS = {"responseid", "datesubmitted", "lastpage", "startlanguage", "seed",
                     "datestarted", "datelastaction"}
_CASTOR_API_MARKERS = {"recordid", "archived", "institute", "randomisationgroup",
                       "randomisationdatetime", "randomizationgroup", "randomizationdatetime"}
#: LimeSurvey's "question code and text" headings: ``G01Q02. Hoe oud bent u?``.
_LIME_CODE_TEXT = re.compile(r"^([A-Za-z][A-Za-z0-9_]*(?:\[[^\]]+\])*)\.\s+\S")


def _folded(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def lime_code(column: str) -> str:
    """The question code of a LimeSurvey heading "code. text" (else the heading itself)."""
    m = _LIME_CODE_TEXT.match(column.strip())
    return m.group(1) if m else column


def detect_tool(columns: list[str]) -> str | None:
    """The tool whose export has these columns, told by the fixed columns each tool writes
    (under its codes, its full-text headings or "code. text" headings)."""
    folded = {_folded(c) for c in columns}
    codes = {lime_code(c).strip().casefold() for c in columns}
    if len(codes & _LIMESURVEY_MARKERS) >= 3 or len(folded & _LIMESURVEY_TEXTS) >= 4:
        return "limesurvey"
    if len({c.strip().casefold() for c in columns} & _CASTOR_MARKERS) >= 2 \
            or len(folded & _CASTOR_API_MARKERS) >= 3:
        return "castor"
    if "recordid" in folded and (any(c.endswith("_complete") or c.endswith("Complete?")
                                     for c in columns)
                                 or any(c.startswith("redcap_") for c in columns)
                                 or {"eventname", "repeatinstrument"} & folded):
        return "redcap"  # raw export (field names) or "labels" export (field labels)
    qualtrics = {_folded(c) for c in SURVEY_METADATA["qualtrics"]}
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
        first = data.iloc[0]
        if _is_qualtrics_legacy(table.columns, first):
            # the legacy format: V1 ... V10 and question codes, then one row of texts
            for column, text in first.items():
                if isinstance(text, str) and text.strip() and text.strip() != column:
                    table.labels.setdefault(column, text.strip())
            row = int(data.index[0])
            table.data = data.iloc[1:]
            table.tool = "qualtrics_legacy"
            table.problems.append(Problem(
                "export_header_rows", message("export_header_rows", language,
                                              tool="Qualtrics", rows=f"{row}-{row}"),
                severity="warning", file=table.file, sheet=table.sheet, row=row))
            return table
    if table.tool is None:
        table.tool = detect_tool(table.columns)
    return table


def _is_qualtrics_legacy(columns: list[str], first: pd.Series) -> bool:
    if not {"V1", "V8", "V9"} <= set(columns):
        return False
    text = {c: str(first.get(c) or "").strip().casefold() for c in ("V1", "V8", "V9")}
    return text == {"V1": "responseid", "V8": "startdate", "V9": "enddate"}


def metadata_kind(column: str, tool: str | None, values: pd.Series | None = None) -> str | None:
    """``"identifying"`` or ``"survey"`` for a metadata column of the recognised tool, ``"survey"``
    for a generic one (``seed``, ``ResponseId``) whose values look the part; else ``None``."""
    names = {column, lime_code(column)} if tool == "limesurvey" else {column}
    if tool in IDENTIFYING_METADATA and names & set(IDENTIFYING_METADATA[tool]):
        return "identifying"
    if tool in SURVEY_METADATA and names & set(SURVEY_METADATA[tool]):
        return "survey"
    suffix = _SUFFIX_METADATA.get("qualtrics" if tool == "qualtrics_legacy" else tool or "")
    if suffix is not None and suffix.search(column):
        pattern = _SUFFIX_VALUES.get(tool or "")
        if pattern is None or values is None or \
                values.dropna().astype(str).str.match(pattern).all():
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
    #: Fields the structure marks as identifying (REDCap's "Identifier?" column): never read.
    identifiers: set[str] = field(default_factory=set)
    #: Field -> the condition under which it is asked (REDCap's branching logic).
    branching: dict[str, str] = field(default_factory=dict)
    #: By 1-based column position: (code, label, answers), for a structure that names the
    #: columns by their place (LimeSurvey's R syntax file for its full-text export).
    positions: dict[int, tuple[str, str, dict[str, str]]] = field(default_factory=dict)
    #: The tool whose structure this is (``redcap``, ``limesurvey``, ``castor``).
    tool: str | None = None

    def update(self, other: "Structure") -> None:
        for column, text in other.labels.items():
            self.labels.setdefault(column, text)
        for column, answers in other.answers.items():
            self.answers.setdefault(column, {}).update(answers)
        self.identifiers |= other.identifiers
        for column, text in other.branching.items():
            self.branching.setdefault(column, text)
        for position, entry in other.positions.items():
            self.positions.setdefault(position, entry)
        self.tool = self.tool or other.tool

    def for_table(self, columns: list[str], positions: dict[str, int]) -> "Structure":
        """This structure with the positional entries placed on the table's columns (the
        column's code is kept as a label too, so that both are matched)."""
        out = Structure(dict(self.labels), {k: dict(v) for k, v in self.answers.items()},
                        set(self.identifiers), dict(self.branching), {}, self.tool)
        if sum(c in self.labels for c in columns) * 2 >= len(columns):
            return out  # the table's columns carry the structure's names: no places needed
        for column in columns:
            entry = self.positions.get(positions.get(column, 0))
            if entry is None:
                continue
            code, label, answers = entry
            out.labels.setdefault(column, f"{code}: {label}" if label and label != code
                                  else code)
            if answers:
                out.answers.setdefault(column, dict(answers))
        return out


class StructureError(Exception):
    """A file given as a survey structure that cannot be used; the message says why."""


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


_REDCAP_KEYS = {"variablefieldname", "fieldlabel", "choicescalculationsorsliderlabels"}
_R_LABEL = re.compile(r'^attributes\(data\)\$variable\.labels\[(\d+)\]\s*<-\s*"(.*)"\s*$')
_R_NAME = re.compile(r'^names\(data\)\[(\d+)\]\s*<-\s*"(.*)"\s*$')
_R_FACTOR = re.compile(r'^data\[,\s*(\d+)\]\s*<-\s*factor\(data\[,\s*\d+\],\s*'
                       r'levels=c\((.*)\),\s*labels=c\((.*)\)\)\s*$')
_R_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|([^,\s][^,]*)')


def _r_values(text: str) -> list[str]:
    return [(m.group(1) if m.group(1) is not None else m.group(2)).strip().replace('\\"', '"')
            .replace("\\'", "'") for m in _R_STRING.finditer(text)]


def read_r_syntax(path: Path | str) -> Structure:
    """LimeSurvey's R syntax file (``survey_<id>_R_syntax_file.R``): per column of the R data
    file, by position, its question code (``names(data)[i]``), question text
    (``variable.labels``) and answer codes with their texts (``factor(levels=, labels=)``)."""
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    codes: dict[int, str] = {}
    labels: dict[int, str] = {}
    answers: dict[int, dict[str, str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if m := _R_NAME.match(line):
            codes[int(m.group(1))] = m.group(2)
        elif m := _R_LABEL.match(line):
            labels[int(m.group(1))] = _strip_html(m.group(2).replace("\\'", "'"))
        elif m := _R_FACTOR.match(line):
            levels, texts = _r_values(m.group(2)), _r_values(m.group(3))
            if len(levels) == len(texts):
                answers[int(m.group(1))] = dict(zip(levels, texts))
    structure = Structure(tool="limesurvey")
    for position, code in codes.items():
        label = labels.get(position, "")
        structure.positions[position] = (code, label, answers.get(position, {}))
        structure.labels.setdefault(code, label)
        if position in answers:
            structure.answers.setdefault(code, answers[position])
    return structure


_SPS_QUOTED = re.compile(r"'((?:[^']|'')*)'|\"((?:[^\"]|\"\")*)\"")
_SPS_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^\s'\"/]+|/")


def _sps_text(token: str) -> str:
    m = _SPS_QUOTED.fullmatch(token)
    if m is None:
        return token
    return m.group(1).replace("''", "'") if m.group(1) is not None else \
        m.group(2).replace('""', '"')


def _sps_commands(text: str) -> list[str]:
    """SPSS syntax as commands: a command ends with a full stop at the end of a line."""
    out, current = [], []
    for line in text.splitlines():
        if not current and line.lstrip().startswith("*"):
            continue  # a comment line
        current.append(line)
        if line.rstrip().endswith("."):
            out.append("\n".join(current).rstrip()[:-1])
            current = []
    if current:
        out.append("\n".join(current))
    return out


def read_sps(path: Path | str) -> Structure:
    """An SPSS syntax file (LimeSurvey's ``survey_<id>_SPSS_syntax_file.sps``): the variables
    in order (``/VARIABLES=`` of ``GET DATA`` or ``DATA LIST``), their ``VARIABLE LABELS`` and
    ``VALUE LABELS`` (and ``ADD VALUE LABELS``)."""
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    order: list[str] = []
    labels: dict[str, str] = {}
    answers: dict[str, dict[str, str]] = {}
    for command in _sps_commands(text):
        head = command.lstrip()
        upper = head.upper()
        if upper.startswith(("GET DATA", "DATA LIST")):
            part = re.split(r"/VARIABLES\s*=", head, maxsplit=1, flags=re.IGNORECASE)
            if len(part) == 2:
                for line in part[1].splitlines():
                    words = line.split()
                    if words and re.fullmatch(r"[A-Za-z@#$][\w.@#$]*", words[0]):
                        order.append(words[0])
        elif upper.startswith("VARIABLE LABELS"):
            tokens = _SPS_TOKEN.findall(head[len("VARIABLE LABELS"):])
            name = None
            for token in tokens:
                if token == "/":
                    name = None
                elif name is None:
                    name = token
                else:
                    labels[name] = _strip_html(_sps_text(token))
                    name = None
        elif upper.startswith(("VALUE LABELS", "ADD VALUE LABELS")):
            body = re.split(r"LABELS", head, maxsplit=1, flags=re.IGNORECASE)[1]
            for group in re.split(r"(?m)^\s*/|\s/\s", body):
                tokens = _SPS_TOKEN.findall(group)
                names = []
                while tokens and not _SPS_QUOTED.fullmatch(tokens[0]) and \
                        not re.fullmatch(r"[+-]?\d+(?:\.\d+)?", tokens[0]):
                    names.append(tokens.pop(0))
                pairs = {}
                for code, label in zip(tokens[::2], tokens[1::2]):
                    pairs[_sps_text(code)] = _strip_html(_sps_text(label))
                for name in names:
                    answers.setdefault(name, {}).update(pairs)
    structure = Structure(tool="limesurvey", labels=dict(labels), answers=dict(answers))
    for position, name in enumerate(order, start=1):
        structure.positions[position] = (name, labels.get(name, ""), answers.get(name, {}))
    return structure


def _redcap_choices(text: str) -> dict[str, str]:
    """REDCap's choices ``1, Male | 2, Female`` as {code: text}."""
    out = {}
    for part in (text or "").split("|"):
        code, sep, label = part.partition(",")
        if sep and code.strip():
            out[code.strip()] = _strip_html(label.strip())
    return out


def read_redcap_dictionary(path: Path | str) -> Structure:
    """A REDCap data dictionary (CSV): field labels, choices (radio, dropdown, yes/no, checkbox
    columns ``field___code``), the fields marked as identifiers and their branching logic."""
    records = _read_semicolon_csv(Path(path))
    structure = Structure(tool="redcap")
    for r in records:
        r = {_folded(k): (v or "").strip() for k, v in r.items() if k}
        name = r.get("variablefieldname", "")
        if not name:
            continue
        kind = r.get("fieldtype", "").casefold()
        label = _strip_html(r.get("fieldlabel", ""))
        choices = _redcap_choices(r.get("choicescalculationsorsliderlabels", ""))
        if kind == "yesno":
            choices = {"1": "Yes", "0": "No"}
        elif kind == "truefalse":
            choices = {"1": "True", "0": "False"}
        if kind == "checkbox":
            for code, text in choices.items():
                column = f"{name}___{code.casefold()}"
                structure.labels[column] = f"{label}: {text}"
                structure.answers[column] = {"1": "Checked", "0": "Unchecked"}
        else:
            structure.labels[name] = label
            if choices and kind in ("radio", "dropdown", "yesno", "truefalse"):
                structure.answers[name] = choices
        if r.get("identifier", "").casefold() in ("y", "yes", "1"):
            structure.identifiers.add(name)
        if r.get("branchinglogicshowfieldonlyif"):
            structure.branching[name] = r["branchinglogicshowfieldonlyif"]
    return structure


def structure_kind(path: Path | str, language: str = "nl") -> str:
    """What a survey-structure file is, told by its content: ``lss``, ``castor`` (a field or
    option list), ``redcap`` (a data dictionary), ``r_syntax`` or ``sps`` (SPSS syntax with
    labels, as LimeSurvey writes it); raises
    :class:`StructureError` naming why a file cannot be used."""
    path = Path(path)
    nl = language != "en"
    try:
        head = path.read_bytes()[:65536]
    except OSError as exc:
        raise StructureError((f"'{path.name}' kan niet worden gelezen: {exc.strerror}" if nl else
                              f"'{path.name}' cannot be read: {exc.strerror}")) from None
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("<"):
        if "<questions>" in text or "<LimeSurveyDocType>" in text or "limesurvey" in \
                text[:2000].casefold():
            return "lss"
        raise StructureError(
            f"'{path.name}' is een XML-bestand maar geen LimeSurvey-structuur (.lss); de "
            "XML-structuur van Castor kan niet worden gebruikt: exporteer in Castor de "
            "veldenlijst en de optielijst als CSV en geef die met --structure" if nl else
            f"'{path.name}' is an XML file but not a LimeSurvey structure (.lss); Castor's XML "
            "structure cannot be used: export the field list and the option list from Castor "
            "as CSV and give those with --structure")
    if "names(data)[" in text or "variable.labels[" in text:
        return "r_syntax"
    first = text.splitlines()[0] if text else ""
    folded = {_folded(c) for c in re.split(r"[;,\t]", first)}
    if _REDCAP_KEYS <= folded or "variablefieldname" in folded:
        return "redcap"
    if {"fieldvariablename"} <= folded or "optionvalue" in folded:
        return "castor"
    if re.search(r"^\s*(?:VARIABLE LABELS|VALUE LABELS)", text, re.IGNORECASE | re.MULTILINE):
        return "sps"
    if re.search(r"^\s*(?:GET DATA|DATA LIST)", text, re.IGNORECASE | re.MULTILINE):
        raise StructureError(
            f"'{path.name}' is een SPSS-syntaxbestand zonder VARIABLE LABELS of VALUE LABELS; "
            "het zegt niets over vragen en antwoorden; geef de syntax met labels, of lees de "
            "export als .sav (die heeft de labels zelf)" if nl else
            f"'{path.name}' is an SPSS syntax file without VARIABLE LABELS or VALUE LABELS; it "
            "says nothing of questions and answers; give the syntax with labels, or read the "
            "export as .sav (it holds the labels itself)")
    raise StructureError(
        f"'{path.name}' is geen enquêtestructuur die de workbench kent (verwacht: een "
        "LimeSurvey-structuur .lss of R-syntaxbestand, de veldenlijst en optielijst van Castor "
        "als CSV, of het data dictionary van REDCap als CSV)" if nl else
        f"'{path.name}' is not a survey structure the workbench knows (expected: a LimeSurvey "
        "structure .lss or R syntax file, Castor's field list and option list as CSV, or "
        "REDCap's data dictionary as CSV)")


def read_structure(paths: list[Path | str], language: str = "nl") -> Structure:
    """Labels and answer texts from survey structures, each file recognised by its content:
    ``.lss`` files, LimeSurvey's R syntax file, Castor's field and option lists, REDCap's data
    dictionary. A file that is none of these raises :class:`StructureError`."""
    import xml.etree.ElementTree as ET

    structure = Structure()
    castor = []
    for path in paths:
        kind = structure_kind(path, language)
        try:
            if kind == "lss":
                part = read_lss(path)
                part.tool = "limesurvey"
                structure.update(part)
            elif kind == "r_syntax":
                structure.update(read_r_syntax(path))
            elif kind == "sps":
                structure.update(read_sps(path))
            elif kind == "redcap":
                structure.update(read_redcap_dictionary(path))
            else:
                castor.append(path)
        except (ET.ParseError, csv.Error, UnicodeDecodeError, KeyError, ValueError) as exc:
            detail = str(exc).strip() or type(exc).__name__
            raise StructureError(
                f"'{Path(path).name}' lijkt een {_KIND_NAMES[kind]} maar is beschadigd of "
                f"onvolledig ({detail}); exporteer het opnieuw" if language != "en" else
                f"'{Path(path).name}' looks like a {_KIND_NAMES_EN[kind]} but is damaged or "
                f"incomplete ({detail}); export it again") from None
    if castor:
        try:
            part = read_castor_lists(castor)
        except (csv.Error, UnicodeDecodeError, KeyError, ValueError) as exc:
            names = ", ".join(f"'{Path(p).name}'" for p in castor)
            raise StructureError(
                f"{names} lijkt een veldenlijst of optielijst van Castor maar kan niet worden "
                f"gelezen ({exc}); exporteer de lijsten opnieuw als CSV" if language != "en" else
                f"{names} looks like a Castor field or option list but cannot be read ({exc}); "
                "export the lists again as CSV") from None
        part.tool = "castor"
        structure.update(part)
    return structure


_KIND_NAMES = {"lss": "LimeSurvey-structuur (.lss)", "r_syntax": "R-syntaxbestand van LimeSurvey",
               "sps": "SPSS-syntaxbestand", "redcap": "data dictionary van REDCap",
               "castor": "veldenlijst of optielijst van Castor"}
_KIND_NAMES_EN = {"lss": "LimeSurvey structure (.lss)", "r_syntax": "LimeSurvey R syntax file",
                  "sps": "SPSS syntax file", "redcap": "REDCap data dictionary",
                  "castor": "Castor field or option list"}


def qualtrics_import_id(text: str) -> str | None:
    """The ImportId of a Qualtrics third-row cell (``{"ImportId":"QID12_3"}`` -> ``QID12_3``)."""
    try:
        return json.loads(text).get("ImportId")
    except (ValueError, AttributeError):
        return None
