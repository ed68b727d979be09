"""The HTML writer: one report node as an HTML fragment (what a notebook shows).

nbconvert writes the HTML report from the executed notebook, so these fragments, with the
template's ``report.css``, are the HTML report. Every text is escaped; an author's Markdown is
rendered by mistune with raw HTML escaped. Figures are embedded as PNG data URIs (made by
:mod:`mss_eval.report.png`), printed at their matplotlib width (at most the 16 cm text column).

Nodes are dispatched on their ``kind`` name, so this module does not import the node classes.
"""

from __future__ import annotations

import base64
import html
import re
from typing import Any

from .style import NO_DATA_MARKER, SUPPRESSED_MARKER

esc = html.escape

#: The image formats an author's text may show, by their first bytes (SVG is not among them: it
#: can load other files and run scripts).
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg",
               b"GIF87a": "image/gif", b"GIF89a": "image/gif"}
#: Where a link in an author's text may go: a web page, an e-mail address, a heading.
_LINK_ALLOWED = re.compile(r"^(?:https?://[^/\s]|mailto:[^\s]|#)", re.IGNORECASE)


def image_type(data: bytes) -> str | None:
    """The media type of an image an author's text may show (:data:`IMAGE_TYPES`), or None."""
    return next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)


def link_allowed(url: str) -> bool:
    """Whether a link of an author's text may go into a report (see
    :mod:`mss_eval.report.text`)."""
    return bool(_LINK_ALLOWED.match(url.strip()))


def spans_html(content: Any) -> str:
    """Inline spans as HTML (``strong``, ``em``, ``code``)."""
    out = []
    for span in content:
        text = esc(span.text)
        if span.style == "strong":
            text = f"<strong>{text}</strong>"
        elif span.style == "emph":
            text = f"<em>{text}</em>"
        elif span.style == "code":
            text = f"<code>{text}</code>"
        elif span.style == "link" and span.target:
            text = f'<a href="#{esc(span.target)}">{text}</a>'
        out.append(text)
    return "".join(out)


def node_html(node: Any) -> str:
    """The HTML of one node."""
    writer = _WRITERS.get(node.kind)
    if writer is None:
        raise TypeError(f"no HTML for report node {node.kind!r}")
    return writer(node)


def _title_page(node) -> str:
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in node.facts)
    notices = "".join(f'<p class="synthetic-notice">{esc(n)}</p>' for n in node.notices)
    return (f'<header class="title-page">'
            f'<p class="study-name">{esc(node.study_name)}</p>'
            f"<h1>{esc(node.title)}</h1>"
            f'<p class="report-subtitle">{esc(node.subtitle)}</p>'
            f'<dl class="report-facts">{dl}</dl>'
            f'<p class="report-date" hidden>{esc(node.date)}</p>'
            f"{notices}</header>")


def _heading(node) -> str:
    ident = f' id="{esc(node.anchor)}"' if node.anchor else ""
    if node.level == 1:
        out = f'<h2 class="chapter"{ident}>{esc(node.label)}</h2>'
        if node.lead:
            out += f'\n<p class="chapter-lead">{esc(node.lead)}</p>'
        return out
    tag = f"h{min(node.level + 1, 6)}"
    role = node.role or ("section" if node.level == 2 else None)
    cls = f' class="{esc(role)}"' if role else ""
    return f"<{tag}{cls}{ident}>{esc(node.label)}</{tag}>"


def _paragraph(node) -> str:
    body = spans_html(node.content)
    if not body:
        return ""
    cls = f' class="{esc(node.role)}"' if node.role else ""
    return f"<p{cls}>{body}</p>"


def _note(node) -> str:
    return f'<p class="{esc(node.role)}">{esc(node.text)}</p>'


def _quote(node) -> str:
    return (f'<blockquote class="quote"><p>{esc(node.text)}</p>'
            f"<footer>{esc(node.source)}</footer></blockquote>")


def _page_break(node) -> str:
    return '<div class="page-break" style="break-after: page"></div>'


def _contents(node) -> str:
    entries = "".join(
        f'<li class="{"toc-chapter" if h.level == 1 else "toc-section"}">'
        f'<a href="#{esc(h.anchor or "")}">{esc(h.label)}</a></li>' for h in node.entries)
    # the skip link at the top of the HTML report points here (mss_report/index.html.j2)
    return (f'<nav class="toc" id="inhoud" aria-label="{esc(node.title)}">'
            f'<h2>{esc(node.title)}</h2>'
            f"<ol>{entries}</ol></nav>")


