"""The Word writer: a report's nodes as an editable DOCX, written with python-docx.

Word's own structure throughout, so an author can finish the report in Word: A4 with the
report's margins, a header with the report's title and a footer with the page number (a
``PAGE`` field; neither on the title page), the document's language for the spelling checker,
the title page in the Title and Subtitle styles, a table of contents field that Word fills when
the document is opened (``w:updateFields`` in the settings), chapters and sections as Heading 1
and Heading 2, real tables (numbers right-aligned, header row bold and repeated on a new page,
totals bold, the suppression marker as in the HTML), figures as pictures with their alt text.

Numbers are Word's own fields, so they follow when an author adds a chapter, table or figure:
a chapter's number is ``SEQ Hoofdstuk``, a section's ``SEQ Hoofdstuk \\c``.``SEQ Paragraaf
\\s 1``, a caption's ``SEQ Hoofdstuk \\c``.``SEQ Tabel \\s 1`` (``SEQ Figuur`` for figures;
an appendix's letter stays text), each with the report's number as its result, so the document
reads right before any update. Where a sentence names a table or figure ("tabel 2.1") the number
is a ``REF`` field to the bookmark around the caption's number. An author's Markdown is written
from mistune's syntax tree.

Only python-docx's public API and its documented ``OxmlElement`` for what it has no method for
(a field, a bookmark, a picture's description, the settings); see python-docx issue #455 (alt
text) and #36 (fields).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Paragraph text size of notes, in points.
NOTE_PT = 8.5
_MUTED = (0x5B, 0x64, 0x72)
_INK = (0x1D, 0x24, 0x30)
_SUPPRESSED = (0x6B, 0x70, 0x79)
#: A4 and the margins of the PDF (report.typ), in cm: top, right, bottom, left.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = (2.2, 2.0, 2.4, 2.2)
#: The body font (Word's own; LibreOffice shows a metric twin) and sizes, in points.
BODY_FONT = "Arial"
BODY_PT = 10.5
_HEADING_PT = {"Title": 26, "Heading 1": 16, "Heading 2": 13, "Heading 3": 11.5,
               "Heading 4": 11}
_WORDS = {"nl": {"contents": "Inhoud", "update": "Werk de inhoudsopgave bij (F9) om haar te zien.",
                 "table": "Tabel", "figure": "Figuur", "locale": "nl-NL"},
          "en": {"contents": "Contents", "update": "Update the table of contents (F9) to see it.",
                 "table": "Table", "figure": "Figure", "locale": "en-GB"}}
#: The sequence names of Word's numbering fields (the same in every language, so an author's
#: own captions made with Word's Insert Caption in Dutch join them).
SEQ_CHAPTER, SEQ_SECTION, SEQ_TABLE, SEQ_FIGURE = "Hoofdstuk", "Paragraaf", "Tabel", "Figuur"
#: "Tabel 2.1", "figuur B.3", "Table 4.2" in a sentence: the word and the number.
_REFERENCE = re.compile(r"\b(Tabel|tabel|Figuur|figuur|Table|table|Figure|figure)"
                        r"(\s+)([A-Z]|\d+)\.(\d+)\b")


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _element(tag: str, **attributes: str) -> Any:
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(_qn(f"w:{name}"), value)
    return element


def _field(paragraph: Any, instruction: str, placeholder: str = "", *,
           bold: bool | None = None) -> None:
    """A complex field (``TOC``, ``SEQ``, ``PAGE``, ``REF``) in a paragraph, with its result
    as Word would compute it (``placeholder``), so the text reads right before an update."""
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        element = _element("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run = paragraph.add_run()
    run.element.append(char("begin"))
    run = paragraph.add_run()
    instr = _element("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run.element.append(instr)
    paragraph.add_run().element.append(char("separate"))
    if placeholder:
        paragraph.add_run(placeholder).bold = bold
    paragraph.add_run().element.append(char("end"))


def _bookmark(paragraph: Any, name: str, ident: int, start: bool) -> None:
    """The start or end of a bookmark (what a ``REF`` field points to) at the paragraph's end."""
    if start:
        paragraph._p.append(_element("w:bookmarkStart", id=str(ident), name=name))
    else:
        paragraph._p.append(_element("w:bookmarkEnd", id=str(ident)))


