"""The presentation layer: report tables, figures and text, in one look.

Imports only from the stages before it (instruments, study, tidy data, analyses); the rendering
machinery (:mod:`mss_eval.render`) uses this package, not the other way round.

* :mod:`.style` — the theme, the colour-blind-safe palette, Dutch/English number formatting and
  the suppression marker with its footnote;
* :mod:`.document` — the report document model: typed nodes (heading, paragraph, table with its
  frame, figure with its matplotlib figure, note, ...) that every writer turns into its format;
* :mod:`.tables` — a tidy result frame as a formatted, captioned report table;
* :mod:`.figures` — Likert bars, dot plots with intervals, network rings, collaboration networks
  (drawing functions with ``ax=None`` that return the ``Axes``, and report figures);
* :mod:`.html`, :mod:`.png` — the HTML and PNG writers of the nodes;
* :mod:`.text` — authors' Markdown with placeholders, generated sentences;
* :mod:`.notebook` — :func:`setup_notebook` and the :class:`Report` context of a notebook;
* :mod:`.chapters` — the chapters of every report.
"""

from .style import (
    SUPPRESSED_MARKER,
    format_count,
    format_number,
    format_percent,
    format_range,
    set_theme,
    suppression_note,
)
from .document import (Block, Col, Heading, Note, Paragraph, ReportFigure, ReportTable,
                       TitlePage)
from .tables import report_table, show


def setup_notebook(*args, **kwargs):
    """Prepare a report notebook; see :func:`mss_eval.report.notebook.setup_notebook`."""
    from .notebook import setup_notebook as _setup

    return _setup(*args, **kwargs)


__all__ = [
    "Block",
    "Col",
    "Heading",
    "Note",
    "Paragraph",
    "ReportFigure",
    "ReportTable",
    "TitlePage",
    "SUPPRESSED_MARKER",
    "format_count",
    "format_number",
    "format_percent",
    "format_range",
    "report_table",
    "set_theme",
    "setup_notebook",
    "show",
    "suppression_note",
]
