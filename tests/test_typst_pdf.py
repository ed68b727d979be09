"""The Typst PDF engine: the report's nodes are typeset directly (no HTML is read back), their
text reaches the PDF as text (never as Typst markup), the contents give the pages the chapters
start on, tables keep their header on a new page and use Typst's own column layout, and the same
nodes give the same bytes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from mss_eval.render.export import with_contents
from mss_eval.render.typst_pdf import _Writer, nodes_to_pdf
from mss_eval.report.document import (AuthorText, Heading, Note, Paragraph, ReportTable,
                                      TitlePage, strong)

pypdf = pytest.importorskip("pypdf")

TITLE_PAGE = TitlePage(title="Rapportage Den Haag", study_name="Cliëntenmonitor",
                       subtitle="Ronde 1", facts=[("Periode", "voorjaar 2010")],
                       date="1 maart 2010", notices=["Voorbeeldgegevens."])


def _document(body: list, toc: bool = True) -> list:
    return with_contents([TITLE_PAGE, *body]) if toc else body


def _chapter(i: int, title: str = "Inleiding") -> Heading:
    return Heading(title, level=1, number=str(i), anchor=f"h-{i}")


def _pages(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _table(rows: list[list[str]], header: list[str], numeric=(), **kwargs) -> ReportTable:
    return ReportTable(cells=pd.DataFrame(rows, columns=header, dtype=object),
                       numeric_columns=frozenset(numeric), **kwargs)


def test_text_that_looks_like_typst_markup_is_printed_as_it_is(tmp_path):
    tricky = ['#let x = 1', '*geen vet*', '$a + b$', 'C:\\map\\bestand', '"aanhalingstekens"',
              '<label>', '@ref', '[haken]', '_onderstreept_', '= geen kop', '// geen commentaar']
    body = [_chapter(1), *[Paragraph.of(t) for t in tricky],
            Paragraph.of(strong("Vet"), " en schuin & 7,5%.")]
    target = tmp_path / "r.pdf"
    nodes_to_pdf(_document(body), target)
    text = "\n".join(_pages(target))
    for t in tricky:
        assert t in text
    assert "Vet en schuin & 7,5%." in text


def test_the_contents_give_the_page_each_chapter_starts_on(tmp_path):
    lorem = Paragraph.of("Een zin over het maatschappelijk steunsysteem. " * 60)
    body = []
    for i in range(1, 4):
        body += [_chapter(i, f"Hoofdstuk {i}"), lorem, lorem, lorem,
                 Heading("Paragraaf", level=2, number=f"{i}.1", anchor=f"h-{i}-1"), lorem]
    target = tmp_path / "r.pdf"
    nodes_to_pdf(_document(body), target)
    pages = _pages(target)
    assert "Rapportage Den Haag" in pages[0] and "Inhoud" in pages[1]
    # the title page has no running title or page number; later pages do
    assert not re.search(r"^\s*1\s*$", pages[0], re.M)
    starts = {}
    for number, text in enumerate(pages, start=1):
        for i in range(1, 4):
            if re.search(rf"^{i} Hoofdstuk {i}\s*$", text, re.M) and number > 2:
                starts.setdefault(i, number)
    assert sorted(starts) == [1, 2, 3]
    assert len(set(starts.values())) == 3  # each chapter on its own page
    contents = pages[1]
    for i, page in starts.items():
        assert re.search(rf"{i} Hoofdstuk {i}[ .\u2060]*{page}\b", contents), (i, page, contents)
    assert re.search(r"^\s*Rapportage Den Haag", pages[starts[2] - 1], re.M)  # running title


def test_a_long_table_repeats_its_header_and_keeps_every_row(tmp_path):
    table = _table([[f"Regio {i:03d}", str(i)] for i in range(150)], ["Regio", "Aantal cliënten"],
                   numeric=["Aantal cliënten"], caption="Cliënten per regio", number="1.1",
                   notes=["Bron: test."])
    target = tmp_path / "t.pdf"
    nodes_to_pdf([table], target, title="Rapportage")
    pages = _pages(target)
    assert len(pages) >= 3
    assert all("Aantal cliënten" in p for p in pages)
    text = "\n".join(pages)
    assert all(f"Regio {i:03d}" in text for i in range(150))
    assert re.search(r"Tabel 1\.1\s+Cliënten per regio", pages[0]) and "Bron: test." in pages[-1]


def test_the_same_nodes_give_the_same_pdf(tmp_path):
    body = [_chapter(1), Paragraph.of("Tekst.")]
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    nodes_to_pdf(_document(body), a)
    nodes_to_pdf(_document(body), b)
    assert a.read_bytes() == b.read_bytes()
    assert b"CreationDate" not in a.read_bytes()


def test_numbers_take_their_width_and_text_the_rest_of_the_line(tmp_path):
    table = _table([["Den Haag", "7,5", "x"]], ["Regio", "Cijfer", "Aandeel"],
                   numeric=["Cijfer", "Aandeel"])
    code = _Writer(tmp_path).node(table)
    assert "columns: (1fr, auto, auto, )" in code
    assert code.count("align: right") == 2 + 2  # two numeric header and two body cells
    assert "#suppressed[" in code  # the marker, as in the HTML's suppressed class
    # many columns (regions side by side) share the line, the headers may hyphenate
    wide = _table([["Thema"] + ["4"] * 8], ["Thema"] + [f"Regio {i}" for i in range(8)],
                  numeric=[f"Regio {i}" for i in range(8)])
    code = _Writer(tmp_path).node(wide)
    assert "columns: (2fr, " + "1fr, " * 8 + ")" in code
    assert code.count("#text(hyphenate: true)") == 9  # the header cells only


def test_a_wide_table_prints_every_cell(tmp_path):
    heads = ["Terugkoppelingsbijeenkomst", "Samenwerkingspartnerinterview", "Cliëntinterview",
             "Vragenlijstafname", "Dagbestedingsregistratie", "Netwerktafels", "Werktafels"]
    table = _table([["Regio Noordwaard"] + ["4"] * 7], ["Regio", *heads], numeric=heads,
                   caption="Breed")
    target = tmp_path / "w.pdf"
    nodes_to_pdf([table], target, title="Rapportage")
    text = re.sub(r"[-\u2010\u00ad\s]", "", _pages(target)[0])
    for word in ("RegioNoordwaard", *heads):
        assert word in text


def test_an_authors_markdown_is_typeset_from_its_syntax_tree(tmp_path):
    text = AuthorText("# Samenvatting\n\nDe regio heeft **vijf** werktafels.\n\n- een\n- twee\n\n"
                      "| Regio | n |\n|---|--:|\n| Den Haag | 14 |\n", note="x = niet getoond")
    target = tmp_path / "a.pdf"
    nodes_to_pdf([text, Note("Bron: test.")], target, title="Rapportage")
    printed = "\n".join(_pages(target))
    for word in ("Samenvatting", "De regio heeft vijf werktafels.", "een", "twee", "Den Haag",
                 "14", "x = niet getoond", "Bron: test."):
        assert word in printed


def test_typst_runs_in_helper_processes_that_are_replaced_and_print_the_same(tmp_path,
                                                                            monkeypatch):
    from mss_eval.render import typst_pdf

    setter = typst_pdf._Typesetter()
    monkeypatch.setattr(typst_pdf, "_typesetter", setter)
    monkeypatch.setattr(typst_pdf, "COMPILES_PER_PROCESS", 2)
    document = _document([_chapter(1), Paragraph.of("Tekst.")])
    for i in range(5):
        nodes_to_pdf(document, tmp_path / f"{i}.pdf")
    assert len(setter.helpers) == 3  # two documents each, in one pool
    assert setter.pools_started == 1 and setter.helpers_work
    # a large document retires its helper right after it: the next one starts a new helper
    monkeypatch.setattr(typst_pdf, "LARGE_SOURCE", 1)
    nodes_to_pdf(document, tmp_path / "large.pdf")   # the third helper's second document
    nodes_to_pdf(document, tmp_path / "next.pdf")
    assert len(setter.helpers) == 4 and setter.pools_started == 2
    assert setter._executor is None
    # without helpers (a daemonic worker) the same bytes are printed in this process
    setter.helpers_work = False
    nodes_to_pdf(document, tmp_path / "here.pdf")
    assert len(setter.helpers) == 4
    assert len({(tmp_path / f).read_bytes() for f in
                ("0.pdf", "4.pdf", "large.pdf", "next.pdf", "here.pdf")}) == 1


def _print_one(folder: str) -> int:
    """Run in a pool worker: print a PDF (which starts a Typst helper process)."""
    from pathlib import Path

    from mss_eval.render.typst_pdf import _typesetter

    target = Path(folder) / "worker.pdf"
    nodes_to_pdf([Paragraph.of("Tekst.")], target, title="Rapportage")
    return len(_typesetter.helpers)


def test_a_pool_worker_with_a_typst_helper_still_ends(tmp_path):
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # the render's own pool: spawned workers, shut down when the render is done
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    assert pool.submit(_print_one, str(tmp_path)).result(timeout=120) == 1
    assert (tmp_path / "worker.pdf").read_bytes().startswith(b"%PDF")
    closing = threading.Thread(target=pool.shutdown, kwargs={"wait": True}, daemon=True)
    closing.start()
    closing.join(timeout=60)
    assert not closing.is_alive(), "the worker waited forever for its Typst helper"


def test_the_title_pages_date_is_for_the_html_only(tmp_path):
    target = tmp_path / "r.pdf"
    nodes_to_pdf(_document([_chapter(1), Paragraph.of("Zichtbaar.")]), target)
    text = "\n".join(_pages(target))
    assert "Zichtbaar." in text and "voorjaar 2010" in text
    # the HTML keeps the date hidden for its print stylesheet; the PDF shows it among the facts
    assert "1 maart 2010" not in text


# -- PDF/UA-1 ---------------------------------------------------------------------------------
def _structure(path) -> list[str]:
    """The structure types of the PDF's tag tree, in reading order (``/H1``, ``/P``, ...)."""
    root = pypdf.PdfReader(path).trailer["/Root"]
    found: list[str] = []

    def walk(element) -> None:
        element = element.get_object() if hasattr(element, "get_object") else element
        if isinstance(element, pypdf.generic.DictionaryObject) and "/S" in element:
            found.append(str(element["/S"]))
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
                if kid is not None:
                    walk(kid)

    walk(root["/StructTreeRoot"])
    kids = root["/StructTreeRoot"]["/K"]
    for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
        walk(kid)
    return found


