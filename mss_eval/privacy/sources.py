"""The text of rendered reports, piece by piece, with where each piece sits in its file.

A report check (:mod:`mss_eval.privacy.check`) looks for leaks in text. This module gets that text
out of every kind of file a render writes, together with a :class:`Where` that lets a researcher
find it again: a line of an HTML file, a page of a PDF, a paragraph or table cell of a DOCX, a
path in ``figures.json``, a cell and output of an executed notebook. It also records the shape of
every table it meets (header and number of rows), so that row-level data can be recognised.

What is read per format:

* **HTML** (and SVG): the text content of every element except ``<style>``, and every attribute
  value (``alt``, ``title``, ``aria-label``, ``content``, ``href``, ...) except ``style`` and
  embedded ``data:`` URIs (image bytes);
* **PDF**: the text of every page (with WeasyPrint's hyphenation at line ends undone) and the
  document properties (title, author, ...). Text drawn inside images cannot be read;
* **DOCX**: every paragraph and table cell of the body, headers and footers, footnotes,
  endnotes and comments, image descriptions (alt texts), hyperlink targets and the document
  properties;
* **JSON** (``figures.json``): every string, every key and every whole number of five digits or
  more;
* **executed notebooks** (``.ipynb``): the source of every cell and every output: streams,
  errors with their tracebacks, and each representation of a result (``text/plain``,
  ``text/html``, ``text/markdown``, ``application/json`` and other JSON types, SVG); images are
  skipped;
* **plain text** (``.md``, ``.txt``, ``.csv``, ``.tsv``): line by line.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

#: File suffixes a report check reads, and how.
SUFFIXES = {
    ".html": "html", ".htm": "html", ".xhtml": "html", ".svg": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".json": "json",
    ".ipynb": "ipynb",
    ".md": "text", ".txt": "text", ".csv": "text", ".tsv": "text",
}

_WORDS = {
    "nl": {"line": "regel", "page": "pagina", "cell": "cel", "output": "uitvoer",
           "paragraph": "alinea", "table": "tabel", "row": "rij", "column": "kolom",
           "attribute": "attribuut", "properties": "documenteigenschappen",
           "header": "koptekst", "footer": "voettekst", "image": "afbeelding",
           "alt": "alt-tekst", "hyperlink": "hyperlink", "source": "bron",
           "section": "sectie", "path": "pad", "notes": "voetnoten en opmerkingen"},
    "en": {"line": "line", "page": "page", "cell": "cell", "output": "output",
           "paragraph": "paragraph", "table": "table", "row": "row", "column": "column",
           "attribute": "attribute", "properties": "document properties",
           "header": "header", "footer": "footer", "image": "image", "alt": "alt text",
           "hyperlink": "hyperlink", "source": "source", "section": "section", "path": "path",
           "notes": "notes and comments"},
}


def words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["nl"])


@dataclass(frozen=True)
class Where:
    """Where a piece of text sits in its file; every field is optional.

    ``cell`` and ``output`` count from 1 (the first cell of a notebook is cell 1); ``line`` is a
    line of an HTML or text file (or of an HTML output inside a notebook); ``part`` says more in
    words (an attribute, a table cell of a DOCX, a JSON path), already in the report language.
    """

    line: int | None = None
    page: int | None = None
    cell: int | None = None
    output: int | None = None
    mime: str | None = None
    part: str | None = None

    def describe(self, language: str = "nl") -> str:
        w = words(language)
        bits = []
        if self.cell is not None:
            bits.append(f"{w['cell']} {self.cell}")
        if self.output is not None:
            bits.append(f"{w['output']} {self.output}" + (f" ({self.mime})" if self.mime else ""))
        elif self.cell is not None and self.mime:
            bits.append(self.mime)
        if self.page is not None:
            bits.append(f"{w['page']} {self.page}")
        if self.line is not None:
            bits.append(f"{w['line']} {self.line}")
        if self.part:
            bits.append(self.part)
        return ", ".join(bits)


@dataclass(frozen=True)
class Unit:
    """One piece of text of a report and where it is."""

    text: str
    where: Where


@dataclass(frozen=True)
class TableShape:
    """A table met in a report: its column headers and how many body rows it has."""

    header: tuple[str, ...]
    rows: int
    where: Where


@dataclass
class Extracted:
    """The text pieces and tables of one file."""

    units: list[Unit] = field(default_factory=list)
    tables: list[TableShape] = field(default_factory=list)

    def add(self, text: object, where: Where) -> None:
        if text is None:
            return
        text = clean(str(text))
        if text.strip():
            self.units.append(Unit(text, where))

    def extend(self, other: Extracted) -> None:
        self.units += other.units
        self.tables += other.tables


def clean(text: str) -> str:
    """Compatibility-normalised text (NFKC: ligatures such as 'ﬁ' become 'fi', non-breaking
    spaces become spaces), so that text read from a PDF compares equal to the data."""
    return unicodedata.normalize("NFKC", text)


# WeasyPrint hyphenates with U+2010 at a line end; a soft hyphen may show too. Such a break is
# not part of the word. A real hyphen at a line end (Leidschendam-\nVoorburg) stays a hyphen.
_SOFT_BREAK = re.compile(r"[\u2010\u00ad]\s*\n\s*")
_HARD_BREAK = re.compile(r"(?<=\w)-\s*\n\s*(?=\w)")


def dehyphenate(text: str) -> str:
    """Undo hyphenation at line ends in text read from a PDF."""
    return _HARD_BREAK.sub("-", _SOFT_BREAK.sub("", text))


# -- HTML ------------------------------------------------------------------------------------
_BLOCK = frozenset("""
    address article aside blockquote body br caption dd details div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 head header hr html legend li main nav ol option p pre
    section summary table tbody td tfoot th thead title tr ul text desc
