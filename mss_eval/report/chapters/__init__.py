"""The chapters of a report: each function computes, tabulates, draws and describes one chapter.

A report notebook calls these in order, one or two per chapter, with the :class:`Report` from
:func:`~mss_eval.report.notebook.setup_notebook`::

    chapters.summary(report)           # samenvatting: the findings that matter most
    chapters.introduction(report)      # 1 introduction and accountability of the data
    chapters.mss_profile(report)       # 2 the MSS
    chapters.administrative(report)    # 3 administrative level
    chapters.executive(report)         # 4 executive level
    chapters.personal(report)          # 5 personal level
    chapters.conclusions(report)       # 6 conclusions
    chapters.appendix(report)          # appendix: methods, instruments, provenance

Every function returns a :class:`~mss_eval.report.document.Block`: a list of report nodes
(headings, paragraphs, tables with their frames, figures with their matplotlib figures) that a
notebook shows richly and the renderer writes as HTML, PDF and Word.
A region report describes one region; the round and final reports put the regions side by side
in every table and figure. Each chapter starts with the author's text when there is one
(``texts/``, see :mod:`mss_eval.report.text`), otherwise with generated sentences; sentences never
state a suppressed figure.

One module per chapter (:mod:`.opening` the summary and chapter 1, :mod:`.profile` chapter 2 and
the themes of a level, :mod:`.administrative_level`, :mod:`.executive_level`,
:mod:`.personal_level`, :mod:`.closing` the conclusions, :mod:`.appendices`), with the helpers
they share in :mod:`._shared` and the comparison of regions in :mod:`._comparison`. Every name is
imported here, so ``chapters.personal(report)`` and ``chapters.MANY_REGIONS = 10`` work as they
did when the chapters were one module.
"""

from __future__ import annotations

import sys
import types

from ...analysis import TOTAL  # noqa: F401
from ..wording import _GROUP_WORDS, _deliveries_sentence  # noqa: F401
from . import _shared
from ._comparison import (_appendix_b_name, _case_mix_of, _case_mix_words, _colours,  # noqa: F401
                          _dot_order, _extremes_caption, _group_sentences, _merged_categories,
                          _merged_sentences, _multilevel, _rating_spread, _regions_compared)
from ._shared import (_analyse, _appendix_note, _cap, _delivery, _extremes_frame,  # noqa: F401
                      _key, _narrative, _nl, _region_columns, _region_rows, _row, _shown,
                      _side_by_side, _t, _to_appendix, _transposed, _where, group_labels,
                      group_order, many_regions)
from .administrative_level import administrative  # noqa: F401
from .appendices import (_comparison_method_sentences, _instruments_table,  # noqa: F401
                         _method_sentences, _provenance, appendix, combined_fingerprint)
from .closing import _conclusion_sentences, conclusions  # noqa: F401
from .executive_level import (_collaboration_quality, _executive_sentences,  # noqa: F401
                              _feedback, _network_of_organisations, _scale_groups, executive)
from .opening import data_collection, introduction, summary  # noqa: F401
from .personal_level import (_experience, _followed_clients, _involvement,  # noqa: F401
                             _life_domains, _needs, _network, _rating, _share_groups, personal)
from .profile import _themes_of_level, mss_profile, themes  # noqa: F401

__all__ = ["summary", "introduction", "mss_profile", "administrative", "executive", "personal",
           "conclusions", "appendix", "data_collection"]

def _setting(name: str) -> property:
    """A layout setting of :mod:`._shared`, read and set through the package."""
    return property(lambda self: getattr(_shared, name),
                    lambda self, value: setattr(_shared, name, value),
                    doc=f"``_shared.{name}``: the chapters read it at call time.")


class _Chapters(types.ModuleType):
    """The package as a module whose layout settings are those of :mod:`._shared`, so setting
    ``chapters.MANY_REGIONS`` (documented in docs/reports.md) changes the layout of every chapter
    (Python's documented way of customising a module's attributes: assigning ``__class__``)."""

    MANY_REGIONS = _setting("MANY_REGIONS")
    EXTREME_REGIONS = _setting("EXTREME_REGIONS")


sys.modules[__name__].__class__ = _Chapters
