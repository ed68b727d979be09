"""The Typst PDF engine: the report's text reaches the PDF as text (never as Typst markup), the
contents give the pages the chapters start on, tables keep their header on a new page, and the
same HTML gives the same bytes."""

from __future__ import annotations

import re

import pytest

from mss_eval.render import export
from mss_eval.render.typst_pdf import _column_count, _TreeBuilder, html_to_pdf_typst

pypdf = pytest.importorskip("pypdf")

TITLE_PAGE = ('<header class="title-page"><p class="study-name">Cliëntenmonitor</p>'
              '<h1>Rapportage Den Haag</h1><p class="report-subtitle">Ronde 1</p>'
              '<dl class="report-facts"><dt>Periode</dt><dd>voorjaar 2010</dd></dl>'
              '<p class="synthetic-notice">Voorbeeldgegevens.</p></header>')


def _document(body: str, toc: bool = True) -> str:
    html = export.add_table_of_contents(f"{TITLE_PAGE}{body}") if toc else body
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>t</title>'
            f'<style>{export.report_css()}</style></head><body><main class="report">{html}</main>'
            f"</body></html>")


def _pages(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_text_that_looks_like_typst_markup_is_printed_as_it_is(tmp_path):
    tricky = ['#let x = 1', '*geen vet*', '$a + b$', 'C:\\map\\bestand', '"aanhalingstekens"',
              '<label>', '@ref', '[haken]', '_onderstreept_', '= geen kop', '// geen commentaar']
    body = ('<h2 class="chapter" id="h-1">1 Inleiding</h2>'
            + "".join(f"<p>{t.replace('<', '&lt;').replace('>', '&gt;')}</p>" for t in tricky)
            + "<p><strong>Vet</strong> en <em>schuin</em> &amp; 7,5%.</p>")
    target = tmp_path / "r.pdf"
    html_to_pdf_typst(_document(body), target)
    text = "\n".join(_pages(target))
    for t in tricky:
        assert t in text
    assert "Vet en schuin & 7,5%." in text


def test_the_contents_give_the_page_each_chapter_starts_on(tmp_path):
    lorem = "<p>" + "Een zin over het maatschappelijk steunsysteem. " * 60 + "</p>"
    body = "".join(f'<h2 class="chapter" id="h-{i}">{i} Hoofdstuk {i}</h2>{lorem * 3}'
                   f'<h3 class="section" id="h-{i}-1">{i}.1 Paragraaf</h3>{lorem}'
                   for i in range(1, 4))
    target = tmp_path / "r.pdf"
    html_to_pdf_typst(_document(body), target)
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
    rows = "".join(f"<tr><th>Regio {i:03d}</th><td class=\"num\">{i}</td></tr>"
                   for i in range(150))
    table = ('<div class="mss-table"><table><caption><span class="caption-label">Tabel 1.1'
             '</span> Cliënten per regio</caption><thead><tr><th>Regio</th>'
             '<th class="num">Aantal cliënten</th></tr></thead>'
             f'<tbody>{rows}</tbody></table><p class="table-note">Bron: test.</p></div>')
    target = tmp_path / "t.pdf"
    html_to_pdf_typst(_document(table, toc=False), target)
    pages = _pages(target)
    assert len(pages) >= 3
    assert all("Aantal cliënten" in p for p in pages)
    text = "\n".join(pages)
    assert all(f"Regio {i:03d}" in text for i in range(150))
    assert re.search(r"Tabel 1\.1\s+Cliënten per regio", pages[0]) and "Bron: test." in pages[-1]


def test_the_same_html_gives_the_same_pdf(tmp_path):
    body = '<h2 class="chapter" id="h-1">1 Inleiding</h2><p>Tekst.</p>'
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    html_to_pdf_typst(_document(body), a)
    html_to_pdf_typst(_document(body), b)
    assert a.read_bytes() == b.read_bytes()
    assert b"CreationDate" not in a.read_bytes()


def _rows(html: str):
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root.find("table").elements("tr")


@pytest.mark.parametrize("html, columns", [
    ("<table><tr><td>a</td><td>b</td></tr></table>", 2),
    ('<table><tr><th colspan="3">kop</th></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>', 3),
    # a row header spanning two rows: the second row has one cell less
    ('<table><tr><th rowspan="2">r</th><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr>'
     "</table>", 3),
])
def test_columns_are_counted_with_spans(html, columns):
    assert _column_count(_rows(html)) == columns


def test_a_table_with_spanning_cells_prints_every_cell(tmp_path):
    table = ('<div class="mss-table short"><table><thead><tr><th rowspan="2">Regio</th>'
             '<th colspan="2" class="num">Ronde</th></tr><tr><th class="num">2010-1</th>'
             '<th class="num">2010-2</th></tr></thead><tbody><tr><th>Den Haag</th>'
             '<td class="num">7,5</td><td class="num suppressed">–</td></tr></tbody></table></div>')
    target = tmp_path / "s.pdf"
    html_to_pdf_typst(_document(table, toc=False), target)
    text = _pages(target)[0]
    for word in ("Regio", "Ronde", "2010-1", "2010-2", "Den Haag", "7,5", "–"):
        assert word in text


def test_typst_runs_in_helper_processes_that_are_replaced_and_print_the_same(tmp_path,
                                                                            monkeypatch):
    from mss_eval.render import typst_pdf

    setter = typst_pdf._Typesetter()
    monkeypatch.setattr(typst_pdf, "_typesetter", setter)
    monkeypatch.setattr(typst_pdf, "COMPILES_PER_PROCESS", 2)
    document = _document('<h2 class="chapter" id="h-1">1 Inleiding</h2><p>Tekst.</p>')
    for i in range(5):
        html_to_pdf_typst(document, tmp_path / f"{i}.pdf")
    assert setter.processes_started == 3  # two documents each
    assert setter.helpers_work
    # a large document retires its helper right after it: the next one starts a new helper
    monkeypatch.setattr(typst_pdf, "LARGE_SOURCE", 1)
    html_to_pdf_typst(document, tmp_path / "large.pdf")   # the third helper's second document
    html_to_pdf_typst(document, tmp_path / "next.pdf")
    assert setter.processes_started == 4 and setter._executor is None
    # without helpers (a daemonic worker) the same bytes are printed in this process
    setter.helpers_work = False
    html_to_pdf_typst(document, tmp_path / "here.pdf")
    assert setter.processes_started == 4
    assert len({(tmp_path / f).read_bytes() for f in
                ("0.pdf", "4.pdf", "large.pdf", "next.pdf", "here.pdf")}) == 1


def _print_one(folder: str) -> int:
    """Run in a pool worker: print a PDF (which starts a Typst helper process)."""
    from pathlib import Path

    from mss_eval.render.typst_pdf import _typesetter

    target = Path(folder) / "worker.pdf"
    html_to_pdf_typst(_document("<p>Tekst.</p>", toc=False), target)
    return _typesetter.processes_started


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


def test_columns_get_their_longest_word_and_long_headers_break_instead_of_overlapping():
    from mss_eval.render.typst_pdf import _column_widths

    short = _rows("<table><tr><th>Regio</th><th>n</th></tr>"
                  "<tr><td>Regio Noordwaard</td><td>40</td></tr></table>")
    widths, fits = _column_widths(short, 2, header_rows=1)
    assert fits and widths[0] > widths[1] >= len("40")
    assert widths[0] >= len("Noordwaard")
    heads = ["Terugkoppelingsbijeenkomst", "Samenwerkingspartnerinterview", "Cliëntinterview",
             "Vragenlijstafname", "Dagbestedingsregistratie"]
    wide = _rows("<table><tr><th>Regio</th>" + "".join(f"<th>{h}</th>" for h in heads)
                 + "</tr><tr><td>Regio Noordwaard</td>" + "<td>4</td>" * 5 + "</tr></table>")
    widths, fits = _column_widths(wide, 6, header_rows=1)
    assert not fits  # these header words cannot stand side by side on A4
    assert widths[0] >= len("Noordwaard")  # the body's words are never broken
    from mss_eval.render.typst_pdf import _Writer

    writer = _Writer(None, None)
    table = _TreeBuilder()
    table.feed("<table><thead><tr><th>Regio</th>" + "".join(f"<th>{h}</th>" for h in heads)
               + "</tr></thead><tbody><tr><td>Regio Noordwaard</td>" + "<td>4</td>" * 5
               + "</tr></tbody></table>")
    code = writer.table(table.root.find("table"))
    assert code.count("#text(hyphenate: true)") == 6  # the header cells only


def test_what_the_html_hides_is_not_printed(tmp_path):
    hidden = TITLE_PAGE.replace("</dl>", '</dl><p class="report-date" hidden>1 maart 2010</p>')
    body = ('<h2 class="chapter" id="h-1">1 Inleiding</h2><p>Zichtbaar.</p>'
            '<p hidden>Alleen voor de HTML-opmaak.</p>')
    document = _document(body).replace(TITLE_PAGE, hidden)
    assert "1 maart 2010" in document
    target = tmp_path / "r.pdf"
    html_to_pdf_typst(document, target)
    text = "\n".join(_pages(target))
    assert "Zichtbaar." in text
    assert "1 maart 2010" not in text and "Alleen voor de HTML-opmaak." not in text
