"""The Word writer: a report's nodes as an editable DOCX, written with python-docx.

Word's own structure throughout, so an author can finish the report in Word: the title page in
the Title and Subtitle styles, a table of contents field (Word fills it when the author updates
fields), chapters and sections as Heading 1 and Heading 2, real tables (numbers right-aligned,
header row bold, totals bold, the suppression marker as in the HTML), figures as pictures with
their alt text, captions in Word's Caption style and notes under them. An author's Markdown is
written from mistune's syntax tree.

Only python-docx's public API and its documented ``OxmlElement`` for what it has no method for
(a field, a picture's description); see python-docx issue #455 (alt text) and #36 (fields).
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
_WORDS = {"nl": {"contents": "Inhoud", "update": "Werk de inhoudsopgave bij (F9) om haar te zien."},
          "en": {"contents": "Contents", "update": "Update the table of contents (F9) to see it."}}


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A complex field (``TOC``, ``SEQ``, ...) in a paragraph, with a placeholder result."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run = paragraph.add_run()
    run.element.append(char("begin"))
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run.element.append(instr)
    paragraph.add_run().element.append(char("separate"))
    if placeholder:
        paragraph.add_run(placeholder)
    paragraph.add_run().element.append(char("end"))


class _Writer:
    def __init__(self, language: str):
        import docx

        self.language = language if language in _WORDS else "nl"
        self.document = docx.Document()

    # -- inline ---------------------------------------------------------------------------------
    def spans(self, paragraph: Any, content: Sequence[Any]) -> None:
        for span in content:
            run = paragraph.add_run(span.text)
            if span.style == "strong":
                run.bold = True
            elif span.style == "emph":
                run.italic = True
            elif span.style == "code":
                run.font.name = "Consolas"

    def note(self, text: str, *, italic: bool = False) -> None:
        from docx.shared import Pt, RGBColor

        paragraph = self.document.add_paragraph()
        run = paragraph.add_run(text)
        run.font.size = Pt(NOTE_PT)
        run.font.color.rgb = RGBColor(*_MUTED)
        run.italic = italic

    def caption(self, label: str, caption: str) -> None:
        paragraph = self.document.add_paragraph(style="Caption")
        if label:
            paragraph.add_run(label).bold = True
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
        core.language = "nl-NL" if self.language == "nl" else "en-GB"
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
        self.document.add_paragraph(node.title, style="TOC Heading")
        _field(self.document.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u',
               _WORDS[self.language]["update"])

    def _heading(self, node) -> None:
        from docx.enum.text import WD_BREAK

        if node.level == 1 and len(self.document.paragraphs) > 0:
            # a chapter starts on a new page, as in the PDF
            self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.document.add_heading(node.label, level=min(node.level, 9))
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

        self.markdown(markdown_tokens(node.markdown))
        if node.note:
            self.note(node.note)

    def _table(self, node) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        from ..report.style import NO_DATA_MARKER, SUPPRESSED_MARKER

        header, rows = node.header, node.rows
        if not header:
            return
        self.caption(node.label, node.caption)
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
                    run.italic = True
                if numeric[c] and (r == 0 or c >= node.row_header):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
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
                picture.set("descr", node.alt if i == 0 else "")
        self.caption(node.label, node.caption)
        for note in node.notes:
            self.note(note)

    # -- an author's Markdown -------------------------------------------------------------------
    def markdown(self, tokens: Sequence[dict], *, style: str | None = None) -> None:
        for token in tokens:
            kind = token.get("type")
            children = token.get("children") or []
            if kind == "heading":
                level = max(min(token["attrs"]["level"] + 2, 4), 3)
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
                run = paragraph.add_run(re.sub(r"\s+", " ", token.get("raw", "")))
                run.bold, run.italic = bold or None, italic or None
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
            elif children:
                self.inline(paragraph, children, bold=bold, italic=italic)

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


def nodes_to_docx(nodes: Sequence[Any], target: Path, *, language: str = "nl") -> None:
    """Write the report's nodes to ``target`` as a Word document."""
    writer = _Writer(language)
    for node in nodes:
        writer.node(node)
    writer.document.save(str(target))


__all__ = ["nodes_to_docx"]
