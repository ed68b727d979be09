"""Blank data templates: what a region fills in must read back as the instrument says."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from mss_eval import cli
from mss_eval.instruments import codebook, get_instrument, instruments
from mss_eval.templates import (
    CODEBOOK_CSV,
    DATA_SHEET,
    EXPLANATION_SHEET,
    LAST_VALIDATED_ROW,
    LISTS_SHEET,
    write_templates,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_XLSX = ROOT / "data_templates" / "templates_xlsx"
SHIPPED_CSV = ROOT / "data_templates" / "templates_csv"
IDS = sorted(instruments())


@pytest.fixture(scope="module")
def xlsx_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("templates_xlsx")
    write_templates(out, fmt="xlsx")
    return out


@pytest.fixture(scope="module")
def csv_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("templates_csv")
    write_templates(out, fmt="csv")
    return out


def _validation_at(ws, cell: str):
    """The data validations that apply to a cell."""
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def _list_values(wb, formula: str) -> list:
    """The values a list validation's range reference (``'sheet'!$A$2:$A$7``) points at."""
    sheet, _, ref = formula.rpartition("!")
    ws = wb[sheet.strip("'")]
    return [row[0].value for row in ws[ref.replace("$", "")]]


def _dropdown(wb, column_index: int) -> list | None:
    ws = wb[DATA_SHEET["nl"]]
    letter = get_column_letter(column_index)
    found = [dv for dv in _validation_at(ws, f"{letter}2") if dv.type == "list"]
    if not found:
        return None
    (dv,) = found
    assert f"{letter}{LAST_VALIDATED_ROW}" in dv.sqref
    return _list_values(wb, dv.formula1)


