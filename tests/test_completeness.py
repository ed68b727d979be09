"""Nothing missing in silence, no identifier slipping through, and the smaller things of a real
delivery: password-protected workbooks, title rows, Excel date serials, Dutch missing labels."""

from __future__ import annotations

import io

import msoffcrypto
import openpyxl
import pytest

from helpers_input import (STUDY_YAML, clients, data_dir, make_study, write_client_interview,
                           write_csv, write_xlsx)
from mss_eval.cli import main
from mss_eval.input.readers import ReadError, read_table
from mss_eval.input.validate import validate_study


def codes(report, code):
    return [p for p in report.problems if p.code == code]


# -- completeness ------------------------------------------------------------------------------
def test_a_region_that_delivered_one_instrument_is_told_each_missing_one(tmp_path, capsys):
    root = make_study(tmp_path / "study")
    write_client_interview(root, clients(3))
    report = validate_study(root)
    missing = codes(report, "instrument_missing")
    assert report.valid
    assert sorted(p.value for p in missing) == sorted(
        ["client_questionnaire", "coded_segments", "feedback_findings", "feedback_meeting",
         "governance_profile", "interview_register", "monitor_register", "partner_survey",
         "partner_ties", "social_map"])
    assert all(p.region == "den_haag" and p.severity == "warning" for p in missing)
    partner = next(p for p in missing if p.value == "partner_survey")
    assert "samenwerkingspartners" in partner.message and "not_expected" in partner.message
    (record,) = report.completeness
    assert record["delivered"] == {"client_interview": 3} and len(record["missing"]) == 10
    assert main(["validate", str(root)]) == 0
    out = capsys.readouterr().out
    assert "2010-1, den_haag: 1 van 11 instrumenten aangeleverd (client_interview 3 rijen)" in out


def test_absent_columns_are_named_with_what_the_reports_lack(tmp_path):
    root = make_study(tmp_path / "study")
    rows = [{k: v for k, v in r.items() if k not in ("education", "age_band")}
            for r in clients(3)]
    write_client_interview(root, rows)
    report = validate_study(root)
    absent = {p.column: p for p in codes(report, "column_absent")}
    assert {"education", "age_band", "living_situation", "support_needed"} <= set(absent)
    assert "gecorrigeerde rapportcijfer" in absent["education"].message
    assert "8 kolommen" in absent["support_needed"].message
    assert "mss_rating" not in absent  # present (and required anyway)


def test_instruments_not_expected_in_study_yaml_are_not_warned_about(tmp_path):
    text = STUDY_YAML.format(language="nl").replace(
        "  - id: dordrecht\n    name: Dordrecht",
        "  - id: dordrecht\n    name: Dordrecht\n    not_expected: [social_map, partner_ties]")
    root = make_study(tmp_path / "study", yaml_text=text)
    write_client_interview(root, clients(2), region="dordrecht")
    report = validate_study(root)
    warned = {p.value for p in codes(report, "instrument_missing") if p.region == "dordrecht"}
    assert "social_map" not in warned and "partner_ties" not in warned
    assert "partner_survey" in warned
    assert report.completeness[0]["not_expected"] == ["partner_ties", "social_map"]


def test_not_expected_naming_an_unknown_instrument_is_an_error_on_its_line(tmp_path):
    text = STUDY_YAML.format(language="nl").replace(
        "  - id: dordrecht\n    name: Dordrecht",
        "  - id: dordrecht\n    name: Dordrecht\n    not_expected: [sociale_kaart]")
    root = make_study(tmp_path / "study", yaml_text=text)
    (p,) = codes(validate_study(root), "not_expected_unknown")
    assert p.value == "sociale_kaart" and p.line == 13


# -- identifiers in columns the instrument does not know ---------------------------------------
def _with_extra(tmp_path, **extra):
    root = make_study(tmp_path / "study")
    rows = clients(3)
    for i, r in enumerate(rows):
        for k, values in extra.items():
            r[k] = values[i]
    write_client_interview(root, rows)
    return validate_study(root)


def test_a_names_column_is_an_error_naming_the_column(tmp_path):
    report = _with_extra(tmp_path, naam=["Jan de Vries", "Fatima el Amrani", "Piet Jansen"])
    (p,) = codes(report, "identifier_name_column")
    assert p.column == "naam" and p.severity == "error" and "drop" in p.message
    assert "Jan de Vries" not in p.message


def test_names_under_an_innocent_header_are_found_by_their_values(tmp_path):
    report = _with_extra(tmp_path, contact=["Jan de Vries", "Fatima El Amrani", "Piet Jansen"])
    (p,) = codes(report, "identifier_name_values")
    assert p.column == "contact" and p.value == "Ja…"


def test_postcode_and_house_number_in_two_columns_are_an_address(tmp_path):
    report = _with_extra(tmp_path, postcode=["2514 GL", "3311AB", "2512 CD"],
                         huisnummer=["12", "3a", "140"])
    (p,) = codes(report, "identifier_address_columns")
    assert p.column == "postcode" and "huisnummer" in p.message


def test_an_ip_address_column_is_an_error(tmp_path):
    report = _with_extra(tmp_path, ip=["145.12.0.20", "145.12.1.21", "2001:db8::1"])
    (p,) = codes(report, "identifier_ip")
    assert p.column == "ip" and "3 rij(en)" in p.message


def test_coordinates_are_an_error(tmp_path):
    report = _with_extra(tmp_path, lat=["52.2201", "52.0705", "51.9244"],
                         lon=["5.1724", "4.3007", "4.4777"])
    assert sorted(p.column for p in codes(report, "identifier_coordinates")) == ["lat", "lon"]


