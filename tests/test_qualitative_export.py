"""``mss-eval export-codebook``: the study codebook as a REFI-QDA .qdc, valid and round-tripping."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mss_eval.cli import main
from mss_eval.instruments import codebook
from mss_eval.problems import StudyError
from mss_eval.qualitative.export import code_guid, codebook_qdc_bytes
from mss_eval.qualitative.importer import check_codebook
from mss_eval.qualitative.mapping import map_codes
from mss_eval.qualitative.refi import CODEBOOK_NS, codebook_schema, read_qda

CB = f"{{{CODEBOOK_NS}}}"


def test_exported_codebook_validates_against_the_schema():
    root = ET.fromstring(codebook_qdc_bytes())
    assert root.tag == f"{CB}CodeBook"
    assert list(codebook_schema().iter_errors(ET.ElementTree(root))) == []


def test_codebook_schema_rejects_a_broken_codebook():
    broken = codebook_qdc_bytes().replace(b'isCodable="true"', b"", 1)
    errors = list(codebook_schema().iter_errors(ET.ElementTree(ET.fromstring(broken))))
    assert errors and "isCodable" in str(errors[0])


@pytest.mark.parametrize("names, language", [("keys", "nl"), ("labels", "nl"), ("labels", "en")])
def test_exported_codebook_reimports_to_the_same_codes(tmp_path, names, language):
    path = tmp_path / "codeboek.qdc"
    assert main(["export-codebook", "--format", "qdc", "--names", names, "--language", language,
                 "--out", str(path)]) == 0
    project = read_qda(path)
    codable = [c.path for c in project.codes.values() if c.codable]
    result = map_codes(codable)
    assert result.unmapped == {}
    assert list(result.mapped.values()) == codebook().paths()
    # the levels are parent codes that cannot be coded themselves
    parents = [c for c in project.codes.values() if not c.codable]
    assert len(parents) == len(codebook().levels)


def test_code_guids_are_derived_from_the_paths_and_stable():
    first, second = codebook_qdc_bytes(), codebook_qdc_bytes()
    assert first == second
    root = ET.fromstring(first)
    guids = [el.get("guid") for el in root.iter(f"{CB}Code")]
    paths = [p for level in codebook().levels for p in
             [level, *[c for c in codebook().paths() if c.startswith(level + "/")]]]
    assert guids == [code_guid(p) for p in paths]
    # peer_expertise occurs on two levels: different paths, so different GUIDs
    assert len(set(guids)) == len(codebook().paths()) + len(codebook().levels)
    # naming codes by their labels changes no GUID
    labels = ET.fromstring(codebook_qdc_bytes(names="labels"))
    assert [el.get("guid") for el in labels.iter(f"{CB}Code")] == guids


def test_export_to_standard_output(capsysbinary):
    assert main(["export-codebook", "--format", "qdc"]) == 0
    assert capsysbinary.readouterr().out == codebook_qdc_bytes()


def test_import_of_a_codebook_only_checks_the_mapping(tmp_path, capsys):
    path = tmp_path / "eigen.qdc"
    path.write_bytes(codebook_qdc_bytes().replace(b'name="continuity"', b'name="Continuiteit"'))
    result = check_codebook(path)
    assert result.output_file is None
    assert result.mapping.unmapped == {"administrative/Continuiteit": 0}
    assert len(result.mapping.mapped) == len(codebook().paths()) - 1


def test_a_project_file_with_codebook_suffix_is_not_mistaken(tmp_path):
    path = tmp_path / "wrong.qdc"
    path.write_text("<Codes/>", encoding="utf-8")
    with pytest.raises(StudyError) as exc:
        read_qda(path)
    assert exc.value.problems[0].code == "qda_wrong_root"
