"""Print a report to PDF with Typst (the ``typst`` package; no external program).

WeasyPrint lays a report out from its HTML and CSS in Python; for an 18-page region report that
takes one to two seconds, most of a render of many regions. Typst (the ``typst`` package, its
compiler as a Python extension) typesets the same report in a few hundredths of a second. This
module writes the report's nodes (:mod:`mss_eval.report.document`: title page, contents,
numbered chapters and sections, tables, figures, notes, quotes and the authors' texts) as Typst
markup for the style in ``templates/mss_report/report.typ``, which gives the PDF the look of
``report.css``: A4, running title, page numbers, chapters on a new page, contents with page
numbers, tables with rules whose header repeats on the next page, figures kept whole.

Tables use Typst's own layout: a column of numbers or short texts is as wide as its widest cell
(``auto``), longer texts share the rest of the line (``1fr`` each), so a table spans the text
block as in the HTML; a table with many columns shares the whole line in fractions, its headers
hyphenated. All text reaches Typst as string literals, so no character in a report can be read
as Typst markup. Figures (the nodes' PNG bytes) are written to a private temporary folder for
the compiler and removed after. The PDF carries no creation date: the same nodes give the same
bytes.

Typst remembers what it computed for every document for the life of its process, and typst-py
offers no way to clear that (typst-py issue #104): about 10 MB per region report, 400 MB per
interim report of 175 regions. The compiler therefore runs in a helper process of its own that is
replaced after :data:`COMPILES_PER_PROCESS` documents or after a large one, so a worker that
prints hundreds of reports keeps its memory. Where no helper process can be started (a daemonic
worker, e.g. on a Dask cluster) it runs in the calling process.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The report's Typst style (shared with nothing else; the HTML has ``report.css``).
STYLE_FILE = Path(__file__).resolve().parent / "templates" / "mss_report" / "report.typ"

#: Body fonts in order of preference; the first one installed is used (Typst itself ships
#: Libertinus Serif, so a PDF is always printed).
BODY_FONTS = ("Source Sans 3", "Source Sans Pro", "DejaVu Sans", "Liberation Sans", "Arial",
              "Libertinus Serif")
MONO_FONTS = ("DejaVu Sans Mono", "Liberation Mono")
#: Width of the text block on A4 with the report's margins, in cm.
TEXT_WIDTH_CM = 21.0 - 2.2 - 2.0


class TypstPrintError(RuntimeError):
    """Typst could not print a report (the message says what Typst objected to)."""


def _string(text: str) -> str:
    """A Typst string literal (text never becomes markup)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(text: str) -> str:
    """Text as inline Typst content (empty text gives nothing)."""
    return f"#{_string(text)}" if text else ""


def _plain(tokens: Sequence[dict]) -> str:
    """The text of inline Markdown tokens without their markup (an image's alt text)."""
    return "".join(t.get("raw", "") if t.get("type") == "text" else _plain(t.get("children") or [])
                   for t in tokens)


_ANCHOR = re.compile(r"[A-Za-z0-9_.:-]+")


