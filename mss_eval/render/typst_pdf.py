"""Print a report's HTML to PDF with Typst (the ``typst`` package; no external program).

WeasyPrint lays a report out from its HTML and CSS in Python; for an 18-page region report that
takes one to two seconds, most of a render of many regions. Typst (the ``typst`` package, its
compiler as a Python extension) typesets the same report in a few hundredths of a second. This
module reads the report HTML the workbench writes (title page, contents, numbered chapters and
sections, ``mss-table`` tables, ``mss-figure`` figures, notes, quotes and the authors' texts) and
writes it as Typst markup for the style in ``templates/mss_report/report.typ``, which gives the
PDF the look of ``report.css``: A4, running title, page numbers, chapters on a new page,
contents with page numbers, tables with rules whose header repeats on the next page, figures kept
whole.

All text reaches Typst as string literals, so no character in a report can be read as Typst
markup. Figures (PNG data URIs) are written to a private temporary folder for the compiler and
removed after. The PDF carries no creation date: the same HTML gives the same bytes.

Typst remembers what it computed for every document for the life of its process, and typst-py
offers no way to clear that (typst-py issue #104): about 10 MB per region report, 400 MB per
interim report of 175 regions. The compiler therefore runs in a helper process of its own that is
replaced after :data:`COMPILES_PER_PROCESS` documents or after a large one, so a worker that
prints hundreds of reports keeps its memory. Where no helper process can be started (a daemonic
worker, e.g. on a Dask cluster) it runs in the calling process.
"""

from __future__ import annotations

import base64
import binascii
import functools
import html as html_lib
import multiprocessing
import re
import tempfile
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .export import TEMPLATES, TEMPLATE_NAME

#: Body fonts in order of preference; the first one installed is used (Typst itself ships
#: Libertinus Serif, so a PDF is always printed).
BODY_FONTS = ("Source Sans 3", "Source Sans Pro", "DejaVu Sans", "Liberation Sans", "Arial",
              "Libertinus Serif")
MONO_FONTS = ("DejaVu Sans Mono", "Liberation Mono")
#: Width of the text block on A4 with the report's margins, in cm.
TEXT_WIDTH_CM = 21.0 - 2.2 - 2.0

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_SKIP = {"head", "style", "script", "template", "noscript", "svg", "button"}
_BLOCK = {"address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl",
          "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
          "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
          "table", "ul"}


class TypstPrintError(RuntimeError):
    """Typst could not print a report (the message says what Typst objected to)."""


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def elements(self, *tags: str) -> list[_Node]:
        return [c for c in self.children if isinstance(c, _Node) and (not tags or c.tag in tags)]

    def find(self, tag: str, cls: str | None = None) -> _Node | None:
        for child in self.children:
            if isinstance(child, _Node):
                if child.tag == tag and (cls is None or cls in child.classes):
                    return child
                found = child.find(tag, cls)
                if found is not None:
                    return found
        return None

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    """A forgiving HTML reader that builds a small tree (the report HTML is well formed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if self.skipping:
            if tag not in _VOID:
                self.skipping += 1
            return
        if tag in _SKIP:
            self.skipping = 1
            return
        node = _Node(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        if self.skipping:
            return
        self.stack[-1].children.append(_Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag):
        if self.skipping:
            if tag not in _VOID:
                self.skipping -= 1
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self.skipping:
            self.stack[-1].children.append(data)


def _string(text: str) -> str:
    """A Typst string literal (text never becomes markup)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_SPACE = re.compile(r"[ \t\r\n\f]+")