def _excel_formula_accepts(formula: str, cell: str, value) -> bool:
    """Evaluate a custom validation formula of the kind the templates use (OR, AND, ISNUMBER,
    INT, comparisons) for one value, the way Excel would."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    env = {
        "x": value,
        "OR": lambda *a: any(a),
        "AND": lambda *a: all(a),
        "ISNUMBER": lambda v: is_number,
        "INT": lambda v: int(v // 1) if is_number else v,
    }
    python = re.sub(rf"\b{cell}\b", "x", formula)
    python = re.sub(r"(?<![<>])=", "==", python)
    try:
        return bool(eval(python, {"__builtins__": {}}, env))  # noqa: S307 - our own formula
    except TypeError:  # text compared with a number: FALSE in Excel
        return False


# -- the data sheet --------------------------------------------------------------------------
@pytest.mark.parametrize("instrument_id", IDS)
def test_header_row_holds_the_column_names_and_nothing_else(xlsx_dir, instrument_id):
    instrument = get_instrument(instrument_id)
    wb = openpyxl.load_workbook(xlsx_dir / f"{instrument_id}.xlsx")
    assert wb.sheetnames[0] == DATA_SHEET["nl"]
    ws = wb[DATA_SHEET["nl"]]
    header = [c.value for c in ws[1]]
    assert header == [c.name for c in instrument.columns]
    assert ws.max_row == 1
    assert ws.freeze_panes == "A2"


def test_header_cells_carry_the_question_as_a_comment(xlsx_dir):
    ws = openpyxl.load_workbook(xlsx_dir / "client_interview.xlsx")[DATA_SHEET["nl"]]
    header = {c.value: c for c in ws[1]}
    assert header["mss_rating"].comment.text.startswith("Rapportcijfer voor het MSS\n")
    assert "1–10" in header["mss_rating"].comment.text
    assert header["gender"].comment.text.startswith("Geslacht")


def test_gender_offers_its_dutch_labels_and_the_missing_codes(xlsx_dir):
    wb = openpyxl.load_workbook(xlsx_dir / "client_interview.xlsx")
    names = [c.name for c in get_instrument("client_interview").columns]
    assert _dropdown(wb, names.index("gender") + 1) == ["man", "vrouw", "anders", 97, 98, 99]
    assert _dropdown(wb, names.index("has_spv") + 1) == ["ja", "nee", 97, 98, 99]
    # a multiple-choice option has no missing codes: blank means "not chosen"
    assert _dropdown(wb, names.index("participation_needs_company") + 1) == ["ja", "nee"]


@pytest.mark.parametrize("instrument_id", IDS)
def test_every_coded_column_has_a_dropdown_of_its_answers(xlsx_dir, instrument_id):
    instrument = get_instrument(instrument_id)
    wb = openpyxl.load_workbook(xlsx_dir / f"{instrument_id}.xlsx")
    assert wb[LISTS_SHEET["nl"]].sheet_state == "hidden"
    for index, column in enumerate(instrument.columns, start=1):
        offered = _dropdown(wb, index)
        if column.answers is not None:
            expected = [a.label.nl for a in column.answers.answers] + sorted(column.missing)
            assert offered == expected, column.name
        elif column.vocabulary == "qualitative_codebook":
            assert offered == codebook().paths(), column.name
        else:
            assert offered is None, column.name


def test_mss_rating_accepts_one_to_ten_and_the_missing_codes_only(xlsx_dir):
    ws = openpyxl.load_workbook(xlsx_dir / "client_interview.xlsx")[DATA_SHEET["nl"]]
    names = [c.value for c in ws[1]]
    letter = get_column_letter(names.index("mss_rating") + 1)
    (dv,) = _validation_at(ws, f"{letter}2")
    assert dv.type == "custom" and dv.errorStyle == "stop"
    assert f"{letter}{LAST_VALIDATED_ROW}" in dv.sqref
    accepted = {v for v in (0, 1, 5, 7.5, 10, 11, 96, 97, 98, 99, 100, "acht")
                if _excel_formula_accepts(dv.formula1, f"{letter}2", v)}
    assert accepted == {1, 5, 10, 97, 98, 99}


def test_an_item_with_its_own_missing_codes_accepts_those(xlsx_dir):
    ws = openpyxl.load_workbook(xlsx_dir / "client_questionnaire.xlsx")[DATA_SHEET["nl"]]
    names = [c.value for c in ws[1]]
    letter = get_column_letter(names.index("months_in_contact") + 1)
    (dv,) = _validation_at(ws, f"{letter}2")
    accepted = {v for v in (0, 120, 121, 500, 997, 998, 999)
                if _excel_formula_accepts(dv.formula1, f"{letter}2", v)}
    assert accepted == {0, 120, 998, 999}


def test_date_columns_get_a_date_validation_and_format(xlsx_dir):
    ws = openpyxl.load_workbook(xlsx_dir / "monitor_register.xlsx")[DATA_SHEET["nl"]]
    names = [c.value for c in ws[1]]
    letter = get_column_letter(names.index("date") + 1)
    (dv,) = _validation_at(ws, f"{letter}2")
    assert dv.type == "date" and dv.operator == "between"
    first = dt.datetime(1899, 12, 30) + dt.timedelta(days=int(dv.formula1))
    assert first.date() == dt.date(1990, 1, 1)
    assert ws.column_dimensions[letter].number_format == "yyyy-mm-dd"


def test_free_text_and_identifier_columns_warn_against_identifying_details(xlsx_dir):
    ws = openpyxl.load_workbook(xlsx_dir / "client_interview.xlsx")[DATA_SHEET["nl"]]
    names = [c.value for c in ws[1]]
    for name in ("respondent_id", "open_support"):
        (dv,) = _validation_at(ws, f"{get_column_letter(names.index(name) + 1)}2")
        assert dv.showInputMessage and re.search("naam|namen", dv.prompt.lower())


# -- the explanation sheet -------------------------------------------------------------------
@pytest.mark.parametrize("instrument_id", IDS)
def test_explanation_sheet_describes_every_column(xlsx_dir, instrument_id):
    instrument = get_instrument(instrument_id)
    wb = openpyxl.load_workbook(xlsx_dir / f"{instrument_id}.xlsx")
    ws = wb[EXPLANATION_SHEET["nl"]]
    values = [row for row in ws.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(values) if row[0] == "kolom")
    assert list(values[header_at][:4]) == ["kolom", "vraag", "toelichting", "type"]
    described = [row[0] for row in values[header_at + 1:]]
    assert described == [c.name for c in instrument.columns]
    text = " ".join(str(v) for row in values[:header_at] for v in row if v)
    assert "nooit namen, adressen" in text


def test_explanation_gives_codes_missing_codes_and_privacy():
    wb = openpyxl.load_workbook(SHIPPED_XLSX / "client_interview.xlsx")
    ws = wb[EXPLANATION_SHEET["nl"]]
    rows = {row[0]: row for row in ws.iter_rows(values_only=True) if row[0]}
    gender = rows["gender"]
    assert "1 = man; 2 = vrouw; 3 = anders" in gender
    assert "97 = niet van toepassing; 98 = weet niet; 99 = geen antwoord" in gender
    assert any("indirect identificerend" in str(v) for v in gender)
    rating = rows["mss_rating"]
    assert "1–10" in rating and "ja" in rating  # range and required
    assert any("omgekeerd" in str(v) for v in rows["exp_staff_change"])


def test_english_template_uses_english_sheets_and_labels(tmp_path):
    (path,) = write_templates(tmp_path, instruments=["client_interview"], language="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [DATA_SHEET["en"], EXPLANATION_SHEET["en"], LISTS_SHEET["en"]]
    names = [c.value for c in wb[DATA_SHEET["en"]][1]]
    assert names == [c.name for c in get_instrument("client_interview").columns]
    ws = wb[DATA_SHEET["en"]]
    letter = get_column_letter(names.index("gender") + 1)
    (dv,) = _validation_at(ws, f"{letter}2")
    assert _list_values(wb, dv.formula1) == ["man", "woman", "other", 97, 98, 99]


# -- csv -------------------------------------------------------------------------------------
@pytest.mark.parametrize("instrument_id", IDS)
def test_csv_template_is_the_header_row_in_utf8_with_bom(csv_dir, instrument_id):
    raw = (csv_dir / f"{instrument_id}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [[c.name for c in get_instrument(instrument_id).columns]]


def test_csv_codebook_has_a_row_per_column_of_every_instrument(csv_dir):
    text = (csv_dir / CODEBOOK_CSV).read_bytes().decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    expected = [(i, c.name) for i in IDS for c in get_instrument(i).columns]
    assert list(zip(table["instrument"], table["kolom"])) == expected
    gender = table[(table["instrument"] == "client_interview") & (table["kolom"] == "gender")]
    assert gender["toegestane antwoorden (code = label)"].item() == "1 = man; 2 = vrouw; 3 = anders"


# -- reproducible and shipped ----------------------------------------------------------------
def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info.filename) for info in z.infolist()}


def _described(path: Path) -> dict:
    """What a workbook holds, independent of how openpyxl serialises it."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": [(ws.title, ws.sheet_state, ws.freeze_panes) for ws in wb]}
    for ws in wb:
        out[ws.title] = [
            [(c.value, c.comment.text if c.comment else None) for c in row]
            for row in ws.iter_rows()
        ]
        out[ws.title + ":validations"] = sorted(
            (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.error, dv.prompt)
            for dv in ws.data_validations.dataValidation)
    return out


