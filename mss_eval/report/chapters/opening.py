"""The summary (samenvatting) and chapter 1: the introduction and the accountability of the data.
"""

from __future__ import annotations

import pandas as pd

from ...analysis import TOTAL
from ..document import Block
from ..i18n import N_
from ..notebook import Report
from ..style import format_count, format_percent, is_missing, join_words
from ..tables import Col
from ..text import paragraph, say
from ..wording import _deliveries_sentence
from ._shared import (_appendix_note, _cap, _narrative, _nl, _region_columns, _t, _to_appendix,
                      many_regions)


# == 1 introduction and accountability of the data ==============================================
def data_collection(report: Report, round: str | None = None) -> Block:
    """The data-collection table (respondents per method and region) with its text.

    For a region report one column; for a round report the regions side by side with the
    round's total (the interim report's Table 1); the final report shows one table per round.
    """
    from ...analysis.collection import data_collection as collect

    block = Block()
    rounds = [round] if round else report.rounds
    for rnd in rounds:
        table = collect(report.study.tables, config=report.config, round=rnd,
                        language=report.language)
        table = table.assign(method_label=table["method_label"].map(_cap))
        table = _not_delivered_blank(report, table, rnd)
        if report.region:
            table = table[table["region"] == report.region]
        label = report.config.round(rnd).label
        order = _region_columns(report, table)
        caption = (_t(report, "Respondents per method")
                   + (f", {report.region_name}" if report.region else "")
                   + f" ({label.lower() if _nl(report) else label})")
        if report.region:
            shown = table.assign(region=report.region)
            cols = [Col("method_label", _t(report, "Method")),
                    Col("n", _t(report, "Number"), kind="count"),
                    Col("approached", _t(report, "Approached"), kind="count"),
                    Col("response", _t(report, "Response"), kind="percent",
                        decimals=0)]
            block.add(report.table(shown, cols, caption=caption, notes=[_t(
                report, "Approached and response only where the study records how many people "
                "were approached.")]))
        elif many_regions(report):
            regions = [g for g in order if g != TOTAL]
            per_region = table[table["region"].isin(regions)]
            per_region = per_region.iloc[pd.Index(regions).get_indexer(per_region["region"])
                                         .argsort(kind="stable")]
            number = _to_appendix(
                report, per_region,
                [Col("region", _t(report, "Region"), labels=report.region_labels),
                 Col("method_label", "method"), Col("n", "n", kind="count")],
                caption=caption, pivot=("method_label", "n"),
                pivot_order=list(dict.fromkeys(table["method_label"])))
            block.add(report.table(
                table, [Col("method_label", _t(report, "Method")),
                        Col("region", "region"), Col("n", "n", kind="count")],
                caption=caption, pivot=("region", "n"), pivot_order=[TOTAL],
                pivot_labels=report.region_labels, notes=[_appendix_note(report, number)]))
        else:
            block.add(report.table(
                table, [Col("method_label", _t(report, "Method")),
                        Col("region", "region"), Col("n", "n", kind="count")],
                caption=caption, pivot=("region", "n"), pivot_order=order,
                pivot_labels=report.region_labels,
                notes=[_t(report, "An empty cell: the region did not deliver the data of that "
                          "method.")] if table["n"].isna().any() else ()))
        block.add(paragraph(*_collection_sentences(report, table, rnd)))
    return block


def _not_delivered_blank(report: Report, table: pd.DataFrame, rnd: str) -> pd.DataFrame:
    """A region's count of a method whose instrument it did not deliver is no 0 but empty: the
    text says it was not delivered, and the table must not say that nobody came."""
    from ...analysis.collection import METHODS

    files = getattr(report.study, "files", None)
    if files is None or not len(files):
        return table
    delivered = set(zip(files["instrument"].astype(str), files["round"].astype(str),
                        files["region"].astype(str)))
    missing = [m in METHODS and g != TOTAL and (METHODS[m][0], rnd, str(g)) not in delivered
               for m, g in zip(table["method"], table["region"])]
    return table.assign(n=table["n"].astype("Float64").mask(pd.Series(missing, index=table.index)))


