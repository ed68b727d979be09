"""The report document model: typed nodes that show themselves in a notebook, travel to the
renderer as JSON next to their HTML, and are written to Word from the same content."""

from __future__ import annotations

import json

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from mss_eval.report import figures as F  # noqa: E402
from mss_eval.report.document import (MIMETYPE, AuthorText, Block, Heading, Note,  # noqa: E402
                                      Paragraph, Quote, ReportTable, TitlePage, code, from_json,
                                      node_text, strong)
from mss_eval.report.tables import Col, report_table  # noqa: E402


def _table() -> ReportTable:
    frame = pd.DataFrame({"region": ["den_haag", "de_bilt"], "n": [14, 3], "mean": [8.04, 2.5],
                          "suppressed": [False, True]})
    return report_table(frame, [Col("region", "Regio", labels={"den_haag": "Den Haag",
                                                               "de_bilt": "De Bilt"}),
                                Col("n", "n", base=True), Col("mean", "Gemiddelde")],
                        caption="Rapportcijfer", number="5.1", language="nl")


def _figure():
    frame = pd.DataFrame({"region": ["a", "b"], "mean": [7.5, 8.1], "ci_low": [7.0, 7.6],
                          "ci_high": [8.0, 8.6], "n": [10, 12], "suppressed": False})
    figure = F.dot_plot_figure(frame, title="Rapportcijfer", caption="Bron: test.")
    figure.number = "5.1"
    return figure


def test_a_table_keeps_its_frame_and_columns_and_shows_the_numbers_formatted():
    table = _table()
    assert table.frame["mean"].tolist() == [8.04, 2.5]       # the frame keeps the numbers
    assert [c.label for c in table.columns] == ["Regio", "n", "Gemiddelde"]
    assert table.rows == [["Den Haag", "14", "8,0"], ["De Bilt", "3", "x"]]
    assert table.suppressed_cells == [(1, 2)]
    assert table.columns[2].to_json() == {"name": "mean", "label": "Gemiddelde"}


def test_the_json_of_a_table_holds_what_is_shown_never_the_suppressed_number():
    data = json.loads(json.dumps(_table()._repr_mimebundle_()[MIMETYPE]))
    node = data["nodes"][0]
    assert node["rows"][1] == ["De Bilt", "3", "x"] and "2.5" not in json.dumps(data)
    assert node["numeric"] == [1, 2] and node["suppressed"] == [[1, 2]]
    back, = from_json(data)
    assert back.rows == _table().rows and back.label == "Tabel 5.1" and back.frame is None
    assert back.html == _table().html  # the same HTML from the JSON as from the node


def test_a_figure_travels_as_png_with_its_alt_text_and_keeps_its_matplotlib_figure():
    figure = _figure()
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"text/html", MIMETYPE, "text/plain"}
    back, = from_json(json.loads(json.dumps(bundle[MIMETYPE])))
    assert back.pngs == figure.pngs and back.alt == figure.alt and back.figure is None
    assert back.caption == "Bron: test." and back.label == "Figuur 5.1"
    assert figure.figure.axes  # the node keeps the matplotlib figure to restyle


@pytest.mark.parametrize("node", [
    TitlePage(title="Rapportage Den Haag", study_name="Monitor", subtitle="Ronde 1",
              facts=[("Periode", "voorjaar")], date="1 maart 2010", notices=["Synthetisch."]),
    Heading("Persoonlijk niveau", level=1, number="5", anchor="h-5", lead="Wat cliënten merken"),
    Heading("Respons", level=2, number="1.2", anchor="h-1-2"),
    Heading("Den Haag", level=3, role="region-profile"),
    Paragraph.of(strong("Doel."), " Meedoen.", role="region-profile"),
    Paragraph.of("Gemaakt met ", code("mss-eval render"), role="provenance"),
    Note("x = niet getoond"),
    Quote("Ik voel me gehoord.", "cliëntinterview, Den Haag"),
    AuthorText("# Kop\n\nTekst met **vet**.", note="x = niet getoond", source="texts/a.md"),
])
def test_every_node_survives_its_json_and_shows_the_same_html(node):
    back, = from_json(json.loads(json.dumps(Block([node])._repr_mimebundle_()[MIMETYPE])))
    assert back == node
    assert back.html == node.html


def test_the_html_of_nodes_is_what_the_report_css_styles():
    assert Heading("Inleiding", level=1, number="1", anchor="h-1").html == \
        '<h2 class="chapter" id="h-1">1 Inleiding</h2>'
    assert Heading("Respons", level=2, number="1.2", anchor="h-1-2").html == \
        '<h3 class="section" id="h-1-2">1.2 Respons</h3>'
    assert Paragraph.of("A & B").html == '<p class="generated-text">A &amp; B</p>'
    assert Paragraph.of(strong("Doel."), " x", role="region-profile").html == \
        '<p class="region-profile"><strong>Doel.</strong> x</p>'


def test_a_block_lists_its_nodes_and_reaches_its_tables_and_figures():
    block = Block([Heading("Persoonlijk niveau", level=1, number="5", anchor="h-5"),
                   "Een zin.", _table(), _figure(), None, ""])
    assert len(block) == 4 and isinstance(block[1], Paragraph)
    assert block.tables[0].frame is not None and block.figures[0].figure is not None
    text = repr(block)
    assert "heading 1: 5 Persoonlijk niveau" in text and "table 5.1: Rapportcijfer" in text
    with pytest.raises(TypeError):
        block.add(pd.DataFrame())  # a raw frame never enters a report


def test_node_text_gives_every_text_a_reader_sees_and_no_image_bytes():
    data = Block([_table(), _figure(), Quote("Ik voel me gehoord.", "cliëntinterview")]) \
        ._repr_mimebundle_()[MIMETYPE]
    texts = [t for _, t in node_text(data)]
    assert "Tabel 5.1 Rapportcijfer" in texts and "De Bilt" in texts and "Ik voel me gehoord." in texts
    assert any(t.startswith("Stippendiagram") for t in texts)   # the alt text
    assert all(len(t) < 2000 for t in texts)                     # no base64 PNG


def test_the_word_writer_writes_styles_tables_figures_and_a_contents_field(tmp_path):
    import docx

    from mss_eval.render.export import with_contents, write_docx

    nodes = with_contents([
        TitlePage(title="Rapportage Den Haag", study_name="Monitor", subtitle="Ronde 1"),
        Heading("Persoonlijk niveau", level=1, number="5", anchor="h-5"),
        Paragraph.of("Een zin."), _table(), _figure()])
    target = tmp_path / "r.docx"
    write_docx(nodes, target)
    document = docx.Document(str(target))
    styles = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert ("Title", "Rapportage Den Haag") in styles and ("Heading 1", "5 Persoonlijk niveau") in styles
    assert ("Caption", "Tabel 5.1 Rapportcijfer") in styles
    table, = document.tables
    assert [c.text for c in table.rows[2].cells] == ["De Bilt", "3", "x"]
    assert table.rows[1].cells[2].paragraphs[0].alignment == 2  # numbers right-aligned
    xml = document.element.xml
    assert 'TOC \\o "1-2"' in xml and 'descr="Stippendiagram' in xml