class _Writer:
    """Writes report nodes as Typst markup; the figures' image files go to ``image_dir``."""

    def __init__(self, image_dir: Path):
        self.image_dir = image_dir
        self.images = 0
        #: the image files of the author's text being written (AuthorText.images)
        self.author_images: dict[str, bytes] = {}
        self.labels: set[str] = set()
        #: the Typst level of the last heading written (1: the title)
        self.last_level = 1

    def nodes(self, nodes: Sequence[Any]) -> str:
        return "".join(self.node(n) for n in nodes)

    def node(self, node: Any) -> str:
        method = getattr(self, f"_{node.kind}", None)
        if method is None:
            raise TypeError(f"no Typst for report node {node.kind!r}")
        return method(node)

    # -- inline ---------------------------------------------------------------------------------
    def spans(self, content: Sequence[Any]) -> str:
        out = []
        for span in content:
            if span.style == "strong":
                out.append(f"#strong[{_text(span.text)}]")
            elif span.style == "emph":
                out.append(f"#emph[{_text(span.text)}]")
            elif span.style == "code":
                out.append(f"#raw({_string(span.text)})")
            else:
                out.append(_text(span.text))
        return "".join(out)

    def caption(self, label: str, caption: str) -> str:
        if not (label or caption):
            return "none"
        head = f"#caption-label[{_text(label)}]" if label else ""
        rest = f" {caption}" if label and caption else caption
        return f"[{head}{_text(rest)}]"

    # -- blocks ---------------------------------------------------------------------------------
    def _title_page(self, node) -> str:
        parts = [f"#study-name[{_text(node.study_name)}]", f"#report-title[{_text(node.title)}]",
                 f"#report-subtitle[{_text(node.subtitle)}]"]
        if node.facts:
            parts.append("#facts(" + "".join(f"([{_text(k)}], [{_text(v)}]), "
                                             for k, v in node.facts) + ")")
        parts += [f"#notice[{_text(n)}]" for n in node.notices]
        return "#title-page[\n" + "\n".join(parts) + "\n]\n\n"

    def _contents(self, node) -> str:
        return f"#contents({_string(node.title)})\n\n"

    def heading_level(self, level: int) -> int:
        """The Typst level of a heading whose level in the report is ``level`` (1 a chapter):
        one deeper, since the title is the document's level 1, as in the HTML (chapters h2),
        and never more than one below the heading before it (PDF/UA-1 refuses a skipped level,
        and so does a screen reader's outline)."""
        typst_level = max(2, min(level + 1, self.last_level + 1, 6))
        self.last_level = typst_level
        return typst_level

    def _heading(self, node) -> str:
        text = _text(node.label)
        level = self.heading_level(node.level)
        label = ""
        if node.anchor and _ANCHOR.fullmatch(node.anchor) and node.level <= 2:
            self.labels.add(node.anchor)
            label = f"#label({_string(node.anchor)})"
        # the chapters and sections (numbered, with an anchor) are in the contents; a heading
        # below them, or an unnumbered one (a region's profile), is not
        outlined = node.level <= 2 and bool(node.anchor)
        out = (f"#heading(level: {level}{'' if outlined else ', outlined: false'})"
               f"[{text}]{label}\n\n")
        if node.lead:
            out += f"#lead[{_text(node.lead)}]\n\n"
        return out

    def _paragraph(self, node) -> str:
        text = self.spans(node.content)
        if not text:
            return ""
        if node.role == "chapter-lead":
            return f"#lead[{text}]\n\n"
        if node.role == "synthetic-notice":
            return f"#notice[{text}]\n\n"
        return text + "\n\n"

    def _note(self, node) -> str:
        return f"#note[{_text(node.text)}]\n\n" if node.text else ""

    def _quote(self, node) -> str:
        return (f"#quote-block[{_text(node.text)}\n\n#quote-source[{_text(node.source)}]\n\n]"
                "\n\n")

    def _page_break(self, node) -> str:
        return "#pagebreak(weak: true)\n\n"

    def _author_text(self, node) -> str:
        from ..report.html import markdown_tokens

        self.author_images = node.images
        out = self.markdown(markdown_tokens(node.markdown))
        self.author_images = {}
        if node.note:
            out += f"#note[{_text(node.note)}]\n\n"
        return out

    # -- tables ---------------------------------------------------------------------------------
    def _table(self, node) -> str:
        header = node.header
        rows = node.rows
        if not header:
            return ""
        numeric = [h in node.numeric_columns for h in header]
        wide = node.wide
        widths = "(" + "".join(f"{w}, " for w in _column_widths(node, numeric)) + ")"
        lines = ["table.hline(stroke: 1.2pt + ink)"]
        cells = ", ".join(self.cell(h, header=True, numeric=num,
                                    hyphenate=_shares_the_line(node))
                          for h, num in zip(header, numeric))
        lines.append(f"table.header({cells})")
        lines.append("table.hline(stroke: 1.2pt + ink)")
        for r, row in enumerate(rows):
            total = r in node.total_rows
            if total:
                lines.append("table.hline(stroke: 0.8pt + ink)")
            lines.append(", ".join(
                self.cell(v, header=False, numeric=num and i >= node.row_header, bold=total,
                          suppressed=(i >= node.row_header and v in _markers()))
                for i, (v, num) in enumerate(zip(row, numeric))))
            last = r == len(rows) - 1
            lines.append("table.hline(stroke: 1.2pt + ink)" if last
                         else "table.hline(stroke: 0.5pt + rule-colour)")
        table = (f"table(columns: {widths}, stroke: none, inset: (x: 0.45em, y: 0.32em), "
                 + ", ".join(lines) + ")")
        notes = "".join(f"[{_text(n)}], " for n in node.notes)
        return (f"#mss-table(short: {'true' if node.short else 'false'}, "
                f"wide: {'true' if wide else 'false'}, notes: ({notes}), "
                f"caption: {self.caption(node.label, node.caption)}, {table})\n\n")

    def cell(self, text: str, *, header: bool, numeric: bool, bold: bool = False,
             suppressed: bool = False, hyphenate: bool = False) -> str:
        args = []
        if header:
            args.append("align: " + ("right + bottom" if numeric else "left + bottom"))
        elif numeric:
            args.append("align: right")
        content = _text(text)
        if suppressed:
            content = f"#suppressed[{content}]"
        if header or bold:
            content = f"#strong[{content}]"
        if header and hyphenate:
            # many columns: a header may break its words where the language allows
            content = f"#text(hyphenate: true)[{content}]"
        return f"table.cell({', '.join(args)})[{content}]"

    # -- figures --------------------------------------------------------------------------------
    def _figure(self, node) -> str:
        width = min(round(node.width_cm, 1), TEXT_WIDTH_CM)
        images = []
        for i, png in enumerate(node.pngs):
            self.images += 1
            name = f"figure-{self.images}.png"
            (self.image_dir / name).write_bytes(png)
            image = f"image({_string('/' + name)}, width: {width:.2f}cm"
            if i == 0:
                images.append(f"box({image}, alt: {_string(node.alt)}))")
            else:
                # the alt text of the first panel describes the whole chart; the further panels
                # are artifacts for a screen reader, as their empty alt in the HTML
                images.append(f"box(pdf.artifact({image})))")
        notes = "".join(f"[{_text(n)}], " for n in node.notes)
        panels = len(images) > 1
        return (f"#mss-figure(images: ({''.join(i + ', ' for i in images)}), "
                f"caption: {self.caption(node.label, node.caption)}, notes: ({notes}), "
                f"panels: {'true' if panels else 'false'})\n\n")

    # -- an author's Markdown (mistune's syntax tree) -------------------------------------------
    def markdown(self, tokens: Sequence[dict], shift: int = 2) -> str:
        out = []
        for token in tokens:
            kind = token.get("type")
            children = token.get("children") or []
            if kind == "heading":
                # an author's "#" is a section of the chapter (as in the HTML: h3)
                level = self.heading_level(token["attrs"]["level"] + shift - 1)
                out.append(f"#heading(level: {level}, outlined: false)"
                           f"[{self.inline(children)}]\n\n")
            elif kind in ("paragraph", "block_text"):
                text = self.inline(children).strip()
                if text:
                    out.append(text + "\n\n")
            elif kind == "list":
                function = "enum" if token.get("attrs", {}).get("ordered") else "list"
                items = [f"[{self.markdown(item.get('children') or [], shift).strip()}]"
                         for item in children]
                if items:
                    out.append(f"#{function}({', '.join(items)},)\n\n")
            elif kind == "block_quote":
                out.append(f"#quote-block[{self.markdown(children, shift)}]\n\n")
            elif kind == "block_code":
                out.append(f"#block(width: 100%)[#raw(block: true, "
                           f"{_string(token.get('raw', ''))})]\n\n")
            elif kind == "thematic_break":
                out.append("#line(length: 100%, stroke: 0.5pt + rule-colour)\n\n")
            elif kind == "table":
                out.append(self.markdown_table(token))
            elif kind == "blank_line":
                continue
            elif children:
                out.append(self.markdown(children, shift))
            elif token.get("raw"):
                out.append(_text(token["raw"]) + "\n\n")
        return "".join(out)

    def inline(self, tokens: Sequence[dict]) -> str:
        out = []
        for token in tokens:
            kind = token.get("type")
            children = token.get("children") or []
            if kind == "text":
                out.append(_text(re.sub(r"\s+", " ", token.get("raw", ""))))
            elif kind == "strong":
                out.append(f"#strong[{self.inline(children)}]")
            elif kind == "emphasis":
                out.append(f"#emph[{self.inline(children)}]")
            elif kind == "strikethrough":
                out.append(f"#strike[{self.inline(children)}]")
            elif kind == "codespan":
                out.append(f"#raw({_string(token.get('raw', ''))})")
            elif kind == "linebreak":
                out.append("#linebreak()")
            elif kind == "softbreak":
                out.append(_text(" "))
            elif kind == "link":
                url = str(token.get("attrs", {}).get("url", ""))
                inner = self.inline(children)
                out.append(f"#link({_string(url)})[{inner}]"
                           if re.match(r"^(https?|mailto):", url) else inner)
            elif kind == "image":
                out.append(self.author_image(token))
            elif children:
                out.append(self.inline(children))
            elif token.get("raw"):
                out.append(_text(token["raw"]))
        return "".join(out)

    def author_image(self, token: dict) -> str:
        """An image of an author's text: its file from ``texts/`` (what the text node carries)
        in the document's own folder, else its alt text; Typst never reads another file."""
        from ..report.html import image_type

        data = self.author_images.get(str(token.get("attrs", {}).get("url", "")))
        alt_markup = self.inline(token.get("children") or [])
        kind = image_type(data) if data else None
        if kind is None:
            return f"#emph[{alt_markup}]" if alt_markup else ""
        self.images += 1
        name = f"text-image-{self.images}.{kind.split('/')[1]}"
        (self.image_dir / name).write_bytes(data)
        alt = _plain(token.get("children") or [])
        image = f"image({_string('/' + name)}"
        box = (f"box({image}, alt: {_string(alt)}))" if alt
               else f"box(pdf.artifact({image})))")
        return f"#block(breakable: false)[#{box}]"

    def markdown_table(self, token: dict) -> str:
        head = next((c for c in token.get("children", []) if c["type"] == "table_head"), None)
        body = next((c for c in token.get("children", []) if c["type"] == "table_body"), None)
        head_cells = head.get("children", []) if head else []
        columns = len(head_cells)
        if not columns:
            return ""
        lines = ["table.hline(stroke: 1.2pt + ink)"]
        lines.append("table.header(" + ", ".join(
            f"table.cell(align: left + bottom)[#strong[{self.inline(c.get('children', []))}]]"
            for c in head_cells) + ")")
        lines.append("table.hline(stroke: 1.2pt + ink)")
        for row in (body.get("children", []) if body else []):
            cells = []
            for c in row.get("children", []):
                align = (c.get("attrs") or {}).get("align")
                arg = f"align: {align}" if align in ("left", "right", "center") else ""
                cells.append(f"table.cell({arg})[{self.inline(c.get('children', []))}]")
            lines.append(", ".join(cells))
            lines.append("table.hline(stroke: 0.5pt + rule-colour)")
        widths = "(" + "1fr, " * columns + ")"
        return (f"#mss-table(table(columns: {widths}, stroke: none, "
                f"inset: (x: 0.45em, y: 0.32em), " + ", ".join(lines) + "))\n\n")


