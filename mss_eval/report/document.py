"""The report document model: typed nodes that keep their content until a writer needs a format.

A chapter function (:mod:`mss_eval.report.chapters`) returns a :class:`Block`: a list of nodes.

=================  ==========================================================================
node               what it keeps
=================  ==========================================================================
:class:`TitlePage` study name, title, subtitle, facts (label, value), date, notices
:class:`Heading`   text, level (1 chapter, 2 section, 3–4 below), number, anchor, a lead line
:class:`Paragraph` inline spans (plain, strong, emphasis, code) and a role (generated text, a
                   region's profile, provenance, ...)
:class:`Note`      a note under a table or text (role ``table-note`` / ``text-note``)
:class:`Quote`     an approved quote and its source
:class:`ReportTable` the tidy frame it was made from (``.frame``), the column specification
                   (:class:`Col`: label, kind, decimals, unit), the display cells, caption,
                   number, notes and which cells are suppressed
:class:`ReportFigure` the matplotlib figures (``.figure``; a long chart has several panels),
                   caption, alt text, notes, number and print width
:class:`AuthorText` an author's Markdown (placeholders already filled) and its suppression note
:class:`PageBreak` a new page in print
:class:`Contents`  the table of contents (the renderer adds it after the title page)
=================  ==========================================================================

Nodes hold content, never a format. Writers turn them into one:

* HTML — :mod:`mss_eval.report.html`; every node's ``_repr_html_``, so a notebook shows it and
  nbconvert writes the HTML report from the executed notebook;
* JSON — :meth:`Node.to_json` / :func:`from_json`: the second representation of every displayed
  node (mimetype :data:`MIMETYPE`), which the renderer reads back from the executed notebook;
  figures travel as PNG (base64). A table travels as its display cells and column specification,
  never as its frame: the frame may hold numbers the display suppresses;
* Typst (PDF) — :mod:`mss_eval.render.typst_pdf`; Word — :mod:`mss_eval.render.word`;
* PNG — :mod:`mss_eval.report.png` lays out and rasterises a figure, for the writers above.

:func:`node_text` gives every piece of text a reader sees (including alt texts), for the leak
check (:mod:`mss_eval.privacy`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

#: The mimetype of the report nodes in a notebook's display data (next to ``text/html``).
MIMETYPE = "application/vnd.mss-eval.report+json"
#: Version of the JSON form of the nodes; a reader refuses another.
SCHEMA_VERSION = 1

Kind = Literal["text", "count", "number", "percent", "points", "range"]
Style = Literal["strong", "emph", "code", "link"] | None


# -- inline text --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    """A run of inline text: plain, ``strong``, ``emph``, ``code`` or ``link`` (a reference to
    a heading of the same report: ``target`` is its anchor; HTML makes it a link, print keeps
    the text, which names the section)."""

    text: str
    style: Style = None
    target: str | None = None

    def to_json(self) -> list:
        if self.target:
            return [self.text, self.style, self.target]
        return [self.text, self.style] if self.style else [self.text]

    @classmethod
    def from_json(cls, data: Sequence) -> "Span":
        return cls(str(data[0]), data[1] if len(data) > 1 else None,
                   str(data[2]) if len(data) > 2 and data[2] else None)


def spans(*parts: str | Span) -> tuple[Span, ...]:
    """Inline content from strings (plain) and :class:`Span` objects; empty parts are dropped."""
    out = []
    for part in parts:
        span = part if isinstance(part, Span) else Span(str(part))
        if span.text:
            out.append(span)
    return tuple(out)


def strong(text: str) -> Span:
    return Span(text, "strong")


def code(text: str) -> Span:
    return Span(text, "code")


def link(text: str, target: str) -> Span:
    """A reference to the heading with anchor ``target`` (e.g. ``h-5-1``)."""
    return Span(text, "link", target)


def plain(items: Iterable[Span]) -> str:
    """The text of inline content without its styles."""
    return "".join(s.text for s in items)


# -- nodes --------------------------------------------------------------------------------------
class Node:
    """A piece of report content. Subclasses are dataclasses with a ``kind`` name."""

    kind: ClassVar[str] = "node"

    def to_json(self) -> dict:
        raise NotImplementedError

    def texts(self) -> list[tuple[str, str]]:
        """``(role, text)`` of every piece of text a reader sees in this node."""
        return []

    # display: HTML for notebooks and nbconvert, the JSON nodes for the renderer
    @property
    def html(self) -> str:
        from .html import node_html

        return node_html(self)

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return bundle([self])


@dataclass
class TitlePage(Node):
    """The report's title page: the study, the title and subtitle, facts and notices."""

    kind: ClassVar[str] = "title_page"
    title: str
    study_name: str = ""
    subtitle: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    date: str = ""
    notices: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"type": self.kind, "title": self.title, "study_name": self.study_name,
                "subtitle": self.subtitle, "facts": [list(f) for f in self.facts],
                "date": self.date, "notices": list(self.notices)}

    def texts(self):
        out = [("title", self.title), ("study", self.study_name), ("subtitle", self.subtitle),
               ("date", self.date)]
        out += [("fact", f"{k}: {v}") for k, v in self.facts]
        return out + [("notice", n) for n in self.notices]