""".split())
_SKIP_ATTRIBUTES = frozenset({"style"})


def _table_shape(table, base: Where) -> TableShape:
    """The header cells and the number of body rows of an HTML table (not of tables in it)."""
    header: list[str] = []
    rows = 0
    seen_head = any(child.tag == "thead" for child in table if isinstance(child.tag, str))
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        in_head = tr.getparent().tag == "thead"
        if any(c.tag == "td" for c in cells):
            rows += 1
        elif in_head or (not seen_head and not header and not rows):
            header += [t for c in cells if c.tag == "th"
                       if (t := " ".join(c.text_content().split()))]
    return TableShape(tuple(header), rows, replace(base, line=table.sourceline))


def html_text(markup: str, base: Where = Where(), language: str = "nl") -> Extracted:
    """Text pieces (one per block element, one per attribute value) and tables of HTML.

    The HTML is read with lxml (libxml2's forgiving HTML parser), as a browser would show it:
    the text of every element except ``<style>``, each block element's text a piece of its own
    with the line where it starts.
    """
    from lxml import etree
    from lxml import html as lxml_html

    out = Extracted()
    attribute = words(language)["attribute"]
    if not markup.strip():
        return out
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):  # nothing an HTML reader can use: read it as text
        return plain_text(markup, base)
    buffer: list[str] = []
    start = [1]

    def flush() -> None:
        if buffer:
            out.add("".join(buffer), replace(base, line=start[0]))
            buffer.clear()

    def data(text: str | None, line: int) -> None:
        if text:
            if not buffer:
                start[0] = line
            buffer.append(text)

    def visit(element, line: int) -> None:
        if not isinstance(element.tag, str):  # a comment or processing instruction
            data(element.tail, line)
            return
        tag = element.tag.lower()
        line = element.sourceline or line
        if tag in _BLOCK:
            flush()
        for name, value in element.attrib.items():
            if not value or name in _SKIP_ATTRIBUTES or value.lstrip()[:5].lower() == "data:":
                continue
            out.add(value, replace(base, line=line, part=f"{attribute} {name}"))
        if tag != "style":
            data(element.text, line)
            for child in element:
                visit(child, line)
        if tag == "table":
            out.tables.append(_table_shape(element, base))
        if tag in _BLOCK:
            flush()
        data(element.tail, line)

    visit(root, 1)
    flush()
    return out


# -- JSON ------------------------------------------------------------------------------------
def _path_text(path: tuple) -> str:
    return "/" + "/".join(str(p) for p in path)


#: Identifiers the workbench makes itself and writes into JSON (a provenance crate's run id, the
#: SHA-256 of a file): random or hashed hexadecimal, never a person's data, but now and then
#: shaped like a postcode with a house number ("9731ab12").
MACHINE_ID = re.compile(r"(?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                        r"[0-9a-f]{12}|(?:sha256:)?[0-9a-f]{32,128}")


def json_text(data: object, base: Where = Where(), language: str = "nl") -> Extracted:
    """Every string, key and whole number of five or more digits in a JSON document, with its
    path; lists of records and column-oriented frames are recorded as tables."""
    out = Extracted()
    label = words(language)["path"]

    def where(path: tuple) -> Where:
        text = f"{label} {_path_text(path)}"
        return replace(base, part=f"{base.part}, {text}" if base.part else text)

    def table(header, rows, path) -> None:
        out.tables.append(TableShape(tuple(str(h) for h in header), rows, where(path)))

    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:
        obj, path = stack.pop()
        if isinstance(obj, str):
            if not MACHINE_ID.fullmatch(obj):
                out.add(obj, where(path))
        elif isinstance(obj, bool) or obj is None:
            continue
        elif isinstance(obj, int):
            if abs(obj) >= 10_000:
                out.add(str(obj), where(path))
        elif isinstance(obj, dict):
            for key, value in obj.items():
                out.add(key, where(path + (key,)))
            values = list(obj.values())
            if {"columns", "data"} <= set(obj) and isinstance(obj["columns"], list) \
                    and isinstance(obj["data"], list):
                table(obj["columns"], len(obj["data"]), path)          # orient="split"
            elif len(obj) >= 2 and all(isinstance(v, dict) for v in values):
                table(obj.keys(), max(len(v) for v in values), path)    # orient="columns"
            elif len(obj) >= 2 and all(isinstance(v, list) for v in values):
                table(obj.keys(), max(len(v) for v in values), path)    # orient="list"
            for key, value in reversed(obj.items()):
                stack.append((value, path + (key,)))
        elif isinstance(obj, list):
            records = [v for v in obj if isinstance(v, dict)]
            if records and len(records) == len(obj):                  # orient="records"
                header = list(dict.fromkeys(k for r in records for k in r))
                table(header, len(records), path)
            for i in reversed(range(len(obj))):
                stack.append((obj[i], path + (i,)))
    return out


# -- plain text ------------------------------------------------------------------------------
def plain_text(text: str, base: Where = Where(), *, tables: str | None = None) -> Extracted:
    """One piece per line, numbered from 1 (within the output when ``base`` has a line).

    ``tables="repr"`` also records tables printed the way pandas prints a DataFrame or Series;
    ``tables="csv"`` records the text as one delimited table.
    """
    out = Extracted()
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        out.add(line, replace(base, line=number))
    if tables == "repr":
        out.tables += _printed_tables(lines, base)
    elif tables == "csv" and lines:
        first = lines[0]
        delimiter = max(",;\t|", key=first.count)
        header = tuple(h.strip().strip('"') for h in first.split(delimiter))
        out.tables.append(TableShape(header, sum(1 for line in lines[1:] if line.strip()),
                                     replace(base, line=1)))
    return out


_ROWS_FOOTER = re.compile(r"^\[(\d+) rows x \d+ columns\]$")
_SERIES_FOOTER = re.compile(r"^Name: (\S+?),(?: Length: (\d+),)? dtype: ")


def _printed_tables(lines: list[str], base: Where) -> list[TableShape]:
    """Tables in text as pandas prints them: a block of lines whose first line is the header
    (indented, because the index comes first) with rows under it; a Series by its
    ``Name: ..., dtype: ...`` footer. ``[N rows x M columns]`` gives the true number of rows of
    a shortened print."""
    found: list[TableShape] = []
    block: list[tuple[int, str]] = []

    def close() -> None:
        if len(block) >= 2 and block[0][1][:1].isspace():
            header = tuple(t for t in block[0][1].split() if t != "\\")
            rows = [line for _, line in block[1:] if not _ROWS_FOOTER.match(line.strip())]
            total = next((int(m.group(1)) for _, line in block
                          if (m := _ROWS_FOOTER.match(line.strip()))), len(rows))
            found.append(TableShape(header, total, replace(base, line=block[0][0])))

    for number, line in enumerate(lines, 1):
        series = _SERIES_FOOTER.match(line.strip())
        if series:
            rows = int(series.group(2) or len(block))
            found.append(TableShape((series.group(1),), rows, replace(base, line=number)))
            block = []
        elif line.strip():
            block.append((number, line))
        else:
            close()
            block = []
    close()
    return found


# -- PDF -------------------------------------------------------------------------------------
def pdf_text(path: Path, language: str = "nl") -> Extracted:
    """The text of every page (hyphenation undone) and the document properties of a PDF.

    The text comes from PDFium (pypdfium2), some twenty times faster than a pure-Python reader
    on a long report, which matters because every PDF a render writes is checked."""
    import pypdfium2 as pdfium

    out = Extracted()
    document = pdfium.PdfDocument(str(path))
    try:
        for number, page in enumerate(document, 1):
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range() or ""
            finally:
                textpage.close()
                page.close()
            # PDFium ends lines with CR LF; the checks compare text, not line ends
            out.add(dehyphenate(text.replace("\r\n", "\n")), Where(page=number))
        properties = words(language)["properties"]
        for key, value in (document.get_metadata_dict(skip_empty=True) or {}).items():
            out.add(value, Where(part=f"{properties} ({key})"))
    finally:
        document.close()
    return out


# -- DOCX ------------------------------------------------------------------------------------
def docx_text(path: Path, language: str = "nl") -> Extracted:
    """Paragraphs, table cells, headers, footers, notes, alt texts, hyperlinks and properties."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    w = words(language)
    document = docx.Document(str(path))
    out = Extracted()

    def paragraph_text(element, parent) -> str:
        return Paragraph(element, parent).text

    def read_table(element, parent, label: str) -> None:
        table = Table(element, parent)
        grid = []
        for r, row in enumerate(element.findall(qn("w:tr")), 1):
            cells = []
            for c, cell in enumerate(row.findall(qn("w:tc")), 1):
                text = "\n".join(paragraph_text(p, table) for p in cell.iter(qn("w:p")))
                cells.append(text)
                out.add(text, Where(part=f"{label}, {w['row']} {r}, {w['column']} {c}"))
            grid.append(cells)
        if grid:
            header = tuple(" ".join(h.split()) for h in grid[0])
            out.tables.append(TableShape(header, len(grid) - 1, Where(part=label)))

    def read_story(container, parent, prefix: str) -> tuple[int, int]:
        paragraphs = tables = 0
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                paragraphs += 1
                out.add(paragraph_text(child, parent),
                        Where(part=f"{prefix}{w['paragraph']} {paragraphs}"))
            elif child.tag == qn("w:tbl"):
                tables += 1
                read_table(child, parent, f"{prefix}{w['table']} {tables}")
            elif child.tag == qn("w:sdt"):  # content controls hold paragraphs too
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    for p in content.iter(qn("w:p")):
                        paragraphs += 1
                        out.add(paragraph_text(p, parent),
                                Where(part=f"{prefix}{w['paragraph']} {paragraphs}"))
        return paragraphs, tables

    read_story(document.element.body, document, "")

    for number, section in enumerate(document.sections, 1):
        for kind, parts in (("header", (section.header, section.first_page_header,
                                        section.even_page_header)),
                            ("footer", (section.footer, section.first_page_footer,
                                        section.even_page_footer))):
            for part in parts:
                if part.is_linked_to_previous:
                    continue
                read_story(part._element, part, f"{w[kind]} {w['section']} {number}, ")

    for number, picture in enumerate(document.element.body.iter(qn("wp:docPr")), 1):
        for attribute in ("descr", "title"):
            out.add(picture.get(attribute), Where(part=f"{w['image']} {number} ({w['alt']})"))

    for rel in document.part.rels.values():
        if rel.is_external:
            out.add(rel.target_ref, Where(part=w["hyperlink"]))

    core = document.core_properties
    for name in ("author", "title", "subject", "keywords", "comments", "last_modified_by",
                 "category", "identifier", "content_status", "version"):
        out.add(getattr(core, name, None), Where(part=f"{w['properties']} ({name})"))

    # notes and comments live in their own parts; read their text paragraph by paragraph
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name in ("word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"):
                root = ElementTree.fromstring(archive.read(name))
                for number, p in enumerate(root.iter(qn("w:p")), 1):
                    text = "".join(t.text or "" for t in p.iter(qn("w:t")))
                    out.add(text, Where(part=f"{w['notes']} ({name.split('/')[-1]}), "
                                             f"{w['paragraph']} {number}"))
    return out


# -- notebooks -------------------------------------------------------------------------------
_JSON_MIME = re.compile(r"^application/(?:[\w.\-]+\+)?json$")
_TEXT_MIME = ("text/plain", "text/markdown", "text/latex")


def _joined(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_text(data: dict, language: str = "nl") -> Extracted:
    """Every cell's source and every output of an executed notebook (not images)."""
    out = Extracted()
    source = words(language)["source"]
    for c, cell in enumerate(data.get("cells") or [], 1):
        if not isinstance(cell, dict):
            continue
        out.extend(plain_text(_joined(cell.get("source", "")), Where(cell=c, part=source)))
        for o, output in enumerate(cell.get("outputs") or [], 1):
            if not isinstance(output, dict):
                continue
            kind = output.get("output_type")
            base = Where(cell=c, output=o)
            if kind == "stream":
                out.extend(plain_text(_joined(output.get("text", "")),
                                      replace(base, mime=output.get("name")), tables="repr"))
            elif kind == "error":
                out.add(output.get("ename"), replace(base, mime="error"))
                out.add(output.get("evalue"), replace(base, mime="error"))
                for line in output.get("traceback") or []:
                    # tracebacks are coloured with ANSI escapes
                    out.add(re.sub(r"\x1b\[[0-9;]*m", "", str(line)), replace(base, mime="error"))
            for mime, value in (output.get("data") or {}).items():
                where = replace(base, mime=mime)
                if mime == REPORT_MIME:
                    out.extend(_report_nodes_text(value, where))
                elif mime in ("text/html", "image/svg+xml"):
                    out.extend(html_text(_joined(value), where, language))
                elif mime in _TEXT_MIME:
                    out.extend(plain_text(_joined(value), where,
                                          tables="repr" if mime == "text/plain" else None))
                elif _JSON_MIME.match(mime):
                    if isinstance(value, str):
                        try:
                            value = json.loads(value)
                        except ValueError:
                            out.extend(plain_text(value, where))
                            continue
                    out.extend(json_text(value, where, language))
                elif mime.startswith("text/"):
                    out.extend(plain_text(_joined(value), where))
    return out


# -- report nodes ----------------------------------------------------------------------------
#: The report nodes a report notebook displays (see :mod:`mss_eval.report.document`).
REPORT_MIME = "application/vnd.mss-eval.report+json"


def _report_nodes_text(value: object, base: Where) -> Extracted:
    """The text of the report nodes in an output (images left out); what cannot be read as
    nodes is read as any JSON."""
    from ..report.document import from_json

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return plain_text(value, base)
    out = Extracted()
    try:
        nodes = from_json(value)
    except (ValueError, KeyError, TypeError, AttributeError):
        return json_text(value, base)
    for node in nodes:
        for role, text in node.texts():
            out.add(text, replace(base, part=role))
        if node.kind == "table":
            out.tables.append(TableShape(tuple(node.header), len(node.rows), base))
    return out


# -- any file --------------------------------------------------------------------------------
def read_report_file(path: Path, language: str = "nl") -> Extracted:
    """The text pieces and tables of one report file, by its suffix (unknown: plain text).

    Raises
    ------
    Exception
        Whatever the format's reader raises on a damaged file; the caller reports it.
    """
    kind = SUFFIXES.get(path.suffix.lower(), "text")
    if kind == "pdf":
        return pdf_text(path, language)
    if kind == "docx":
        return docx_text(path, language)
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    if kind == "html":
        return html_text(text, Where(), language)
    if kind == "json":
        return json_text(json.loads(text), Where(), language)
    if kind == "ipynb":
        return notebook_text(json.loads(text), language)
    return plain_text(text, tables="csv" if path.suffix.lower() in (".csv", ".tsv") else None)