def test_a_report_is_pdf_ua_1_with_its_title_as_the_first_heading(tmp_path):
    page = pytest.importorskip("page", reason="page-validation (the PDF/UA checker) is missing")
    body = [_chapter(1), Paragraph.of("Tekst."),
            Heading("Respons", level=2, number="1.1", anchor="h-1-1"),
            # a region's profile straight under a chapter, and a heading of an author that
            # jumps two levels: both come one level below the heading before them
            _chapter(2), Heading("Den Haag", level=2, role="region-profile"),
            AuthorText("### Diep\n\nTekst van de auteur.")]
    target = tmp_path / "r.pdf"
    nodes_to_pdf(_document(body), target)
    report = page.validate_pdf(target, profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]
    headings = [s for s in _structure(target) if re.fullmatch(r"/H\d", s)]
    # the title, the contents, chapter 1 and its section, chapter 2, the region, the author's
    assert headings == ["/H1", "/H2", "/H2", "/H3", "/H2", "/H3", "/H4"]
    catalog = pypdf.PdfReader(target).trailer["/Root"]
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert catalog["/Lang"] == "nl"


def test_poppler_reads_the_pdf_without_a_syntax_error(tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    target = tmp_path / "r.pdf"
    nodes_to_pdf(_document([_chapter(1), Paragraph.of("Tekst.")]), target)
    done = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    assert done.stderr == ""
    assert re.search(r"^Tagged:\s+yes", done.stdout, re.M)


def test_a_figure_without_alt_text_is_refused(tmp_path):
    from mss_eval.render.typst_pdf import TypstPrintError
    from mss_eval.report.document import ReportFigure

    figure = ReportFigure(alt="", caption="Zonder beschrijving", number="1.1",
                          _pngs=[_png()])
    with pytest.raises(TypstPrintError, match="alt"):
        nodes_to_pdf(_document([_chapter(1), figure]), tmp_path / "r.pdf")


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()