@dataclass
class Heading(Node):
    """A heading: level 1 a chapter, 2 a section (both numbered, in the contents), 3–4 below.

    ``number`` is the chapter or section number (``"5"``, ``"5.2"``, ``"A"``) written before the
    text; ``anchor`` the id that links and the contents point to; ``lead`` an optional line
    under a chapter heading; ``role`` a finer kind of heading (``region-profile``: a region's
    name over its profile, unnumbered, one level below the chapter).
    """

    kind: ClassVar[str] = "heading"
    text: str
    level: int = 1
    number: str | None = None
    anchor: str | None = None
    lead: str | None = None
    role: str | None = None

    @property
    def label(self) -> str:
        """The heading as shown: number and text."""
        return f"{self.number} {self.text}" if self.number else self.text

    def to_json(self) -> dict:
        return _compact({"type": self.kind, "text": self.text, "level": self.level,
                         "number": self.number, "anchor": self.anchor, "lead": self.lead,
                         "role": self.role})

    def texts(self):
        return [("heading", self.label)] + ([("lead", self.lead)] if self.lead else [])

    def _repr_markdown_(self) -> str:
        return f"{'#' * (self.level + 1)} {self.label}"


@dataclass
class Paragraph(Node):
    """A paragraph of inline spans. ``role`` says what it is: ``generated-text`` (sentences the
    workbench wrote), ``region-profile`` (a region's profile from study.yaml), ``provenance``,
    ``synthetic-notice``, or None (plain)."""

    kind: ClassVar[str] = "paragraph"
    content: tuple[Span, ...]
    role: str | None = "generated-text"

    @classmethod
    def of(cls, *parts: str | Span, role: str | None = "generated-text") -> "Paragraph":
        return cls(spans(*parts), role)

    @property
    def text(self) -> str:
        return plain(self.content)

    def to_json(self) -> dict:
        return _compact({"type": self.kind, "content": [s.to_json() for s in self.content],
                         "role": self.role})

    def texts(self):
        return [("paragraph", self.text)]

    def _repr_markdown_(self) -> str:
        marks = {"strong": "**", "emph": "*", "code": "`"}
        return "".join(f"{marks.get(s.style, '')}{s.text}{marks.get(s.style, '')}"
                       for s in self.content)


@dataclass
class Note(Node):
    """A note in small type: under a table (``table-note``) or a text (``text-note``)."""

    kind: ClassVar[str] = "note"
    text: str
    role: str = "table-note"

    def to_json(self) -> dict:
        return {"type": self.kind, "text": self.text, "role": self.role}

    def texts(self):
        return [("note", self.text)]


@dataclass
class Quote(Node):
    """An approved quote with its source (kind of source, region)."""

    kind: ClassVar[str] = "quote"
    text: str
    source: str = ""

    def to_json(self) -> dict:
        return {"type": self.kind, "text": self.text, "source": self.source}

    def texts(self):
        return [("quote", self.text), ("quote source", self.source)]