#: A column of text whose every cell is at most this long ("7 / 15", "ja") is sized like a
#: column of numbers.
SHORT_TEXT = 16
#: A table with more columns than this shares the whole line in fractions (see below).
AUTO_COLUMNS_UP_TO = 4


def _shares_the_line(node: Any) -> bool:
    """Many columns: every column gets a share of the line and the headers may hyphenate."""
    return node.wide or len(node.header) > AUTO_COLUMNS_UP_TO


def _column_widths(node: Any, numeric: list[bool]) -> list[str]:
    """Typst track sizes of a table's columns, left to Typst's own layout.

    Up to :data:`AUTO_COLUMNS_UP_TO` columns, numbers and short texts are as wide as their
    widest cell (``auto``) and longer texts share the rest of the line (``1fr`` each), so the
    table spans the text block as in the HTML. With more columns, Typst's auto columns would
    each take their header's full width and leave the row labels none (typst's grid gives
    fractional columns only what auto columns leave): every column then gets a share of the
    line, texts twice that of a number, and the headers hyphenate.
    """
    rows = node.rows
    short = [all(len(row[i]) <= SHORT_TEXT for row in rows if i < len(row))
             for i in range(len(numeric))]
    if _shares_the_line(node):
        return ["1fr" if num or (brief and i >= node.row_header) else "2fr"
                for i, (num, brief) in enumerate(zip(numeric, short))]
    widths = ["auto" if num or brief else "1fr" for num, brief in zip(numeric, short)]
    if "1fr" not in widths and widths:
        widths[0] = "1fr"  # the row labels take what the numbers leave: a full-width table
    return widths


