"""Chapter 6, the conclusions.
"""

from __future__ import annotations

from ...analysis import TOTAL
from ..document import Block
from ..notebook import Report
from ..style import format_count, format_number, format_percent
from ..text import say
from ._shared import _analyse, _narrative, _row, _shown, _t, _where, group_order
from .profile import themes


# == 6 conclusions ================================================================================
def conclusions(report: Report) -> Block:
    """Chapter 6: conclusions; the author's text, or the key findings in generated sentences,
    followed by the themes coded as conclusions."""
    block = Block()
    block.add(report.chapter(6, _t(report, "Conclusions")))
    block.add(_narrative(report, "conclusions", _conclusion_sentences(report)))
    themes_block = themes(report, "conclusions")
    if themes_block.nodes:
        block.add(report.section(1, _t(report, "Themes from the interviews")))
        block.add(themes_block)
    return block


def _conclusion_sentences(report: Report) -> list[str]:
    """Conclusions from the data only (rules and bands in :mod:`mss_eval.report.conclusions`
    and docs/reports.md): per scope the rating and the informal share of the network, each with
    its number and base, worded by the band the figure falls in; a figure that is suppressed
    or missing gives a sentence saying the data are insufficient, never a conclusion."""
    from ...analysis.personal import client_rating, personal_network
    from ..conclusions import informal_band, rating_band

    lang = report.language
    clients = report.frame("client_interview")
    keys = [k for k in group_order(report) if k.endswith(TOTAL)] if report.comparative else \
        group_order(report)
    out = []
    if not report.delivered_any("client_interview"):
        return [say(lang, "No client interviews were delivered, so there are no conclusions "
                          "about what clients experience.")]
    rating = _analyse(report, client_rating, clients)
    network = _analyse(report, personal_network, clients)
    for key in keys:
        r = _row(rating, key)
        where = _where(report, key)
        if _shown(r, "mean"):
            out.append(rating_band(lang, float(r["mean"])).format(
                where=where, mean=format_number(r["mean"], 1, lang),
                n=format_count(r["n"], lang)))
        else:
            out.append(say(lang, "Too few clients {where} rated the MSS (fewer than {k}) to "
                                 "draw a conclusion about their rating.", where=where,
                           k=format_count(report.min_respondents, lang)))
        nw = _row(network, key)
        if _shown(nw, "informal_share"):
            out.append(informal_band(lang, float(nw["informal_share"])).format(
                where=where, share=format_percent(nw["informal_share"], 0, lang),
                n=format_count(nw["n"], lang)))
        elif r is not None and _shown(r, "mean"):
            out.append(say(lang, "Too few clients {where} described their personal network to "
                                 "draw a conclusion about it.", where=where))
    return out