@dataclass
class PageBreak(Node):
    """A new page in print (no effect on screen)."""

    kind: ClassVar[str] = "page_break"

    def to_json(self) -> dict:
        return {"type": self.kind}


@dataclass
class Contents(Node):
    """The table of contents: the chapters (level 1) and sections (level 2) of the report."""

    kind: ClassVar[str] = "contents"
    title: str = "Inhoud"
    entries: list[Heading] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"type": self.kind, "title": self.title,
                "entries": [h.to_json() for h in self.entries]}

    def texts(self):
        return [("contents", self.title)] + [("contents", h.label) for h in self.entries]


@dataclass
class AuthorText(Node):
    """An author's text (Markdown from ``texts/``), placeholders filled; ``note`` is the
    suppression note when a placeholder named a suppressed figure; ``images`` the image files
    of ``texts/`` the text shows, by the address written in it (every writer embeds these and
    shows any other image as its alt text, see :func:`mss_eval.report.text.author_images`)."""

    kind: ClassVar[str] = "author_text"
    markdown: str
    note: str | None = None
    source: str = ""
    images: dict[str, bytes] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict:
        return _compact({"type": self.kind, "markdown": self.markdown, "note": self.note,
                         "source": self.source,
                         "images": {url: base64.b64encode(data).decode("ascii")
                                    for url, data in self.images.items()} or None})

    def texts(self):
        return [("author text", self.markdown)] + ([("note", self.note)] if self.note else [])

    def _repr_markdown_(self) -> str:
        return self.markdown + (f"\n\n*{self.note}*" if self.note else "")


@dataclass(frozen=True)
class Col:
    """How one column of a report table is shown (a ``"low|high"`` pair with ``kind="percent"``
    is an interval of shares, written in percent).

    Parameters
    ----------
    name : str
        The column in the tidy frame. For ``kind="range"`` give the two columns as
        ``name="ci_low|ci_high"`` (shown as ``7,2–8,1``).
    label : str
        The column header.
    kind : {"text", "count", "number", "percent", "points", "range"}, optional
        How values are written; guessed from the dtype when not given (integers as counts,
        floats with ``decimals`` decimals, everything else as text).
    decimals : int, optional
        Decimals of numbers and ranges (default 1) and percentages (default 0).
    labels : mapping, optional
        Value → label for coded values (answer keys, region ids, item names).
    base : bool
        A base (``n``): still shown in a suppressed row when it is known.
    suppressed_by : str, optional
        A flag column of the frame that suppresses this column on its own, for a statistic with
        a base of its own (Cronbach's alpha on complete cases: ``"alpha_suppressed"``); the
        row's flag suppresses it too.
    unit : str, optional
        The unit of the values (``"%"``, ``"persons"``), for writers and readers of the JSON.
    """

    name: str
    label: str
    kind: Kind | None = None
    decimals: int | None = None
    labels: Mapping[Any, str] | None = None
    base: bool = False
    suppressed_by: str | None = None
    unit: str | None = None

    def to_json(self) -> dict:
        return _compact({"name": self.name, "label": self.label, "kind": self.kind,
                         "decimals": self.decimals, "base": self.base or None,
                         "unit": self.unit or ("%" if self.kind == "percent" else
                                              "pp" if self.kind == "points" else None)})


