"""QDA projects as the real tools write them (``../shared/corpus/qda/``): positions, coders, ids.

Two files, taken unchanged (see the corpus README): an NVivo 12.6 project whose sources hold
emoji (NVivo counts positions in UTF-16 code units) and whose codings all carry one user while
the selections name their coders, and a QualCoder 4.0 project with two coders. Variants of the
QualCoder file (a second export with new GUIDs, a PDF source, notes, cases) are made from it in a
temporary folder, the way QualCoder writes them; the corpus files are only read.
"""

from __future__ import annotations

import csv
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from qualitative_qdpx import write_study

import mss_eval
from mss_eval.cli import main
from mss_eval.input.validate import validate_study
from mss_eval.qualitative.analysis import intercoder_agreement
from mss_eval.qualitative.quotes import approved_quotes
from mss_eval.qualitative.refi import read_qda

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "qda"
NVIVO = CORPUS / "oltas_teszt.qdpx"
QUALCODER = CORPUS / "mss_dordrecht.qdpx"
NS = "urn:QDA-XML:project:1.0"

pytestmark = pytest.mark.skipif(
    not (NVIVO.is_file() and QUALCODER.is_file()),
    reason=f"the corpus of real QDA files is not here ({CORPUS}); see ../shared/corpus/README.md")


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _nvivo_text_and_selections():
    """The NVivo source text and its selections, read here with zipfile and ElementTree only."""
    with zipfile.ZipFile(NVIVO) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        source = [s for s in root.iter(q("TextSource")) if s.find(q("PlainTextSelection")) is not None]
        assert len(source) == 1
        entry = source[0].get("plainTextPath").removeprefix("internal://")
        text = archive.read(f"Sources/{entry}").decode("utf-8-sig")
    return text, source[0].findall(q("PlainTextSelection"))


def _utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le")


