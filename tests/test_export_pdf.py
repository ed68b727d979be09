"""PDF export with either engine: the report's text and figures reach the PDF; WeasyPrint's
own font subsetting is left as it is (no monkeypatch)."""

import io
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from mss_eval.render import export  # noqa: E402
from mss_eval.report import figures as F  # noqa: E402
from mss_eval.report.document import Block, Heading, Paragraph, strong  # noqa: E402

pypdf = pytest.importorskip("pypdf")


def _document(body: str) -> str:
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><style>'
            f'{export.report_css()}</style></head><body><main class="report">{body}</main>'
            f"</body></html>")


def _write(nodes: list, target: Path, engine: str) -> None:
    """Both engines print the same nodes: Typst from the nodes, WeasyPrint from their HTML."""
    export.write_pdf(nodes, target, html=_document(Block(nodes).html), engine=engine,
                     title="Rapportage")


@pytest.mark.parametrize("engine", export.PDF_ENGINES)
def test_the_pdf_holds_the_report_text_and_its_figure(tmp_path, engine):
    frame = pd.DataFrame({"region": ["Den Haag", "Delft"], "mean": [7.5, 8.1],
                          "ci_low": [7.0, 7.6], "ci_high": [8.0, 8.6], "n": [10, 12],
                          "suppressed": False})
    figure = F.dot_plot_figure(frame, title="Rapportcijfer per regio")
    figure.number = "1.1"
    body = [Heading("Inleiding", level=1, number="1", anchor="h1"),
            Paragraph.of("Cliënten gaven het MSS een 7,5."), figure,
            Paragraph.of(strong("Tot slot"), " een vetgedrukte zin.")]
    target = tmp_path / "rapport.pdf"
    _write(body, target, engine)
    reader = pypdf.PdfReader(target)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Cliënten gaven het MSS een 7,5." in text
    assert "Tot slot" in text and "Figuur 1.1" in text
    assert sum(page.get_contents().get_data().count(b" Do") for page in reader.pages) == 1
    images = [image for page in reader.pages for image in page.images]
    assert images[0].image.size[0] == 1008  # 7 inch at 144 dpi


@pytest.mark.parametrize("engine", export.PDF_ENGINES)
def test_a_long_chart_prints_one_panel_per_page(tmp_path, engine):
    k = 80
    frame = pd.DataFrame({"region": [f"Regio {i:03d}" for i in range(k)], "mean": 7.0,
                          "ci_low": 6.5, "ci_high": 7.5, "n": 40, "suppressed": False})
    figure = F.dot_plot_figure(frame, title="Rapportcijfer per regio")
    target = tmp_path / "lang.pdf"
    _write([figure], target, engine)
    reader = pypdf.PdfReader(target)
    # images drawn on each page (WeasyPrint lists every image in each page's resources)
    per_page = [page.get_contents().get_data().count(b" Do") for page in reader.pages]
    assert 1 + len(figure.more_png) == 3
    assert per_page == [1, 1, 1]  # a panel per page, none cut off at a page end


def test_weasyprint_keeps_its_own_font_subsetting(tmp_path):
    """No monkeypatch: printing a PDF with WeasyPrint leaves its fontTools subsetter alone."""
    from fontTools import subset
    from weasyprint.pdf import fonts as wp_fonts

    html = "<html lang='nl'><head><title>t</title></head><body><p>Tekst ë</p></body></html>"
    export._html_to_pdf_weasyprint(html, tmp_path / "t.pdf")
    assert wp_fonts.subset is subset
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")
