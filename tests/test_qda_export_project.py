"""``mss-eval export-qda``: a region's coded segments as a REFI-QDA project, and back again.

The project must be valid against ``Project.xsd`` (the copy in ``../shared/refi-qda/`` when it is
there, else the one shipped with the package), name every code once (QualCoder merges codes of
one name) and import with ``mss-eval import-qda`` into the same segments with the same ids.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import xmlschema
from qualitative_qdpx import MAPPING_YAML, example_project, write_qdpx, write_study

from mss_eval.cli import main
from mss_eval.qualitative.export import codebook_qdc_bytes
from mss_eval.qualitative.importer import check_codebook
from mss_eval.qualitative.refi import PROJECT_XSD

SHARED_XSD = Path(__file__).resolve().parents[1].parent / "shared" / "refi-qda" / "Project.xsd"
NS = "urn:QDA-XML:project:1.0"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "qda"


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(str(SHARED_XSD if SHARED_XSD.is_file() else PROJECT_XSD))


def _csv(path: Path) -> bytes:
    return path.read_bytes()


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def den_haag(tmp_path):
    """A study with Den Haag's coded segments imported from a project with two coders."""
    study = write_study(tmp_path / "studie")
    mapping = tmp_path / "koppeling.yaml"
    mapping.write_text(MAPPING_YAML, encoding="utf-8")
    qdpx = write_qdpx(tmp_path / "den_haag.qdpx", example_project())
    assert main(["import-qda", str(qdpx), "--study", str(study), "--round", "2010-1", "--region",
                 "den_haag", "--mapping", str(mapping), "--allow-unmapped"]) == 0
    return study


def _export(study: Path, out: Path, *extra: str, region: str = "den_haag") -> Path:
    assert main(["export-qda", "--study", str(study), "--round", "2010-1", "--region", region,
                 "--out", str(out), *extra]) == 0
    return out


def _reimport(study: Path, qdpx: Path, region: str = "den_haag") -> None:
    assert main(["import-qda", str(qdpx), "--study", str(study), "--round", "2010-1",
                 "--region", region, "--replace"]) == 0


def test_exported_project_is_valid_against_the_refi_qda_schema(den_haag, tmp_path, schema):
    out = _export(den_haag, tmp_path / "export.qdpx")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        xml = archive.read("project.qde")
        root = ET.fromstring(xml)
        for source in root.iter(f"{{{NS}}}TextSource"):
            path = source.get("plainTextPath").removeprefix("internal://")
            assert f"sources/{path}" in names
    schema.validate(xml.decode("utf-8"))
    assert root.get("origin").startswith("mss-eval")


@pytest.mark.parametrize("names", ["labels", "keys"])
def test_exported_project_imports_back_with_the_same_segments_and_ids(den_haag, tmp_path, names):
    data = den_haag / "data/2010-1/den_haag/coded_segments.csv"
    before = _csv(data)
    _reimport(den_haag, _export(den_haag, tmp_path / "export.qdpx", "--names", names))
    assert _csv(data) == before
    assert len(_rows(data)) == 12


def test_exporting_twice_gives_the_same_file(den_haag, tmp_path):
    first = _export(den_haag, tmp_path / "a.qdpx").read_bytes()
    assert _export(den_haag, tmp_path / "b.qdpx").read_bytes() == first


def test_each_coder_is_a_user_and_each_source_kind_a_variable_value(den_haag, tmp_path):
    with zipfile.ZipFile(_export(den_haag, tmp_path / "export.qdpx")) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{{{NS}}}User")}
    assert sorted(users.values()) == ["ann", "bob"]
    coders = Counter(users[c.get("creatingUser")] for c in root.iter(f"{{{NS}}}Coding"))
    rows = _rows(den_haag / "data/2010-1/den_haag/coded_segments.csv")
    assert coders == Counter(r["coder"] for r in rows)
    values = [v.findtext(f"{{{NS}}}TextValue") for v in root.iter(f"{{{NS}}}VariableValue")]
    assert len(values) == len({r["source_id"] for r in rows})
    # the rest of an interview is not in the study: outside the excerpts a text is blank
    with zipfile.ZipFile(tmp_path / "export.qdpx") as archive:
        for source in root.iter(f"{{{NS}}}TextSource"):
            path = source.get("plainTextPath").removeprefix("internal://")
            text = list(archive.read(f"sources/{path}").decode("utf-8"))
            for r in rows:
                if r["source_id"] == source.get("name") and r["start"]:
                    text[int(r["start"]):int(r["end"])] = " " * (int(r["end"]) - int(r["start"]))
            assert set(text) <= {" "}


def test_code_names_are_unique_in_the_project_and_the_codebook(den_haag, tmp_path):
    with zipfile.ZipFile(_export(den_haag, tmp_path / "export.qdpx")) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    names = [c.get("name") for c in root.iter(f"{{{NS}}}Code")]
    assert len(names) == len(set(names)) > 30
    assert "Ervaringsdeskundigheid (Uitvoerend niveau)" in names
    for how in ("keys", "labels"):
        for language in ("nl", "en"):
            qdc = ET.fromstring(codebook_qdc_bytes(names=how, language=language))
            names = [c.get("name").casefold()
                     for c in qdc.iter("{urn:QDA-XML:codebook:1.0}Code")]
            assert len(names) == len(set(names)), (how, language)
    assert b'name="peer_expertise (executive)"' in codebook_qdc_bytes()
    assert b'name="peer_expertise (personal)"' in codebook_qdc_bytes()