@dataclass
class ReportTable(Node):
    """A report table: the tidy frame, its column specification and the display cells.

    ``cells`` holds the display strings with the header labels as columns (no index is ever
    shown); ``row_header`` says how many leading columns label the rows; ``numeric_columns``
    are the header labels of columns holding numbers (right-aligned); ``total_rows`` marks rows
    printed in bold (totals). ``frame`` and ``columns`` are what the cells were made from (None
    in a table read back from JSON); the frame keeps the numbers.
    """

    kind: ClassVar[str] = "table"
    cells: Any  # pandas.DataFrame of strings
    caption: str = ""
    notes: list[str] = field(default_factory=list)
    number: str | None = None
    language: str = "nl"
    row_header: int = 1
    numeric_columns: frozenset[str] = frozenset()
    total_rows: frozenset[int] = frozenset()
    table_id: str | None = None
    frame: Any = None
    columns: list[Col] | None = None

    @property
    def has_suppressed(self) -> bool:
        from .style import SUPPRESSED_MARKER

        return bool((self.cells == SUPPRESSED_MARKER).to_numpy().any())

    @property
    def has_no_data(self) -> bool:
        from .style import NO_DATA_MARKER

        return bool((self.cells == NO_DATA_MARKER).to_numpy().any())

    @property
    def suppressed_cells(self) -> list[tuple[int, int]]:
        """``(row, column)`` of every cell shown as a marker instead of a number: the
        suppression marker (too few respondents) or the no-data marker (nobody)."""
        from .style import NO_DATA_MARKER, SUPPRESSED_MARKER

        values = self.cells.to_numpy()
        return [(r, c) for r in range(values.shape[0]) for c in range(values.shape[1])
                if c >= self.row_header and values[r, c] in (SUPPRESSED_MARKER, NO_DATA_MARKER)]

    @property
    def header(self) -> list[str]:
        return [str(c) for c in self.cells.columns]

    @property
    def rows(self) -> list[list[str]]:
        return [[str(v) for v in row] for row in self.cells.itertuples(index=False, name=None)]

    @property
    def wide(self) -> bool:
        """Many columns (regions side by side): smaller type."""
        return len(self.cells.columns) > 7

    @property
    def short(self) -> bool:
        """Few rows: kept whole on one page, caption included."""
        return len(self.cells) <= 25

    @property
    def label(self) -> str:
        return _numbered("Table", self.number, self.language)

    def to_html(self) -> str:
        return self.html

    def to_json(self) -> dict:
        return _compact({
            "type": self.kind, "caption": self.caption, "number": self.number,
            "label": self.label, "id": self.table_id, "language": self.language,
            "header": self.header, "rows": self.rows, "row_header": self.row_header,
            "numeric": [i for i, c in enumerate(self.header) if c in self.numeric_columns],
            "total_rows": sorted(self.total_rows), "notes": list(self.notes),
            "columns": [c.to_json() for c in self.columns] if self.columns else None,
            "suppressed": [list(rc) for rc in self.suppressed_cells],
        })

    def texts(self):
        out = [("caption", f"{self.label} {self.caption}".strip())]
        out += [("header", h) for h in self.header]
        out += [("cell", v) for row in self.rows for v in row]
        return out + [("note", n) for n in self.notes]


@dataclass
class ReportFigure(Node):
    """A report figure: the matplotlib figure(s), alt text, caption, notes, number, width.

    A chart with many rows is cut into panels that each fit on a printed page: ``figures``
    holds them in order (``figure`` is the first). The PNG of each panel (``png``,
    ``more_png``) is made by :mod:`mss_eval.report.png` the first time a writer asks for it;
    a figure read back from JSON has its PNGs and no matplotlib figure.
    """

    kind: ClassVar[str] = "figure"
    figures: list[Any] = field(default_factory=list)
    alt: str = ""
    caption: str = ""
    notes: list[str] = field(default_factory=list)
    number: str | None = None
    language: str = "nl"
    width_in: float = 7.0
    figure_id: str | None = None
    _pngs: list[bytes] | None = field(default=None, repr=False)

    @property
    def figure(self) -> Any:
        """The matplotlib ``Figure`` (the first panel of a long chart)."""
        return self.figures[0] if self.figures else None

    @property
    def axes(self) -> Any:
        """The axes of the figure, to restyle before it is shown."""
        return self.figure.axes if self.figure is not None else []

    @property
    def pngs(self) -> list[bytes]:
        """PNG bytes of every panel (made once, by the PNG writer)."""
        if self._pngs is None:
            from .png import figure_png

            self._pngs = [figure_png(f) for f in self.figures]
        return self._pngs

    @property
    def png(self) -> bytes:
        return self.pngs[0]

    @property
    def more_png(self) -> list[bytes]:
        return self.pngs[1:]

    @property
    def width_cm(self) -> float:
        """Print width: the matplotlib width, at most the A4 text column (~16 cm)."""
        return min(self.width_in * 2.54, 16.0)

    @property
    def label(self) -> str:
        return _numbered("Figure", self.number, self.language)

    def to_html(self) -> str:
        return self.html

    def to_json(self) -> dict:
        return _compact({
            "type": self.kind, "caption": self.caption, "number": self.number,
            "label": self.label, "id": self.figure_id, "language": self.language,
            "alt": self.alt, "notes": list(self.notes), "width_in": float(self.width_in),
            "png": [base64.b64encode(p).decode("ascii") for p in self.pngs],
        })

    def texts(self):
        return [("caption", f"{self.label} {self.caption}".strip()), ("alt text", self.alt)] + \
            [("note", n) for n in self.notes]