class _Writer:
    """Writes the tree as Typst markup; the figures' image files go to ``image_dir``."""

    def __init__(self, image_dir: Path, base_dir: Path | None):
        self.image_dir = image_dir
        self.base_dir = base_dir
        self.images = 0
        self.labels: set[str] = set()
        self.title = ""

    # -- inline ---------------------------------------------------------------------------------
    def inline(self, nodes: list, pre: bool = False) -> str:
        parts: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                text = node if pre else _SPACE.sub(" ", node)
                if text:
                    parts.append(f"#{_string(text)}")
            else:
                parts.append(self.inline_element(node, pre))
        return "".join(parts)

    def trimmed(self, nodes: list) -> str:
        """Inline content with the leading and trailing white space of a block removed."""
        nodes = list(nodes)
        while nodes and isinstance(nodes[0], str) and not nodes[0].strip():
            nodes.pop(0)
        while nodes and isinstance(nodes[-1], str) and not nodes[-1].strip():
            nodes.pop()
        if nodes and isinstance(nodes[0], str):
            nodes[0] = nodes[0].lstrip()
        if nodes and isinstance(nodes[-1], str):
            nodes[-1] = nodes[-1].rstrip()
        return self.inline(nodes)

    def inline_element(self, node: _Node, pre: bool = False) -> str:
        tag, cls = node.tag, node.classes
        inner = (lambda: self.inline(node.children, pre))
        if tag in ("strong", "b"):
            return f"#strong[{inner()}]"
        if tag in ("em", "i", "cite"):
            return f"#emph[{inner()}]"
        if tag == "code":
            return f"#raw({_string(node.text())})"
        if tag == "sup":
            return f"#super[{inner()}]"
        if tag == "sub":
            return f"#sub[{inner()}]"
        if tag == "br":
            return "#linebreak()"
        if tag == "img":
            return self.image(node, inline=True)
        if tag == "a":
            href = node.attrs.get("href", "")
            if href.startswith("#") and href[1:] in self.labels:
                return f"#link(label({_string(href[1:])}))[{inner()}]"
            if re.match(r"^(https?|mailto):", href):
                return f"#link({_string(href)})[{inner()}]"
            return inner()
        if tag == "span" and "caption-label" in cls:
            return f"#caption-label[{self.trimmed(node.children)}]"
        if "suppressed" in cls:
            return f"#suppressed[{inner()}]"
        if tag in _BLOCK:
            # a block inside inline content (rare in reports): keep its text on a new line
            return f"#linebreak(){self.trimmed(node.children)}"
        return inner()

    # -- blocks ---------------------------------------------------------------------------------
    def blocks(self, nodes: list) -> str:
        """Block content: runs of inline nodes become paragraphs, elements become blocks."""
        out: list[str] = []
        run: list = []

        def flush():
            text = self.trimmed(run)
            if text:
                out.append(text + "\n\n")
            run.clear()

        for node in nodes:
            if isinstance(node, _Node) and node.tag in _BLOCK:
                flush()
                out.append(self.block(node))
            else:
                run.append(node)
        flush()
        return "".join(out)

    def block(self, node: _Node) -> str:
        tag, cls = node.tag, node.classes
        if "hidden" in node.attrs:  # for the HTML's print stylesheet only (the report date)
            return ""
        if tag == "header" and "title-page" in cls:
            return self.title_page(node)
        if tag == "nav" and "toc" in cls:
            heading = node.find("h2")
            title = heading.text().strip() if heading is not None else "Inhoud"
            return f"#contents({_string(title)})\n\n"
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return self.heading(node)
        if tag == "p":
            text = self.trimmed(node.children)
            if not text:
                return ""
            if cls & {"table-note", "text-note"}:
                return f"#note[{text}]\n\n"
            if "chapter-lead" in cls:
                return f"#lead[{text}]\n\n"
            if "synthetic-notice" in cls:
                return f"#notice[{text}]\n\n"
            return text + "\n\n"
        if tag == "div" and "mss-table" in cls:
            return self.table_block(node)
        if tag == "table":
            return f"#mss-table({self.table(node)})\n\n"
        if tag == "figure":
            return self.figure(node)
        if tag == "blockquote":
            return f"#quote-block[{self.blocks(node.children)}]\n\n"
        if tag == "footer":
            return f"#quote-source[{self.trimmed(node.children)}]\n\n"
        if tag in ("ul", "ol"):
            items = [f"[{self.blocks(li.children).strip()}]" for li in node.elements("li")]
            if not items:
                return ""
            function = "enum" if tag == "ol" else "list"
            return f"#{function}({', '.join(items)},)\n\n"
        if tag == "dl":
            pairs = self._pairs(node)
            return (f"#terms({', '.join(f'terms.item([{t}], [{d}])' for t, d in pairs)},)\n\n"
                    if pairs else "")
        if tag == "pre":
            return f"#block(width: 100%)[#raw(block: true, {_string(node.text())})]\n\n"
        if tag == "hr":
            return "#line(length: 100%, stroke: 0.5pt + rule-colour)\n\n"
        if tag == "div" and "key-figures" in cls:
            return self.key_figures(node)
        return self.blocks(node.children)

    def _pairs(self, dl: _Node) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        term = None
        for child in dl.elements("dt", "dd"):
            if child.tag == "dt":
                term = self.trimmed(child.children)
            else:
                pairs.append((term or "", self.trimmed(child.children)))
                term = None
        return pairs

    def title_page(self, header: _Node) -> str:
        parts: list[str] = []
        for child in header.elements():
            cls = child.classes
            if "hidden" in child.attrs:
                continue
            if child.tag == "h1":
                self.title = _SPACE.sub(" ", child.text()).strip()
                parts.append(f"#report-title[{self.trimmed(child.children)}]")
            elif "study-name" in cls:
                parts.append(f"#study-name[{self.trimmed(child.children)}]")
            elif "report-subtitle" in cls:
                parts.append(f"#report-subtitle[{self.trimmed(child.children)}]")
            elif "report-date" in cls:
                parts.append(f"#report-date[{self.trimmed(child.children)}]")
            elif child.tag == "dl":
                pairs = self._pairs(child)
                parts.append("#facts(" + "".join(f"([{t}], [{d}]), " for t, d in pairs) + ")")
            elif "synthetic-notice" in cls:
                parts.append(f"#notice[{self.trimmed(child.children)}]")
            else:
                parts.append(self.block(child))
        return "#title-page[\n" + "\n".join(parts) + "\n]\n\n"

    def heading(self, node: _Node) -> str:
        cls = node.classes
        ident = node.attrs.get("id", "")
        text = self.trimmed(node.children)
        if node.tag == "h1":
            return f"#report-title[{text}]\n\n"
        if node.tag == "h2" and "chapter" in cls:
            level, outlined = 1, True
        elif node.tag == "h3" and "section" in cls:
            level, outlined = 2, True
        else:
            level, outlined = min(int(node.tag[1]), 4), False
            level = max(level, 3)
        label = ""
        if ident and re.fullmatch(r"[A-Za-z0-9_.:-]+", ident):
            self.labels.add(ident)
            label = f"#label({_string(ident)})"
        flag = "" if outlined else ", outlined: false"
        return f"#heading(level: {level}{flag})[{text}]{label}\n\n"

    # -- tables ---------------------------------------------------------------------------------
    def table_block(self, div: _Node) -> str:
        table = div.find("table")
        if table is None:
            return self.blocks(div.children)
        notes = [f"[{self.trimmed(p.children)}]" for p in div.elements("p")]
        cls = div.classes
        return (f"#mss-table(short: {'true' if 'short' in cls else 'false'}, "
                f"wide: {'true' if 'wide' in cls else 'false'}, "
                f"notes: ({''.join(n + ', ' for n in notes)}), "
                f"{self.table(table, wide='wide' in cls)})\n\n")

    def table(self, table: _Node, wide: bool = False) -> str:
        caption = table.find("caption")
        sections: list[tuple[str, _Node]] = []
        for child in table.elements():
            if child.tag in ("thead", "tbody", "tfoot"):
                sections.extend((child.tag, tr) for tr in child.elements("tr"))
            elif child.tag == "tr":
                sections.append(("tbody", child))
        columns = _column_count([tr for _, tr in sections])
        if columns == 0:
            return "caption: none, []"
        head = [tr for part, tr in sections if part == "thead"]
        body = [(part, tr) for part, tr in sections if part != "thead"]
        shares, fits = _column_widths([tr for _, tr in sections], columns, len(head), wide)
        lines = ["table.hline(stroke: 1.2pt + ink)"]
        if head:
            cells = ", ".join(self.cell(c, header=True, hyphenate=not fits)
                              for tr in head for c in tr.elements("th", "td"))
            lines.append(f"table.header({cells})")
            lines.append("table.hline(stroke: 1.2pt + ink)")
        for i, (part, tr) in enumerate(body):
            total = "total" in tr.classes
            if total:
                lines.append("table.hline(stroke: 0.8pt + ink)")
            cells = [self.cell(c, header=False, bold=total) for c in tr.elements("th", "td")]
            lines.append(", ".join(cells))
            last = i == len(body) - 1
            lines.append("table.hline(stroke: 1.2pt + ink)" if last
                         else "table.hline(stroke: 0.5pt + rule-colour)")
        widths = "(" + "".join(f"{w}fr, " for w in shares) + ")"
        table_code = (f"table(columns: {widths}, stroke: none, inset: (x: 0.45em, y: 0.32em), "
                      + ", ".join(lines) + ")")
        caption_code = f"[{self.trimmed(caption.children)}]" if caption is not None else "none"
        return f"caption: {caption_code}, {table_code}"

    def cell(self, cell: _Node, header: bool, bold: bool = False,
             hyphenate: bool = False) -> str:
        args = []
        span = _int(cell.attrs.get("colspan"))
        down = _int(cell.attrs.get("rowspan"))
        if span > 1:
            args.append(f"colspan: {span}")
        if down > 1:
            args.append(f"rowspan: {down}")
        numeric = "num" in cell.classes
        if header:
            args.append("align: " + ("right + bottom" if numeric else "left + bottom"))
        elif numeric:
            args.append("align: right")
        content = self.trimmed(cell.children)
        if "suppressed" in cell.classes:
            content = f"#suppressed[{content}]"
        if header or bold:
            content = f"#strong[{content}]"
        if hyphenate:
            content = f"#text(hyphenate: true)[{content}]"
        return f"table.cell({', '.join(args)})[{content}]"

    # -- figures --------------------------------------------------------------------------------
    def figure(self, figure: _Node) -> str:
        images = [self.image(img) for img in _all(figure, "img")]
        images = [i for i in images if i]
        caption_node = figure.find("figcaption")
        caption, notes = "none", []
        if caption_node is not None:
            main = [c for c in caption_node.children
                    if not (isinstance(c, _Node) and "figure-note" in c.classes)]
            notes = [f"[{self.trimmed(c.children)}]" for c in caption_node.elements("span")
                     if "figure-note" in c.classes]
            text = self.trimmed(main)
            caption = f"[{text}]" if text else "none"
        panels = "panels" in figure.classes
        return (f"#mss-figure(images: ({''.join(i + ', ' for i in images)}), caption: {caption}, "
                f"notes: ({''.join(n + ', ' for n in notes)}), "
                f"panels: {'true' if panels else 'false'})\n\n")

    def image(self, img: _Node, inline: bool = False) -> str:
        source = img.attrs.get("src", "")
        m = re.match(r"data:image/(png|jpeg|jpg|gif);base64,(.*)$", source, re.S)
        data: bytes | None = None
        suffix = "png"
        if m:
            try:
                data = base64.b64decode(m.group(2), validate=False)
                suffix = "jpg" if m.group(1) in ("jpeg", "jpg") else m.group(1)
            except (binascii.Error, ValueError):
                data = None
        elif self.base_dir is not None and source and "://" not in source:
            path = (self.base_dir / source).resolve()
            if path.is_file() and path.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif"):
                data, suffix = path.read_bytes(), path.suffix.lower().lstrip(".")
        if data is None:
            alt = img.attrs.get("alt", "")
            return f"#emph[{_string(alt)}]" if alt else ""
        self.images += 1
        name = f"figure-{self.images}.{suffix}"
        (self.image_dir / name).write_bytes(data)
        width = re.search(r"width:\s*([0-9.]+)cm", img.attrs.get("style", ""))
        width_cm = min(float(width.group(1)), TEXT_WIDTH_CM) if width else None
        size = f", width: {width_cm:.2f}cm" if width_cm else ", width: 100%"
        alt = img.attrs.get("alt", "")
        code = f"image({_string('/' + name)}{size}, alt: {_string(alt)})"
        return f"box({code})" if not inline else f"#box({code})"

    def key_figures(self, div: _Node) -> str:
        items = []
        for item in div.elements():
            value = item.find("span", "value")
            what = item.find("span", "what")
            if value is None:
                continue
            items.append(f"([{self.trimmed(value.children)}], "
                         f"[{self.trimmed(what.children) if what is not None else ''}])")
        return f"#key-figures({', '.join(items)},)\n\n" if items else ""