@functools.cache
def _markers() -> tuple[str, str]:
    """The markers a cell shows instead of a number (too few respondents; nobody)."""
    from ..report.style import NO_DATA_MARKER, SUPPRESSED_MARKER

    return SUPPRESSED_MARKER, NO_DATA_MARKER


@functools.cache
def _preamble() -> str:
    return STYLE_FILE.read_text(encoding="utf-8")


@functools.cache
def _fonts():
    """The fonts Typst may use (found once per process) and the body and code families."""
    import typst

    fonts = typst.Fonts(include_system_fonts=True, include_embedded_fonts=True)
    families = {f.lower() for f in fonts.families()}
    body = tuple(f for f in BODY_FONTS if f.lower() in families) or ("Libertinus Serif",)
    mono = tuple(f for f in MONO_FONTS if f.lower() in families) or body
    return fonts, body, mono


def to_typst(nodes: Sequence[Any], image_dir: Path, *, language: str = "nl",
             title: str | None = None) -> str:
    """The report's nodes as a Typst document; its images are written to ``image_dir``.

    ``title`` (the PDF's document title and running header) defaults to the title page's.
    """
    writer = _Writer(image_dir)
    if title is None:
        title = next((n.title for n in nodes if n.kind == "title_page"), "")
    body = writer.nodes(nodes)
    if not any(n.kind == "title_page" for n in nodes) and title:
        # without a title page the title still heads the document (PDF/UA: one level 1)
        body = f"#report-title[{_text(title)}]\n\n" + body
    _, body_fonts, mono_fonts = _fonts()
    fonts = "(" + "".join(_string(f) + ", " for f in body_fonts) + ")"
    mono = "(" + "".join(_string(f) + ", " for f in mono_fonts) + ")"
    return (_preamble() + "\n"
            + f"#show: mss-report.with(title: {_string(title)}, lang: {_string(language)}, "
              f"fonts: {fonts}, mono: {mono})\n\n" + body)