def test_templates_are_byte_for_byte_reproducible(tmp_path):
    first = write_templates(tmp_path / "a", instruments=["partner_survey"])
    second = write_templates(tmp_path / "b", instruments=["partner_survey"])
    assert first[0].read_bytes() == second[0].read_bytes()
    with zipfile.ZipFile(first[0]) as z:
        assert {info.date_time for info in z.infolist()} == {(2010, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2010-01-01T00:00:00Z") == 2  # created and modified


def test_shipped_xlsx_templates_are_current(xlsx_dir):
    """Fails when questionnaires/ changed without `make templates`."""
    shipped = sorted(p.name for p in SHIPPED_XLSX.iterdir())
    assert shipped == sorted(p.name for p in xlsx_dir.iterdir()), "run `make templates`"
    for name in shipped:
        assert _described(SHIPPED_XLSX / name) == _described(xlsx_dir / name), (
            f"{name} is out of date: run `make templates`")
        new, old = _members(xlsx_dir / name), _members(SHIPPED_XLSX / name)
        writer = re.search(rb"Openpyxl ([\d.]+)", new["docProps/app.xml"])
        if writer and writer.group(0) in old["docProps/app.xml"]:
            # same openpyxl as the one that wrote the shipped files: every part is identical
            assert new == old, f"{name} is out of date: run `make templates`"


def test_shipped_csv_templates_are_current(csv_dir):
    shipped = sorted(p.name for p in SHIPPED_CSV.iterdir())
    assert shipped == sorted(p.name for p in csv_dir.iterdir()), "run `make templates`"
    for name in shipped:
        assert (SHIPPED_CSV / name).read_bytes() == (csv_dir / name).read_bytes(), (
            f"{name} is out of date: run `make templates`")


# -- the command -----------------------------------------------------------------------------
def test_template_command_writes_the_chosen_instruments(tmp_path, capsys):
    code = cli.main(["template", "--format", "csv", "--out", str(tmp_path),
                     "--instrument", "social_map", "--instrument", "partner_ties"])
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        CODEBOOK_CSV, "partner_ties.csv", "social_map.csv"]
    codebook_rows = (tmp_path / CODEBOOK_CSV).read_text(encoding="utf-8-sig").splitlines()
    assert len(codebook_rows) == 1 + sum(
        len(get_instrument(i).columns) for i in ("partner_ties", "social_map"))


def test_template_command_refuses_an_unknown_instrument(tmp_path, capsys):
    assert cli.main(["template", "--out", str(tmp_path), "--instrument", "clients"]) == 2
    assert "onbekend instrument: clients" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


# -- filled in, read back --------------------------------------------------------------------
#: A few client interviews as a researcher would enter them, choosing labels from the dropdowns.
CLIENT_ROWS = [
    {"respondent_id": "1001", "interview_date": dt.date(2024, 3, 12),
     "interview_location": "thuis", "route": "via een werktafel", "gender": "vrouw",
     "age_band": "40-54 jaar", "living_situation": "zelfstandig alleen", "has_spv": "ja",
     "support_received_housing": "ja", "support_enough_housing": "nee", "mss_rating": 8,
     "exp_heard": "mee eens", "exp_staff_change": "helemaal mee oneens",
     "participation_needs_company": "ja", "participation_needs_paid_work": "nee",
     "network_close": 3, "network_specialised_care": 5},
    {"respondent_id": "1002", "interview_date": dt.date(2024, 3, 14),
     "interview_location": "bij het MSS", "gender": "man", "living_situation": 99,
     "has_spv": "nee", "mss_rating": 7, "exp_heard": 98, "network_close": 0},
    {"respondent_id": "1003", "gender": "anders", "education": "hbo / wo", "mss_rating": 99,
     "has_spv": 97},
]


def _fill(template: Path, target: Path, rows: list[dict]) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb[DATA_SHEET["nl"]]
    names = [c.value for c in ws[1]]
    for r, values in enumerate(rows, start=2):
        for name, value in values.items():
            ws.cell(row=r, column=names.index(name) + 1, value=value)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)