def _column_count(rows: list[_Node]) -> int:
    """Columns of a table, counting colspans and cells still covered by a rowspan above."""
    covered: dict[int, int] = {}  # column -> rows it stays covered
    widest = 0
    for tr in rows:
        column = 0
        taken = {c for c, n in covered.items() if n > 0}
        for cell in tr.elements("th", "td"):
            while column in taken:
                column += 1
            span = _int(cell.attrs.get("colspan"))
            down = _int(cell.attrs.get("rowspan"))
            for c in range(column, column + span):
                if down > 1:
                    covered[c] = down
            column += span
        widest = max(widest, column, max(taken, default=-1) + 1)
        covered = {c: n - 1 for c, n in covered.items() if n - 1 > 0}
    return widest


#: Characters of table text that fit across the text block (9.2 pt DejaVu Sans; a wide table's
#: 8.2 pt), and the cell padding of a column in characters.
_TABLE_CHARS = {False: 80.0, True: 90.0}
_CELL_PAD = 1.5


def _column_widths(rows: list[_Node], columns: int, header_rows: int,
                   wide: bool = False) -> tuple[list[float], bool]:
    """Relative column widths, shared out as a browser lays out a full-width table.

    Each column needs at least its longest word (bold in the header) and would like its longest
    text on one line (a header up to 20 characters, a cell up to 40). When everything fits, the
    columns get what they would like; otherwise each gets its longest word and the room that is
    left is shared in proportion to how much more each would like. The second value is False
    when the header's longest words do not fit side by side: the header then breaks words at
    their hyphenation points (the body never does), and its columns need only the body's words.
    """
    body_word = [1.0] * columns
    head_word = [1.0] * columns
    most = [1.0] * columns
    for r, tr in enumerate(rows):
        column = 0
        for cell in tr.elements("th", "td"):
            span = _int(cell.attrs.get("colspan"))
            if span == 1 and column < columns:
                text = _SPACE.sub(" ", cell.text()).strip()
                word = max((len(w) for w in text.split(" ")), default=0)
                bold = 1.25 if (r < header_rows or "total" in tr.classes) else 1.0
                words = head_word if r < header_rows else body_word
                words[column] = max(words[column], word * bold)
                most[column] = max(most[column], min(len(text), 20 if r < header_rows else 40)
                                   * bold)
            column += span
    room = _TABLE_CHARS[wide]
    least = [max(b, h) + _CELL_PAD for b, h in zip(body_word, head_word)]
    fits = sum(least) <= room
    if not fits:
        least = [max(b, min(h, 9.0)) + _CELL_PAD for b, h in zip(body_word, head_word)]
    most = [max(m + _CELL_PAD, w) for m, w in zip(most, least)]
    if sum(most) <= room or sum(least) >= room:
        chosen = most if sum(most) <= room else least
    else:
        extra = sum(most) - sum(least)
        left = room - sum(least)
        chosen = [w + left * (m - w) / extra for w, m in zip(least, most)]
    return [round(w, 1) for w in chosen], fits


