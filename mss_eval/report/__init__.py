"""The presentation layer: report tables, figures and text, in one look.

Imports only from the stages before it (instruments, study, tidy data, analyses); the rendering
machinery (:mod:`mss_eval.render`) uses this package, not the other way round.

* :mod:`.style` — the theme, the colour-blind-safe palette, Dutch/English number formatting and
  the suppression marker with its footnote;
* :mod:`.tables` — a tidy result frame as a formatted, captioned HTML table;
* :mod:`.figures` — Likert bars, dot plots with intervals, network rings, collaboration networks;
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
from .tables import Col, ReportTable, report_table, show


def setup_notebook(*args, **kwargs):
    """Prepare a report notebook; see :func:`mss_eval.report.notebook.setup_notebook`."""
    from .notebook import setup_notebook as _setup

    return _setup(*args, **kwargs)


__all__ = [
    "Col",
    "ReportTable",
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
