"""``mss-eval import-qda``: from a .qdpx written to the standard to tidy coded segments."""

from __future__ import annotations

import csv
import hashlib
import re

import pytest
from qualitative_qdpx import (
    MAPPING_YAML,
    Project,
    Selection,
    Source,
    TEXT_CLIENT,
    eindhoven_project,
    example_project,
    write_qdpx,
    write_study,
)

import mss_eval
from mss_eval.cli import main
from mss_eval.problems import StudyError
from mss_eval.qualitative.analysis import code_region_matrix, intercoder_agreement, shared_themes
from mss_eval.qualitative.importer import import_qda
from mss_eval.qualitative.mapping import map_codes, read_mapping


@pytest.fixture
def setup(tmp_path):
    study = write_study(tmp_path / "studie")
    qdpx = write_qdpx(tmp_path / "den_haag.qdpx", example_project())
    mapping = tmp_path / "koppeling.yaml"
    mapping.write_text(MAPPING_YAML, encoding="utf-8")
    return study, qdpx, mapping


def _csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_import_writes_one_row_per_mapped_coding(setup):
    study, qdpx, mapping = setup
    code = main(["import-qda", str(qdpx), "--study", str(study), "--round", "2010-1",
                 "--region", "den_haag", "--mapping", str(mapping), "--allow-unmapped"])
    assert code == 0
    rows = _csv_rows(study / "data/2010-1/den_haag/coded_segments.csv")
    assert len(rows) == 12  # 13 codings less the one of the unmapped code 'Opvallend'
    assert {r["code"] for r in rows} == {"administrative/continuity", "executive/shorter_lines",
                                         "executive/peer_expertise", "personal/low_threshold"}
    assert {r["coder"] for r in rows} == {"ann", "bob"}
    first = rows[0]
    assert first["source_kind"] == "1" and first["start"] == "0" and first["end"] == "52"
    assert first["excerpt"] == "De stuurgroep komt al jaren elk kwartaal bij elkaar."
    # ids are letter codes derived from the GUIDs: never the source's name, and no digit runs
    # that the identifier screen would take for a postcode or phone number
    assert all(re.fullmatch(r"src-[a-z]{14}", r["source_id"]) for r in rows)
    assert all(re.fullmatch(r"seg-[a-z]{14}", r["segment_id"]) for r in rows)
    assert len({r["segment_id"] for r in rows}) == 12
    assert len({r["source_id"] for r in rows}) == 4


def test_segment_ids_are_the_same_in_every_import_of_the_same_project(setup, tmp_path):
    study, qdpx, mapping = setup
    again = write_qdpx(tmp_path / "opnieuw.qdpx", example_project())
    import_qda(qdpx, study, "2010-1", "den_haag", mapping=mapping, allow_unmapped=True)
    first = _csv_rows(study / "data/2010-1/den_haag/coded_segments.csv")
    import_qda(again, study, "2010-1", "den_haag", mapping=mapping, allow_unmapped=True,
               replace=True)
    second = _csv_rows(study / "data/2010-1/den_haag/coded_segments.csv")
    assert [r["segment_id"] for r in first] == [r["segment_id"] for r in second]


def test_the_qdpx_file_is_not_changed_by_the_import(setup):
    study, qdpx, mapping = setup
    before = hashlib.sha256(qdpx.read_bytes()).hexdigest()
    import_qda(qdpx, study, "2010-1", "den_haag", mapping=mapping, allow_unmapped=True)
    assert hashlib.sha256(qdpx.read_bytes()).hexdigest() == before