def markdown_html(text: str, *, shift_headings: int = 2,
                  images: dict[str, bytes] | None = None) -> str:
    """An author's Markdown as HTML; raw HTML is escaped, headings move down a level.

    ``# Heading`` in an author's text becomes ``<h3>`` inside a chapter (``shift_headings=2``),
    so the report's own numbered chapter headings stay on top. An image is embedded (a data URI)
    when ``images`` holds its file (see :func:`mss_eval.report.text.author_images`), any other
    image is shown as its alt text; a link that goes elsewhere than a web page, an e-mail address
    or a heading is shown as its text. So the HTML loads nothing and points nowhere on the
    machine.
    """
    import mistune

    images = images or {}

    class Shifted(mistune.HTMLRenderer):
        def heading(self, text: str, level: int, **attrs: Any) -> str:
            return super().heading(text, min(level + shift_headings, 6), **attrs)

        def image(self, text: str, url: str, title: str | None = None) -> str:
            data = images.get(url)
            kind = image_type(data) if data else None
            if kind is None:
                return text
            uri = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
            return (f'<img src="{uri}" alt="{esc(html.unescape(mistune.util.striptags(text)))}" '
                    f'style="max-width:100%">')

        def link(self, text: str, url: str, title: str | None = None) -> str:
            if not link_allowed(url):
                return text
            return super().link(text, url, title)

    md = mistune.create_markdown(escape=True, renderer=Shifted(escape=True),
                                 plugins=["table", "strikethrough"])
    return md(text)


def markdown_tokens(text: str) -> list[dict]:
    """An author's Markdown as mistune's syntax tree (for the Typst and Word writers)."""
    import mistune

    md = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough"])
    return md(text)


def _author_text(node) -> str:
    note = f'<p class="text-note">{esc(node.note)}</p>' if node.note else ""
    return (f'<div class="author-text">{markdown_html(node.markdown, images=node.images)}'
            f"{note}</div>")


def _table(node) -> str:
    label = f'<span class="caption-label">{esc(node.label)}</span> ' if node.number else ""
    ident = f' id="{esc(node.table_id)}"' if node.table_id else ""
    wide = " wide" if node.wide else ""
    short = " short" if node.short else ""
    cells = node.cells
    out = [f'<div class="mss-table{wide}{short}"{ident}>', "<table>"]
    if node.caption or label:
        out.append(f"<caption>{label}{esc(node.caption)}</caption>")
    out.append("<thead><tr>")
    for col in cells.columns:
        cls = ' class="num"' if col in node.numeric_columns else ""
        out.append(f'<th scope="col"{cls}>{esc(str(col))}</th>')
    out.append("</tr></thead>")
    out.append("<tbody>")
    for r, row in enumerate(cells.itertuples(index=False, name=None)):
        cls = ' class="total"' if r in node.total_rows else ""
        out.append(f"<tr{cls}>")
        for i, (col, value) in enumerate(zip(cells.columns, row)):
            text = esc(str(value))
            if i < node.row_header:
                out.append(f'<th scope="row">{text}</th>')
            else:
                classes = []
                if col in node.numeric_columns:
                    classes.append("num")
                if value in (SUPPRESSED_MARKER, NO_DATA_MARKER):
                    classes.append("suppressed")
                c = f' class="{" ".join(classes)}"' if classes else ""
                out.append(f"<td{c}>{text}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    for note in node.notes:
        out.append(f'<p class="table-note">{esc(note)}</p>')
    out.append("</div>")
    return "\n".join(out)


def _figure(node) -> str:
    pngs = node.pngs
    label = f'<span class="caption-label">{esc(node.label)}</span> ' if node.number else ""
    ident = f' id="{esc(node.figure_id)}"' if node.figure_id else ""
    width = f"{node.width_cm:.1f}"
    panels = ' class="mss-figure panels"' if len(pngs) > 1 else ' class="mss-figure"'
    parts = [f"<figure{panels}{ident}>"]
    for i, png in enumerate(pngs):
        data = base64.b64encode(png).decode("ascii")
        # the alt text of the first panel describes the whole chart
        alt = esc(node.alt) if i == 0 else ""
        parts.append(f'<img src="data:image/png;base64,{data}" alt="{alt}" '
                     f'style="width:{width}cm;max-width:100%">')
    if node.caption or label or node.notes:
        notes = "".join(f'<span class="figure-note">{esc(n)}</span>' for n in node.notes)
        parts.append(f"<figcaption>{label}{esc(node.caption)}{notes}</figcaption>")
    parts.append("</figure>")
    return "\n".join(parts)


_WRITERS = {
    "title_page": _title_page, "heading": _heading, "paragraph": _paragraph, "note": _note,
    "quote": _quote, "page_break": _page_break, "contents": _contents,
    "author_text": _author_text, "table": _table, "figure": _figure,
}

__all__ = ["IMAGE_TYPES", "image_type", "link_allowed", "markdown_html", "markdown_tokens",
           "node_html", "spans_html"]