# -- blocks -------------------------------------------------------------------------------------
class Block:
    """A list of nodes: a chapter, or a table with its text. Displays as all its nodes.

    ``add`` takes nodes, other blocks, lists of nodes and plain strings (a string becomes a
    :class:`Paragraph`); None and empty strings are skipped.

    Examples
    --------
    >>> block = Block([Heading("Persoonlijk niveau", level=1, number="5", anchor="h-5")])
    >>> block.add("In Den Haag gaven 14 cliënten het MSS gemiddeld een 8,0.")  # doctest: +ELLIPSIS
    <report block: 2 node(s)>...
    >>> block[1].html
    '<p class="generated-text">In Den Haag gaven 14 cliënten het MSS gemiddeld een 8,0.</p>'
    """

    def __init__(self, nodes: Iterable[Node] = ()):
        self.nodes: list[Node] = []
        self.add(*nodes)

    def add(self, *items: Any) -> "Block":
        for item in items:
            if item is None or (isinstance(item, str) and not item):
                continue
            if isinstance(item, Block):
                self.nodes.extend(item.nodes)
            elif isinstance(item, Node):
                self.nodes.append(item)
            elif isinstance(item, str):
                self.nodes.append(Paragraph.of(item))
            elif isinstance(item, (list, tuple)):
                self.add(*item)
            else:
                raise TypeError(f"a report block holds report nodes, not {type(item).__name__}")
        return self

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, index):
        return self.nodes[index]

    @property
    def tables(self) -> list[ReportTable]:
        return [n for n in self.nodes if isinstance(n, ReportTable)]

    @property
    def figures(self) -> list[ReportFigure]:
        return [n for n in self.nodes if isinstance(n, ReportFigure)]

    @property
    def html(self) -> str:
        from .html import node_html

        return "\n".join(node_html(n) for n in self.nodes)

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return bundle(self.nodes)

    def __repr__(self) -> str:  # a console gets the list of nodes
        lines = [f"<report block: {len(self.nodes)} node(s)>"]
        lines += [f"  {describe(n)}" for n in self.nodes]
        return "\n".join(lines)


def describe(node: Node) -> str:
    """One line naming a node: ``table 5.2: Rapportcijfer per regio``."""
    if isinstance(node, Heading):
        return f"heading {node.level}: {node.label}"
    if isinstance(node, (ReportTable, ReportFigure)):
        return f"{node.kind} {node.number or ''}: {node.caption}".replace("  ", " ")
    if isinstance(node, Paragraph):
        text = node.text
        return f"paragraph: {text[:70]}{'…' if len(text) > 70 else ''}"
    if isinstance(node, (Note, Quote)):
        return f"{node.kind}: {node.text[:70]}"
    if isinstance(node, TitlePage):
        return f"title page: {node.title}"
    return node.kind


# -- JSON transport -----------------------------------------------------------------------------
def bundle(nodes: Sequence[Node]) -> dict:
    """The display bundle of nodes: HTML for the notebook and nbconvert, JSON for the renderer."""
    from .html import node_html

    return {"text/html": "\n".join(node_html(n) for n in nodes),
            MIMETYPE: {"version": SCHEMA_VERSION, "nodes": [n.to_json() for n in nodes]},
            "text/plain": "\n".join(describe(n) for n in nodes)}