@pytest.fixture(scope="module")
def filled_study(tmp_path_factory):
    """A study made by `mss-eval init` with client_interview.xlsx filled in from its template."""
    from mss_eval.commands.init import create_study
    from mss_eval.study import load_config

    study = tmp_path_factory.mktemp("filled") / "study"
    create_study(study)
    config = load_config(study)
    round_id, region = config.round_regions()[0]
    target = study / "data" / round_id / region / "client_interview.xlsx"
    _fill(study / "templates" / "client_interview.xlsx", target, CLIENT_ROWS)
    return study, target


def test_a_filled_in_template_validates_and_loads(filled_study):
    pytest.importorskip("mss_eval.tidy")
    import mss_eval

    study_dir, _ = filled_study
    study = mss_eval.load_study(study_dir)
    assert not [p for p in study.problems if p.severity == "error"]
    clients = study["client_interview"]
    assert len(clients) == 3
    assert list(clients["gender"].astype("string")) == ["woman", "man", "other"]
    assert clients["mss_rating"].tolist()[:2] == [8, 7] and pd.isna(clients["mss_rating"][2])
    assert clients["living_situation"].iloc[0] == "alone"
    assert clients["living_situation"].iloc[1:].isna().all()  # 99 and blank
    assert clients["exp_heard"].iloc[0] == "agree" and pd.isna(clients["exp_heard"].iloc[1])
    assert clients["exp_staff_change"].iloc[0] == "strongly_disagree"
    assert clients["education"].iloc[2] == "higher"
    assert clients["has_spv"].iloc[0] and not clients["has_spv"].iloc[1]
    assert pd.isna(clients["has_spv"].iloc[2])  # 97 not applicable
    # one option chosen: the others are "no"; nothing chosen: unknown
    assert clients["participation_needs_company"].iloc[0]
    assert not clients["participation_needs_meaning"].iloc[0]
    assert clients["participation_needs_company"].iloc[1:].isna().all()
    assert clients["interview_date"].iloc[0] == pd.Timestamp(2024, 3, 12)
    assert clients["network_specialised_care"].iloc[0] == 5
    assert not clients["respondent_id"].isin(["1001", "1002", "1003"]).any()


def _generic_value(instrument, column, row: int):
    """A valid value for a column without a dropdown, unique per row."""
    if column.type == "identifier":
        return str(1000 + row)
    if column.type == "date":
        return dt.date(2024, 1, 1) + dt.timedelta(days=row)
    if column.is_numeric:
        low, high = column.range or (1, 10**6)
        return int(low) + row % int(high - low + 1) if column.unique else int(low)
    return f"item {row}" if column.unique else f"organisatie {row % 3}"


