"""load_study: tidy frames per docs/tidy-data.md, identical for CSV, XLSX and SAV input."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pandas.testing as pdt
import pyreadstat
import pytest

import mss_eval
from helpers_input import (
    STUDY_YAML,
    clients,
    data_dir,
    make_study,
    sha256,
    write_client_interview,
    write_csv,
    write_xlsx,
)
from mss_eval.input.readers import read_csv
from mss_eval.input.validate import validate_table
from mss_eval.instruments import Instrument, instruments
from mss_eval.problems import StudyError

CONTRACT = {"identifier": "string", "text": "string", "integer": "Int64", "number": "Float64",
            "yes_no": "boolean", "date": "datetime64[us]"}


def test_every_instrument_has_a_frame_with_the_contract_dtypes(tmp_path):
    root = make_study(tmp_path / "study")
    write_client_interview(root, clients(2))
    study = mss_eval.load_study(root)
    assert set(study.tables) == set(instruments())
    for instrument_id, instrument in instruments().items():
        frame = study[instrument_id]
        assert list(frame.columns) == ["round", "region"] + [c.name for c in instrument.columns]
        assert frame["round"].dtype == "string" and frame["region"].dtype == "string"
        for column in instrument.columns:
            dtype = frame[column.name].dtype
            if column.type == "categorical":
                assert isinstance(dtype, pd.CategoricalDtype), column.name
                assert list(dtype.categories) == column.answers.keys()
                assert dtype.ordered == column.answers.ordered
            else:
                assert dtype == CONTRACT[column.type], (instrument_id, column.name, dtype)
    assert len(study["client_interview"]) == 2 and len(study["partner_survey"]) == 0
    assert isinstance(study["client_interview"].index, pd.RangeIndex)


def test_labels_keys_and_aliases_are_accepted_in_place_of_codes(tmp_path):
    root = make_study(tmp_path / "study")
    rows = clients(6)
    for row, gender, yes in zip(rows, ["2", "vrouw", "Woman", " WOMAN ", "man", "woman"],
                                ["1", "ja", "Nee", "yes", "0", "TRUE"]):
        row["gender"], row["ever_treated_mhc"] = gender, yes
    write_client_interview(root, rows)
    frame = mss_eval.load_study(root)["client_interview"]
    assert frame["gender"].tolist() == ["woman"] * 4 + ["man", "woman"]
    assert frame["ever_treated_mhc"].tolist() == [True, True, False, True, False, True]


def test_missing_codes_and_their_labels_become_na(tmp_path):
    root = make_study(tmp_path / "study")
    rows = clients(4)
    rows[0]["mss_rating"], rows[1]["gender"] = "99", "98"
    rows[2]["network_close"], rows[3]["exp_heard"] = "weet niet", "97"
    write_client_interview(root, rows)
    frame = mss_eval.load_study(root)["client_interview"]
    assert pd.isna(frame.loc[0, "mss_rating"]) and frame.loc[1, "mss_rating"] == 7
    assert pd.isna(frame.loc[1, "gender"]) and frame.loc[0, "gender"] == "woman"
    assert pd.isna(frame.loc[2, "network_close"]) and frame.loc[3, "network_close"] == 3
    assert pd.isna(frame.loc[3, "exp_heard"]) and frame.loc[0, "exp_heard"] == "agree"


def test_multiple_choice_blank_is_false_unless_the_whole_question_is_blank(tmp_path):
    root = make_study(tmp_path / "study")
    rows = clients(3)
    rows[0].update(participation_needs_company="1", participation_needs_paid_work="")
    rows[1].update(participation_needs_company="", participation_needs_paid_work="")
    rows[2].update(participation_needs_company="0", participation_needs_paid_work="x")
    write_client_interview(root, rows)
    frame = mss_eval.load_study(root)["client_interview"]
    needs = [c for c in frame.columns if c.startswith("participation_needs_")]
    assert len(needs) == 5
    assert frame.loc[0, needs].tolist() == [True, False, False, False, False]
    assert frame.loc[1, needs].isna().all()
    assert frame.loc[2, needs].tolist() == [False, False, True, False, False]


def test_decimal_commas_are_read_in_number_columns(tmp_path):
    instrument = Instrument.model_validate({
        "id": "weights", "title": {"nl": "t", "en": "t"}, "unit": {"nl": "u", "en": "u"},
        "missing_codes": {99: {"nl": "geen antwoord", "en": "no answer"}},
        "items": [{"name": "weight", "label": {"nl": "gewicht", "en": "weight"},
                   "type": "number", "range": [0, 2000]}],
    })
    path = tmp_path / "weights.csv"
    path.write_text("weight\n72,5\n1.234,5\n80\n99\n2500\n", encoding="utf-8")
    frame, problems = validate_table(read_csv(path), instrument)
    assert frame["weight"].dtype == "Float64"
    assert frame["weight"].iloc[:3].tolist() == [72.5, 1234.5, 80.0]
    assert frame["weight"].iloc[3:].isna().all()  # 99 is a missing code, 2500 is an error
    assert [(p.code, p.row) for p in problems] == [("value_out_of_range", 6)]


def test_rows_follow_the_study_order_not_the_folder_order(tmp_path):
    text = STUDY_YAML.format(language="nl").replace("[den_haag, dordrecht]",
                                                    "[dordrecht, den_haag]")
    root = make_study(tmp_path / "study", yaml_text=text)
    write_client_interview(root, clients(2))
    write_client_interview(root, clients(3), region="dordrecht")
    frame = mss_eval.load_study(root)["client_interview"]
    assert frame["region"].tolist() == ["dordrecht"] * 3 + ["den_haag"] * 2
    assert frame["mss_rating"].tolist() == [6, 7, 8, 6, 7]


def test_files_record_every_loaded_file_with_its_hash(tmp_path):
    root = make_study(tmp_path / "study")
    path = write_client_interview(root, clients(2))
    study = mss_eval.load_study(root)
    files = study.files
    assert list(files.columns) == ["file", "instrument", "round", "region", "format", "sha256",
                                   "rows"]
    (record,) = files.to_dict("records")
    assert record == {"file": "data/2010-1/den_haag/client_interview.csv",
                      "instrument": "client_interview", "round": "2010-1",
                      "region": "den_haag", "format": "csv", "sha256": sha256(path), "rows": 2}
    assert study.settings.min_respondents == 5
    # besides the completeness warnings (instruments and columns the region did not deliver)
    completeness = {"instrument_missing", "column_absent"}
    assert [p.code for p in study.problems if p.code not in completeness] == ["region_no_data"]
    assert {p.code for p in study.problems} == {"region_no_data", *completeness}


def test_errors_raise_by_default_and_skip_leaves_out_only_the_bad_region(tmp_path):
    root = make_study(tmp_path / "study")
    bad = clients(2)
    bad[0]["mss_rating"] = "11"
    write_client_interview(root, bad)
    write_client_interview(root, clients(3), region="dordrecht")
    with pytest.raises(StudyError) as info:
        mss_eval.load_study(root)
    assert any(p.code == "value_out_of_range" for p in info.value.problems)
    study = mss_eval.load_study(root, on_error="skip")
    assert study.skipped == [("2010-1", "den_haag")]
    assert study["client_interview"]["region"].unique().tolist() == ["dordrecht"]
    assert any(p.code == "value_out_of_range" for p in study.problems)
    assert study.files["region"].tolist() == ["dordrecht"]


def test_a_broken_study_yaml_always_raises(tmp_path):
    root = make_study(tmp_path / "study", yaml_text="name: x\n")
    with pytest.raises(StudyError):
        mss_eval.load_study(root, on_error="skip")


# -- the same data as CSV, XLSX and SAV ---------------------------------------------------------
SAME = [
    {"respondent_id": "DH-001", "interview_date": dt.date(2010, 3, 4), "gender": 2,
     "age_band": 3, "ever_treated_mhc": 1, "has_spv": 0, "mss_rating": 8, "exp_heard": 4,
     "exp_time": 99, "participation_needs_company": 1, "participation_needs_paid_work": None,
     "network_close": 3, "open_support": "Ideeën van de buurvrouw"},
    {"respondent_id": "DH-002", "interview_date": dt.date(2010, 4, 15), "gender": 99,
     "age_band": 1, "ever_treated_mhc": 0, "has_spv": None, "mss_rating": 99, "exp_heard": 5,
     "exp_time": 3, "participation_needs_company": None, "participation_needs_paid_work": None,
     "network_close": 0, "open_support": None},
    {"respondent_id": "DH-003", "interview_date": None, "gender": 1, "age_band": 4,
     "ever_treated_mhc": 1, "has_spv": 1, "mss_rating": 10, "exp_heard": 1, "exp_time": 2,
     "participation_needs_company": 0, "participation_needs_paid_work": 1,
     "network_close": 12, "open_support": "Fijn"},
]
LABELS = {"gender": {1: "man", 2: "vrouw", 3: "anders", 99: "geen antwoord"},
          "exp_time": {1: "helemaal mee oneens", 99: "geen antwoord"}}


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.day}-{value.month}-{value.year}"  # Dutch Excel writes 4-3-2010
    return str(value)


def _study_with(tmp_path, name, writer):
    root = make_study(tmp_path / name)
    (root / ".mss-secret").write_text("ab" * 32 + "\n")
    writer(data_dir(root))
    shutil.rmtree(root / "data" / "2010-1" / "dordrecht", ignore_errors=True)
    return mss_eval.load_study(root)


def test_the_same_data_as_csv_xlsx_and_sav_give_identical_tidy_frames(tmp_path):
    def csv_writer(folder):
        write_csv(folder / "client_interview.csv",
                  [{k: _as_text(v) for k, v in row.items()} for row in SAME], delimiter=";",
                  encoding="cp1252")

    def xlsx_writer(folder):
        rows = [{k: (dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else v)
                 for k, v in row.items()} for row in SAME]
        write_xlsx(folder / "client_interview.xlsx", rows,
                   extra_sheets={"toelichting": [["uitleg"]]})

    def sav_writer(folder):
        frame = pd.DataFrame(SAME)
        for column in frame.columns:
            if column == "interview_date":
                # pyreadstat 1.3 writes datetime64[s] as 1970-01-01; give it microseconds
                frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
            elif column not in ("respondent_id", "open_support"):
                frame[column] = frame[column].astype(float)
        frame["open_support"] = frame["open_support"].fillna("")
        pyreadstat.write_sav(
            frame, str(folder / "client_interview.sav"), variable_value_labels=LABELS,
            missing_ranges={"gender": [99], "exp_time": [99],
                            "mss_rating": [{"lo": 97, "hi": 99}]})

    frames = {fmt: _study_with(tmp_path, fmt, writer)["client_interview"]
              for fmt, writer in [("csv", csv_writer), ("xlsx", xlsx_writer),
                                  ("sav", sav_writer)]}
    pdt.assert_frame_equal(frames["csv"], frames["xlsx"])
    pdt.assert_frame_equal(frames["csv"], frames["sav"])

    frame = frames["csv"]
    assert frame["gender"].tolist()[0] == "woman" and pd.isna(frame["gender"][1])
    assert frame["mss_rating"].tolist()[0] == 8 and pd.isna(frame["mss_rating"][1])
    assert frame["interview_date"].tolist()[0] == pd.Timestamp("2010-03-04")
    assert pd.isna(frame["interview_date"][2])
    assert frame["open_support"][0] == "Ideeën van de buurvrouw"
    assert frame["participation_needs_paid_work"].tolist()[0] is False
    assert pd.isna(frame["participation_needs_company"][1])
    assert frame["respondent_id"].str.fullmatch(r"p[0-9a-f]{12}").all()


def test_every_answer_label_in_both_languages_is_accepted_unambiguously():
    from mss_eval.input.validate import _answer_lookup

    for instrument in instruments().values():
        for column in instrument.columns:
            if not column.is_coded:
                continue
            option = instrument.item(column.item).type == "multiple_choice"
            lookup = _answer_lookup(column, option)
            for answer in column.answers.answers:
                for spelling in (answer.label.nl, answer.label.en, answer.key, str(answer.code)):
                    assert lookup.get(spelling.strip().casefold()) == answer.key, (
                        instrument.id, column.name, spelling)


def test_a_shipped_template_filled_in_with_its_dropdown_labels_validates(tmp_path):
    import openpyxl

    from mss_eval.instruments import get_instrument
    from mss_eval.instruments import questionnaires_dir

    template = questionnaires_dir().parent / "data_templates" / "templates_xlsx" / \
        "client_interview.xlsx"
    if not template.exists():
        pytest.skip("templates not generated yet")
    instrument = get_instrument("client_interview")
    root = make_study(tmp_path / "study")
    target = data_dir(root) / "client_interview.xlsx"
    wb = openpyxl.load_workbook(template)
    ws = wb["gegevens"]
    header = [c.value for c in ws[1]]
    for r in range(2, 5):
        for i, name in enumerate(header, start=1):
            column = instrument.column(name)
            if column.type == "identifier":
                value = f"DH-{r:03d}"
            elif column.is_coded:
                value = column.answers.answers[r % len(column.answers.answers)].label.nl
            elif column.type == "integer":
                value = int(column.range[0]) + r
            elif column.type == "date":
                value = dt.datetime(2010, 3, r)
            else:
                value = "Prettig gesprek"
            ws.cell(row=r, column=i, value=value)
    wb.save(target)
    report = mss_eval.input.validate_study(root)
    assert report.errors == [], [p.describe() for p in report.errors]
    frame = mss_eval.load_study(root)["client_interview"]
    assert len(frame) == 3
    assert frame["gender"].tolist() == ["other", "man", "woman"]
