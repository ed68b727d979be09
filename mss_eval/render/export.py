"""From an executed report notebook to HTML, PDF and DOCX, inside the calling process.

* :func:`prepare_for_export` keeps only what belongs in a report: it drops the parameter cells,
  notebook-only notes, streams (warnings printed by libraries), bare ``text/plain`` reprs and any
  raw DataFrame HTML, and takes out the key figures the notebook published for ``figures.json``.
* :func:`notebook_to_html` runs nbconvert's ``HTMLExporter`` with our template (no code, no
  prompts, our CSS, figures already embedded as data URIs) and adds the table of contents.
* :func:`html_to_pdf` prints that HTML to PDF with Typst (default, :mod:`.typst_pdf`) or with
  WeasyPrint, which prints it with the HTML's own stylesheet; :func:`html_to_docx` converts it
  with the pandoc binary that pypandoc-binary ships, with a Word table of contents.
"""

from __future__ import annotations

import copy
import functools
import html as html_lib
import json
import logging
import math
import re
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
    "nl": {"contents": "Inhoud", "figure": "Figuur"},
    "en": {"contents": "Contents", "figure": "Figure"},
}


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


def notebook_to_html(nb: Any, *, title: str, language: str = "nl") -> str:
    """The report as one self-contained HTML file: no code, our CSS, contents after the title page."""
    from .. import __version__

    words = _WORDS.get(language, _WORDS["nl"])
    resources = {"mss": {"title": title, "language": language, "css": report_css(),
                         "version": __version__, "figure_word": words["figure"]}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return add_table_of_contents(body, language)


_HEADING = re.compile(
    r'<h(?P<level>[23])\s+class="(?P<cls>chapter|section)"\s+id="(?P<id>[^"]+)"\s*>(?P<text>.*?)</h(?P=level)>',
    re.S,
)


def add_table_of_contents(document: str, language: str = "nl") -> str:
    """Insert a table of contents (chapters and sections) after the title page.

    Headings are the numbered ``<h2 class="chapter">`` and ``<h3 class="section">`` the report
    functions write; in print each entry gets its page number (CSS ``target-counter``).
    """
    entries = []
    for m in _HEADING.finditer(document):
        text = re.sub(r"<[^>]+>", "", m.group("text")).strip()
        cls = "toc-chapter" if m.group("cls") == "chapter" else "toc-section"
        entries.append(f'<li class="{cls}"><a href="#{m.group("id")}">{text}</a></li>')
    if not entries:
        return document
    words = _WORDS.get(language, _WORDS["nl"])
    nav = (f'<nav class="toc" aria-label="{words["contents"]}"><h2>{words["contents"]}</h2>'
           f'<ol>{"".join(entries)}</ol></nav>')
    end_of_title = document.find("</header>")
    if end_of_title >= 0:
        at = end_of_title + len("</header>")
    else:
        at = document.find('<main class="report">')
        at = at + len('<main class="report">') if at >= 0 else 0
    return document[:at] + "\n" + nav + "\n" + document[at:]


def html_to_pdf(document: str, target: Path, base_url: Path | None = None, *,
                engine: str = DEFAULT_PDF_ENGINE, language: str = "nl") -> None:
    """Print the report HTML to a PDF (A4, contents with page numbers, running title).

    ``engine`` is ``"typst"`` (see :mod:`mss_eval.render.typst_pdf`) or ``"weasyprint"``.
    """
    if engine == "typst":
        from .typst_pdf import html_to_pdf_typst

        html_to_pdf_typst(document, target, language=language, base_url=base_url)
        return
    if engine != "weasyprint":
        raise ValueError(f"unknown PDF engine {engine!r}; choose one of {', '.join(PDF_ENGINES)}")
    _html_to_pdf_weasyprint(document, target, base_url)


def _html_to_pdf_weasyprint(document: str, target: Path, base_url: Path | None = None) -> None:
    """Print the report HTML to a PDF with WeasyPrint and the HTML's own stylesheet.

    WeasyPrint embeds only the glyphs a report uses. Without the HarfBuzz subsetting library it
    subsets fonts with fontTools, which first reads the fonts' large layout tables that it then
    drops; :func:`_lighter_font_subsetting` has them dropped before they are read (the embedded
    fonts are the same), which saves about a third of a second per report. Installing the system
    library ``libharfbuzz-subset0`` makes WeasyPrint use HarfBuzz and saves more.
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

        _lighter_font_subsetting()
        weasyprint.HTML(string=document, base_url=str(base_url or target.parent)).write_pdf(target)


@functools.cache
def _lighter_font_subsetting() -> bool:
    """Let WeasyPrint's fontTools subsetting skip reading the tables it drops anyway.

    fontTools (4.6x) decompiles a font's GSUB and GPOS tables before it removes the tables it was
    told to drop, and WeasyPrint drops exactly those; for DejaVu Sans that reading is most of the
    subsetting time. The subsetter given to WeasyPrint removes the same tables, by the same rules,
    before subsetting. Only WeasyPrint's reference to fontTools' subset module is replaced.

    Returns
    -------
    bool
        Whether the lighter subsetter is in place (False when WeasyPrint's internals differ
        from what this expects; PDFs are then made as before).
    """
    import types

    try:
        from fontTools import subset as ft_subset
        from weasyprint.pdf import fonts as wp_fonts
    except ImportError:  # pragma: no cover - both ship with the workbench
        return False
    if getattr(wp_fonts, "subset", None) is not ft_subset or \
            not hasattr(ft_subset.Subsetter, "_sort_tables"):
        return False

    class _DropFirstSubsetter(ft_subset.Subsetter):
        def subset(self, font):
            options = self.options
            # the first rule of fontTools' Subsetter._prune_pre_subset, applied before the
            # layout tables are read instead of after
            for tag in self._sort_tables(font):
                if (tag.strip() in options.drop_tables
                        or (tag.strip() in options.hinting_tables and not options.hinting)
                        or (tag == "kern" and not options.legacy_kern and "GPOS" in font)):
                    del font[tag]
            return super().subset(font)

    shim = types.SimpleNamespace(Options=ft_subset.Options, Subsetter=_DropFirstSubsetter)
    wp_fonts.subset = shim
    return True


def _for_docx(document: str) -> tuple[str, dict[str, str]]:
    """The HTML as pandoc should read it for Word: no HTML contents list, title as metadata."""
    meta: dict[str, str] = {}
    header = re.search(r'<header class="title-page"[^>]*>(.*?)</header>', document, re.S)
    if header:
        block = header.group(1)

        def grab(pattern: str) -> str | None:
            m = re.search(pattern, block, re.S)
            return html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else None

        meta["title"] = grab(r"<h1[^>]*>(.*?)</h1>") or ""
        subtitle = grab(r'<p class="report-subtitle"[^>]*>(.*?)</p>')
        if subtitle:
            meta["subtitle"] = subtitle
        date = grab(r'<p class="report-date"[^>]*>(.*?)</p>')
        if date:
            meta["date"] = date
        study = grab(r'<p class="study-name"[^>]*>(.*?)</p>')
        if study:
            meta["author"] = study
        # the facts list and notices stay in the document, after the Word title block
        rest = re.sub(r"<h1.*?</h1>|<p class=\"(report-subtitle|report-date|study-name)\".*?</p>",
                      "", block, flags=re.S)
        document = document.replace(header.group(0), f'<div class="title-facts">{rest}</div>')
    document = re.sub(r'<nav class="toc".*?</nav>', "", document, flags=re.S)
    document = re.sub(r"<style>.*?</style>", "", document, flags=re.S)
    return document, meta


def html_to_docx(document: str, target: Path, language: str = "nl") -> None:
    """Convert the report HTML to an editable Word document with pandoc (from pypandoc-binary)."""
    import pypandoc

    doc, meta = _for_docx(document)
    # chapters are <h2> in the HTML (the title is <h1>); in Word they become Heading 1
    args = ["--toc", "--toc-depth=2", "--shift-heading-level-by=-1", f"--metadata=lang={'nl-NL' if language == 'nl' else 'en-GB'}",
            f"--metadata=toc-title={_WORDS.get(language, _WORDS['nl'])['contents']}"]
    for key, value in meta.items():
        args.append(f"--metadata={key}={value}")
    pypandoc.convert_text(doc, "docx", format="html", outputfile=str(target), extra_args=args)


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
