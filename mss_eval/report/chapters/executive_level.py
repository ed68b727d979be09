"""Chapter 4, the executive level: the partners' results rating, the quality of collaboration,
the network of organisations and the feedback of the findings.
"""

from __future__ import annotations

import pandas as pd

from ...analysis import TOTAL
from ..document import Block
from ..figures import dot_plot_figure
from ..notebook import Report
from ..style import format_count, format_number, format_percent, join_words
from ..tables import Col
from ..text import paragraph, say, say_n
from ..wording import _GROUP_WORDS, number_word
from ._comparison import _multilevel, _regions_compared
from ._shared import (_analyse, _cap, _delivery, _in_round, _key, _narrative, _region_rows, _row,
                      _shown, _side_by_side, _t, _where, group_labels, group_order, many_regions)
from .profile import themes


# == 4 executive level ============================================================================
def executive(report: Report) -> Block:
    """Chapter 4: the executive level: collaboration quality, the network, feedback meetings."""
    block = Block()
    lang = report.language
    block.add(report.chapter(4, _t(report, "Executive level")))
    partners = report.frame("partner_survey")
    block.add(_narrative(report, "executive", _executive_sentences(report, partners)))
    note, delivered = _delivery(report, "partner_survey")
    block.add(report.section(1, _t(report, "Quality of collaboration")))
    if note:
        block.add(paragraph(note))
    if delivered:
        block.add(_collaboration_quality(report, partners))
    block.add(report.section(2, _t(report, "The collaboration network")))
    if note:
        block.add(paragraph(note))
    if delivered:
        block.add(_network_of_organisations(report, partners, report.frame("partner_ties")))
    block.add(report.section(3, _t(report, "Feedback meeting")))
    note, delivered = _delivery(report, "feedback_meeting")
    if note:
        block.add(paragraph(note))
    if delivered:
        block.add(_feedback(report))
    themes_block = themes(report, "executive")
    if themes_block.nodes:
        block.add(report.section(4, _t(report, "Themes from the interviews")))
        block.add(themes_block)
    return block


def _executive_sentences(report: Report, partners: pd.DataFrame) -> list[str]:
    from ...analysis.executive import partner_results_rating

    lang = report.language
    result = _analyse(report, partner_results_rating, partners)
    keys = [k for k in group_order(report) if k.endswith(TOTAL)] if report.comparative else \
        group_order(report)
    out = []
    for key in keys:
        row = _row(result, key)
        if _shown(row, "mean"):
            out.append(say(
                lang, "{Where}, {n} collaboration partners rate the results of the MSS {mean} on "
                "average.",
                Where=_cap(_where(report, key)), n=format_count(row["n"], lang),
                mean=format_number(row["mean"], 1, lang)))
    return out


def _collaboration_quality(report: Report, partners: pd.DataFrame) -> Block:
    from ...analysis.executive import bottleneck_items, collaboration_scales

    block = Block()
    lang = report.language
    order, labels = group_order(report), group_labels(report)
    scales = _analyse(report, collaboration_scales, partners, language=lang)
    block.add(_side_by_side(report, 
        scales, [Col("label", _t(report, "Aspect of collaboration")),
                 Col("col", "col"), Col("mean", "mean")],
        caption=_t(report, "Partners' judgement per aspect (mean, 1–5; higher is more favourable)"),
        pivot=("col", "mean"), pivot_order=order, pivot_labels=labels))
    if not report.comparative:
        rows = scales[scales["col"] == order[0]]
        fig = dot_plot_figure(rows, group="scale", labels=dict(zip(rows["scale"], rows["label"])),
                          title=_t(report, "Quality of collaboration"),
                          xlabel=_t(report, "mean (1–5) with 95% CI"),
                          xlim=(1, 5), language=lang, min_respondents=report.min_respondents)
        block.add(report.figure(fig, caption=_t(report, "Source: partner survey.")))
    items = _analyse(report, bottleneck_items, partners, language=lang)
    keys = [k for k in order if k.endswith(TOTAL)] if report.comparative else order
    sentences = []
    for key in keys:
        low = items[(items["col"] == key) & items["bottleneck"].fillna(False).astype(bool)
                    & ~items["suppressed"]]
        if len(low):
            sentences.append(say(
                lang, "{Where}, these statements score below the middle of the scale and need "
                "attention: {items}.",
                Where=_cap(_where(report, key)),
                items=join_words([f"'{t}' ({format_number(m, 1, lang)})"
                                  for t, m in zip(low["label"], low["mean"])], lang)))
        elif len(items[items["col"] == key]):
            sentences.append(say(
                lang, "{Where}, no statement about collaboration scores below the middle of the "
                "scale.", Where=_cap(_where(report, key))))
    block.add(paragraph(*sentences))
    if report.comparative:
        block.add(paragraph(*_scale_groups(report, partners,
                                           dict(zip(scales["scale"], scales["label"])))))
        block.add(_regions_compared(report, partners, "results_rating", decimals=1,
                                    what=_t(report, "the partners' rating of the results"),
                                    axis=_t(report, "rating of the results (1–10)"),
                                    who="partners"))
    return block


