"""The Word file an author finishes: A4, a header with the title and page numbers in the footer,
the contents filled when Word opens it, Word's own numbering fields for chapters, sections,
tables and figures with cross-references from the text, numbers right-aligned, alt text. Read
back from the XML with python-docx; where LibreOffice is installed, also printed by it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from mss_eval.render.export import with_contents
from mss_eval.render.word import nodes_to_docx
from mss_eval.report.document import (Heading, Paragraph, ReportFigure, ReportTable,
                                      TitlePage)

docx = pytest.importorskip("docx")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OFFICE_SCRIPT = Path(__file__).resolve().parent / "office" / "docx_to_pdf.py"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _report(tmp_path: Path) -> Path:
    table = ReportTable(cells=pd.DataFrame([["Den Haag", "7,5", "x"], ["Delft", "8,1", "12"]],
                                           columns=["Regio", "Cijfer", "n"], dtype=object),
                        numeric_columns=frozenset({"Cijfer", "n"}), caption="Rapportcijfer",
                        number="2.1", notes=["x = niet getoond: minder dan 5 respondenten."])
    figure = ReportFigure(alt="Stippen van het rapportcijfer per regio.", caption="Cijfer",
                          number="2.2", _pngs=[_png(), _png()])
    nodes = with_contents([
        TitlePage(title="Rapportage Den Haag", study_name="Cliëntenmonitor", subtitle="Ronde 1"),
        Heading("Inleiding", level=1, number="1", anchor="h-1"),
        Paragraph.of("Tekst."),
        Heading("Oordeel", level=1, number="2", anchor="h-2"),
        Heading("Cijfer", level=2, number="2.1", anchor="h-2-1"),
        Paragraph.of("Tabel 2.1 en figuur 2.2 tonen het cijfer; tabel 9.9 bestaat niet."),
        table, figure])
    target = tmp_path / "r.docx"
    nodes_to_docx(nodes, target)
    return target


def _instructions(document) -> list[str]:
    return [" ".join(t.text.split()) for t in document.element.body.iter(f"{W}instrText")]


def test_the_page_is_a4_with_the_title_in_the_header_and_page_numbers_below(tmp_path):
    document = docx.Document(_report(tmp_path))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 2.2
    assert section.different_first_page_header_footer  # no header on the title page
    assert section.header.paragraphs[0].text == "Rapportage Den Haag"
    footer = [" ".join(t.text.split()) for t in section.footer._element.iter(f"{W}instrText")]
    assert footer == ["PAGE"]


def test_word_fills_the_contents_when_the_document_opens(tmp_path):
    document = docx.Document(_report(tmp_path))
    update = document.settings.element.find(f"{W}updateFields")
    assert update is not None and update.get(f"{W}val") == "true"
    assert any(i.startswith("TOC ") for i in _instructions(document))


def test_numbers_are_word_fields_and_the_text_refers_to_them(tmp_path):
    document = docx.Document(_report(tmp_path))
    instructions = _instructions(document)
    assert "SEQ Hoofdstuk \\* ARABIC" in instructions           # chapter 1, then 2
    assert "SEQ Tabel \\* ARABIC \\s 1 \\r 1" in instructions   # first table of its chapter
    assert "SEQ Figuur \\* ARABIC \\s 1 \\r 2" in instructions  # figure 2.2 after table 2.1
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["Tabel 2.1 Rapportcijfer", "Figuur 2.2 Cijfer"]  # the fields' results
    bookmarks = {b.get(f"{W}name") for b in document.element.body.iter(f"{W}bookmarkStart")}
    assert {"_Ref_table_2_1", "_Ref_figure_2_2"} <= bookmarks
    assert "REF _Ref_table_2_1 \\h" in instructions
    assert "REF _Ref_figure_2_2 \\h" in instructions
    assert not any("9_9" in i for i in instructions)  # no table 9.9: plain text
    sentence = next(p.text for p in document.paragraphs if p.text.startswith("Tabel 2.1 en"))
    assert sentence == "Tabel 2.1 en figuur 2.2 tonen het cijfer; tabel 9.9 bestaat niet."


def test_number_cells_are_right_aligned_and_the_marker_set_apart(tmp_path):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = docx.Document(_report(tmp_path)).tables[0]
    aligned = [[cell.paragraphs[0].alignment for cell in row.cells] for row in table.rows]
    right = WD_ALIGN_PARAGRAPH.RIGHT
    assert aligned == [[None, right, right], [None, right, right], [None, right, right]]
    marker = table.cell(1, 2).paragraphs[0].runs[0]
    assert marker.text == "x" and marker.italic
    header = table.rows[0]._tr.find(f"{W}trPr")
    assert header is not None and header.find(f"{W}tblHeader") is not None


def test_every_picture_has_alt_text_and_the_document_its_language(tmp_path):
    document = docx.Document(_report(tmp_path))
    pictures = list(document.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"))
    assert [p.get("descr") for p in pictures] == [
        "Stippen van het rapportcijfer per regio.",
        "Figuur 2.2, deel 2 van 2: vervolg van de grafiek, beschreven bij deel 1."]
    languages = [e.get(f"{W}val") for e in document.styles["Normal"].element.iter(f"{W}lang")]
    assert languages == ["nl-NL"]
    assert document.core_properties.language == "nl-NL"


def _office_missing() -> str | None:
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed (apt-get install libreoffice-writer)"
    probe = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True,
                           check=False) if Path("/usr/bin/python3").exists() else None
    if probe is None or probe.returncode != 0:
        return "LibreOffice's Python bridge (python3-uno) is not installed"
    if shutil.which("pdftotext") is None:
        return "pdftotext (poppler-utils) is not installed"
    return None


def test_libreoffice_prints_the_contents_with_page_numbers_and_a_footer(tmp_path):
    reason = _office_missing()
    if reason:
        pytest.skip(reason)
    pdf = tmp_path / "r.pdf"
    subprocess.run(["/usr/bin/python3", str(OFFICE_SCRIPT), str(_report(tmp_path)), str(pdf)],
                   check=True, timeout=300)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    contents = next(p for p in pages if "Inhoud" in p)
    # each chapter and section with the page it starts on (the contents are page 2)
    assert re.search(r"1 Inleiding\s*\.*\s*3\s*$", contents, re.M), contents
    assert re.search(r"2\.1 Cijfer\s*\.*\s*4\s*$", contents, re.M), contents
    assert re.search(r"^\s*Rapportage Den Haag", pages[2], re.M)  # running title
    assert re.search(r"^\s*3\s*$", pages[2], re.M)                  # page number
    assert "Tabel 2.1 Rapportcijfer" in text