def test_seed_and_response_id_are_survey_metadata_not_identifiers(tmp_path):
    # 111222333 passes the eleven-test; a ResponseId once looked like a postcode
    report = _with_extra(tmp_path, seed=["111222333", "1832467201", "123456782"],
                         ResponseId=["R_2kPq8ZrTv0XwLm3B", "R_1OkvHjRb7QlWLAD", "R_3GdZ9aKpT2mXq7E"])
    assert not [p for p in report.problems if p.code.startswith("identifier_")]
    assert report.valid
    (note,) = codes(report, "export_metadata_ignored")
    assert "'seed'" in note.message and "'ResponseId'" in note.message


# -- smaller ones ------------------------------------------------------------------------------
def test_a_password_protected_workbook_is_named_as_such(tmp_path):
    plain = write_xlsx(tmp_path / "plain.xlsx", clients(2))
    locked = tmp_path / "client_interview.xlsx"
    with open(plain, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        out = io.BytesIO()
        office.encrypt("geheim", out)
    locked.write_bytes(out.getvalue())
    with pytest.raises(ReadError) as exc:
        read_table(locked)
    (p,) = exc.value.problems
    assert p.code == "workbook_encrypted" and "wachtwoord" in p.message
    assert "xls)" not in p.message


def test_title_rows_above_the_header_are_skipped_with_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "client_interview.xlsx", clients(2))
    wb = openpyxl.load_workbook(path)
    ws = wb["gegevens"]
    ws.insert_rows(1, 2)
    ws["A1"] = "Cliëntinterviews regio Den Haag, ronde 1"
    wb.save(path)
    table = read_table(path)
    assert table.header_row == 3 and "respondent_id" in table.columns
    assert list(table.rows) == [4, 5]
    (p,) = [p for p in table.problems if p.code == "header_below_title"]
    assert "rij 3" in p.message and "rij 1" in p.message


def test_a_csv_whose_first_row_is_data_keeps_it_as_the_header(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("respondent_id,mss_rating\nDH-1,8\nDH-2,7\n", encoding="utf-8")
    assert read_table(path).header_row == 1


def test_excel_date_serials_are_read_as_dates_with_a_warning(tmp_path):
    root = make_study(tmp_path / "study")
    rows = clients(2)
    rows[0]["interview_date"] = "40268"       # 2010-03-31
    rows[1]["interview_date"] = "12"          # not a sane date
    write_client_interview(root, rows)
    report = validate_study(root)
    (serial,) = codes(report, "value_date_serial")
    assert serial.severity == "warning" and "2010-03-31" in serial.message and serial.row == 2
    (bad,) = codes(report, "value_not_date")
    assert bad.row == 3
    frame = next(iter(report.tables.values()))
    assert str(frame.loc[2, "interview_date"].date()) == "2010-03-31"


@pytest.mark.parametrize("text", ["n.v.t.", "NVT", "wn", "weet niet", "geen antwoord"])
def test_dutch_missing_labels_are_missing_codes(tmp_path, text):
    root = make_study(tmp_path / "study")
    rows = clients(2)
    rows[0]["gender"] = text
    rows[0]["network_close"] = text
    write_client_interview(root, rows)
    report = validate_study(root)
    assert report.valid, [p.describe() for p in report.errors]
    frame = next(iter(report.tables.values()))
    assert frame["gender"].isna().tolist() == [True, False]
    assert frame["network_close"].isna().tolist() == [True, False]


def test_a_mapped_column_error_names_the_source_column_and_the_item(tmp_path):
    root = make_study(tmp_path / "study")
    folder = data_dir(root)
    write_csv(folder / "client_interview.csv", [
        {"resp": "DH-1", "cijfer": "8", "sekse": "M"},
        {"resp": "DH-2", "cijfer": "12", "sekse": "V"}])
    (folder / "client_interview.mapping.yaml").write_text(
        "columns:\n  resp: respondent_id\n  cijfer: mss_rating\n"
        "  sekse: {item: gender, values: {M: 1, V: 2}}\n", encoding="utf-8")
    report = validate_study(root)
    (p,) = codes(report, "value_out_of_range")
    assert (p.column, p.row, p.value) == ("cijfer", 3, "12")
    assert "gekoppeld aan 'mss_rating'" in p.message
    frame = next(iter(report.tables.values()))
    assert frame["gender"].astype(str).tolist() == ["man", "woman"]


def test_a_mapping_to_an_unknown_item_is_an_error_on_its_line(tmp_path):
    root = make_study(tmp_path / "study")
    folder = data_dir(root)
    write_csv(folder / "client_interview.csv", [{"resp": "DH-1", "cijfer": "8"}])
    (folder / "client_interview.mapping.yaml").write_text(
        "columns:\n  resp: respondent_id\n  cijfer: mss_ratin\n", encoding="utf-8")
    (p,) = codes(validate_study(root), "mapping_item_unknown")
    assert p.line == 3 and "mss_rating" in p.message
    assert p.file == "data/2010-1/den_haag/client_interview.mapping.yaml"


def test_a_study_wide_mapping_serves_every_region(tmp_path):
    root = make_study(tmp_path / "study")
    for region in ("den_haag", "dordrecht"):
        write_csv(data_dir(root, region) / "client_interview.csv",
                  [{"resp": f"{region}-1", "cijfer": "7"}])
    (root / "data" / "client_interview.mapping.yaml").write_text(
        "drop: []\ncolumns:\n  resp: respondent_id\n  cijfer: mss_rating\n", encoding="utf-8")
    report = validate_study(root)
    assert report.valid, [p.describe() for p in report.errors]
    assert not codes(report, "file_misplaced")
    assert [len(f) for f in report.tables.values()] == [1, 1]