@pytest.mark.parametrize(("how", "language"), [("keys", "nl"), ("labels", "nl"), ("labels", "en")])
def test_codebook_with_unique_names_maps_back_to_every_study_code(tmp_path, how, language):
    qdc = tmp_path / "codeboek.qdc"
    qdc.write_bytes(codebook_qdc_bytes(names=how, language=language))
    result = check_codebook(qdc)
    assert not result.mapping.unmapped
    assert "executive/peer_expertise" in result.mapping.mapped.values()
    assert "personal/peer_expertise" in result.mapping.mapped.values()


def test_region_without_coded_segments_is_one_sentence(den_haag, tmp_path, capsys):
    code = main(["export-qda", "--study", str(den_haag), "--round", "2010-1", "--region",
                 "eindhoven", "--out", str(tmp_path / "x.qdpx")])
    err = capsys.readouterr().err
    assert code == 1 and not (tmp_path / "x.qdpx").exists()
    assert "data/2010-1/eindhoven/coded_segments.csv" in err and "Traceback" not in err


@pytest.mark.skipif(not (CORPUS / "oltas_teszt.qdpx").is_file(),
                    reason=f"the corpus of real QDA files is not here ({CORPUS})")
def test_nvivo_project_goes_round_through_export_with_the_same_ids(tmp_path, schema):
    """Emoji and Windows line ends in the excerpts, three coders, positions counted anew."""
    study = write_study(tmp_path / "studie")
    mapping = tmp_path / "koppeling.yaml"
    mapping.write_text('"Attituderoots/2. Distrust/+Government": administrative/shared_vision\n'
                       '"Attituderoots/911. Reactance/Resisting coercion": conclusions/stigma\n',
                       encoding="utf-8")
    assert main(["import-qda", str(CORPUS / "oltas_teszt.qdpx"), "--study", str(study),
                 "--round", "2010-1", "--region", "den_haag", "--mapping", str(mapping),
                 "--allow-unmapped", "--source-kind", "document"]) == 0
    data = study / "data/2010-1/den_haag/coded_segments.csv"
    before = _csv(data)
    out = _export(study, tmp_path / "nvivo.qdpx")
    with zipfile.ZipFile(out) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))
    _reimport(study, out)
    assert _csv(data) == before
    assert len(_rows(data)) == 56


def test_a_coding_of_a_whole_source_goes_round_too(tmp_path):
    from qualitative_qdpx import Project, Selection, Source, span

    text = "Het convenant loopt door. Niemand valt meer tussen wal en schip."
    project = Project(
        users=["ann", "bob"],
        codes={"administrative": {"continuity": {}}, "personal": {"referral_to_care": {}}},
        sources=[Source("Verslag stuurgroep", text, variable="document"),
                 Source("Notulen", "", variable="document")],
        selections=[Selection("Verslag stuurgroep", *span(text, "Het convenant loopt door."),
                              [("administrative/continuity", "ann")])],
        source_codings=[("Verslag stuurgroep", "personal/referral_to_care", "bob"),
                        ("Notulen", "administrative/continuity", "ann")])
    study = write_study(tmp_path / "studie")
    assert main(["import-qda", str(write_qdpx(tmp_path / "p.qdpx", project)), "--study",
                 str(study), "--round", "2010-1", "--region", "eindhoven"]) == 0
    data = study / "data/2010-1/eindhoven/coded_segments.csv"
    before = _csv(data)
    assert sum(1 for r in _rows(data) if not r["start"]) == 2
    _reimport(study, _export(study, tmp_path / "e.qdpx", region="eindhoven"), region="eindhoven")
    assert _csv(data) == before


def test_project_has_what_qualcoders_import_reads(den_haag, tmp_path):
    """QualCoder's REFI-QDA import (its refi.py) reads creationDateTime and creatingUser of every
    text source and selection (a missing date stops it), takes a code with child codes for a
    category and any other for a code, refuses a second code of the same name, and reads the
    plain text from 'sources/' or 'Sources/'."""
    with zipfile.ZipFile(_export(den_haag, tmp_path / "export.qdpx")) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        names = set(archive.namelist())
    users = {u.get("guid") for u in root.iter(f"{{{NS}}}User")}
    for tag in ("TextSource", "PlainTextSelection"):
        for el in root.iter(f"{{{NS}}}{tag}"):
            assert el.get("creationDateTime", "").endswith("Z")
            assert el.get("creatingUser") in users
    for source in root.iter(f"{{{NS}}}TextSource"):
        assert "sources/" + source.get("plainTextPath").removeprefix("internal://") in names
    codes = [c for c in root.iter(f"{{{NS}}}Code") if c.find(f"{{{NS}}}Code") is None]
    categories = [c for c in root.iter(f"{{{NS}}}Code") if c.find(f"{{{NS}}}Code") is not None]
    assert len({c.get("name") for c in codes}) == len(codes) == 30
    assert all(c.get("isCodable") == "false" for c in categories) and len(categories) == 4
