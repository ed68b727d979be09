"""Text from deliveries and author files is data in every writer (issue 29).

An attacker who controls one region's delivery or one author text must not get a spreadsheet
to run a formula (open data), a report to load or point to anything off the page or on the
machine (HTML, WeasyPrint, Typst, Word), or an outside file into a published report. Each attack
is refused with the sentence a user sees, or rendered inert; what held already (Typst markup,
Word field codes, Jinja tags printed as text) is kept so.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from mss_eval.open_data import FORMULA_GUARD, _csv, export_study, neutralise
from mss_eval.report.document import AuthorText as AuthorTextNode
from mss_eval.report.document import TitlePage, bundle, from_json
from mss_eval.report.html import markdown_html, node_html
from mss_eval.report.text import (AuthorText, AuthorTextError, author_images, fill_placeholders,
                                  render_author_text)
from test_study_paths import EXAMPLE, REGION, ROUND, one_region_study

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://127.0.0.1:8765/o","INJORG")'
TEXT_FILE = f"texts/{ROUND}/{REGION}/mss.md"


def _png(width: int = 4, height: int = 3) -> bytes:
    """A small real PNG (matplotlib's writer)."""
    import matplotlib.image
    import numpy as np

    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, np.zeros((height, width, 3)), format="png")
    return buffer.getvalue()


@pytest.fixture
def texts(tmp_path) -> Path:
    """An empty study folder with ``texts/<round>/<region>/``; returns that text folder."""
    folder = tmp_path / "study" / "texts" / ROUND / REGION
    folder.mkdir(parents=True)
    return folder


def _author(texts: Path, markdown: str) -> AuthorText:
    path = texts / "mss.md"
    path.write_text(markdown, encoding="utf-8")
    return AuthorText(path=path, relative=TEXT_FILE, chapter="mss", text=markdown)


def _refused(texts: Path, markdown: str) -> list:
    with pytest.raises(AuthorTextError) as info:
        render_author_text(_author(texts, markdown), {}, language="nl")
    return info.value.problems


# -- open data: CSV cells --------------------------------------------------------------------
FIELDS = [{"name": "name", "type": "string"}, {"name": "value", "type": "number"},
          {"name": "n", "type": "integer"}]


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_text_cell_starting_like_a_formula_gets_a_leading_apostrophe(start):
    rows = _read(_csv([{"name": f"{start}cmd|' /C calc'!A0", "value": "1.5", "n": "3"}], FIELDS))

    assert rows[1][0] == f"{FORMULA_GUARD}{start}cmd|' /C calc'!A0"


def test_numbers_stay_numbers_even_when_negative():
    text = _csv([{"name": "Stichting Anker", "value": "-0.25", "n": "12"},
                 {"name": "x", "value": "x", "n": ""}], FIELDS)

    assert text.splitlines()[1] == '"Stichting Anker",-0.25,12'
    assert _read(text)[2] == ["x", "x", ""]
    assert neutralise("Stichting Anker") == "Stichting Anker"


def test_a_semicolon_in_a_text_cannot_start_a_new_cell():
    # a spreadsheet in a Dutch locale splits unquoted cells on ';'
    line = _csv([{"name": "Welzijn;=1+1", "value": "", "n": ""}], FIELDS).splitlines()[1]

    assert line.startswith('"Welzijn;=1+1"')


def test_a_number_field_holding_no_number_is_written_as_a_neutralised_text():
    assert _read(_csv([{"name": "a", "value": "-inf", "n": "=1"}], FIELDS))[1][1:] == \
        ["'-inf", "'=1"]