def from_json(data: Mapping) -> list[Node]:
    """The nodes of one display bundle's JSON (``{"version": 1, "nodes": [...]}``)."""
    if data.get("version") != SCHEMA_VERSION:
        raise ValueError(f"report nodes of version {data.get('version')!r}; this workbench "
                         f"reads version {SCHEMA_VERSION}")
    return [node_from_json(n) for n in data.get("nodes", [])]


def node_from_json(data: Mapping) -> Node:
    """One node from its JSON form."""
    kind = data.get("type")
    if kind == "title_page":
        return TitlePage(title=data["title"], study_name=data.get("study_name", ""),
                         subtitle=data.get("subtitle", ""),
                         facts=[tuple(f) for f in data.get("facts", [])],
                         date=data.get("date", ""), notices=list(data.get("notices", [])))
    if kind == "heading":
        return Heading(text=data["text"], level=int(data.get("level", 1)),
                       number=data.get("number"), anchor=data.get("anchor"),
                       lead=data.get("lead"), role=data.get("role"))
    if kind == "paragraph":
        return Paragraph(tuple(Span.from_json(s) for s in data.get("content", [])),
                         data.get("role"))
    if kind == "note":
        return Note(data["text"], data.get("role", "table-note"))
    if kind == "quote":
        return Quote(data["text"], data.get("source", ""))
    if kind == "page_break":
        return PageBreak()
    if kind == "contents":
        return Contents(data.get("title", ""),
                        [node_from_json(h) for h in data.get("entries", [])])
    if kind == "author_text":
        return AuthorText(data["markdown"], data.get("note"), data.get("source", ""),
                          images={str(url): base64.b64decode(b64)
                                  for url, b64 in (data.get("images") or {}).items()})
    if kind == "table":
        import pandas as pd

        header = list(data.get("header", []))
        rows = data.get("rows", [])
        cells = pd.DataFrame(rows, columns=header, dtype=object) if header else pd.DataFrame()
        numeric = frozenset(header[i] for i in data.get("numeric", []) if i < len(header))
        return ReportTable(cells=cells, caption=data.get("caption", ""),
                           notes=list(data.get("notes", [])), number=data.get("number"),
                           language=data.get("language", "nl"),
                           row_header=int(data.get("row_header", 1)),
                           numeric_columns=numeric,
                           total_rows=frozenset(data.get("total_rows", [])),
                           table_id=data.get("id"))
    if kind == "figure":
        return ReportFigure(figures=[], alt=data.get("alt", ""), caption=data.get("caption", ""),
                            notes=list(data.get("notes", [])), number=data.get("number"),
                            language=data.get("language", "nl"),
                            width_in=float(data.get("width_in", 7.0)),
                            figure_id=data.get("id"),
                            _pngs=[base64.b64decode(p) for p in data.get("png", [])])
    raise ValueError(f"unknown report node type {kind!r}")


def node_text(data: Mapping) -> list[tuple[str, str]]:
    """``(role, text)`` of every piece of text in one bundle's JSON, images left out: what
    the leak check reads of the nodes."""
    out: list[tuple[str, str]] = []
    for node in from_json(data):
        out += [(role, text) for role, text in node.texts() if text]
    return out


def _numbered(word: str, number: Any, language: str) -> str:
    """A numbered label in the report's language ("Tabel 5.1"), or "" for an unnumbered node
    (``word`` is a message id: :data:`.i18n.KEYWORDS` extracts it from the calls)."""
    from .i18n import gettext
    from .style import check_language

    return f"{gettext(check_language(language), word)} {number}" if number else ""


def _compact(data: dict) -> dict:
    """Leave out keys whose value is None (smaller JSON; readers use defaults)."""
    return {k: v for k, v in data.items() if v is not None}


__all__ = ["AuthorText", "Block", "Col", "Contents", "Heading", "MIMETYPE", "Node", "Note",
           "PageBreak", "Paragraph", "Quote", "ReportFigure", "ReportTable", "SCHEMA_VERSION",
           "Span", "TitlePage", "bundle", "code", "describe", "from_json", "node_from_json",
           "node_text", "spans", "strong"]
