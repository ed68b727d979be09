"""The bad-input corpus: each malformed study gives its own specific problem, names the file,
row and column, leaves every input byte unchanged, and never produces a traceback."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from helpers_input import (
    STUDY_YAML,
    clients,
    data_dir,
    make_study,
    tree_hashes,
    write_client_interview,
    write_csv,
    write_xlsx,
)
from mss_eval.cli import main
from mss_eval.input.validate import validate_study

CI = "data/2010-1/den_haag/client_interview"


@dataclass
class Expect:
    code: str
    file: str | None = None
    row: int | None = None
    line: int | None = None
    column: str | None = None
    sheet: str | None = None
    severity: str = "error"
    exit: int = 1
    #: text that must appear in the message
    says: str | None = None
    #: text that must appear nowhere in the output (a direct identifier)
    secret: str | None = None


# -- the corpus: each builder makes a study in `root` and says what must be found ---------------
def wrong_encoding(root):
    rows = clients(2)
    rows[0]["open_support"] = "Ideeën van de ervaringsdeskundige"
    write_client_interview(root, rows, delimiter=";", encoding="cp1252")
    return Expect("encoding_cp1252", f"{CI}.csv", severity="warning", exit=0, says="Windows-1252")


def semicolon_decimal_comma(root):
    rows = clients(2)
    rows[0]["mss_rating"] = "8,0"
    write_client_interview(root, rows, delimiter=";")
    return Expect(None, exit=0)  # valid


def missing_required_column(root):
    rows = [{k: v for k, v in r.items() if k != "mss_rating"} for r in clients(2)]
    write_client_interview(root, rows)
    return Expect("column_missing", f"{CI}.csv", row=1, column="mss_rating", says="mss_rating")


def unknown_answer_code(root):
    rows = clients(3)
    rows[1]["gender"] = "7"
    write_client_interview(root, rows)
    return Expect("value_unknown_code", f"{CI}.csv", row=3, column="gender", says="2 = vrouw")


def out_of_range_rating(root):
    rows = clients(3)
    rows[2]["mss_rating"] = "11"
    write_client_interview(root, rows)
    return Expect("value_out_of_range", f"{CI}.csv", row=4, column="mss_rating",
                  says="1 tot en met 10")


def text_in_numeric_column(root):
    rows = clients(2)
    rows[0]["network_close"] = "veel"
    write_client_interview(root, rows)
    return Expect("value_not_number", f"{CI}.csv", row=2, column="network_close", says="'veel'")


def duplicate_ids(root):
    rows = clients(3)
    rows[2]["respondent_id"] = rows[0]["respondent_id"]
    write_client_interview(root, rows)
    return Expect("value_duplicate", f"{CI}.csv", row=4, column="respondent_id", says="rij 2")


def empty_file(root):
    (data_dir(root) / "client_interview.csv").write_bytes(b"")
    return Expect("file_empty", f"{CI}.csv")


def header_only_file(root):
    write_client_interview(root, [], columns=list(clients(1)[0]))
    return Expect("header_only", f"{CI}.csv", severity="warning", exit=0)


def extra_sheet_in_xlsx(root):
    rows = clients(3)
    rows[1]["mss_rating"] = "12"
    write_xlsx(data_dir(root) / "client_interview.xlsx", rows,
               extra_sheets={"toelichting": [["kolom", "betekenis"], ["mss_rating", "1-10"]]})
    return Expect("value_out_of_range", f"{CI}.xlsx", row=3, column="mss_rating",
                  sheet="gegevens")


def bsn_in_a_column(root):
    rows = clients(2)
    rows[1]["bsn"] = "111222333"
    write_client_interview(root, rows)
    return Expect("identifier_bsn", f"{CI}.csv", row=3, column="bsn", secret="111222333",
                  says="11…")


def email_in_free_text(root):
    rows = clients(2)
    rows[0]["open_improvement"] = "mail me op jan.devries@example.nl graag"
    write_client_interview(root, rows)
    return Expect("identifier_email", f"{CI}.csv", row=2, column="open_improvement",
                  secret="jan.devries@example.nl")


def phone_number(root):
    rows = clients(2)
    rows[1]["open_support"] = "bel mijn zus: 06-12345678"
    write_client_interview(root, rows)
    return Expect("identifier_phone", f"{CI}.csv", row=3, column="open_support",
                  secret="12345678")


def postcode_and_house_number(root):
    rows = clients(2)
    rows[0]["open_support"] = "woont op 2514 GL 12"
    write_client_interview(root, rows)
    return Expect("identifier_address", f"{CI}.csv", row=2, column="open_support",
                  secret="2514 GL 12")


def name_in_id_column(root):
    rows = clients(2)
    rows[1]["respondent_id"] = "Jan de Vries"
    write_client_interview(root, rows)
    return Expect("identifier_name", f"{CI}.csv", row=3, column="respondent_id",
                  secret="Jan de Vries")


def date_of_birth_column(root):
    rows = clients(2)
    rows[0]["geboortedatum"] = "12-05-1961"
    write_client_interview(root, rows)
    return Expect("identifier_birth_date", f"{CI}.csv", row=2, column="geboortedatum",
                  secret="12-05-1961")


def unknown_region_folder(root):
    write_client_interview(root, clients(2), region="breda")
    return Expect("region_folder_unknown", "data/2010-1/breda", says="den_haag")


def unknown_round_folder(root):
    write_client_interview(root, clients(2), round_id="2011-1")
    return Expect("round_folder_unknown", "data/2011-1", says="2010-1")


def region_not_in_round(root):
    text = STUDY_YAML.format(language="nl").replace(
        "regions:\n  - id: den_haag",
        '  - id: "2010-2"\n    label: Ronde 2\n    regions: [den_haag]\nregions:\n  - id: den_haag',
    )
    make_study(root, yaml_text=text)
    write_client_interview(root, clients(2), region="dordrecht", round_id="2010-2")
    return Expect("region_not_in_round", "data/2010-2/dordrecht", says="2010-2")


def region_id_with_dotdot(root):
    text = STUDY_YAML.format(language="nl").replace("  - id: dordrecht", "  - id: ../dordrecht")
    make_study(root, yaml_text=text)
    return Expect("region_id_invalid", "study.yaml", line=11, says="../dordrecht")


def unknown_key_in_study_yaml(root):
    text = STUDY_YAML.format(language="nl").replace("synthetic: true",
                                                    "synthetic: true\nbudget: 1000")
    make_study(root, yaml_text=text)
    return Expect("yaml_unknown_key", "study.yaml", line=4, says="budget")


def round_naming_unknown_region(root):
    text = STUDY_YAML.format(language="nl").replace("[den_haag, dordrecht]",
                                                    "[den_haag, dordrecht, tilburg]")
    make_study(root, yaml_text=text)
    return Expect("round_unknown_region", "study.yaml", line=7, says="tilburg")


def broken_study_yaml(root):
    make_study(root, yaml_text="name: x\nrounds: [\n  - oops\n")
    return Expect("yaml_syntax", "study.yaml", line=3)


def unknown_instrument_file(root):
    write_csv(data_dir(root) / "client_interviews.csv", clients(2))
    return Expect("instrument_unknown", "data/2010-1/den_haag/client_interviews.csv",
                  says="client_interview'?")


def csv_and_xlsx_for_one_instrument(root):
    write_client_interview(root, clients(2))
    write_xlsx(data_dir(root) / "client_interview.xlsx", clients(2))
    return Expect("instrument_twice", f"{CI}.csv", says="client_interview.xlsx")


def sav_with_user_missing_codes(root):
    frame = pd.DataFrame({"respondent_id": ["DH-001", "DH-002", "DH-003"],
                          "gender": [2.0, 99.0, 1.0], "mss_rating": [8.0, 99.0, 14.0]})
    pyreadstat.write_sav(frame, str(data_dir(root) / "client_interview.sav"),
                         variable_value_labels={"gender": {1: "man", 2: "vrouw", 99: "geen"}},
                         missing_ranges={"gender": [99], "mss_rating": [{"lo": 97, "hi": 99}]})
    # 99 is a missing code (fine); 14 is outside 1-10 (row 4: the third case)
    return Expect("value_out_of_range", f"{CI}.sav", row=4, column="mss_rating")


def broken_xlsx(root):
    (data_dir(root) / "client_interview.xlsx").write_bytes(os.urandom(2048))
    return Expect("file_unreadable", f"{CI}.xlsx", says=".xlsx")


def old_xls_file(root):
    (data_dir(root) / "client_interview.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    return Expect("file_format_unsupported", "data/2010-1/den_haag/client_interview.xls")


def symlink_outside_the_study(root):
    outside = root.parent / "elsewhere.csv"
    write_csv(outside, clients(2))
    (data_dir(root) / "client_interview.csv").symlink_to(outside)
    return Expect("path_outside_study", f"{CI}.csv")


def required_value_blank(root):
    rows = clients(3)
    rows[1]["mss_rating"] = ""
    write_client_interview(root, rows)
    return Expect("value_required", f"{CI}.csv", row=3, column="mss_rating")


def unknown_column(root):
    rows = clients(2)
    for r in rows:
        r["mss_ratingg"] = "8"
    write_client_interview(root, rows)
    return Expect("column_unknown", f"{CI}.csv", row=1, column="mss_ratingg",
                  severity="warning", exit=0, says="mss_rating'?")


def not_a_date(root):
    rows = clients(2)
    rows[1]["interview_date"] = "gisteren"
    write_client_interview(root, rows)
    return Expect("value_not_date", f"{CI}.csv", row=3, column="interview_date")


def reference_to_unknown_respondent(root):
    folder = data_dir(root)
    write_csv(folder / "partner_survey.csv", [
        {"respondent_id": "P1", "organisation": "Welzijn Zuid", "organisation_group": "2",
         "level": "2"}])
    write_csv(folder / "partner_ties.csv", [
        {"respondent_id": "P1", "partner_organisation": "GGZ", "frequency": "4"},
        {"respondent_id": "P9", "partner_organisation": "GGD", "frequency": "monthly"}])
    return Expect("reference_unknown", "data/2010-1/den_haag/partner_ties.csv", row=3,
                  column="respondent_id", says="partner_survey")


def governance_profile_with_two_rows(root):
    row = {"covenant": "ja", "steering_group": "ja", "case_tables": "5"}
    write_csv(data_dir(root) / "governance_profile.csv", [row, row])
    return Expect("one_row_expected", "data/2010-1/den_haag/governance_profile.csv", says="2")


def code_not_in_codebook(root):
    write_csv(data_dir(root) / "coded_segments.csv", [
        {"segment_id": "S1", "source_id": "I1", "source_kind": "1",
         "code": "executive/shorter_lines", "coder": "AB"},
        {"segment_id": "S2", "source_id": "I1", "source_kind": "1",
         "code": "executive/nonsense", "coder": "AB"}])
    return Expect("value_not_in_codebook", "data/2010-1/den_haag/coded_segments.csv", row=3,
                  column="code")


def duplicate_header(root):
    path = data_dir(root) / "client_interview.csv"
    path.write_text("respondent_id;mss_rating;mss_rating\nDH-1;8;9\n", encoding="utf-8")
    return Expect("header_duplicate", f"{CI}.csv", row=1, column="mss_rating")


def workbook_named_csv(root):
    write_xlsx(data_dir(root) / "client_interview.csv", clients(2))
    return Expect("file_not_text", f"{CI}.csv", says="Excel")


def row_longer_than_header(root):
    path = data_dir(root) / "client_interview.csv"
    path.write_text("respondent_id,mss_rating\nDH-1,8\nDH-2,7,5\n", encoding="utf-8")
    return Expect("row_too_long", f"{CI}.csv", row=3)


CORPUS = [
    wrong_encoding, semicolon_decimal_comma, missing_required_column, unknown_answer_code,
    out_of_range_rating, text_in_numeric_column, duplicate_ids, empty_file, header_only_file,
    extra_sheet_in_xlsx, bsn_in_a_column, email_in_free_text, phone_number,
    postcode_and_house_number, name_in_id_column, date_of_birth_column, unknown_region_folder,
    unknown_round_folder, region_not_in_round, region_id_with_dotdot, unknown_key_in_study_yaml,
    round_naming_unknown_region, broken_study_yaml, unknown_instrument_file,
    csv_and_xlsx_for_one_instrument, sav_with_user_missing_codes, broken_xlsx, old_xls_file,
    symlink_outside_the_study, required_value_blank, unknown_column, not_a_date,
    reference_to_unknown_respondent, governance_profile_with_two_rows, code_not_in_codebook,
    duplicate_header, workbook_named_csv, row_longer_than_header,
]


def build(case, tmp_path) -> tuple[Path, Expect]:
    root = tmp_path / "study"
    make_study(root)
    return root, case(root)


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.__name__)
def test_each_malformed_input_gives_its_own_problem_and_changes_nothing(case, tmp_path, capsys):
    root, expect = build(case, tmp_path)
    before = tree_hashes(tmp_path)

    report = validate_study(root)

    if expect.code is None:
        assert report.valid, [p.describe() for p in report.problems]
        # what was not delivered is said out loud (issue 15), and nothing else is warned about
        assert all(p.code in ("region_no_data", "instrument_missing", "column_absent")
                   for p in report.warnings)
    else:
        matches = [p for p in report.problems if p.code == expect.code]
        assert matches, [p.code for p in report.problems]
        p = matches[0]
        assert p.severity == expect.severity
        assert p.file == expect.file
        assert (p.row, p.line, p.column) == (expect.row, expect.line, expect.column)
        if expect.sheet:
            assert p.sheet == expect.sheet
        if expect.says:
            assert expect.says in p.message
    assert report.valid == (expect.exit == 0)
    assert tree_hashes(tmp_path) == before, "validation changed an input file"
    assert not (root / ".mss-secret").exists()

    code = main(["validate", str(root)])
    out, err = capsys.readouterr()
    assert code == expect.exit
    assert "Traceback" not in out + err
    if expect.code is not None and expect.file:
        line = next(line for line in out.splitlines() if expect.file in line)
        if expect.row is not None:
            assert f"rij {expect.row}" in out
        if expect.column:
            assert f"kolom '{expect.column}'" in line or f"kolom '{expect.column}'" in out
    if expect.secret:
        assert expect.secret not in out + err
        assert expect.secret not in json.dumps([p.to_dict() for p in report.problems])
    assert tree_hashes(tmp_path) == before


def test_the_corpus_has_at_least_twenty_distinct_problems():
    assert len(CORPUS) >= 20
    assert len({c.__name__ for c in CORPUS}) == len(CORPUS)


def test_json_output_lists_the_problem_with_file_row_and_column(tmp_path, capsys):
    root, expect = build(out_of_range_rating, tmp_path)
    code = main(["validate", str(root), "--format", "json", "--language", "en"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1 and payload["valid"] is False
    (p,) = [p for p in payload["problems"] if p["code"] == "value_out_of_range"]
    assert (p["file"], p["row"], p["column"], p["value"]) == (expect.file, 4, "mss_rating", "11")
    assert "outside the range 1 to 10" in p["message"]
    assert payload["files"][0]["sha256"]


def test_messages_follow_the_study_language(tmp_path, capsys):
    root = make_study(tmp_path / "study", language="en")
    rows = clients(2)
    rows[0]["gender"] = "7"
    write_client_interview(root, rows)
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert "row 2, column 'gender'" in out and "is not a valid answer" in out
    assert "ERROR:" in out


def test_a_folder_that_does_not_exist_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_folder_without_study_yaml_is_reported_not_raised(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "study.yaml" in out


def test_a_valid_study_exits_zero_and_says_so(tmp_path, capsys):
    root = make_study(tmp_path / "study")
    write_client_interview(root, clients(3))
    write_client_interview(root, clients(2), region="dordrecht")
    assert main(["validate", str(root)]) == 0
    out = capsys.readouterr().out
    assert "0 fout(en)" in out and "geldig" in out


def test_many_bad_cells_are_summarised_per_column(tmp_path):
    root = make_study(tmp_path / "study")
    write_client_interview(root, clients(60, gender="7"))
    report = validate_study(root)
    unknown = [p for p in report.problems if p.code == "value_unknown_code"]
    (more,) = [p for p in report.problems if p.code == "more_problems"]
    assert len(unknown) == 20
    assert "40" in more.message and more.column == "gender"


def test_an_xlsx_with_trailing_empty_rows_and_columns_validates(tmp_path):
    root = make_study(tmp_path / "study")
    path = write_xlsx(data_dir(root) / "client_interview.xlsx", clients(3))
    wb = openpyxl.load_workbook(path)
    ws = wb["gegevens"]
    ws.cell(row=40, column=30).value = ""
    ws.cell(row=40, column=30).number_format = "0"
    wb.save(path)
    report = validate_study(root)
    assert [p.code for p in report.errors] == []
    assert report.files[0].rows == 3


def test_the_example_study_is_valid_and_a_corrupted_copy_names_the_cell(tmp_path, capsys):
    import csv
    import io
    import shutil

    from mss_eval.input.readers import sniff_delimiter
    from mss_eval.instruments import questionnaires_dir

    example = questionnaires_dir().parent / "data_templates" / "example_study"
    if not (example / "study.yaml").exists():
        pytest.skip("the example study has not been generated yet")
    copy = tmp_path / "example"
    shutil.copytree(example, copy, ignore=shutil.ignore_patterns(".mss-secret", "reports"))
    assert main(["validate", str(copy)]) == 0
    capsys.readouterr()

    target = next(p for p in sorted((copy / "data").rglob("client_interview.csv")))
    raw = target.read_bytes()
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252"), "cp1252"
    delimiter = sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    column = rows[0].index("mss_rating")
    rows[3][column] = "11"  # spreadsheet row 4
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    target.write_bytes(out.getvalue().encode(encoding))
    before = tree_hashes(copy)

    assert main(["validate", str(copy)]) == 1
    printed = capsys.readouterr().out
    rel = target.relative_to(copy).as_posix()
    assert f"{rel}, rij 4, kolom 'mss_rating': 11 ligt buiten" in printed
    assert tree_hashes(copy) == before


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "sav"])
def test_arbitrary_bytes_in_a_data_file_never_raise(tmp_path, suffix):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    root = make_study(tmp_path / "study")
    target = data_dir(root) / f"client_interview.{suffix}"
    header = b"respondent_id;mss_rating;gender;interview_date\r\nDH-1;8;2;1-3-2010\r\n"

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(st.binary(max_size=300), st.binary(max_size=60).map(lambda b: header + b),
                     st.text(max_size=200).map(lambda t: header + t.encode("utf-8"))))
    def check(content):
        target.write_bytes(content)
        report = validate_study(root)
        assert report.files and report.files[0].file.endswith(suffix)
        assert target.read_bytes() == content

    check()
