"""Files as the real survey tools write them (``../shared/corpus/exports``, see its README).

Two kinds of test:

* every corpus file as it is: `mss-eval map` proposes a mapping that `validate` accepts, the file
  is read and screened, and no identifier alarm is raised on a column that holds none (REDCap's
  name, phone and address columns are caught);
* per tool, a delivery made from a corpus file (its layout, header rows, metadata columns, codes
  and missing codes kept; its questions replaced by our items, generated here): map -> validate
  with the proposal as it stands, and the tidy data equal the same answers entered in the
  template, cell by cell.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import export_samples as samples
from helpers_input import make_study
from mss_eval.cli import main
from mss_eval.input.validate import validate_study

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "exports"
ROUND = "2010-1"
pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the corpus of real exports is not at {CORPUS} "
    "(../shared/corpus/exports beside the repository)")

#: The corpus files read as data, and the structure each is given with (if any).
FILES = {
    "q1_qualtrics_sample.csv": [],
    "q3_qualtrics_legitimacy.csv": [],
    "s1_pyreadstat_sample.sav": [],
    "s6_haven_labelled_num_na.sav": [],
    "l2_limesurvey_998192_R_data_file.csv": [],      # its R syntax file is found beside it
    "r1_redcap_simple_data.csv": ["r1_redcap_simple_dictionary.csv"],
    "c1_castor_api_CastorStudy.csv": [],
}
#: The columns of the corpus that do hold direct identifiers (a test of the screen, not of it).
TRUE_IDENTIFIERS = {"name_first", "name_last", "address", "telephone", "email", "dob"}


def _map(source: Path, root: Path, *structure: Path, region: str = "dordrecht"
         ) -> tuple[str, str]:
    args = ["map", str(source), "--instrument", "client_interview", "--study", str(root),
            "--round", ROUND, "--region", region]
    for s in structure:
        args += ["--structure", str(s)]
    assert main(args) == 0
    text = (root / "data" / ROUND / region / "client_interview.mapping.yaml").read_text(
        encoding="utf-8")
    return text, source.name


def _study(tmp_path: Path) -> Path:
    return make_study(tmp_path / "study")


# -- every corpus file as it is ------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FILES))
def test_every_corpus_file_gets_a_mapping_validate_reads_and_no_false_alarm(tmp_path, name,
                                                                            capsys):
    root = _study(tmp_path)
    text, _ = _map(CORPUS / name, root, *(CORPUS / s for s in FILES[name]))
    out = capsys.readouterr().out
    yaml.safe_load(text)
    report = validate_study(root)
    mapping_errors = [p.describe() for p in report.errors if p.code.startswith("mapping_")]
    assert mapping_errors == []
    # the file was read through the mapping (not refused), so its columns were screened: a
    # file whose mapping is refused is not checked against the instrument at all
    data_file = f"data/{ROUND}/dordrecht/client_interview{Path(name).suffix}"
    assert any(p.file == data_file and p.code in ("column_missing", "column_absent")
               for p in report.problems)
    alarms = {p.column for p in report.errors if p.code.startswith("identifier_")}
    assert alarms <= TRUE_IDENTIFIERS, alarms
    assert "kolommen gekoppeld" in out


def test_a_proposal_with_no_matched_column_is_read_and_screened(tmp_path, capsys):
    root = _study(tmp_path)
    text, _ = _map(CORPUS / "q1_qualtrics_sample.csv", root)
    assert "columns: {}" in text
    out = capsys.readouterr().out
    assert "geen enkele kolom herkend" in out and "Q1, Q2" in out
    report = validate_study(root)
    assert not [p for p in report.errors if p.code.startswith("mapping_")]
    # read and screened: its unknown columns are named
    assert {"Q1", "Q2"} <= {p.column for p in report.problems if p.code == "column_unknown"}


def test_redcap_name_phone_and_address_columns_are_caught_without_the_dictionary(tmp_path):
    root = _study(tmp_path)
    _map(CORPUS / "r1_redcap_simple_data.csv", root)
    report = validate_study(root)
    caught = {p.column for p in report.errors if p.code.startswith("identifier_")}
    assert {"name_first", "name_last", "telephone", "address", "email", "dob"} <= caught
    tidy = report.tables.get(f"data/{ROUND}/dordrecht/client_interview.csv")
    if tidy is not None:
        assert "Nutmouse" not in tidy.astype(str).to_csv()


def test_redcap_dictionary_identifier_fields_are_dropped_by_the_proposal(tmp_path, capsys):
    root = _study(tmp_path)
    text, _ = _map(CORPUS / "r1_redcap_simple_data.csv", root,
                   CORPUS / "r1_redcap_simple_dictionary.csv")
    out = capsys.readouterr().out
    drop = yaml.safe_load(text)["drop"]
    assert set(drop) >= {"name_first", "name_last", "address", "telephone", "email", "dob"}
    assert "export van REDCap" in out and "gemarkeerd als identificerend" in out


def test_qualtrics_panel_ids_and_timers_are_tool_metadata(tmp_path):
    root = _study(tmp_path)
    _map(CORPUS / "q3_qualtrics_legitimacy.csv", root)
    report = validate_study(root)
    assert not [p for p in report.errors if p.code.startswith("identifier_")]
    unknown = {p.column for p in report.problems if p.code == "column_unknown"}
    assert "tokenGuid" not in unknown and "paymentCode" not in unknown
    assert not any(c.endswith("_t_First Click") for c in unknown)


def test_limesurvey_r_export_is_recognised_and_its_syntax_file_read(tmp_path, capsys):
    root = _study(tmp_path)
    _map(CORPUS / "l2_limesurvey_998192_R_data_file.csv", root)
    out = capsys.readouterr().out
    assert "export van LimeSurvey" in out
    assert "structuur gebruikt: l2_limesurvey_998192_R_syntax_file.R" in out


def test_castor_api_export_is_recognised(tmp_path, capsys):
    root = _study(tmp_path)
    text, _ = _map(CORPUS / "c1_castor_api_CastorStudy.csv", root)
    assert "export van Castor EDC" in capsys.readouterr().out
    assert yaml.safe_load(text)["values"]["-96"] == 97


@pytest.mark.parametrize("content, says", [
    ('<?xml version="1.0"?>\n<Study><Forms/></Study>\n', "XML-structuur van Castor"),
    ("naam;waarde\na;1\n", "geen enquêtestructuur"),
    ("GET DATA /TYPE=TXT /FILE='survey_1_SPSS_data_file.dat'.\n", "SPSS-syntaxbestand zonder"),
    ('<?xml version="1.0"?>\n<document><LimeSurveyDocType>Survey</LimeSurveyDocType><questions>',
     "beschadigd of onvolledig"),
])
def test_a_structure_that_cannot_be_used_is_refused_with_a_reason(tmp_path, capsys, content,
                                                                 says):
    bad = tmp_path / "structuur.txt"
    bad.write_text(content, encoding="utf-8")
    code = main(["map", str(CORPUS / "c1_castor_api_CastorStudy.csv"), "--instrument",
                 "client_interview", "--structure", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and "structuur.txt" in err and says in err


# -- deliveries made from the corpus files ------------------------------------------------------
ITEMS = ["respondent_id", "interview_date", "gender", "age_band", "living_situation",
         "education", "contact_professional", "has_spv", "day_activities", "mss_rating",
         "exp_heard", "network_close", "network_informal"]
INSTRUMENT = samples.INSTRUMENT


def _template(root: Path) -> None:
    folder = root / "data" / ROUND / "den_haag"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "client_interview.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=ITEMS)
        w.writeheader()
        for a in samples.ANSWERS:
            w.writerow({k: "" if a[k] is None else a[k] for k in ITEMS})


def _frames(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    report = validate_study(root)
    assert report.valid, [p.describe() for p in report.errors]
    assert not [p for p in report.problems if p.code.startswith("identifier_")]
    tables = report.tables
    template = tables[f"data/{ROUND}/den_haag/client_interview.csv"]
    export = next(v for k, v in tables.items() if k.startswith(f"data/{ROUND}/dordrecht/"))
    return (template.drop(columns=["round", "region"]).reset_index(drop=True),
            export.drop(columns=["round", "region"]).reset_index(drop=True))


def _same(root: Path) -> None:
    template, export = _frames(root)
    pd.testing.assert_frame_equal(template, export, check_dtype=True)


def _label(item: str, code) -> str:
    return samples._label(item, code)


def _read_csv_rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")),
                           delimiter=delimiter))


def test_qualtrics_delivery_from_the_corpus_file(tmp_path):
    """q1's three header rows and metadata columns (IP address, location, recipient) kept;
    its questions replaced by ours, answered as choice texts; a page timer and Text iQ column
    beside them as Qualtrics writes them."""
    rows = _read_csv_rows(CORPUS / "q1_qualtrics_sample.csv")
    header, texts, imports, first = rows[0], rows[1], rows[2], rows[3]
    keep = header.index("Q1")  # the metadata columns come first
    names, labels, ids = header[:keep], texts[:keep], imports[:keep]
    for i, item in enumerate(ITEMS, start=1):
        names.append(f"Q{i}")
        labels.append(INSTRUMENT.column(item).label.nl)
        ids.append(json.dumps({"ImportId": f"QID{i}"}))
    extra = ["Q3_t_First Click", "Q3_t_Page Submit", "Q13 - Topics", "PROLIFIC_PID"]
    names += extra
    labels += ["Timing - First Click", "Timing - Page Submit", "Q13 - Topics", "PROLIFIC_PID"]
    ids += ['{"ImportId":"QID3_FIRST_CLICK"}', '{"ImportId":"QID3_PAGE_SUBMIT"}',
            '{"ImportId":"QID13_TOPICS"}', '{"ImportId":"PROLIFIC_PID"}']
    body = []
    for n, a in enumerate(samples.ANSWERS):
        meta = list(first[:keep])
        meta[header.index("ResponseId")] = f"R_2YPOQ602ER1jk{n:02d}"
        values = []
        for item in ITEMS:
            column, value = INSTRUMENT.column(item), a[item]
            if value is None:
                values.append("")
            elif column.type == "yes_no" and value in (0, 1):
                values.append({1: "Ja", 0: "Nee"}[value])
            elif column.is_coded or value in column.missing:
                values.append(_label(item, value).capitalize())
            else:
                values.append(str(value))
        body.append(meta + values + ["1.2", "7.9", "", f"62961bfdbe5f238d3225db{n:02d}"])
    export = tmp_path / "MSS_cliënten_October 20, 2010.csv"
    with open(export, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([names, labels, ids, *body])
    root = _study(tmp_path)
    _template(root)
    _map(export, root)
    _same(root)
    # the page timer, the Text iQ column and the panel id are Qualtrics' metadata
    report = validate_study(root)
    assert not {p.column for p in report.problems if p.code == "column_unknown"} & set(extra)


def test_spss_delivery_from_the_corpus_file(tmp_path):
    """s1's SPSS types kept (a DATE variable, labelled numerics, a string id), and s6's
    user-missing codes, with one value label more on a missing code (99 = onbekend)."""
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(CORPUS / "s1_pyreadstat_sample.sav"), metadataonly=True)
    date_format = meta.original_variable_types["mydate"]
    names = {item: f"v{i + 1}" for i, item in enumerate(ITEMS)}
    gender = {1: 0, 2: 1, 3: 2}
    data: dict[str, list] = {names[item]: [] for item in ITEMS}
    for a in samples.ANSWERS:
        for item in ITEMS:
            value = a[item]
            if item == "gender":
                value = gender.get(value, value)
            data[names[item]].append(value)
    frame = pd.DataFrame(data)
    frame[names["interview_date"]] = pd.to_datetime(frame[names["interview_date"]]).dt.date
    frame[names["respondent_id"]] = frame[names["respondent_id"]].astype(object)
    for item in ITEMS[2:]:
        frame[names[item]] = frame[names[item]].astype(float)
    labels, value_labels, missing = [], {}, {}
    for item in ITEMS:
        column = INSTRUMENT.column(item)
        labels.append(samples.SPSS_LABELS.get(item, column.label.nl))
        v = names[item]
        if item == "gender":
            value_labels[v] = {0: "man", 1: "vrouw", 2: "anders"}
        elif column.is_coded:
            value_labels[v] = {a.code: a.label.nl for a in column.answers.answers}
        if column.is_coded or column.is_numeric:
            missing[v] = [98, 99]
            if v in value_labels:
                value_labels[v].update({98: "weet niet", 99: "onbekend"})
    export = tmp_path / "cliëntinterview_dordrecht.sav"
    pyreadstat.write_sav(frame, str(export), column_labels=labels,
                         variable_value_labels=value_labels, missing_ranges=missing,
                         variable_format={names["interview_date"]: date_format})
    root = _study(tmp_path)
    _template(root)
    text, _ = _map(export, root)
    assert re.search(rf"^  {names['age_band']}:", text, flags=re.M)  # 99 = onbekend or not
    _same(root)


def test_limesurvey_delivery_from_the_corpus_file(tmp_path):
    """l2's R export kept: full-text headings, its seven metadata columns with their values,
    codes in the data and the R syntax file beside it with the codes' texts."""
    rows = _read_csv_rows(CORPUS / "l2_limesurvey_998192_R_data_file.csv")
    syntax = (CORPUS / "l2_limesurvey_998192_R_syntax_file.R").read_text(encoding="utf-8")
    meta_columns = 7
    header = rows[0][:meta_columns]
    firsts = [r[:meta_columns] for r in rows[1:] if len(r) >= meta_columns]
    lines = [syntax.split("\n\n")[0], ""]
    for i in range(meta_columns):
        block = re.search(rf"# LimeSurvey Field type: \S+\n(?:.*\n){{0,3}}?names\(data\)\[{i + 1}\]"
                          rf" <- \"[^\"]*\"\n", syntax)
        lines.append(block.group(0))
    codes: dict[str, dict] = {}
    for i, item in enumerate(ITEMS, start=meta_columns + 1):
        column = INSTRUMENT.column(item)
        label = column.label.nl
        header.append(label)
        code = f"G01Q{i:02d}"
        lines.append("# LimeSurvey Field type: A")
        lines.append(f"data[, {i}] <- as.character(data[, {i}])")
        lines.append(f'attributes(data)$variable.labels[{i}] <- "{label}"')
        if column.is_coded:
            answers = {f"A{n + 1}": a.label.nl for n, a in enumerate(column.answers.answers)}
            codes[item] = {a.code: f"A{n + 1}" for n, a in enumerate(column.answers.answers)}
            # the survey offers 'weet niet' and 'geen antwoord' as answers of their own
            answers.update({"A98": "Weet niet", "A99": "Geen antwoord"})
            codes[item].update({98: "A98", 99: "A99"})
            levels = ",".join(f'"{k}"' for k in answers)
            texts = ", ".join(f'"{t}"' for t in answers.values())
            lines.append(f"data[, {i}] <- factor(data[, {i}], levels=c({levels}),"
                         f"labels=c({texts}))")
        lines.append(f'names(data)[{i}] <- "{code}"')
    body = []
    for n, a in enumerate(samples.ANSWERS):
        meta = list(firsts[n % len(firsts)])
        meta[0] = str(n + 1)
        values = []
        for item in ITEMS:
            value = a[item]
            if value is None:
                values.append("")  # LimeSurvey leaves an unanswered question empty
            elif item in codes:
                values.append(codes[item][value])
            else:
                values.append(str(value))
        body.append(meta + values)
    export = tmp_path / "survey_123456_R_data_file.csv"
    with open(export, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows([header, *body])
    (tmp_path / "survey_123456_R_syntax_file.R").write_text("\n".join(lines) + "\n",
                                                          encoding="utf-8")
    root = _study(tmp_path)
    _template(root)
    text, _ = _map(export, root)
    assert "tool: limesurvey" in text
    _same(root)


def test_redcap_delivery_from_the_corpus_files(tmp_path):
    """r1's data export and data dictionary kept (its contact fields flagged as identifiers,
    the form's _complete column); our fields added as radio buttons with REDCap's own codes."""
    data_rows = _read_csv_rows(CORPUS / "r1_redcap_simple_data.csv")
    dictionary = _read_csv_rows(CORPUS / "r1_redcap_simple_dictionary.csv")
    contact = ["name_first", "name_last", "address", "telephone", "email", "dob"]
    head = data_rows[0]
    keep = [head.index(c) for c in contact]
    entries = [dictionary[0]] + [r for r in dictionary[1:] if r[0] in contact]
    width = len(dictionary[0])
    recodes: dict[str, dict] = {}
    names = {}
    for item in ITEMS[1:]:
        column = INSTRUMENT.column(item)
        name = item if item != "gender" else "sex"
        names[item] = name
        row = [name, "interview", "", "text", column.label.nl] + [""] * (width - 5)
        if column.is_coded:
            row[3] = "radio"
            own = {a.code: n for n, a in enumerate(column.answers.answers)}  # 0, 1, 2, ...
            recodes[item] = own
            own.update({98: 98, 99: 99})  # the project's own codes for don't know / no answer
            row[5] = " | ".join([f"{n}, {a.label.nl}" for a, n in
                                 zip(column.answers.answers, own.values())]
                                + ["98, Weet niet", "99, Geen antwoord"])
        elif column.type == "date":
            row[7] = "date_ymd"
        entries.append(row)
    entries.insert(1, ["record_id", "interview", "", "text", "Respondentnummer"]
                   + [""] * (width - 5))
    body = []
    for n, a in enumerate(samples.ANSWERS):
        source = data_rows[1 + n % (len(data_rows) - 1)]
        values = [a["respondent_id"]] + [source[k] for k in keep]
        for item in ITEMS[1:]:
            value = a[item]
            if value is None:
                values.append("")
            elif item in recodes:
                values.append(str(recodes[item][value]))
            else:
                values.append(str(value))
        body.append(values + ["2"])
    export = tmp_path / "MSSClintinterview_DATA_2010-10-20_1200.csv"
    with open(export, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["record_id", *contact, *names.values(),
                                   "interview_complete"], *body])
    dictionary_file = tmp_path / "MSSClintinterview_DataDictionary_2010-10-20.csv"
    with open(dictionary_file, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(entries)
    root = _study(tmp_path)
    _template(root)
    text, _ = _map(export, root, dictionary_file)
    assert "tool: redcap" in text
    mapping = yaml.safe_load(text)
    assert set(contact) <= set(mapping["drop"])
    _same(root)


def test_castor_delivery_from_the_corpus_file(tmp_path):
    """c1 as castoredc_api writes it kept: its record columns, semicolons, option names as
    values (English Male/Female, Yes/No), missing codes as floats (-95.0) and a missing date
    01-01-2996, dates as dd-mm-yyyy."""
    rows = _read_csv_rows(CORPUS / "c1_castor_api_CastorStudy.csv", delimiter=";")
    head = rows[0]
    record = head[:head.index("ic_date")]          # record_id, archived, institute, ...
    castor_missing = {98: "-98.0", 99: "-95.0"}
    body = []
    for n, a in enumerate(samples.ANSWERS):
        source = rows[1 + n % (len(rows) - 1)]
        values = [a["respondent_id"]] + source[1:len(record)]
        for item in ITEMS[1:]:
            column, value = INSTRUMENT.column(item), a[item]
            if item == "interview_date":
                values.append("01-01-2996" if n == 2 else
                              "-".join(reversed(value.split("-"))))
            elif value is None:
                values.append("")
            elif value in column.missing:
                values.append(castor_missing[value])
            elif item == "gender":
                values.append({1: "Male", 2: "Female", 3: "Anders"}[value])
            elif column.type == "yes_no":
                values.append({1: "Yes", 0: "No"}[value])
            elif column.is_coded:
                values.append(_label(item, value))
            else:
                values.append(str(value))
        body.append(values)
    names = [INSTRUMENT.column(i).label.nl.casefold().replace(" ", "_") for i in ITEMS[1:]]
    export = tmp_path / "CastorStudy.csv"
    with open(export, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([record + names, *body])
    root = _study(tmp_path)
    _template(root)
    text, _ = _map(export, root)
    assert "tool: castor" in text
    template, frame = _frames(root)
    # what was meant: the third interview's date is missing (Castor's 01-01-2996)
    template.loc[2, "interview_date"] = pd.NaT
    pd.testing.assert_frame_equal(template, frame, check_dtype=True)
