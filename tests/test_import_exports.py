"""End to end per survey tool: export + the mapping `mss-eval map` proposes (confirmed as it
stands) -> `validate` passes -> the same tidy data as the template holding the same answers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

import export_samples as samples
from helpers_input import make_study, tree_hashes
from mss_eval.cli import main
from mss_eval.input.validate import validate_study

ROUND = "2010-1"


def _study(tmp_path: Path, template_rows=None) -> Path:
    """A study whose den_haag holds the template; dordrecht will get the export."""
    root = make_study(tmp_path / "study")
    folder = root / "data" / ROUND / "den_haag"
    folder.mkdir(parents=True)
    if template_rows is None:
        samples.write_template(folder / "client_interview.csv")
    else:
        import csv

        with open(folder / "client_interview.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(template_rows[0]))
            w.writeheader()
            w.writerows(template_rows)
    return root


def _frames(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    report = validate_study(root)
    assert report.valid, [p.describe() for p in report.errors]
    tables = report.tables
    template = tables[f"data/{ROUND}/den_haag/client_interview.csv"]
    export = next(v for k, v in tables.items() if k.startswith(f"data/{ROUND}/dordrecht/"))
    return (template.drop(columns=["round", "region"]).reset_index(drop=True),
            export.drop(columns=["round", "region"]).reset_index(drop=True))


def _map(source: Path, root: Path, *extra: str) -> list[str]:
    """Run `mss-eval map` into the study; return the source columns marked `# controleer`."""
    code = main(["map", str(source), "--instrument", "client_interview", "--study", str(root),
                 "--round", ROUND, "--region", "dordrecht", *extra])
    assert code == 0
    text = (root / "data" / ROUND / "dordrecht" / "client_interview.mapping.yaml").read_text(
        encoding="utf-8")
    yaml.safe_load(text)  # the proposal is valid YAML as written
    return re.findall(r"^  (\S+?):.*# controleer$", text, flags=re.M)


def _same(template: pd.DataFrame, export: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(template, export, check_dtype=True)


def test_spss_with_its_own_names_and_codes(tmp_path):
    root = _study(tmp_path)
    sav = samples.write_spss(tmp_path / "cliëntinterview_hv.sav")
    before = sav.read_bytes()
    flagged = _map(sav, root)
    # the answer-only match (an age band labelled 'Leeftijd in klassen') is offered for checking
    assert "V6" in flagged and len(flagged) <= 5
    template, export = _frames(root)
    _same(template, export)
    assert sav.read_bytes() == before
    assert (root / "data" / ROUND / "dordrecht" / "client_interview.sav").read_bytes() == before


def test_qualtrics_with_three_header_rows_and_metadata(tmp_path, capsys):
    root = _study(tmp_path, template_rows=samples.template_rows(ticks_only=True))
    export = samples.write_qualtrics(tmp_path / "MSS_clientinterview_October+20,+2010.csv")
    _map(export, root)
    capsys.readouterr()
    template, frame = _frames(root)
    _same(template, frame)
    # no IP address, location or Qualtrics id reaches the tidy data
    report = validate_study(root)
    tidy = report.tables[f"data/{ROUND}/dordrecht/client_interview.csv"]
    text = tidy.astype(str).to_csv()
    assert "145.12." not in text and "52.22" not in text and "R_2kPq8" not in text
    assert not any(p.code.startswith("identifier_") for p in report.problems)


def test_limesurvey_with_answer_codes_and_its_survey_structure(tmp_path):
    root = _study(tmp_path, template_rows=samples.lime_template_rows())
    export, _ = samples.write_limesurvey(tmp_path)  # the .lss lies beside it: read too
    flagged = _map(export, root)
    assert "G02Q01" not in flagged  # gender's answer codes are told by the .lss
    template, frame = _frames(root)
    _same(template, frame)
    report = validate_study(root)
    assert not any(p.code.startswith("identifier_") for p in report.problems)  # seed passes


def test_castor_with_option_lists_and_missing_codes(tmp_path):
    root = _study(tmp_path, template_rows=samples.template_rows(ticks_only=True))
    export, lists = samples.write_castor(tmp_path)
    structure = [a for p in lists for a in ("--structure", str(p))]
    flagged = _map(export, root, *structure)
    assert flagged == []
    template, frame = _frames(root)
    _same(template, frame)


def test_map_prints_the_proposal_without_a_study_and_changes_nothing(tmp_path, capsys):
    sav = samples.write_spss(tmp_path / "export.sav")
    before = tree_hashes(tmp_path)
    assert main(["map", str(sav), "--instrument", "client_interview"]) == 0
    out, err = capsys.readouterr()
    assert "V7:" in out and "item: gender" in out and "'0': 1" in out
    assert "controleer" in err and "V6 -> age_band" in err
    assert tree_hashes(tmp_path) == before


def test_map_writes_the_csv_form_that_validate_reads(tmp_path):
    root = _study(tmp_path, template_rows=samples.template_rows(ticks_only=True))
    export, lists = samples.write_castor(tmp_path)
    target = root / "data" / ROUND / "dordrecht"
    target.mkdir(parents=True)
    shutil.copy(export, target / "client_interview.csv")
    out = target / "client_interview.mapping.csv"
    structure = [a for p in lists for a in ("--structure", str(p))]
    assert main(["map", str(export), "--instrument", "client_interview", "--out", str(out),
                 *structure]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("bron;item;waarden") and "wensen;participation_needs" in text
    # Castor's own missing codes: the CSV form has no global recodes, so add them per setting
    # row is not needed here: -98/-99 sit in the recode of each column below
    rows = text.splitlines()
    rows.insert(2, "@tool;castor;;;;;")
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = validate_study(root)
    missing_codes = [p for p in report.errors if p.value in ("-98", "-99")]
    # without the global recodes -98/-99 are reported naming the source column and the item
    assert missing_codes and "gekoppeld aan" in missing_codes[0].message
    assert missing_codes[0].column in ("opleiding", "erv_tijd", "cijfer")


# -- exports as the real tools write them (issue: survey exports) ------------------------------
def _raw(path: Path):
    from mss_eval.input.readers import read_table

    return read_table(path, file=path.name)


def _proposed(raw) -> dict[str, str]:
    from mss_eval.input.propose import propose
    from mss_eval.instruments import get_instrument

    proposal = propose(raw, get_instrument("client_interview"))
    return {ln.source: ln.rule.item for ln in proposal.lines}


def test_a_column_whose_values_are_the_answer_labels_is_that_item(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("nr,lft,cijfer\nA1,Jonger dan 25,7\nA2,40-54 jaar,8\nA3,55 jaar of ouder,6\n"
                    "A4,25-39 jaar,9\n", encoding="utf-8")
    assert _proposed(_raw(path)).get("lft") == "age_band"


def test_a_value_label_on_a_user_missing_code_does_not_stop_the_proposal(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"v1": [1.0, 2.0, 3.0, 99.0], "v2": [7.0, 8.0, 6.0, 9.0]})
    path = tmp_path / "export.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=["Leeftijd in klassen", "Cijfer"],
                         variable_value_labels={"v1": {1: "jonger dan 25", 2: "25-39 jaar",
                                                       3: "40-54 jaar", 4: "55 jaar of ouder",
                                                       99: "onbekend"}},
                         missing_ranges={"v1": [99]})
    assert _proposed(_raw(path)).get("v1") == "age_band"


def test_a_column_whose_values_do_not_fit_the_item_is_not_proposed(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("record_id,age,inc_age,mytime\n1,11,Yes,10:10:10\n2,80,No,23:10:10\n"
                    "3,61,Yes,00:00:00\n", encoding="utf-8")
    proposed = _proposed(_raw(path))
    assert "age" not in proposed and "inc_age" not in proposed and "mytime" not in proposed


def test_castor_missing_codes_written_as_floats_match_the_recode():
    from mss_eval.input.mapping import ValueRecode

    recode = ValueRecode(values={"-95": "99", "-98": "98"})
    assert recode.translate("-95.0") == "99" and recode.translate("-98.00") == "98"
    assert recode.translate("-95.5") == "-95.5"
    dates = ValueRecode(values={"-96": "97"}, castor_dates=True)
    assert dates.translate("01-01-2996") == "97"
    assert dates.translate("01-01-2010") == "01-01-2010"


def test_one_date_beyond_any_date_in_a_sav_names_its_column(tmp_path):
    import pyreadstat

    path = tmp_path / "export.sav"
    frame = pd.DataFrame({"id": [1.0, 2.0], "when": [13e9, 1e15]})
    pyreadstat.write_sav(frame, str(path), variable_format={"when": "DATETIME20"})
    raw = _raw(path)
    assert raw.data["when"].tolist()[0].startswith("1994-09-26")
    assert raw.data["when"].isna().tolist() == [False, True]
    (problem,) = [p for p in raw.problems if p.code == "sav_date_out_of_range"]
    assert problem.column == "when" and problem.row == 3


def test_english_male_and_female_are_accepted_for_gender(tmp_path):
    rows = samples.template_rows()
    for row, word in zip(rows, ["Male", "Female", "male", "FEMALE"] * 2):
        row["gender"] = word
    root = _study(tmp_path, template_rows=rows)
    report = validate_study(root)
    assert not [p for p in report.errors if p.column == "gender"]
    tidy = report.tables[f"data/{ROUND}/den_haag/client_interview.csv"]
    assert tidy["gender"].tolist()[:4] == ["man", "woman", "man", "woman"]


def test_limesurvey_code_and_text_headings_are_recognised(tmp_path):
    path = tmp_path / "results-survey123.csv"
    path.write_text('"id. Response ID","submitdate. Date submitted","lastpage. Last page",'
                    '"startlanguage. Start language","seed. Seed","G01Q01. Wat is uw geslacht?"\n'
                    '1,2010-09-14 10:00:00,3,nl,1041181964,A1\n', encoding="utf-8")
    raw = _raw(path)
    from mss_eval.input.exports import metadata_kind

    assert raw.tool == "limesurvey"
    assert metadata_kind("seed. Seed", raw.tool) == "survey"
    assert metadata_kind("G01Q01. Wat is uw geslacht?", raw.tool) is None


def test_qualtrics_legacy_two_row_format_is_recognised(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_text("V1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1,LocationLatitude\n"
                    "ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,"
                    "Status,StartDate,EndDate,Finished,Wat is uw geslacht?,LocationLatitude\n"
                    "R_1abcdefghij,Default Response Set,Anonymous,,,145.12.1.1,0,"
                    "2010-09-14 10:00:00,2010-09-14 10:20:00,1,Vrouw,52.0705\n",
                    encoding="utf-8")
    raw = _raw(path)
    assert raw.tool == "qualtrics_legacy" and len(raw.data) == 1
    assert raw.labels["Q1"] == "Wat is uw geslacht?"
    from mss_eval.input.propose import propose
    from mss_eval.instruments import get_instrument

    proposal = propose(raw, get_instrument("client_interview"))
    assert {"V3", "V5", "V6", "LocationLatitude"} <= set(proposal.drop)
    assert [ln.rule.item for ln in proposal.lines if ln.source == "Q1"] == ["gender"]


def test_map_names_a_case_mix_item_without_a_column_on_its_own_line(tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text("respondent,cijfer\nA1,7\n", encoding="utf-8")
    assert main(["map", str(path), "--instrument", "client_interview"]) == 0
    err = capsys.readouterr().err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("LET OP")]
    assert "age_band" in line and "gender" in line and "gecorrigeerde rapportcijfer" in line


def test_validate_ends_with_the_case_mix_columns_a_delivery_lacks(tmp_path, capsys):
    rows = [{k: v for k, v in r.items() if k != "age_band"} for r in samples.template_rows()]
    root = _study(tmp_path, template_rows=rows)
    main(["validate", str(root)])
    out = capsys.readouterr().out.splitlines()
    notes = [ln for ln in out if ln.startswith("LET OP")]
    assert len(notes) == 1 and "age_band" in notes[0] and "client_interview.csv" in notes[0]
    assert out[-2] == notes[0]  # just above the summary, not among the warnings


def test_redcap_branching_logic_is_named_on_the_proposed_line(tmp_path):
    from mss_eval.input.exports import read_structure
    from mss_eval.input.propose import propose
    from mss_eval.instruments import get_instrument

    dictionary = tmp_path / "dictionary.csv"
    dictionary.write_text(
        '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels","Field Note",'
        '"Text Validation Type OR Show Slider Number","Text Validation Min",'
        '"Text Validation Max",Identifier?,"Branching Logic (Show field only if...)"\n'
        'record_id,interview,,text,Respondentnummer,,,,,,,\n'
        'contact,interview,,yesno,"Contact met een hulpverlener",,,,,,,\n'
        'spv,interview,,yesno,"Heeft een SPV",,,,,,,"[contact] = \'1\'"\n', encoding="utf-8")
    data = tmp_path / "export.csv"
    data.write_text("record_id,contact,spv,interview_complete\nA1,1,1,2\nA2,0,,2\n",
                    encoding="utf-8")
    raw = _raw(data)
    assert raw.tool == "redcap"
    proposal = propose(raw, get_instrument("client_interview"), read_structure([dictionary]))
    (line,) = [ln for ln in proposal.lines if ln.source == "spv"]
    assert line.rule.item == "has_spv" and "gevraagd als [contact] = '1'" in line.reason


def test_a_mapping_whose_columns_are_empty_is_read_and_the_file_screened(tmp_path):
    root = _study(tmp_path)
    folder = root / "data" / ROUND / "dordrecht"
    folder.mkdir(parents=True)
    (folder / "client_interview.csv").write_text(
        "nr,naam,cijfer\n1,Jan de Vries,7\n2,Piet Bakker,8\n", encoding="utf-8")
    (folder / "client_interview.mapping.yaml").write_text(
        "instrument: client_interview\ndrop:\ncolumns:\n", encoding="utf-8")
    report = validate_study(root)
    assert not [p for p in report.errors if p.code.startswith("mapping_")]
    assert "naam" in {p.column for p in report.errors if p.code.startswith("identifier_")}


def test_redcap_labels_export_is_recognised_and_its_status_columns_left_out(tmp_path):
    path = tmp_path / "export_labels.csv"
    path.write_text("Record ID,Event Name,Geslacht,Complete?\nA1,Baseline (Arm 1),Vrouw,Complete\n"
                    "A2,Baseline (Arm 1),Man,Incomplete\n", encoding="utf-8")
    raw = _raw(path)
    from mss_eval.input.exports import metadata_kind

    assert raw.tool == "redcap"
    assert [metadata_kind(c, raw.tool, raw.data[c]) for c in raw.columns] == [
        None, "survey", None, "survey"]
    assert _proposed(raw).get("Geslacht") == "gender"


def test_limesurvey_spss_syntax_file_gives_the_structure_of_a_full_text_export(tmp_path):
    from mss_eval.input.exports import read_structure
    from mss_eval.input.propose import propose
    from mss_eval.instruments import get_instrument

    syntax = tmp_path / "survey_123456_SPSS_syntax_file.sps"
    syntax.write_text(
        "* Encoding: UTF-8.\nGET DATA\n /TYPE=TXT\n /FILE='survey_123456_SPSS_data_file.dat'\n"
        " /DELIMITERS=\",\"\n /QUALIFIER=\"'\"\n /VARIABLES=\n id F6\n submitdate DATETIME23.2\n"
        " G01Q01 A5\n G01Q02 F2\n .\nCACHE.\nEXECUTE.\n"
        "VARIABLE LABELS id \"Response ID\".\nVARIABLE LABELS submitdate \"Date submitted\".\n"
        "VARIABLE LABELS G01Q01 \"Vraag 1\".\n"
        "VARIABLE LABELS G01Q02 'Welk rapportcijfer geeft u het MSS?'.\n"
        "VALUE LABELS G01Q01\n \"A1\" \"man\"\n \"A2\" \"vrouw\"\n \"A3\" \"anders\".\nEXECUTE.\n",
        encoding="utf-8")
    data = tmp_path / "results-survey123456.csv"
    data.write_text('"Response ID","Date submitted","Vraag 1","Welk cijfer"\n'
                    '1,2010-09-14 10:00:00,A2,8\n2,2010-09-15 11:00:00,A1,7\n',
                    encoding="utf-8")
    raw = _raw(data)
    proposal = propose(raw, get_instrument("client_interview"), read_structure([syntax]))
    lines = {ln.source: ln for ln in proposal.lines}
    assert lines["Vraag 1"].rule.item == "gender"
    assert lines["Vraag 1"].rule.values == {"A1": 1, "A2": 2, "A3": 3}
    assert lines["Welk cijfer"].rule.item == "mss_rating"


def test_limesurvey_code_and_text_headings_take_the_structure_of_their_code(tmp_path):
    from mss_eval.input.exports import Structure

    path = tmp_path / "results.csv"
    path.write_text('"id. Response ID","submitdate. Date submitted","lastpage. Last page",'
                    '"startlanguage. Start language","seed. Seed","G01Q01. Vraag een"\n'
                    '1,2010-09-14 10:00:00,3,nl,1041181964,A2\n'
                    '2,2010-09-15 10:00:00,3,nl,1041181965,A1\n', encoding="utf-8")
    from mss_eval.input.propose import propose
    from mss_eval.instruments import get_instrument

    structure = Structure(labels={"G01Q01": "Geslacht"},
                          answers={"G01Q01": {"A1": "man", "A2": "vrouw", "A3": "anders"}})
    proposal = propose(_raw(path), get_instrument("client_interview"), structure)
    (line,) = [ln for ln in proposal.lines if ln.source == "G01Q01. Vraag een"]
    assert line.rule.item == "gender" and line.rule.values == {"A1": 1, "A2": 2, "A3": 3}


def test_redcap_checkbox_columns_stay_options_of_one_item(tmp_path):
    from mss_eval.input.exports import read_structure
    from mss_eval.input.propose import propose
    from mss_eval.instruments import get_instrument

    instrument = get_instrument("client_interview")
    needs = instrument.answer_sets["participation_need"].answers
    dictionary = tmp_path / "dictionary.csv"
    choices = " | ".join(f"{a.code}, {a.label.nl}" for a in needs)
    dictionary.write_text(
        '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels"\n'
        'record_id,f,,text,Respondentnummer,\n'
        f'wensen,f,,checkbox,"Welke wensen heeft u?","{choices}"\n', encoding="utf-8")
    data = tmp_path / "export.csv"
    data.write_text("record_id," + ",".join(f"wensen___{a.code}" for a in needs)
                    + ",f_complete\nA1,1,0,1,0,0,2\nA2,0,1,0,0,1,2\n", encoding="utf-8")
    proposal = propose(_raw(data), instrument, read_structure([dictionary]))
    targets = {ln.source: ln.rule.item for ln in proposal.lines}
    # '(betaald) werk' is the need for paid work here, not the item 'has paid work'
    assert [targets[f"wensen___{a.code}"] for a in needs] == [
        f"participation_needs_{a.key}" for a in needs]