#: Documents one helper process compiles before it is replaced (see the module notes).
COMPILES_PER_PROCESS = 20
#: A Typst source this large (an interim or final report of many regions) retires its helper
#: process right after it.
LARGE_SOURCE = 400_000


#: The PDF standard every report meets: PDF/UA-1 (ISO 14289-1). Typst then refuses to print a
#: report without a title or language, a figure without alt text or a skipped heading level.
PDF_STANDARD = "ua-1"


def compile_pdf(source: bytes, root: str) -> bytes:
    """Compile a Typst source whose files are under ``root`` to PDF/UA-1 bytes (in this
    process)."""
    import typst

    fonts, _, _ = _fonts()
    compiler = typst.Compiler(root=root, font_paths=fonts)
    try:
        pdf = compiler.compile(input=source, format="pdf", pdf_standards=PDF_STANDARD)
    except typst.TypstError as exc:  # a converter fault: say what Typst objected to
        hints = "; ".join(getattr(exc, "hints", None) or [])
        raise TypstPrintError(f"Typst kon het rapport niet als PDF zetten: "
                              f"{getattr(exc, 'message', exc)}"
                              + (f" ({hints})" if hints else "")) from exc
    return without_false_suspects(pdf)


#: The catalog's mark-information dictionary as Typst writes it for a tagged PDF.
_MARK_INFO = b"/MarkInfo<</Marked true/Suspects false>>"