def _scale_groups(report: Report, partners: pd.DataFrame, labels: dict) -> list[str]:
    """Per round, the regions that lie above or below the rest on a collaboration scale after
    adjusting for the partners' organisation group (the multilevel comparison on the partners'
    scale scores); regions the model cannot separate are not named, and no scale is ranked."""
    from ...analysis.scales import scale_score

    lang = report.language
    results = []
    for scale, label in labels.items():
        scores = scale_score(partners, "partner_survey", scale)["score"].to_numpy(
            dtype="float64", na_value=float("nan"))
        result = _multilevel(report, partners.assign(_scale_score=scores), "_scale_score",
                             kind="gaussian", who="partners")
        results.append((label, result[~result["suppressed"] & result["group"].notna()]))
    out = []
    for rnd in report.rounds:
        parts, compared = [], 0
        for label, result in results:
            result = result[result["round"].astype(str) == rnd]
            if result.empty:
                continue
            compared += 1
            for group in ("above", "below"):
                names = [report.region_label(g)
                         for g in result.loc[result["group"] == group, "region"]]
                if names:
                    parts.append(say_n(lang, "{names} is {where} on '{scale}'",
                                       "{names} are {where} on '{scale}'", len(names),
                                       names=join_words(names, lang), scale=label,
                                       where=_t(report, _GROUP_WORDS[group])))
        if not compared:
            continue
        if not parts:
            out.append(_in_round(report, rnd, say(
                lang, "After adjusting for the partners' organisation group, the regions cannot "
                "be told apart on any of the {k} aspects of collaboration.",
                k=number_word(compared, lang))))
        else:
            out.append(_in_round(report, rnd, say(
                lang, "{parts} (after adjusting for the partners' organisation group); on the "
                "other aspects the regions cannot be told apart.", parts=join_words(parts, lang))))
    return out


def _network_of_organisations(report: Report, partners: pd.DataFrame,
                              ties: pd.DataFrame) -> Block:
    from ...analysis.executive import build_networks, collaboration_network
    from ...instruments import get_instrument
    from ..figures import collaboration_network_figure as draw_network

    block = Block()
    lang = report.language
    order = [k for k in group_order(report) if not k.endswith(TOTAL)]
    labels = group_labels(report)
    stats = _analyse(report, collaboration_network, partners, ties, pooled=False)
    many = many_regions(report)
    block.add(_region_rows(
        report, stats.set_index("col").reindex([k for k in order if k in set(stats["col"])]).reset_index(),
        [Col("col", _t(report, "Region"), labels=labels),
         Col("n", _t(report, "Respondents"), kind="count", base=True),
         Col("organisations", _t(report, "Organisations"), kind="count"),
         Col("ties", _t(report, "Ties"), kind="count"),
         Col("density", _t(report, "Density"), decimals=2),
         Col("degree_centralisation", _t(report, "Centralisation"), decimals=2)],
        caption=_t(report, "Size and shape of the collaboration network"),
        notes=[_t(report, "Density: the share of all possible ties that exist. Centralisation: 1 when "
                  "everything runs through one organisation, 0 when all organisations have "
                  "as many ties.")]))
    if many:
        # a panel per region would fill pages no one reads; the table above (appendix B) has
        # every region's network in figures
        return block
    graphs = {}
    hidden = []
    for (rnd, region), (graph, respondents) in build_networks(partners, ties).items():
        key = _key(rnd, region)
        if respondents < report.min_respondents:
            hidden.append(key)
        graphs[key] = graph
    group_labels_ = get_instrument("partner_survey").labels("organisation_group", lang)
    fig = draw_network(graphs, labels=labels, order=order, hidden=hidden,
                       node_group_labels=group_labels_,
                       title=_t(report, "Collaboration network"),
                       language=lang, min_respondents=report.min_respondents)
    block.add(report.figure(fig, caption=_t(
        report, "Source: partner survey. A line is a collaboration tie; larger dots have more ties.")))
    sentences = []
    for key in order:
        graph = graphs.get(key)
        if graph is None or key in hidden or not len(graph):
            continue
        # the organisations the figure names and its alt text lists: most ties first, then by
        # name (the figure's rule), so that text and figure name the same ones
        degree = dict(graph.degree())
        name = {v: str(graph.nodes[v].get("name", v)) for v in graph.nodes}
        top = sorted(graph.nodes, key=lambda v: (-degree[v], name[v]))[:3]
        sentences.append(say(
            lang, "{Where}, {orgs} are the most connected.", Where=_cap(_where(report, key)),
            orgs=join_words([name[v] for v in top], lang)))
    block.add(paragraph(*sentences))
    return block


def _feedback(report: Report) -> Block:
    from ...analysis.executive import feedback_attendance, findings_recognised

    block = Block()
    lang = report.language
    order, labels = group_order(report), group_labels(report)
    attendance = _analyse(report, feedback_attendance, report.frame("feedback_meeting"),
                          language=lang)
    recognised = _analyse(report, findings_recognised, report.frame("feedback_findings"))
    block.add(_side_by_side(report, 
        attendance, [Col("label", _t(report, "Organisation group")),
                     Col("col", "col"), Col("count", "count", kind="count")],
        caption=_t(report, "Feedback meeting attendees per organisation group"),
        pivot=("col", "count"), pivot_order=order, pivot_labels=labels))
    sentences = []
    keys = [k for k in order if k.endswith(TOTAL)] if report.comparative else order
    for key in keys:
        row = _row(recognised, key)
        if _shown(row, "share_recognised"):
            sentences.append(say(
                lang, "{Where}, attendees fully recognised {share} of the findings discussed and "
                "{partly} at least partly.",
                Where=_cap(_where(report, key)),
                share=format_percent(row["share_recognised"], 0, lang),
                partly=format_percent(row["share_at_least_partly"], 0, lang)))
    block.add(paragraph(*sentences))
    return block
