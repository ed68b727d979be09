"""Reading CSV, XLSX and SAV files into raw tables of strings with spreadsheet row numbers."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from mss_eval.input.readers import (
    ReadError,
    choose_sheet,
    read_csv,
    read_sav,
    read_table,
    sniff_delimiter,
)


def cells(table, column):
    return table.data[column].tolist()


def test_utf8_with_bom_is_read_and_the_bom_is_not_part_of_the_first_column(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffrespondent_id,open_support\nDH-1,Ideeën\n".encode("utf-8"))
    table = read_csv(path)
    assert table.columns == ["respondent_id", "open_support"]
    assert table.encoding == "utf-8"
    assert cells(table, "open_support") == ["Ideeën"]
    assert table.problems == []


def test_windows_1252_is_detected_and_reported_as_a_warning(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("respondent_id;open_support\nDH-1;Ideeën én café\n".encode("cp1252"))
    table = read_csv(path)
    assert table.encoding == "cp1252"
    assert cells(table, "open_support") == ["Ideeën én café"]
    assert [(p.code, p.severity) for p in table.problems] == [("encoding_cp1252", "warning")]


def test_utf16_from_excel_unicode_text_is_read(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("respondent_id\tgender\r\nDH-1\t2\r\n".encode("utf-16"))
    table = read_csv(path)
    assert table.delimiter == "\t"
    assert cells(table, "gender") == ["2"]


@pytest.mark.parametrize("text, expected", [
    ("a;b;c\n1;2;3\n", ";"), ("a,b,c\n1,2,3\n", ","), ("a\tb\n1\t2\n", "\t"),
    ('"x;y",b,c\n1,2,3\n', ","), ("a;b,c;d\n1;2,5;3\n", ";"),
    ("single\n1\n", ";"), ("weight\n72,5\n", ";"),
])
def test_the_separator_is_the_one_that_splits_the_header_into_most_cells(text, expected):
    assert sniff_delimiter(text) == expected


def test_row_numbers_are_spreadsheet_rows_and_blank_rows_are_skipped(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("\nid;x\n1;a\n\n;;\n2;b\n", encoding="utf-8")
    table = read_csv(path)
    assert table.header_row == 2
    assert table.rows.tolist() == [3, 6]
    assert cells(table, "x") == ["a", "b"]


def test_cells_are_trimmed_and_blank_cells_are_na(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(" id , x \n 1 ,   \n", encoding="utf-8")
    table = read_csv(path)
    assert table.columns == ["id", "x"]
    assert table.data.loc[2, "id"] == "1"
    assert pd.isna(table.data.loc[2, "x"])


def test_trailing_empty_columns_from_excel_are_ignored(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id;x;;;\n1;2;;;\n", encoding="utf-8")
    table = read_csv(path)
    assert table.columns == ["id", "x"]
    assert table.problems == []


def test_a_column_with_data_but_no_name_is_skipped_with_a_warning(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id;;x\n1;oops;2\n", encoding="utf-8")
    table = read_csv(path)
    assert table.columns == ["id", "x"]
    (problem,) = table.problems
    assert problem.code == "header_blank" and problem.severity == "warning"
    assert "B" in problem.message


def test_a_repeated_column_name_is_an_error_and_the_first_is_kept(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,x,x\n1,first,second\n", encoding="utf-8")
    table = read_csv(path)
    assert cells(table, "x") == ["first"]
    (problem,) = table.problems
    assert (problem.code, problem.column, problem.row) == ("header_duplicate", "x", 1)


def test_a_row_longer_than_the_header_is_reported_with_its_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,x\n1,2\n3,4,5\n", encoding="utf-8")
    table = read_csv(path)
    assert cells(table, "x") == ["2", "4"]
    (problem,) = table.problems
    assert (problem.code, problem.row) == ("row_too_long", 3)


def test_quoted_cells_may_hold_separators_and_line_breaks(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id;text\n1;"een; twee\ndrie"\n2;x\n', encoding="utf-8")
    table = read_csv(path)
    assert cells(table, "text") == ["een; twee\ndrie", "x"]
    assert table.rows.tolist() == [2, 3]


@pytest.mark.parametrize("content", [b"", b"  \r\n\n"])
def test_an_empty_csv_cannot_be_read(tmp_path, content):
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError) as info:
        read_csv(path)
    assert info.value.problems[0].code == "file_empty"


def test_a_workbook_saved_as_csv_is_not_text(tmp_path):
    path = tmp_path / "a.csv"
    wb = openpyxl.Workbook()
    wb.save(path)
    with pytest.raises(ReadError) as info:
        read_csv(path)
    assert info.value.problems[0].code == "file_not_text"


@pytest.mark.parametrize("names, expected", [
    (["toelichting", "gegevens"], "gegevens"),
    (["explanation", "Data"], "Data"),
    (["Blad1", "toelichting"], "Blad1"),
    (["Toelichting", "Blad2"], "Blad2"),
    (["toelichting"], None),
])
def test_the_data_sheet_is_chosen_by_name_then_position(names, expected):
    assert choose_sheet(names) == expected


def test_xlsx_numbers_dates_and_booleans_become_the_text_a_researcher_sees(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "toelichting"
    wb.active.append(["kolom", "betekenis"])
    ws = wb.create_sheet("gegevens")
    ws.append(["id", "n", "x", "d", "b"])
    ws.append([1, 2.0, 7.5, dt.datetime(2010, 3, 4), True])
    ws.append([2, None, " tekst ", dt.datetime(2010, 3, 4, 10, 30), None])
    for _ in range(3):
        ws.append([None] * 5)
    ws["H20"] = None  # formatting far away, no value
    path = tmp_path / "a.xlsx"
    wb.save(path)
    table = read_table(path)
    assert table.sheet == "gegevens"
    assert table.columns == ["id", "n", "x", "d", "b"]
    assert table.rows.tolist() == [2, 3]
    assert table.data.loc[2].tolist() == ["1", "2", "7.5", "2010-03-04", "TRUE"]
    assert table.data.loc[3, "x"] == "tekst"
    assert table.data.loc[3, "d"] == "2010-03-04 10:30:00"


def test_random_bytes_named_xlsx_cannot_be_read(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ReadError) as info:
        read_table(path)
    assert info.value.problems[0].code == "file_unreadable"


def test_sav_keeps_codes_and_user_missing_values(tmp_path):
    frame = pd.DataFrame({"respondent_id": ["DH-001", "DH-002"], "gender": [2.0, 99.0],
                          "mss_rating": [8.0, 98.0]})
    path = tmp_path / "a.sav"
    pyreadstat.write_sav(frame, str(path),
                         variable_value_labels={"gender": {1: "man", 2: "vrouw", 99: "geen"}},
                         missing_ranges={"gender": [99], "mss_rating": [{"lo": 97, "hi": 99}]})
    table = read_sav(path)
    assert table.data["gender"].tolist() == ["2", "99"]
    assert table.data["mss_rating"].tolist() == ["8", "98"]
    assert table.declared_missing == {"gender": [(99.0, 99.0)], "mss_rating": [(97.0, 99.0)]}
    assert table.rows.tolist() == [2, 3]


def test_reading_never_changes_the_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("id;x\r\n1;2\r\n".encode("cp1252"))
    before = path.read_bytes(), path.stat().st_mtime_ns
    read_table(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_an_excel_sep_line_names_the_separator_and_is_not_a_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("sep=;\nid;x\n1;2,5\n", encoding="utf-8")
    table = read_csv(path)
    assert table.delimiter == ";"
    assert table.columns == ["id", "x"]
    assert table.data.loc[2, "x"] == "2,5"


def _tricky_workbook(path):
    """A workbook with the cells that differ between readers if any: data from row 3 and column
    B, booleans, large and negative numbers, -0.0, dates with and without time, times,
    durations, padded text, a formula without a cached value, and hidden and explanation
    sheets."""
    wb = openpyxl.Workbook()
    wb.active.title = "Toelichting"
    wb.active.append(["uitleg"])
    hidden = wb.create_sheet("verborgen")
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Data")
    ws["B3"], ws["C3"], ws["D3"], ws["E3"], ws["F3"] = "id", "n", "d", "t", "x"
    ws.append([None, "R1", 12345678901234567, dt.datetime(2010, 3, 31), dt.time(10, 5), True])
    ws.append([None, "R2", -1.5, dt.datetime(2010, 3, 31, 12, 30), None, " tekst "])
    ws.append([None, "R3", -0.0, dt.date(2011, 1, 2), dt.timedelta(hours=30), "=1/0"])
    ws.append([None, None, None, None, None, None])
    ws.append([None, "R4", 1e-7, None, None, 0])
    wb.save(path)


def test_the_fast_xlsx_reader_gives_the_same_table_as_openpyxl(tmp_path, monkeypatch):
    """calamine reads workbooks; openpyxl is the reference (and reads what calamine cannot)."""
    pytest.importorskip("python_calamine")
    from mss_eval.input import readers

    path = tmp_path / "a.xlsx"
    _tricky_workbook(path)
    assert readers._xlsx_rows_calamine(path.read_bytes()) is not None  # the fast path is used
    fast = read_table(path)
    monkeypatch.setattr(readers, "_xlsx_rows_calamine", lambda raw: None)
    slow = read_table(path)
    pd.testing.assert_frame_equal(fast.data, slow.data, check_exact=True)
    assert (fast.sheet, fast.header_row, fast.positions, fast.problems, fast.sha256) == (
        slow.sheet, slow.header_row, slow.positions, slow.problems, slow.sha256)
    assert fast.sheet == "Data" and fast.header_row == 3
    assert fast.rows.tolist() == [4, 5, 6, 8]