def _all(node: _Node, tag: str) -> list[_Node]:
    found = []
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag == tag:
                found.append(child)
            found.extend(_all(child, tag))
    return found


def _int(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@functools.cache
def _preamble() -> str:
    return (TEMPLATES / TEMPLATE_NAME / "report.typ").read_text(encoding="utf-8")


@functools.cache
def _fonts():
    """The fonts Typst may use (found once per process) and the body and code families."""
    import typst

    fonts = typst.Fonts(include_system_fonts=True, include_embedded_fonts=True)
    families = {f.lower() for f in fonts.families()}
    body = tuple(f for f in BODY_FONTS if f.lower() in families) or ("Libertinus Serif",)
    mono = tuple(f for f in MONO_FONTS if f.lower() in families) or body
    return fonts, body, mono


def to_typst(document: str, image_dir: Path, *, language: str = "nl",
             base_dir: Path | None = None) -> str:
    """The report HTML as a Typst document; its images are written to ``image_dir``."""
    builder = _TreeBuilder()
    builder.feed(document)
    builder.close()
    root = builder.root
    main = root.find("main", "report") or root.find("body") or root
    writer = _Writer(image_dir, base_dir)
    # headings first, so the contents and in-text links can point at them
    for heading in _all(main, "h2") + _all(main, "h3"):
        ident = heading.attrs.get("id", "")
        if ident and re.fullmatch(r"[A-Za-z0-9_.:-]+", ident):
            writer.labels.add(ident)
    body = writer.blocks(main.children)
    title = writer.title
    if not title:
        head_title = re.search(r"<title>(.*?)</title>", document, re.S)
        title = html_lib.unescape(head_title.group(1)).strip() if head_title else ""
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


def compile_pdf(source: bytes, root: str) -> bytes:
    """Compile a Typst source whose files are under ``root`` to PDF bytes (in this process)."""
    import typst

    fonts, _, _ = _fonts()
    compiler = typst.Compiler(root=root, font_paths=fonts)
    try:
        return compiler.compile(input=source, format="pdf")
    except typst.TypstError as exc:  # a converter fault: say what Typst objected to
        raise TypstPrintError(f"Typst kon het rapport niet als PDF zetten: "
                              f"{getattr(exc, 'message', exc)}") from exc


class _Typesetter:
    """The helper process that compiles, replaced after a number of documents or a large one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor = None
        self._used = 0
        self.processes_started = 0
        #: False after a helper could not be started twice in a row: compile here from then on
        self.helpers_work = True

    def _can_spawn(self) -> bool:
        return self.helpers_work and not multiprocessing.current_process().daemon

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import util

        self._executor = ProcessPoolExecutor(max_workers=1,
                                             mp_context=multiprocessing.get_context("spawn"))
        self.processes_started += 1
        if self.processes_started == 1:
            # a worker process of a pool ends without running threading's exit handlers, and
            # before it ends it waits for its child processes: stop the helper first, before
            # the executor's own queues are closed (their finalizers have priority 10)
            util.Finalize(self, self._retire, exitpriority=100)

    def compile(self, source: bytes, root: str) -> bytes:
        if not self._can_spawn():
            return compile_pdf(source, root)
        from concurrent.futures.process import BrokenProcessPool

        with self._lock:
            if self._executor is None or self._used >= COMPILES_PER_PROCESS:
                self._retire()
                self._start()
            self._used += 1
            executor = self._executor
            try:
                return executor.submit(compile_pdf, source, root).result()
            except BrokenProcessPool:
                # the helper died (out of memory?) or cannot start here (a program read from
                # standard input cannot be spawned): once more in a new one, then in this process
                self._retire()
                self._start()
                try:
                    return self._executor.submit(compile_pdf, source, root).result()
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
        self._used = 0


_typesetter = _Typesetter()


def html_to_pdf_typst(document: str, target: Path, *, language: str = "nl",
                      base_url: Path | None = None) -> None:
    """Print the report HTML to ``target`` as a PDF with Typst."""
    with tempfile.TemporaryDirectory(prefix="mss-typst-") as folder:
        source = to_typst(document, Path(folder), language=language, base_dir=base_url)
        pdf = _typesetter.compile(source.encode("utf-8"), folder)
    Path(target).write_bytes(pdf)