def _collection_sentences(report: Report, table: pd.DataFrame, rnd: str) -> list[str]:
    nl = _nl(report)
    label = report.config.round(rnd).label
    where = report.region_name if report.region else None
    rows = table[table["region"] == (report.region or TOTAL)].set_index("method")
    n = {m: (None if is_missing(v) else int(v)) for m, v in rows["n"].items()}
    lang = report.language
    out = []
    if n.get("client_interview") is not None:
        out.append(say(
            lang,
            N_("In {round}, {clients} clients were interviewed in {where} about their route "
               "into the MSS, the support they receive and how they rate it.") if where else
            N_("In {round}, {clients} clients were interviewed about their route into the "
               "MSS, the support they receive and how they rate it."),
            round=label.lower() if nl else label, clients=format_count(n["client_interview"], lang),
            where=where))
    if n.get("client_questionnaire") is not None:
        out.append(say(
            lang,
            "Professionals completed {q} questionnaires about a client.",
            q=format_count(n["client_questionnaire"], lang)))
    interviews = [n.get("general_interview"), n.get("partner_interview")]
    if all(v is not None for v in interviews):
        out.append(say(
            lang,
            "In addition, {g} general interviews were held with coordinators and key people, "
            "and {p} interviews with collaboration partners.",
            g=format_count(interviews[0], lang), p=format_count(interviews[1], lang)))
    if n.get("feedback_meeting"):
        out.append(say(
            lang,
            N_("{f} people attended the feedback meeting where the findings were checked.")
            if report.region else
            N_("{f} people attended the feedback meetings where the findings were checked."),
            f=format_count(n["feedback_meeting"], lang)))
    response = rows["response"].get("client_interview") if "response" in rows else None
    if response is not None and not is_missing(response):
        out.append(say(
            lang, "Of the clients approached, {r} took part in an interview.",
            r=format_percent(response, 0, lang)))
    return out


def summary(report: Report) -> Block:
    """The Samenvatting before chapter 1: the findings that matter most, chosen by the rules of
    :mod:`mss_eval.report.summary` from the key figures, each with its number, base and the
    section it is shown in; or the author's ``summary`` text (``{{ findings }}`` inserts them)."""
    from ..summary import summary as _summary

    return _summary(report)


def introduction(report: Report) -> Block:
    """Chapter 1: what the report is about, and the accountability of the data."""
    block = Block()
    block.add(report.chapter(1, _t(report, "Introduction and accountability of the data")))
    lang = report.language
    generated = [_purpose_sentence(report)]
    block.add(_narrative(report, "introduction", generated))
    block.add(report.section(1, _t(report, "Data collection")))
    block.add(data_collection(report))
    from ..summary import _reach

    reach = [f.text for f in _reach(report, report.key_figures) if
             "indicators.reach_per_1000" in " ".join(f.figures)]
    if reach:
        block.add(paragraph(*reach))
    deliveries = _deliveries_sentence(report)
    if deliveries:
        block.add(paragraph(deliveries))
    if report.skipped:
        which = join_words([f"{report.region_label(g)} ({r})" for r, g in report.skipped], lang)
        block.add(paragraph(say(lang,
                                "The data of {which} contain errors and were left out.",
                                which=which)))
    return block


def _purpose_sentence(report: Report) -> str:
    lang = report.language
    if report.kind == "region":
        return say(lang,
                   "This report describes the community support system (MSS) in {region} in "
                   "{round}: how it is governed, how organisations work together in practice and "
                   "what clients experience of it. The findings rest on interviews, "
                   "questionnaires and a feedback meeting in the region.",
                   region=report.region_name,
                   round=report.round_label.lower() if _nl(report) else report.round_label)
    regions = join_words([report.region_label(g) for g in report.regions], lang)
    if report.kind == "round":
        return say(lang,
                   "This interim report puts the community support systems of {regions} side "
                   "by side, as studied in {round}. Every table and figure shows the regions "
                   "side by side, per level: administrative, executive and personal.",
                   regions=regions,
                   round=report.round_label.lower() if _nl(report) else report.round_label)
    return say(lang,
               "This final report brings together the findings of all rounds ({n} regions: "
               "{regions}) and compares the regions per level: administrative, executive and "
               "personal.",
               n=len(report.regions), regions=regions)