def _bookmark_name(kind: str, number: str) -> str:
    """A hidden bookmark name (Word's own cross-references start with ``_Ref``)."""
    return f"_Ref_{kind}_{number.replace('.', '_')}"


class _Writer:
    def __init__(self, language: str, nodes: Sequence[Any] = ()):
        import docx

        self.language = language if language in _WORDS else "nl"
        #: the image files of the author's text being written (AuthorText.images)
        self.author_images: dict[str, bytes] = {}
        self.words = _WORDS[self.language]
        self.document = docx.Document()
        self.title = next((n.title for n in nodes if n.kind == "title_page"), "")
        #: (kind, number) of every table and figure: what a sentence may refer to
        self.targets = {("table", n.number) for n in nodes if n.kind == "table" and n.number}
        self.targets |= {("figure", n.number) for n in nodes
                         if n.kind == "figure" and n.number}
        #: the values Word's SEQ fields reach at this point of the document
        self.counts = {SEQ_CHAPTER: 0, SEQ_SECTION: 0, SEQ_TABLE: 0, SEQ_FIGURE: 0}
        self.bookmarks = 0
        self.page_setup()
        self.styles()
        self.settings()

    # -- the document as a whole ----------------------------------------------------------------
    def page_setup(self) -> None:
        """A4 with the PDF's margins; the report's title in the header and the page number in
        the footer of every page but the title page."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt, RGBColor

        section = self.document.sections[0]
        section.page_width, section.page_height = (Cm(v) for v in PAGE_CM)
        top, right, bottom, left = (Cm(v) for v in MARGINS_CM)
        section.top_margin, section.right_margin = top, right
        section.bottom_margin, section.left_margin = bottom, left
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = header.add_run(self.title)
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(*_MUTED)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(footer, "PAGE", "1")

    def styles(self) -> None:
        """The report's look: one sans-serif body font, ink-coloured headings, the language."""
        from docx.shared import Pt, RGBColor

        styles = self.document.styles
        normal = styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = Pt(BODY_PT)
        normal.font.color.rgb = RGBColor(*_INK)
        for name, size in _HEADING_PT.items():
            style = styles[name]
            style.font.name = BODY_FONT
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = RGBColor(*_INK)
        caption = styles["Caption"]
        caption.font.size = Pt(9)
        caption.font.italic = False
        caption.font.color.rgb = RGBColor(*_INK)
        # the spelling checker and a screen reader take the document's language from here
        properties = normal.element.find(_qn("w:rPr"))
        properties.append(_element("w:lang", val=self.words["locale"]))

    def settings(self) -> None:
        """Word fills the contents and renumbers when the document opens (``updateFields``);
        the theme's language and the decimal sign are those of the report."""
        settings = self.document.settings.element
        update = _element("w:updateFields", val="true")
        # CT_Settings is a sequence: updateFields comes before these
        later = {_qn(f"w:{t}") for t in ("hdrShapeDefaults", "footnotePr", "endnotePr",
                                          "compat", "docVars", "rsids")}
        following = next((child for child in settings if child.tag in later), None)
        if following is not None:
            following.addprevious(update)
        else:
            settings.append(update)
        for child in settings:
            if child.tag == _qn("w:themeFontLang"):
                child.set(_qn("w:val"), self.words["locale"])
            elif child.tag == _qn("w:decimalSymbol") and self.language == "nl":
                child.set(_qn("w:val"), ",")
            elif child.tag == _qn("w:listSeparator") and self.language == "nl":
                child.set(_qn("w:val"), ";")

    # -- numbers as fields ----------------------------------------------------------------------
    def seq(self, paragraph: Any, name: str, value: int, *, bold: bool | None = None,
            reset_at_chapter: bool = False) -> None:
        """``SEQ name`` with ``value`` as its result; ``\\r`` sets the value where Word's own
        count would differ (a chapter the report leaves out), so an update changes nothing."""
        instruction = f"SEQ {name} \\* ARABIC"
        if reset_at_chapter:
            instruction += " \\s 1"
        # \r also on the first of a chapter: LibreOffice ignores \s 1 without outline numbering
        if value != self.counts[name] + 1 or (reset_at_chapter and self.counts[name] == 0):
            instruction += f" \\r {value}"
        self.counts[name] = value
        _field(paragraph, instruction, str(value), bold=bold)

    def number(self, paragraph: Any, number: str, name: str, *, bold: bool | None = None) -> None:
        """A number ``2.1`` as the chapter's number (``SEQ Hoofdstuk \\c``) and ``name``'s
        count within it; an appendix's letter, or anything else, as text."""
        prefix, _, count = number.rpartition(".")
        if not (count.isdigit() and prefix):
            paragraph.add_run(number).bold = bold
            return
        if prefix.isdigit() and int(prefix) == self.counts[SEQ_CHAPTER]:
            _field(paragraph, f"SEQ {SEQ_CHAPTER} \\c", prefix, bold=bold)
        else:
            paragraph.add_run(prefix).bold = bold
        paragraph.add_run(".").bold = bold
        self.seq(paragraph, name, int(count), bold=bold, reset_at_chapter=True)

    def mark(self, paragraph: Any, element: Any) -> None:
        """Put an element (a bookmark's start or end) at the paragraph's end, between runs."""
        run = paragraph.add_run()
        run.element.addprevious(element)
        run.element.getparent().remove(run.element)

    # -- inline ---------------------------------------------------------------------------------
    def text(self, paragraph: Any, text: str, *, bold: bool | None = None,
             italic: bool | None = None, code: bool = False) -> None:
        """Text, with every "tabel 2.1" or "figuur 3.2" of this report as a cross-reference."""
        at = 0
        for match in _REFERENCE.finditer(text):
            word, space, prefix, count = match.groups()
            kind = "table" if word.lower() in ("tabel", "table") else "figure"
            number = f"{prefix}.{count}"
            if (kind, number) not in self.targets:
                continue
            self.run(paragraph, text[at:match.start()] + word + space, bold, italic, code)
            _field(paragraph, f"REF {_bookmark_name(kind, number)} \\h", number, bold=bold)
            at = match.end()
        self.run(paragraph, text[at:], bold, italic, code)

    @staticmethod
    def run(paragraph: Any, text: str, bold: bool | None, italic: bool | None,
            code: bool) -> None:
        if not text:
            return
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if code:
            run.font.name = "Consolas"

    def spans(self, paragraph: Any, content: Sequence[Any]) -> None:
        for span in content:
            self.text(paragraph, span.text, bold=True if span.style == "strong" else None,
                      italic=True if span.style == "emph" else None, code=span.style == "code")

    def note(self, text: str, *, italic: bool = False) -> None:
        from docx.shared import Pt, RGBColor

        paragraph = self.document.add_paragraph()
        run = paragraph.add_run(text)
        run.font.size = Pt(NOTE_PT)
        run.font.color.rgb = RGBColor(*_MUTED)
        run.italic = italic

    def caption(self, kind: str, number: str | None, caption: str) -> None:
        """A caption in Word's Caption style: "Tabel 2.1" with the number as fields inside a
        bookmark (what the text's cross-references point to), then the caption."""
        paragraph = self.document.add_paragraph(style="Caption")
        if number:
            paragraph.add_run(self.words[kind] + " ").bold = True
            self.bookmarks += 1
            self.mark(paragraph, _element("w:bookmarkStart", id=str(self.bookmarks),
                                          name=_bookmark_name(kind, number)))
            self.number(paragraph, number, SEQ_TABLE if kind == "table" else SEQ_FIGURE,
                        bold=True)
            self.mark(paragraph, _element("w:bookmarkEnd", id=str(self.bookmarks)))
            paragraph.add_run(" ")
        paragraph.add_run(caption)

    # -- nodes ----------------------------------------------------------------------------------
    def node(self, node: Any) -> None:
        method = getattr(self, f"_{node.kind}", None)
        if method is None:
            raise TypeError(f"no Word for report node {node.kind!r}")
        method(node)

    def _title_page(self, node) -> None:
        doc = self.document
        core = doc.core_properties
        core.title = node.title
        core.author = node.study_name
        core.language = self.words["locale"]
        doc.add_paragraph(node.title, style="Title")
        if node.subtitle:
            doc.add_paragraph(node.subtitle, style="Subtitle")
        if node.study_name:
            doc.add_paragraph(node.study_name)
        for label, value in node.facts:
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
        for notice in node.notices:
            doc.add_paragraph(notice, style="Intense Quote")

    def _contents(self, node) -> None:
        if self.document.paragraphs:
            self.document.add_page_break()  # the contents on a page of their own
        self.document.add_paragraph(node.title, style="TOC Heading")
        _field(self.document.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u',
               _WORDS[self.language]["update"])

    def _heading(self, node) -> None:
        from docx.enum.text import WD_BREAK

        if node.level == 1 and len(self.document.paragraphs) > 0:
            # a chapter starts on a new page, as in the PDF
            self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        heading = self.document.add_heading(level=min(node.level, 9))
        if node.level == 1:
            # Word's SEQ fields restart their count at every Heading 1 (\\s 1)
            self.counts[SEQ_TABLE] = self.counts[SEQ_FIGURE] = self.counts[SEQ_SECTION] = 0
        if node.number and node.level == 1 and node.number.isdigit():
            self.seq(heading, SEQ_CHAPTER, int(node.number))
            heading.add_run(" ")
        elif node.number and node.level == 2:
            self.number(heading, node.number, SEQ_SECTION)
            heading.add_run(" ")
        elif node.number:
            heading.add_run(node.number + " ")
        heading.add_run(node.text)
        if node.lead:
            self.document.add_paragraph(node.lead, style="Subtitle")

    def _paragraph(self, node) -> None:
        if not node.content:
            return
        style = "Intense Quote" if node.role == "synthetic-notice" else None
        paragraph = self.document.add_paragraph(style=style)
        self.spans(paragraph, node.content)

    def _note(self, node) -> None:
        if node.text:
            self.note(node.text)

    def _quote(self, node) -> None:
        self.document.add_paragraph(node.text, style="Quote")
        self.note(node.source)

    def _page_break(self, node) -> None:
        self.document.add_page_break()

    def _author_text(self, node) -> None:
        from ..report.html import markdown_tokens

        self.author_images = node.images
        self.markdown(markdown_tokens(node.markdown))
        self.author_images = {}
        if node.note:
            self.note(node.note)

    def _table(self, node) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor

        from ..report.style import NO_DATA_MARKER, SUPPRESSED_MARKER

        header, rows = node.header, node.rows
        if not header:
            return
        self.caption("table", node.number, node.caption)
        numeric = [h in node.numeric_columns for h in header]
        table = self.document.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        size = Pt(8 if node.wide else 9)
        for r, (row, values) in enumerate(zip(table.rows, [header, *rows])):
            bold = r == 0 or (r - 1) in node.total_rows
            for c, (cell, value) in enumerate(zip(row.cells, values)):
                paragraph = cell.paragraphs[0]
                run = paragraph.add_run(str(value))
                run.font.size = size
                run.bold = bold
                if r > 0 and c >= node.row_header and value in (SUPPRESSED_MARKER,
                                                                NO_DATA_MARKER):
                    # as the HTML's suppressed cells: set apart, explained in the table's note
                    run.italic = True
                    run.font.color.rgb = RGBColor(*_SUPPRESSED)
                if numeric[c] and (r == 0 or c >= node.row_header):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        # the header row repeats on every page the table runs over (and marks it a header)
        run = table.cell(0, 0).paragraphs[0].runs[0].element
        first_row = run.getparent().getparent().getparent()  # w:r in w:p in w:tc in w:tr
        row_properties = first_row.find(_qn("w:trPr"))
        if row_properties is None:
            row_properties = _element("w:trPr")
            first_row.insert(0, row_properties)
        row_properties.append(_element("w:tblHeader"))
        for note in node.notes:
            self.note(note)

    def _figure(self, node) -> None:
        from docx.oxml.ns import qn
        from docx.shared import Cm

        width = Cm(min(round(node.width_cm, 1), 16.0))
        for i, png in enumerate(node.pngs):
            run = self.document.add_paragraph().add_run()
            run.add_picture(io.BytesIO(png), width=width)
            for picture in run.element.iter(qn("wp:docPr")):
                # the first panel's description is the alt text of the whole chart
                picture.set("descr", node.alt if i == 0 else
                            continued_panel_alt(node.label, i + 1, len(node.pngs),
                                                self.language))
        self.caption("figure", node.number, node.caption)
        for note in node.notes:
            self.note(note)

    # -- an author's Markdown -------------------------------------------------------------------
    def markdown(self, tokens: Sequence[dict], *, style: str | None = None) -> None:
        for token in tokens:
            kind = token.get("type")
            children = token.get("children") or []
            if kind == "heading":
                # an author's "#" is a section of the chapter, as in the HTML (h3)
                level = min(token["attrs"]["level"] + 1, 4)
                heading = self.document.add_heading(level=level)
                self.inline(heading, children)
            elif kind in ("paragraph", "block_text"):
                paragraph = self.document.add_paragraph(style=style)
                self.inline(paragraph, children)
            elif kind == "list":
                ordered = token.get("attrs", {}).get("ordered")
                for item in children:
                    self.markdown(item.get("children") or [],
                                  style="List Number" if ordered else "List Bullet")
            elif kind == "block_quote":
                self.markdown(children, style="Quote")
            elif kind == "block_code":
                paragraph = self.document.add_paragraph()
                paragraph.add_run(token.get("raw", "")).font.name = "Consolas"
            elif kind == "table":
                self.markdown_table(token)
            elif children:
                self.markdown(children, style=style)

    def inline(self, paragraph: Any, tokens: Sequence[dict], *, bold: bool = False,
               italic: bool = False) -> None:
        for token in tokens:
            kind = token.get("type")
            children = token.get("children") or []
            if kind == "text":
                self.text(paragraph, re.sub(r"\s+", " ", token.get("raw", "")),
                          bold=bold or None, italic=italic or None)
            elif kind == "strong":
                self.inline(paragraph, children, bold=True, italic=italic)
            elif kind == "emphasis":
                self.inline(paragraph, children, bold=bold, italic=True)
            elif kind == "codespan":
                paragraph.add_run(token.get("raw", "")).font.name = "Consolas"
            elif kind == "softbreak":
                paragraph.add_run(" ")
            elif kind == "linebreak":
                paragraph.add_run().add_break()
            elif kind == "image":
                self.author_image(paragraph, token, bold=bold, italic=italic)
            elif children:
                self.inline(paragraph, children, bold=bold, italic=italic)

    def author_image(self, paragraph: Any, token: dict, *, bold: bool = False,
                     italic: bool = False) -> None:
        """An image of an author's text: its file from ``texts/`` (what the text node carries)
        embedded with its alt text, else the alt text itself; nothing is linked to a file."""
        from docx.oxml.ns import qn
        from docx.shared import Cm

        from ..report.html import image_type

        data = self.author_images.get(str(token.get("attrs", {}).get("url", "")))
        children = token.get("children") or []
        if not data or image_type(data) is None:
            self.inline(paragraph, children, bold=bold, italic=True)
            return
        run = paragraph.add_run()
        shape = run.add_picture(io.BytesIO(data))
        if shape.width > Cm(16):
            shape.height = int(shape.height * Cm(16) / shape.width)
            shape.width = Cm(16)
        alt = "".join(t.get("raw", "") for t in children if t.get("type") == "text")
        for picture in run.element.iter(qn("wp:docPr")):
            picture.set("descr", alt)

    def markdown_table(self, token: dict) -> None:
        rows = []
        for part in token.get("children", []):
            if part["type"] == "table_head":
                rows.append(part.get("children", []))
            else:
                rows += [row.get("children", []) for row in part.get("children", [])]
        if not rows or not rows[0]:
            return
        table = self.document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells[:len(rows[0])]):
                self.inline(table.cell(r, c).paragraphs[0], cell.get("children", []),
                            bold=r == 0)


def continued_panel_alt(label: str, panel: int, panels: int, language: str = "nl") -> str:
    """The alt text of a further panel of a long chart (the first panel's describes it all).

    >>> continued_panel_alt("Figuur 5.1", 2, 3)
    'Figuur 5.1, deel 2 van 3: vervolg van de grafiek, beschreven bij deel 1.'
    """
    if language == "en":
        return f"{label}, part {panel} of {panels}: the chart continued, described at part 1."
    return f"{label}, deel {panel} van {panels}: vervolg van de grafiek, beschreven bij deel 1."


def nodes_to_docx(nodes: Sequence[Any], target: Path, *, language: str = "nl") -> None:
    """Write the report's nodes to ``target`` as a Word document."""
    writer = _Writer(language, nodes)
    for node in nodes:
        writer.node(node)
    writer.document.save(str(target))


__all__ = ["nodes_to_docx"]