# -- NVivo: positions in UTF-16 code units -------------------------------------------------------
def test_nvivo_excerpts_are_the_text_at_utf16_positions():
    text, selections = _nvivo_text_and_selections()
    project = read_qda(NVIVO)
    assert project.position_unit == "utf-16"
    wanted = Counter(_utf16_slice(text, int(s.get("startPosition")), int(s.get("endPosition")))
                     for s in selections for _ in s.findall(q("Coding")))
    got = Counter(project.excerpt(c) for c in project.codings)
    assert len(project.codings) == 330
    assert got == wanted
    # counting code points instead would have moved most excerpts (the old reading)
    moved = sum(text[int(s.get("startPosition")):int(s.get("endPosition"))] != _utf16_slice(
        text, int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections)
    assert moved > 300


@pytest.mark.parametrize(("start", "begins", "ends"), [
    # checked by hand in NVivo's text: whole comments, from their first to their last character
    (3137, "Senkit nem lehet kötelezni oltásra", "aki nem szaporodhat és nem élhet."),
    (50648, "@@szilagyitamas2823 És milyen igazad lett!", "lett!☝️👌👍👍👍"),
    (10148, "tudatos hal äl reklám", "hatalmas árulás"),
])
def test_nvivo_excerpts_checked_by_hand(start, begins, ends):
    project = read_qda(NVIVO)
    text, _ = _nvivo_text_and_selections()
    excerpts = {project.excerpt(c) for c in project.codings
                if project.excerpt(c) and _utf16_slice(text, start, start + 5) == project.excerpt(c)[:5]}
    assert excerpts, "no excerpt starts at this position"
    excerpt = excerpts.pop()
    assert excerpt.startswith(begins) and excerpt.endswith(ends)


def test_nvivo_coders_come_from_the_selections():
    project = read_qda(NVIVO)
    coders = Counter(project.coder(c) for c in project.codings)
    # every coding names 'Gergo' or 'test_user'; the selections name who coded them
    assert coders == {"floriansipos": 297, "test_user": 27, "Gergo": 6}


def _all_codes_mapping(project, path: Path) -> Path:
    """A mapping file sending every code used in the project to a study code (round robin)."""
    from mss_eval.instruments import codebook

    study_codes = codebook().paths()
    used = sorted({project.codes[c.code_guid].path for c in project.codings})
    lines = [f'"{tool}": {study_codes[i % len(study_codes)]}' for i, tool in enumerate(used)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def nvivo_study(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nvivo")
    study = write_study(tmp / "studie")
    mapping = _all_codes_mapping(read_qda(NVIVO), tmp / "koppeling.yaml")
    code = main(["import-qda", str(NVIVO), "--study", str(study), "--round", "2010-1",
                 "--region", "den_haag", "--mapping", str(mapping), "--source-kind", "document"])
    assert code == 0
    return study


def test_nvivo_import_validates_with_three_coders_and_computable_agreement(nvivo_study):
    rows = _csv_rows(nvivo_study / "data/2010-1/den_haag/coded_segments.csv")
    assert len(rows) == 330
    assert {r["coder"] for r in rows} == {"floriansipos", "Gergo", "test_user"}
    report = validate_study(nvivo_study, workers=1)
    on_file = [p for p in report.problems if p.file and "coded_segments" in p.file]
    assert not [p for p in on_file if p.severity == "error"], [p.message for p in on_file]
    segments = mss_eval.load_study(nvivo_study)["coded_segments"]
    overall = intercoder_agreement(segments).iloc[0]
    assert overall["coders"] == 3 and overall["sources"] == 1 and overall["n"] > 0


def test_nvivo_positions_in_the_data_count_characters(nvivo_study):
    text, _ = _nvivo_text_and_selections()
    for row in _csv_rows(nvivo_study / "data/2010-1/den_haag/coded_segments.csv"):
        assert text[int(row["start"]):int(row["end"])].replace("\r\n", "\n") == \
            row["excerpt"].replace("\r\n", "\n")


# -- QualCoder: ids that survive a second export ---------------------------------------------------
def _rewrite(src: Path, out: Path, change=None) -> Path:
    """A copy of a .qdpx as a second export writes it: every GUID new, the source files renamed.

    ``change(root)`` may edit the project XML further (a PDF source, a note, a case)."""
    with zipfile.ZipFile(src) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    xml = members.pop("project.qde").decode("utf-8")
    guids = dict.fromkeys(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                     xml, flags=re.I))
    new = {g: str(uuid.uuid4()) for g in guids}
    xml = re.sub("|".join(map(re.escape, new)), lambda m: new[m.group(0)], xml)
    root = ET.fromstring(xml)
    if change is not None:
        change(root)
    ET.register_namespace("", NS)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", ET.tostring(root, encoding="utf-8", xml_declaration=True))
        for name, data in members.items():
            stem = Path(name).stem
            archive.writestr(name.replace(stem, new.get(stem, stem)), data)
    return out


def _import(qdpx: Path, study: Path, *extra: str) -> list[dict]:
    code = main(["import-qda", str(qdpx), "--study", str(study), "--round", "2010-1",
                 "--region", "dordrecht", "--source-kind", "partner_interview", "--replace",
                 *extra])
    assert code == 0
    return _csv_rows(study / "data/2010-1/dordrecht/coded_segments.csv")


def test_qualcoder_second_export_keeps_every_segment_id(tmp_path):
    study = write_study(tmp_path / "studie")
    first = _import(QUALCODER, study)
    second = _import(_rewrite(QUALCODER, tmp_path / "again.qdpx"), study)
    assert len(first) == 11
    assert [r["segment_id"] for r in second] == [r["segment_id"] for r in first]
    assert [r["source_id"] for r in second] == [r["source_id"] for r in first]
    assert {r["coder"] for r in first} == {"carla", "daan"}


def test_approved_quote_survives_reimport_and_validate_notices_a_vanished_segment(tmp_path):
    study = write_study(tmp_path / "studie")
    rows = _import(QUALCODER, study)
    quote = next(r for r in rows if r["excerpt"].startswith("Het stigma"))
    (study / "texts").mkdir()
    (study / "texts/approved_quotes.yaml").write_text(
        f"approved_by: A. Auteur\nquotes:\n  - {quote['segment_id']}\n", encoding="utf-8")
    _import(_rewrite(QUALCODER, tmp_path / "again.qdpx"), study)
    assert approved_quotes(mss_eval.load_study(study))["excerpt"].tolist() == [quote["excerpt"]]

    def recode(root):  # the coder widened the selection by one character
        for sel in root.iter(q("PlainTextSelection")):
            if sel.get("name", "").startswith("Het stigma"):
                sel.set("startPosition", str(int(sel.get("startPosition")) - 1))
    _import(_rewrite(QUALCODER, tmp_path / "recoded.qdpx", recode), study)
    gone = [p for p in validate_study(study, workers=1).problems
            if p.code == "quotes_segment_gone"]
    assert len(gone) == 1 and gone[0].line == 3 and gone[0].value == quote["segment_id"]


# -- QualCoder's PDF sources, notes and cases ------------------------------------------------------
def _as_pdf(root):
    """The partner interview as QualCoder writes a PDF: PDFSource > Representation > selections,
    plus one coded area of a page (no text)."""
    sources = root.find(q("Sources"))
    text_source = [s for s in sources if s.get("name") == "int_partner_F.txt"][0]
    index = list(sources).index(text_source)
    sources.remove(text_source)
    pdf = ET.Element(q("PDFSource"), {"guid": str(uuid.uuid4()), "name": "int_partner_F.pdf",
                                      "path": "internal://partner.pdf"})
    area = ET.SubElement(pdf, q("PDFSelection"), {
        "guid": str(uuid.uuid4()), "page": "1", "firstX": "1", "firstY": "1", "secondX": "9",
        "secondY": "9"})
    first_code = text_source.find(f"{q('PlainTextSelection')}/{q('Coding')}/{q('CodeRef')}")
    coding = ET.SubElement(area, q("Coding"), {"guid": str(uuid.uuid4())})
    ET.SubElement(coding, q("CodeRef"), {"targetGUID": first_code.get("targetGUID")})
    text_source.tag = q("Representation")
    text_source.set("guid", str(uuid.uuid4()))
    pdf.append(text_source)
    sources.insert(index, pdf)


def test_codings_on_a_pdf_source_are_kept_with_their_text(tmp_path):
    study = write_study(tmp_path / "studie")
    as_text = _import(QUALCODER, study)
    project = read_qda(_rewrite(QUALCODER, tmp_path / "pdf.qdpx", _as_pdf))
    as_pdf = _import(tmp_path / "pdf.qdpx", study)
    assert [(r["code"], r["start"], r["end"], r["excerpt"]) for r in as_pdf] == \
        [(r["code"], r["start"], r["end"], r["excerpt"]) for r in as_text]
    assert [p.code for p in project.problems] == ["qda_non_text_codings"]
    assert "1 codering(en) zonder tekst" in project.problems[0].message


def _notes_and_cases(root):
    sources = root.find(q("Sources"))
    partner = [s for s in sources if s.get("name") == "int_partner_F.txt"][0]
    memo = ET.Element(q("Description"))
    memo.text = "Memo: interview liep uit"
    partner.insert(0, memo)
    cases = ET.Element(q("Cases"))
    kind_case = ET.SubElement(cases, q("Case"), {"guid": str(uuid.uuid4()),
                                                 "name": "Interviews samenwerkingspartners"})
    ET.SubElement(kind_case, q("SourceRef"), {"targetGUID": partner.get("guid")})
    other = ET.SubElement(cases, q("Case"), {"guid": str(uuid.uuid4()), "name": "Thuiszorg"})
    ET.SubElement(other, q("SourceRef"), {"targetGUID": partner.get("guid")})
    root.insert(list(root).index(sources), cases)
    notes = ET.Element(q("Notes"))
    note = ET.SubElement(notes, q("Note"), {"guid": str(uuid.uuid4()), "name": "dagboek"})
    ET.SubElement(note, q("PlainTextContent")).text = "Eerste indrukken"
    root.insert(list(root).index(sources) + 1, notes)


def test_notes_memos_and_cases_are_used_or_named_in_warnings(tmp_path):
    project = read_qda(_rewrite(QUALCODER, tmp_path / "notes.qdpx", _notes_and_cases))
    partner = next(s for s in project.sources if s.name == "int_partner_F.txt")
    assert partner.kind == "partner_interview"
    assert partner.kind_origin == "case 'Interviews samenwerkingspartners'"
    warnings = {p.code: p.message for p in project.problems}
    assert set(warnings) == {"qda_notes_not_imported", "qda_cases_without_kind"}
    assert warnings["qda_notes_not_imported"].startswith(
        "1 notitie(s) en 1 memo('s) bij bronnen, fragmenten of cases")
    assert warnings["qda_cases_without_kind"].startswith("1 case(s)")
    assert "interview liep uit" not in " ".join(warnings.values())
    # the case gives the partner interview its kind: no --source-kind needed
    study = write_study(tmp_path / "studie")
    code = main(["import-qda", str(tmp_path / "notes.qdpx"), "--study", str(study), "--round",
                 "2010-1", "--region", "dordrecht"])
    assert code == 0