@pytest.fixture(scope="module")
def injected_package(tmp_path_factory) -> Path:
    """The open data of one region whose delivery names every partner with a formula and whose
    round label starts with '='."""
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    root = tmp_path_factory.mktemp("injected")
    study = one_region_study(root / "study")
    ties = study / "data" / ROUND / REGION / "partner_ties.csv"
    with open(ties, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["partner_organisation"] = HYPERLINK
    with open(ties, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    config = (study / "study.yaml").read_text(encoding="utf-8")
    config = re.sub(r"label: .*", "label: '=1+1 ronde'", config, count=1)
    (study / "study.yaml").write_text(config, encoding="utf-8")
    out = root / "package"
    result = export_study(study, out)
    assert result.valid, result.errors
    return out


def test_no_cell_of_the_open_data_starts_like_a_formula(injected_package):
    cells = 0
    for path in injected_package.glob("*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    cells += 1
                    if cell.startswith(FORMULA_STARTS):
                        float(cell)  # only a number may start with '-' (or '+')
    assert cells > 1000


def test_the_injected_names_are_kept_as_text_behind_the_guard(injected_package):
    with open(injected_package / "key_figures.csv", encoding="utf-8", newline="") as handle:
        central = [r for r in csv.DictReader(handle)
                   if r["figure"] == "executive.most_central_organisation"]
    with open(injected_package / "time_series.csv", encoding="utf-8", newline="") as handle:
        labels = {r["round_label"] for r in csv.DictReader(handle)}

    assert [r["value_text"] for r in central] == [FORMULA_GUARD + HYPERLINK]
    assert labels == {"'=1+1 ronde"}
    package = json.loads((injected_package / "datapackage.json").read_text(encoding="utf-8"))
    assert package["mss_eval"]["formula_guard"] == FORMULA_GUARD


# -- author Markdown: images and links -------------------------------------------------------
@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8765/pixel.png", "//127.0.0.1/pixel.png", "/etc/hostname",
    "file:///etc/hostname", "C:/Windows/win.ini", "data:image/png;base64,iVBORw0KGgo="])
def test_an_image_that_is_not_a_file_of_texts_is_refused_naming_file_and_line(texts, url):
    [problem] = _refused(texts, f"# Het MSS\n\nZie ![kaart]({url}) hier.\n")

    assert problem.code == "text_image_refused"
    assert (problem.file, problem.line) == (TEXT_FILE, 3)
    assert problem.describe() == (
        f"{TEXT_FILE}, regel 3: de afbeelding '{url}' kan niet in het rapport: het is een adres "
        "op internet of een pad buiten de studie, geen bestand in texts/; een afbeelding is een "
        "PNG-, JPEG- of GIF-bestand in de map texts/, genoemd vanaf de tekst "
        "(bijv. ![Kaart](kaart.png))")


def test_an_image_reached_through_dot_dot_is_refused(texts):
    data = texts.parents[2] / "data"
    data.mkdir()
    (data / "kaart.png").write_bytes(_png())

    [problem] = _refused(texts, "![kaart](../../../data/kaart.png)")

    assert "het bestand ligt buiten de map texts/ van de studie" in problem.message


def test_an_image_in_texts_that_links_outside_is_refused(texts, tmp_path):
    (tmp_path / "outside.png").write_bytes(_png())
    (texts / "kaart.png").symlink_to(tmp_path / "outside.png")

    [problem] = _refused(texts, "![kaart](kaart.png)")

    assert "buiten de map texts/" in problem.message


def test_a_file_that_is_no_image_is_refused_as_one(texts):
    (texts / "kaart.png").write_text("root:x:0:0\n", encoding="utf-8")

    [problem] = _refused(texts, "![kaart](kaart.png)")

    assert "het is geen PNG-, JPEG- of GIF-afbeelding" in problem.message


@pytest.mark.parametrize("url", ["//host/x", "/etc/hostname", "file:///etc/passwd",
                                 "javascript:alert(1)", "../../data/x.csv"])
def test_a_link_off_the_page_or_onto_the_machine_is_refused(texts, url):
    [problem] = _refused(texts, f"Regel een.\n[hier]({url})\n")

    assert problem.code == "text_link_refused"
    assert problem.line == 2
    assert f"de link '{url}' kan niet in het rapport" in problem.message


def test_web_mail_and_heading_links_are_kept(texts):
    node = render_author_text(_author(texts, "[gemeente](https://www.eindhoven.nl), "
                                              "[mail](mailto:mss@example.org), [hoofdstuk](#h-5)"),
                              {})
    html = node_html(node)

    for href in ("https://www.eindhoven.nl", "mailto:mss@example.org", "#h-5"):
        assert f'href="{href}"' in html


def test_raw_html_in_a_text_is_shown_as_text(texts):
    markdown = ("Pixel <img src='http://127.0.0.1:8765/pixel.png'> en "
                "<a href='//host/x'>weg</a>.\n\n<img src='/etc/hostname'>\n\n"
                "<script>alert(1)</script>\n")
    html = node_html(render_author_text(_author(texts, markdown), {}))

    assert "<img" not in html and "<a " not in html and "<script" not in html
    assert "&lt;img src='http://127.0.0.1:8765/pixel.png'&gt;" in html


def test_an_image_of_texts_is_embedded_in_every_writer(texts, tmp_path):
    from mss_eval.render.typst_pdf import nodes_to_pdf, to_typst
    from mss_eval.render.word import nodes_to_docx

    png = _png(40, 30)
    (texts / "kaart.png").write_bytes(png)
    node = render_author_text(_author(texts, "Onze regio: ![Kaart van de regio](kaart.png)"), {})
    assert node.images == {"kaart.png": png}
    [again] = from_json(bundle([node])[next(k for k in bundle([node]) if "mss-eval" in k)])

    html = node_html(again)
    assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in html
    assert 'alt="Kaart van de regio"' in html

    image_dir = tmp_path / "typst"
    image_dir.mkdir()
    source = to_typst([again], image_dir, title="Rapport")
    [written] = list(image_dir.iterdir())
    assert written.read_bytes() == png
    assert f'image("/{written.name}", alt: "Kaart van de regio")' in source
    nodes_to_pdf([again], tmp_path / "r.pdf", title="Rapport")

    nodes_to_docx([again], tmp_path / "r.docx")
    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
        document = z.read("word/document.xml").decode("utf-8")
    assert media == [png]
    assert 'descr="Kaart van de regio"' in document


def test_a_node_naming_an_image_it_does_not_carry_shows_its_alt_text():
    # a node read back from JSON holds only the images checked when it was made
    node = AuthorTextNode("![de kaart](/etc/hostname) en [weg](//host/x)")

    assert markdown_html(node.markdown, images=node.images) == "<p>de kaart en weg</p>\n"


def test_a_figure_that_is_a_text_cannot_add_markdown_to_a_text():
    organisation = "![x](http://127.0.0.1:8765/pixel.png) [klik](//host/x)\n# Kop <b>vet</b>"
    figures = {"region": {"executive": {"central": {"value": organisation, "unit": "text"}}}}

    filled, _ = fill_placeholders("Centraal: {{ region.executive.central }}.", figures)
    html = markdown_html(filled)

    assert "<img" not in html and "<a " not in html and "<h" not in html and "<b>" not in html
    assert "![x](http://127.0.0.1:8765/pixel.png) [klik](//host/x) # Kop &lt;b&gt;vet&lt;/b&gt;" \
        in html


def test_an_author_image_problem_fails_the_report_with_its_sentence(texts):
    author = _author(texts, "![pixel](http://127.0.0.1:8765/pixel.png)")

    with pytest.raises(AuthorTextError) as info:
        author_images(author, author.text, language="en")

    assert str(info.value).startswith(f"{TEXT_FILE}, line 1: the image "
                                      "'http://127.0.0.1:8765/pixel.png' cannot go into the report")


# -- WeasyPrint: nothing from outside the report's folder ------------------------------------
def test_weasyprint_fetches_nothing_outside_the_reports_folder(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("weasyprint")
    from mss_eval.render.export import _html_to_pdf_weasyprint

    report_folder, elsewhere = tmp_path / "report", tmp_path / "elsewhere"
    report_folder.mkdir()
    elsewhere.mkdir()
    (elsewhere / "private.txt").write_text("PRIVATE-LINE\n", encoding="utf-8")
    (elsewhere / "private.png").write_bytes(_png(20, 20))
    (report_folder / "own.png").write_bytes(_png(20, 20))
    shown = base64.b64encode(_png(20, 20)).decode()
    document = (
        '<html lang="nl"><head><title>t</title>'
        f'<link rel="attachment" href="file://{elsewhere}/private.txt">'
        f'<link rel="stylesheet" href="file://{elsewhere}/style.css"></head><body><h1>T</h1>'
        f'<img src="{elsewhere}/private.png" alt="a">'
        f'<img src="file://{elsewhere}/private.png" alt="b">'
        f'<img src="../elsewhere/private.png" alt="c">'
        '<img src="http://127.0.0.1:9/pixel.png" alt="d">'
        f'<a rel="attachment" href="{elsewhere}/private.txt">bijlage</a>'
        f'<img src="data:image/png;base64,{shown}" alt="e">'
        '<img src="own.png" alt="f"></body></html>')

    _html_to_pdf_weasyprint(document, report_folder / "r.pdf", report_folder)

    reader = pypdf.PdfReader(report_folder / "r.pdf")
    assert reader.attachments == {}
    assert len(reader.pages[0].images) == 2  # the data URI and the report folder's own file


# -- what held: Typst markup, Word field codes, Jinja tags are text --------------------------
TRICKY = ('Typst #read("/etc/passwd") en #eval("1 + 1") en #include "/etc/hostname"; '
          'Jinja {% include "/etc/passwd" %}; Word { INCLUDETEXT "/etc/passwd" } '
          '<w:fldSimple w:instr="INCLUDETEXT /etc/passwd"/>')


def test_typst_markup_in_a_text_is_printed_as_text(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    from mss_eval.render.typst_pdf import nodes_to_pdf

    nodes_to_pdf([AuthorTextNode(TRICKY)], tmp_path / "r.pdf", title="Rapport")

    printed = " ".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "r.pdf").pages)
    assert '#read("/etc/passwd")' in printed and '#eval("1 + 1")' in printed
    assert "root:" not in printed


def test_typst_reads_no_file_outside_its_root(tmp_path):
    from mss_eval.render.typst_pdf import TypstPrintError, compile_pdf

    (tmp_path / "elsewhere.txt").write_text("PRIVATE-LINE", encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()

    with pytest.raises(TypstPrintError):
        compile_pdf(b'#set document(title: "t")\n#set text(lang: "nl")\n'
                    b'#read("../elsewhere.txt")', str(root))


def test_a_word_document_gets_no_field_code_from_a_text(tmp_path):
    from mss_eval.render.word import nodes_to_docx

    nodes_to_docx([AuthorTextNode(TRICKY)], tmp_path / "r.docx")

    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        document = z.read("word/document.xml").decode("utf-8")
    instructions = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", document)
    assert all(i.split()[0] in ("TOC", "SEQ", "PAGE", "REF") for i in instructions)
    assert "<w:fldSimple" not in document
    assert "{ INCLUDETEXT &quot;/etc/passwd&quot; }" in document or \
        '{ INCLUDETEXT "/etc/passwd" }' in document


def test_jinja_tags_in_a_text_are_not_run_by_the_html_export():
    import nbformat

    from mss_eval.render.export import notebook_to_html

    title = TitlePage(title="Rapport", study_name="Studie", subtitle="", facts=[], date="")
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle([title])),
                    nbformat.v4.new_output("display_data",
                                           data=bundle([AuthorTextNode(TRICKY)]))]
    html = notebook_to_html(nbformat.v4.new_notebook(cells=[cell]), title="Rapport")

    assert '{% include "/etc/passwd" %}' in html
    assert "root:" not in html


