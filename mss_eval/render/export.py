"""From an executed report notebook to HTML, PDF and DOCX, inside the calling process.

Every report output in the notebook carries two representations of the same report nodes
(:mod:`mss_eval.report.document`): ``text/html`` and the nodes as JSON
(:data:`~mss_eval.report.document.MIMETYPE`). Each writer takes the one it needs; none parses
another's output.

* :func:`prepare_for_export` keeps only what belongs in a report: it drops the parameter cells,
  notebook-only notes, streams (warnings printed by libraries), bare ``text/plain`` reprs and any
  raw DataFrame HTML, and takes out the key figures the notebook published for ``figures.json``.
* :func:`report_nodes` reads the report's nodes back from the notebook's JSON outputs and puts the
  table of contents after the title page.
* :func:`notebook_to_html` runs nbconvert's ``HTMLExporter`` with our template (no code, no
  prompts, our CSS, figures already embedded as data URIs), with the contents as an output of
  the notebook after the title page.
* :func:`write_pdf` prints the nodes to PDF with Typst (default, :mod:`.typst_pdf`), or the HTML
  with WeasyPrint and the HTML's own stylesheet; :func:`write_docx` writes the nodes as Word
  (:mod:`.word`, python-docx).
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import math
import warnings
from pathlib import Path
from typing import Any

from .plan import DEFAULT_PDF_ENGINE, PDF_ENGINES

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "mss_report"

#: Output metadata that marks the key figures a report notebook publishes (see
#: :func:`mss_eval.report.notebook.Report.publish_key_figures`).
KEY_FIGURES_MARK = "key_figures"
#: Output metadata of the title page (carries the report's title for the HTML <title>).
TITLE_MARK = "title_page"
#: Cells with this tag are notes for a researcher in JupyterLab, not report content.
NOTEBOOK_ONLY_TAG = "notebook-only"
_DROP_TAGS = {"parameters", "injected-parameters", NOTEBOOK_ONLY_TAG}

# The PDF engines (PDF_ENGINES, from .plan): ``typst`` typesets a report in a few hundredths of a
# second with the style of ``report.typ``; ``weasyprint`` prints the HTML with ``report.css`` (a
# second or two per report; the PDF looks exactly like the HTML page).

_WORDS = {
    "nl": {"contents": "Inhoud", "figure": "Figuur", "skip": "Naar de inhoudsopgave"},
    "en": {"contents": "Contents", "figure": "Figure", "skip": "Skip to the contents"},
}
#: The id of the contents (``nav``) the HTML's skip link points to.
CONTENTS_ID = "inhoud"


def _mss_meta(output: dict) -> dict:
    meta = output.get("metadata") or {}
    value = meta.get("mss_eval")
    return value if isinstance(value, dict) else {}


def prepare_for_export(nb: Any) -> tuple[Any, dict | None, dict, list[str]]:
    """Split an executed notebook into report content, key figures and what was left out.

    Returns
    -------
    (notebook, key_figures, title, notes)
        A copy of the notebook with only report content; the key figures (or None when the
        notebook published none); the title-page metadata; and one line per output that was left
        out (stderr text, bare reprs), for the render log.
    """
    nb = copy.deepcopy(nb)
    figures: dict | None = None
    title: dict = {}
    notes: list[str] = []
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _DROP_TAGS:
            continue
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        kept = []
        for output in cell.get("outputs", []):
            mark = _mss_meta(output)
            where = f"cel {cell.get('execution_count')}"
            if mark.get("role") == KEY_FIGURES_MARK:
                figures = output.get("data", {}).get("application/json")
                continue
            if mark.get("role") == TITLE_MARK:
                title = dict(mark)
            if output.get("output_type") == "stream":
                text = "".join(output.get("text", "")).strip()
                if text:
                    notes.append(f"{where}: {output.get('name')}: {text.splitlines()[0][:200]}")
                continue
            if output.get("output_type") == "error":
                continue
            data = output.get("data", {})
            rich = [k for k in data if k != "text/plain"]
            if not rich:
                shown = str(data.get("text/plain", ""))[:80].replace("\n", " ")
                notes.append(f"{where}: uitvoer zonder rapportvorm weggelaten: {shown}")
                continue
            if "text/html" in data and 'class="dataframe"' in str(data["text/html"]):
                # a raw DataFrame never reaches a report (it may hold row-level data)
                notes.append(f"{where}: ruwe DataFrame-weergave weggelaten")
                continue
            kept.append(output)
        cell.outputs = kept
        cells.append(cell)
    nb.cells = cells
    return nb, figures, title, notes


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


@functools.cache
def report_css() -> str:
    return (TEMPLATES / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")


def report_nodes(nb: Any, language: str = "nl") -> tuple[list, list[str]]:
    """The report's nodes, in order, from a notebook prepared by :func:`prepare_for_export`,
    with the table of contents after the title page.

    Returns
    -------
    (nodes, notes)
        The nodes, and one line per output that has no report nodes (it is in the HTML, not in
        the PDF and Word files), for the render log.
    """
    from ..report.document import MIMETYPE, AuthorText, from_json

    nodes: list = []
    notes: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = "".join(cell.source) if isinstance(cell.source, list) else cell.source
            if text.strip():
                nodes.append(AuthorText(text))
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIMETYPE in data:
                value = data[MIMETYPE]
                nodes += from_json(json.loads(value) if isinstance(value, str) else value)
            elif any(k != "text/plain" for k in data):
                notes.append(f"cel {cell.get('execution_count')}: uitvoer zonder rapportknopen "
                             f"staat alleen in de HTML")
    return with_contents(nodes, language), notes


def contents_of(nodes: list, language: str = "nl") -> Any:
    """The table of contents of the nodes: their chapter and section headings."""
    from ..report.document import Contents, Heading

    words = _WORDS.get(language, _WORDS["nl"])
    entries = [n for n in nodes if isinstance(n, Heading) and n.level <= 2 and n.anchor]
    return Contents(words["contents"], entries)


def with_contents(nodes: list, language: str = "nl") -> list:
    """The nodes with the table of contents after the title page (at the start without one)."""
    from ..report.document import Contents, TitlePage

    nodes = [n for n in nodes if not isinstance(n, Contents)]
    contents = contents_of(nodes, language)
    if not contents.entries:
        return nodes
    at = next((i + 1 for i, n in enumerate(nodes) if isinstance(n, TitlePage)), 0)
    return nodes[:at] + [contents] + nodes[at:]


def _insert_contents(nb: Any, language: str, contents: Any = None) -> Any:
    """A copy of the notebook with the contents as an output right after the title page."""
    import nbformat

    from ..report.document import bundle

    if contents is None:
        nodes, _ = report_nodes(nb, language)
        contents = next((n for n in nodes if n.kind == "contents"), None)
    if contents is None or not contents.entries:
        return nb
    output = nbformat.v4.new_output("display_data", data=bundle([contents]))
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for i, existing in enumerate(cell.get("outputs", [])):
            if _mss_meta(existing).get("role") == TITLE_MARK:
                cell.outputs.insert(i + 1, output)
                return nb
    first = next((c for c in nb.cells if c.cell_type == "code"), None)
    if first is not None:
        first.outputs.insert(0, output)
    return nb


def notebook_to_html(nb: Any, *, title: str, language: str = "nl", contents: Any = None) -> str:
    """The report as one self-contained HTML file: no code, our CSS, contents after the title page.

    ``contents`` is the report's :class:`~mss_eval.report.document.Contents` when the caller has
    read its nodes already (:func:`report_nodes`)."""
    from .. import __version__

    words = _WORDS.get(language, _WORDS["nl"])
    resources = {"mss": {"title": title, "language": language, "css": report_css(),
                         "version": __version__, "figure_word": words["figure"],
                         "skip": words["skip"], "contents_id": CONTENTS_ID}}
    body, _ = _exporter().from_notebook_node(_insert_contents(nb, language, contents),
                                             resources=resources)
    return body


def write_pdf(nodes: list, target: Path, *, html: str | None = None,
              base_url: Path | None = None, engine: str = DEFAULT_PDF_ENGINE,
              language: str = "nl", title: str | None = None) -> None:
    """Print the report to a PDF (A4, contents with page numbers, running title).

    ``engine`` is ``"typst"`` (the nodes, see :mod:`mss_eval.render.typst_pdf`) or
    ``"weasyprint"`` (prints ``html``, the report's HTML, with its own stylesheet).
    """
    if engine == "typst":
        from .typst_pdf import nodes_to_pdf

        nodes_to_pdf(nodes, target, language=language, title=title)
        return
    if engine != "weasyprint":
        raise ValueError(f"unknown PDF engine {engine!r}; choose one of {', '.join(PDF_ENGINES)}")
    if html is None:
        raise ValueError("WeasyPrint prints the report's HTML; pass html=")
    _html_to_pdf_weasyprint(html, target, base_url)


#: WeasyPrint's PDF/UA variant: tagged, with the title shown and the page language; see
#: docs/accessibility.md for what it does not meet.
WEASYPRINT_PDF_VARIANT = "pdf/ua-1"


def _html_to_pdf_weasyprint(document: str, target: Path, base_url: Path | None = None) -> None:
    """Print the report HTML to a PDF with WeasyPrint and the HTML's own stylesheet.

    WeasyPrint embeds only the glyphs a report uses; without the HarfBuzz subsetting library
    (``libharfbuzz-subset0``) it subsets fonts with fontTools, about a third of a second slower
    per report. Typst, the default engine, is not affected.
    """
    # WeasyPrint reports CSS it skips on its logger; those are our stylesheet's business, not
    # the researcher's, and would otherwise end up in the render output
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        # WeasyPrint 70 announces a future system-library requirement on every PDF
        warnings.filterwarnings("ignore", message=r"HarfBuzz-Subset will be required",
                                category=DeprecationWarning, module=r"weasyprint(\.|$)")
        import weasyprint

        folder = Path(base_url or target.parent)
        weasyprint.HTML(string=document, base_url=str(folder),
                        url_fetcher=_report_folder_fetcher(folder)).write_pdf(
            target, pdf_variant=WEASYPRINT_PDF_VARIANT)


def _report_folder_fetcher(folder: Path):
    """A WeasyPrint URL fetcher that reads only ``data:`` URIs and files in the report's own
    ``folder``: no network, no other file of the machine. (The report's HTML embeds its figures
    and images as data URIs, so it needs nothing else; anything else is left out, as WeasyPrint
    leaves out any resource its fetcher refuses.)"""
    import os
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    root = os.path.realpath(folder)

    class ReportFolderFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "file":
                path = os.path.realpath(unquote(urlsplit(url).path))
                if os.path.commonpath([root, path]) != root:
                    raise ValueError(f"outside the report's folder: {url}")
            elif scheme != "data":
                raise ValueError(f"not fetched (only the report's folder): {url}")
            return super().fetch(url, headers)

    return ReportFolderFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def write_docx(nodes: list, target: Path, language: str = "nl") -> None:
    """Write the report's nodes as an editable Word document (see :mod:`.word`)."""
    from .word import nodes_to_docx

    nodes_to_docx(nodes, target, language=language)


def figures_json(figures: Any) -> str:
    """Key figures as stable JSON text: sorted keys, NaN as null, the same bytes for the same data."""
    return json.dumps(_clean(figures), sort_keys=True, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