def test_unmapped_codes_are_listed_and_stop_the_import(setup, capsys):
    study, qdpx, _ = setup
    code = main(["import-qda", str(qdpx), "--study", str(study), "--round", "2010-1",
                 "--region", "den_haag"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Persoonlijk/Warme overdracht" in err and "(3 codering(en))" in err
    assert "Opvallend" in err
    assert not (study / "data/2010-1/den_haag/coded_segments.csv").exists()


def test_allow_unmapped_reports_the_codes_it_leaves_out(setup):
    study, qdpx, mapping = setup
    result = import_qda(qdpx, study, "2010-1", "den_haag", mapping=mapping, allow_unmapped=True)
    assert result.mapping.unmapped == {"Opvallend": 1}
    warned = [p for p in result.problems if p.code == "qda_unmapped_code"]
    assert [p.value for p in warned] == ["Opvallend"] and warned[0].severity == "warning"


def test_mapping_file_can_leave_a_code_out_on_purpose(setup, tmp_path):
    study, qdpx, _ = setup
    mapping = tmp_path / "koppeling.csv"
    mapping.write_text("tool_code;study_code\nPersoonlijk/Warme overdracht;personal/low_threshold\n"
                       "Opvallend;\n", encoding="utf-8")
    result = import_qda(qdpx, study, "2010-1", "den_haag", mapping=mapping)
    assert result.mapping.unmapped == {}
    assert result.mapping.left_out == ["Opvallend"]
    assert result.mapping.how == {"Bestuurlijk niveau/Continuïteit": "label path",
                                  "executive/shorter_lines": "study path",
                                  "executive/peer_expertise": "study path",
                                  "Persoonlijk/Warme overdracht": "mapping file"}
    assert result.segments == 12


def test_mapping_file_naming_an_unknown_study_code_names_the_line(tmp_path):
    path = tmp_path / "koppeling.yaml"
    path.write_text('"A": executive/shorter_lines\n"B": executive/shorter_line\n', encoding="utf-8")
    with pytest.raises(StudyError) as exc:
        read_mapping(path, language="en")
    problem = exc.value.problems[0]
    assert problem.line == 2 and problem.value == "executive/shorter_line"
    assert "did you mean 'executive/shorter_lines'" in problem.message


def test_default_mapping_matches_study_paths_and_label_paths_only():
    result = map_codes({"Executive level/Shorter lines and better coordination": 2,
                        "  Uitvoerend niveau / Kortere lijnen en betere afstemming": 1,
                        "EXECUTIVE/shorter_lines": 1, "Uitvoerend/Kortere lijnen": 4})
    assert set(result.mapped.values()) == {"executive/shorter_lines"}
    assert result.unmapped == {"Uitvoerend/Kortere lijnen": 4}


def test_existing_file_is_replaced_only_with_replace(setup):
    study, qdpx, mapping = setup
    import_qda(qdpx, study, "2010-1", "den_haag", mapping=mapping, allow_unmapped=True)
    with pytest.raises(StudyError) as exc:
        import_qda(qdpx, study, "2010-1", "den_haag", mapping=mapping, allow_unmapped=True)
    assert exc.value.problems[0].code == "qda_output_exists"
    result = import_qda(qdpx, study, "2010-1", "den_haag", mapping=mapping, allow_unmapped=True,
                        replace=True)
    assert result.segments == 12


def test_unknown_round_or_region_is_a_clear_error(setup, capsys):
    study, qdpx, mapping = setup
    code = main(["import-qda", str(qdpx), "--study", str(study), "--round", "2011-1",
                 "--region", "breda", "--language", "en"])
    err = capsys.readouterr().err
    assert code == 1
    assert "round '2011-1' is not in study.yaml; known rounds: 2010-1" in err
    assert "region 'breda' is not in study.yaml" in err
    assert "Traceback" not in err


def test_source_without_kind_needs_a_default(tmp_path):
    study = write_study(tmp_path / "studie")
    p = Project(users=["ann"], codes={"personal": {"independence": {}}},
                sources=[Source("S", TEXT_CLIENT)],
                selections=[Selection("S", 0, 10, [("personal/independence", "ann")])])
    qdpx = write_qdpx(tmp_path / "x.qdpx", p)
    with pytest.raises(StudyError) as exc:
        import_qda(qdpx, study, "2010-1", "dordrecht")
    assert exc.value.problems[0].code == "qda_source_kind_missing"
    result = import_qda(qdpx, study, "2010-1", "dordrecht", default_source_kind="Cliëntinterview")
    assert result.segments_by_kind == {"client_interview": 1}


def test_imported_study_loads_and_gives_the_expected_matrix_and_alpha(setup, tmp_path):
    study, qdpx, mapping = setup
    import_qda(qdpx, study, "2010-1", "den_haag", mapping=mapping, allow_unmapped=True)
    import_qda(write_qdpx(tmp_path / "eindhoven.qdpx", eindhoven_project()), study, "2010-1",
               "eindhoven")
    segments = mss_eval.load_study(study)["coded_segments"]
    assert len(segments) == 14

    matrix = code_region_matrix(segments)
    found = matrix[matrix["sources"] > 0].set_index(["region", "code"])
    # Den Haag (4 sources): segments over both coders, sources counted once
    assert found.loc[("den_haag", "administrative/continuity"), ["segments", "sources", "n"]] \
        .tolist() == [3, 2, 4]
    assert found.loc[("den_haag", "executive/shorter_lines"), ["segments", "sources"]] \
        .tolist() == [3, 2]
    assert found.loc[("den_haag", "executive/peer_expertise"), ["segments", "sources"]] \
        .tolist() == [3, 2]
    assert found.loc[("den_haag", "personal/low_threshold"), ["segments", "sources"]] \
        .tolist() == [3, 1]
    assert found.loc[("eindhoven", "personal/independence"), ["segments", "sources", "n"]] \
        .tolist() == [1, 1, 1]
    assert len(found) == 6

    shared = shared_themes(segments, regions={"2010-1": ["den_haag", "eindhoven", "dordrecht"]})
    assert shared[["code", "regions", "n", "region_ids"]].values.tolist() == [
        ["administrative/continuity", 2, 3, "den_haag, eindhoven"]]

    # alpha over presence/absence of 4 used codes in 3 double-coded sources: 1 - (4/24)/(280/552)
    # (worked out by hand in tests/test_qualitative_analysis.py)
    overall = intercoder_agreement(segments).iloc[0]
    assert overall["alpha"] == pytest.approx(1 - (4 / 24) / (280 / 552))
    assert overall["n"] == 12 and overall["coders"] == 2 and overall["sources"] == 3