def without_false_suspects(pdf: bytes) -> bytes:
    """The PDF without ``/Suspects false`` in its catalog's ``/MarkInfo``.

    ``/Suspects false`` is valid PDF (and the default when left out), but poppler before 25.12
    reports it as "Syntax Error: Suspects object is wrong type (boolean)" on every ``pdfinfo``,
    ``pdftotext`` or viewer that uses it (poppler's Catalog::getMarkInfo accepts only ``true``;
    fixed upstream after 25.11). The entry is replaced by spaces of the same length, so every
    byte offset in the cross-reference table stays right; a PDF that does not have exactly
    one such dictionary, written in the uncompressed catalog as above, is returned as it is.
    """
    if pdf.count(_MARK_INFO) != 1:
        return pdf
    return pdf.replace(_MARK_INFO, b"/MarkInfo<</Marked true>>" + b" " * len(b"/Suspects false"))


def _compile_in_helper(source: bytes, root: str) -> tuple[int, bytes]:
    """Run in the helper process: the PDF, with the helper's process id (to count helpers)."""
    return os.getpid(), compile_pdf(source, root)


class _Typesetter:
    """The helper process that compiles: a one-worker process pool whose worker is replaced
    after :data:`COMPILES_PER_PROCESS` documents (``max_tasks_per_child``), and the whole pool
    after a large document.

    CPython's pool can stop replacing a worker that reached ``max_tasks_per_child`` while
    tasks are queued behind it (python/cpython#115634; the fix was backported to 3.13, not
    to 3.11): documents are therefore handed over one at a time under a lock, so no task ever
    waits in the pool's queue.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor = None
        self.pools_started = 0
        #: the process ids of the helpers that compiled a document, in order of first use
        self.helpers: list[int] = []
        #: False after a helper could not be started twice in a row: compile here from then on
        self.helpers_work = True

    def _can_spawn(self) -> bool:
        return self.helpers_work and not multiprocessing.current_process().daemon

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import util

        self._executor = ProcessPoolExecutor(max_workers=1,
                                             max_tasks_per_child=COMPILES_PER_PROCESS,
                                             mp_context=multiprocessing.get_context("spawn"))
        self.pools_started += 1
        if self.pools_started == 1:
            # a worker process of a pool ends without running threading's exit handlers, and
            # before it ends it waits for its child processes: stop the helper first, before
            # the executor's own queues are closed (their finalizers have priority 10)
            util.Finalize(self, self._retire, exitpriority=100)

    def _submit(self, source: bytes, root: str) -> bytes:
        pid, pdf = self._executor.submit(_compile_in_helper, source, root).result()
        if pid not in self.helpers:
            self.helpers.append(pid)
        return pdf

    def compile(self, source: bytes, root: str) -> bytes:
        if not self._can_spawn():
            return compile_pdf(source, root)
        from concurrent.futures.process import BrokenProcessPool

        with self._lock:
            if self._executor is None:
                self._start()
            try:
                return self._submit(source, root)
            except BrokenProcessPool:
                # the helper died (out of memory?) or cannot start here (a program read from
                # standard input cannot be spawned): once more in a new one, then in this process
                self._retire()
                self._start()
                try:
                    return self._submit(source, root)
                except BrokenProcessPool:
                    self._retire()
                    self.helpers_work = False
                    return compile_pdf(source, root)
            finally:
                if len(source) >= LARGE_SOURCE:
                    self._retire()

    def _retire(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self._executor = None


_typesetter = _Typesetter()


def nodes_to_pdf(nodes: Sequence[Any], target: Path, *, language: str = "nl",
                 title: str | None = None) -> None:
    """Print the report's nodes to ``target`` as a PDF with Typst."""
    with tempfile.TemporaryDirectory(prefix="mss-typst-") as folder:
        source = to_typst(nodes, Path(folder), language=language, title=title)
        pdf = _typesetter.compile(source.encode("utf-8"), folder)
    Path(target).write_bytes(pdf)