def test_markdown_the_workbench_wrote_is_inserted_as_markdown():
    from mss_eval.report.text import Markdown

    filled, _ = fill_placeholders("{{ findings }}", {"findings": Markdown("- een\n- [twee](#h-5)")})

    assert markdown_html(filled) == ('<ul>\n<li>een</li>\n<li><a href="#h-5">twee</a></li>\n'
                                     "</ul>\n")


def test_a_changed_image_of_a_text_renders_its_report_again(tmp_path):
    from mss_eval.render.cache import ReportCache
    from mss_eval.render.plan import plan_reports
    from mss_eval.study import load_config

    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    study = one_region_study(tmp_path / "study")
    texts = study / "texts" / ROUND
    (texts / REGION).mkdir(parents=True)
    (texts / "logo.png").write_bytes(_png(4, 3))
    (texts / REGION / "mss.md").write_text("![Logo](../logo.png)\n", encoding="utf-8")
    planned = plan_reports(load_config(study), study, tmp_path / "out")
    job = next(j for j in planned if j.kind == "region")

    before = ReportCache(study, planned)
    (texts / "logo.png").write_bytes(_png(5, 3))
    after = ReportCache(study, planned)

    assert f"texts/{ROUND}/logo.png" in before.inputs(job)
    assert before.keys[job.key] != after.keys[job.key]