def _fill_with_every_dropdown_value(instrument) -> tuple[list[dict], int]:
    """Rows that offer, column by column, every value of its dropdown once."""
    from mss_eval.templates import dropdown_values

    lists = {c.name: dropdown_values(c, "nl") for c in instrument.columns}
    n = 1 if instrument.one_row_per_region else max(len(v) for v in lists.values() if v)
    rows = []
    for r in range(n):
        row = {}
        for column in instrument.columns:
            values = lists[column.name]
            row[column.name] = (values[r % len(values)] if values
                                else _generic_value(instrument, column, r))
        rows.append(row)
    return rows, n


@pytest.fixture(scope="module")
def every_dropdown_value_study(tmp_path_factory, xlsx_dir):
    """Every instrument's template filled with every value its dropdowns offer."""
    from mss_eval.commands.init import create_study
    from mss_eval.study import load_config

    study = tmp_path_factory.mktemp("dropdowns") / "study"
    create_study(study)
    round_id, region = load_config(study).round_regions()[0]
    filled = {}
    for instrument_id in IDS:
        instrument = get_instrument(instrument_id)
        rows, _ = _fill_with_every_dropdown_value(instrument)
        if instrument_id == "partner_ties":  # ties must name partner_survey respondents
            rows = rows[: len(_fill_with_every_dropdown_value(
                get_instrument("partner_survey"))[0])]
        _fill(xlsx_dir / f"{instrument_id}.xlsx",
              study / "data" / round_id / region / f"{instrument_id}.xlsx", rows)
        filled[instrument_id] = rows
    return study, filled


@pytest.mark.parametrize("instrument_id", IDS)
def test_every_dropdown_value_reads_back_as_its_answer(every_dropdown_value_study, instrument_id):
    """The labels a dropdown offers are what the input reader accepts, mapped to the right key;
    the missing codes it offers become NA."""
    pytest.importorskip("mss_eval.tidy")
    study_dir, filled = every_dropdown_value_study
    study = _load_once(study_dir)
    assert not [p.describe() for p in study.problems if p.severity == "error"]
    frame = study[instrument_id].reset_index(drop=True)
    instrument = get_instrument(instrument_id)
    rows = filled[instrument_id]
    assert len(frame) == len(rows)
    for column in instrument.columns:
        if column.answers is None and column.vocabulary is None:
            continue
        for r, row in enumerate(rows):
            entered, got = row[column.name], frame[column.name].iloc[r]
            if isinstance(entered, int):  # a missing-value code
                assert pd.isna(got), (column.name, entered)
            elif column.answers is None:  # a codebook path
                assert got == entered
            else:
                (answer,) = [a for a in column.answers.answers if a.label.nl == entered]
                expected = {"yes": True, "no": False}.get(answer.key, answer.key) \
                    if column.type == "yes_no" else answer.key
                assert got == expected, (column.name, entered, got)


_LOADED: dict = {}


def _load_once(study_dir):
    import mss_eval

    if study_dir not in _LOADED:
        _LOADED[study_dir] = mss_eval.load_study(study_dir)
    return _LOADED[study_dir]


# -- LibreOffice -----------------------------------------------------------------------------
def _soffice(tmp_path: Path, target: str, source: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; install libreoffice-calc to run")
    # a LibreOffice with only Writer (installed for Word files) cannot open a workbook
    program = Path(os.path.realpath(soffice)).parent
    if not (shutil.which("localc") or any(program.glob("libsclo*")) or any(program.glob("scalc*"))):
        pytest.skip("LibreOffice Calc is not installed (only soffice); install libreoffice-calc")
    profile = (tmp_path / "lo-profile").as_uri()
    out = tmp_path / "converted"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    converted = out / f"{source.stem}.{target.split(':')[0]}"
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr, result.stderr
    assert converted.is_file() and converted.stat().st_size > 0, result.stdout + result.stderr
    return converted


def test_libreoffice_opens_a_blank_template_and_converts_it_to_pdf(tmp_path):
    pdf = _soffice(tmp_path, "pdf", SHIPPED_XLSX / "client_interview.xlsx")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_libreoffice_reads_a_filled_in_template(tmp_path, filled_study):
    _, filled = filled_study
    converted = _soffice(tmp_path, "csv", filled)
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8", errors="replace"))))
    names = [c.name for c in get_instrument("client_interview").columns]
    assert rows[0] == names
    assert len(rows) == 1 + len(CLIENT_ROWS)
    assert rows[1][names.index("gender")] == "vrouw"
    assert rows[1][names.index("mss_rating")] == "8"
