"""Helpers every chapter uses: the report's language, its regions and rounds in order, side-by-side
tables and the layout for many regions (totals and extremes in the chapters, every region in
appendix B).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...analysis import TOTAL
from ..document import Block
from ..i18n import N_, gettext, ngettext
from ..notebook import Report
from ..style import format_number, is_missing, join_words
from ..tables import Col
from ..text import paragraph, say, say_n


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _nl(report: Report) -> bool:
    return report.language == "nl"


def _t(report: Report, message: str) -> str:
    """``message`` (English, a message id of the catalog) in the report's language."""
    return gettext(report.language, message)


def _n(report: Report, singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message for ``n``, from the catalog."""
    return ngettext(report.language, singular, plural, n)


def _delivery(report: Report, instrument: str) -> tuple[str | None, bool]:
    """What a section says about regions that sent no file of its instrument, and whether the
    section has data at all.

    Returns ``(sentence or None, delivered)``: ``delivered`` is False when no region of the
    report's scope sent the instrument (the section then shows only the sentence); otherwise the
    sentence names the regions that did not (comparative reports) and they are simply absent from
    the section's tables, never shown as suppressed (``x`` keeps its one meaning).
    """
    from ...instruments import get_instrument

    lang = report.language
    ins = get_instrument(instrument)
    what = ins.in_sentence(lang) if ins.in_sentence else ins.title(lang).lower()
    missing, not_expected = report.missing_deliveries(instrument)
    delivered = report.delivered_any(instrument)
    sentences = []
    if not delivered and not report.comparative:
        if missing:
            sentences.append(say(lang, "{Where} did not deliver {what}, so there are no figures here.",
                                 Where=report.region_name, what=what))
        else:
            sentences.append(say(lang, "{Where} was not asked to deliver {what}, so this part does "
                                 "not apply.", where=report.region_name,
                                 Where=report.region_name, what=what))
        return " ".join(sentences), False
    if not delivered:
        return say(lang, "No region delivered {what}, so there are no figures here.",
                   what=what), False
    if missing:
        names = join_words(missing, lang)
        if len(missing) == 1:
            sentences.append(say(lang, "{names} did not deliver {what} and is therefore missing from "
                                 "this part.", names=names, what=what))
        else:
            sentences.append(say(lang, "{names} did not deliver {what} and are therefore missing from "
                                 "this part.", names=names, what=what))
    if not_expected:
        sentences.append(say_n(lang, "{names} was not asked to deliver {what}.",
                               "{names} were not asked to deliver {what}.", len(not_expected),
                               names=join_words(not_expected, lang), what=what))
    return (" ".join(sentences) or None), True


def _narrative(report: Report, chapter: str, generated: list[str]) -> Any:
    """The author's text for a chapter, or else the generated sentences as paragraphs."""
    written = report.author_text(chapter)
    if written is not None:
        return written
    return Block(paragraph(s) for s in generated if s)


# -- regions side by side ----------------------------------------------------------------------
def _in_round(report: Report, rnd: str, text: str) -> str:
    """A sentence of one round in the final report, introduced by its round ("In Ronde 2,
    najaar 2010: na correctie ..."): no capital after the colon but for a region's name."""
    from ..wording import after_colon

    if report.kind != "final":
        return text
    return say(report.language, "In {label}: ", label=report.config.round(rnd).label) + \
        after_colon(text, report.region_labels.values())


def _key(round_id: Any, region: Any) -> str:
    return f"{round_id}|{region}"


def group_order(report: Report) -> list[str]:
    """Column keys ``round|region`` of this report in study order, each round's total last.

    A region report has one key; a round report its regions and the round's total; the final
    report every round's regions, each round followed by its total.
    """
    skipped = set(report.skipped)
    keys = []
    for rnd in report.rounds:
        regions = [g for g in report.config.round(rnd).regions if (rnd, g) not in skipped
                   and (report.region is None or g == report.region)]
        keys += [_key(rnd, g) for g in regions]
        if report.comparative:
            keys.append(_key(rnd, TOTAL))
    return keys


def group_labels(report: Report) -> dict[str, str]:
    """Display label per column key: the region's name, ``Totaal``; in the final report a
    round's total is ``Totaal <round>`` and a region in several rounds gets its round added."""
    keys = group_order(report)
    seen: dict[str, int] = {}
    for k in keys:
        g = k.split("|", 1)[1]
        seen[g] = seen.get(g, 0) + 1
    labels = {}
    total = _t(report, "Total")
    for k in keys:
        rnd, g = k.split("|", 1)
        if g == TOTAL:
            labels[k] = total if report.kind != "final" else f"{total} {rnd}"
        else:
            name = report.region_label(g)
            labels[k] = f"{name} ({rnd})" if seen[g] > 1 else name
    return labels


def _analyse(report: Report, analysis, *frames: pd.DataFrame, pooled: bool = True,
             **kwargs) -> pd.DataFrame:
    """Run an analysis per round and region (and pooled per round in comparative reports),
    with the study's minimum base; adds the column key ``col``."""
    from ...analysis.comparisons import with_pooled

    kwargs.setdefault("min_n", report.min_respondents)
    if "language" not in kwargs and _takes_language(analysis):
        # labels in the report's language (the analyses default to Dutch)
        kwargs["language"] = report.language
    if report.comparative and pooled:
        result = with_pooled(analysis, *frames, by=("round", "region"), **kwargs)
    else:
        result = analysis(*frames, by=("round", "region"), **kwargs)
    return result.assign(col=[_key(r, g) for r, g in zip(result["round"].astype(str),
                                                         result["region"].astype(str))])


def _takes_language(analysis) -> bool:
    import inspect

    try:
        return "language" in inspect.signature(analysis).parameters
    except (TypeError, ValueError):
        return False


def _side_by_side(report: Report, frame: pd.DataFrame, columns: list[Col], *, caption: str,
                  pivot: tuple[str, str], pivot_order: list[str],
                  pivot_labels: dict[str, str], **kwargs) -> Any:
    """Regions side by side; the final report gets one such table per round, so that a page
    never holds more than one round's regions. With many regions (:func:`many_regions`) the
    chapter shows each round's total beside its lowest and highest region, and the whole table
    goes to appendix B with a row per region."""
    if many_regions(report):
        sub, cols, turned, items = _transposed(report, frame, columns, pivot, pivot_labels,
                                               pivot_order)
        number = _to_appendix(report, sub, cols, caption=caption, pivot=turned,
                              pivot_order=items, **kwargs)
        item = next(c.name for c in columns if c.name not in pivot)
        shown, keys, labels = _extremes_frame(report, frame, pivot, item, pivot_order)
        note = _appendix_note(report, number)
        if shown.empty or not keys:
            return paragraph(note)
        kwargs = dict(kwargs)
        kwargs["notes"] = [*kwargs.get("notes", []), note]
        return report.table(shown, columns, caption=caption, pivot=pivot, pivot_order=keys,
                            pivot_labels=labels, **kwargs)
    if report.kind != "final":
        return report.table(frame, columns, caption=caption, pivot=pivot,
                            pivot_order=pivot_order, pivot_labels=pivot_labels, **kwargs)
    block = Block()
    total = _t(report, "Total")
    for rnd in report.rounds:
        keys = [k for k in pivot_order if k.split("|", 1)[0] == rnd]
        sub = frame[frame[pivot[0]].isin(keys)]
        if sub.empty:
            continue
        labels = {k: (total if k.endswith(TOTAL) else pivot_labels.get(k, k)) for k in keys}
        label = report.config.round(rnd).label
        block.add(report.table(sub, columns, caption=f"{caption} — {label}", pivot=pivot,
                               pivot_order=keys, pivot_labels=labels, **kwargs))
    return block


# -- many regions: totals and extremes in the chapters, every region in appendix B -------------
#: A round or final report whose largest round has more than this many regions is laid out for
#: many regions: tables that put the regions side by side show each round's total with the
#: lowest and highest region, dot plots show each round's total with its five highest and five
#: lowest regions, the collaboration network is not drawn per region, and every full per-region
#: table moves to appendix B ("Cijfers per regio"), one row per region.
MANY_REGIONS = 25
#: Regions shown at either end of a dot plot in a report with many regions.
EXTREME_REGIONS = 5


def many_regions(report: Report) -> bool:
    """Is this a round or final report with more than :data:`MANY_REGIONS` regions in a round?"""
    if not report.comparative:
        return False
    counts: dict[str, int] = {}
    for key in group_order(report):
        rnd, g = key.split("|", 1)
        if g != TOTAL:
            counts[rnd] = counts.get(rnd, 0) + 1
    return max(counts.values(), default=0) > MANY_REGIONS


def _appendix_note(report: Report, number: str, what: str | None = None) -> str:
    if report.kind == "final":
        # the final report keeps no appendix B: see _to_appendix
        return _t(report, "The figures per region are in Appendix B of each round's interim report.")
    return _t(report, "The figures per region are in Table {number} in Appendix B.").format(
        number=number) if what is None else what.format(number=number)


def _to_appendix(report: Report, frame: pd.DataFrame, columns: list[Col], *, caption: str,
                 **kwargs) -> str:
    """Keep a full per-region table for appendix B; returns its number (``B.3``).

    The final report of a study with many regions keeps none: every region's figures of a
    round are in appendix B of that round's interim report, and repeating them for all rounds
    would add hundreds of pages that no reader of a comparison across rounds needs."""
    if report.kind == "final":
        return ""
    tables = report.appendix_tables
    tables.append((frame, columns, caption, kwargs))
    return f"B.{len(tables)}"


def _region_rows(report: Report, frame: pd.DataFrame, columns: list[Col], *, caption: str,
                 key: str = "col", **kwargs) -> Any:
    """A table with a row per region: whole in a report with few regions; with many regions
    the chapter keeps the rounds' totals (if any) and the whole table goes to appendix B."""
    if not many_regions(report):
        return report.table(frame, columns, caption=caption, **kwargs)
    number = _to_appendix(report, frame, columns, caption=caption, **kwargs)
    totals = frame[frame[key].astype(str).str.endswith(TOTAL)]
    note = _appendix_note(report, number)
    if totals.empty:
        return paragraph(note)
    kwargs = dict(kwargs)
    kwargs["notes"] = [*kwargs.get("notes", []), note]
    return report.table(totals, columns, caption=caption, **kwargs)


def _transposed(report: Report, frame: pd.DataFrame, columns: list[Col], pivot: tuple[str, str],
                labels: dict[str, str], order: list[str]) -> tuple[pd.DataFrame, list[Col],
                                                                   tuple[str, str], list[str]]:
    """The regions-as-columns table turned round: a row per region, a column per item."""
    spread, value = pivot
    row_col = next(c for c in columns if c.name not in (spread, value))
    value_col = next((c for c in columns if c.name == value), Col(value, value))
    keys = [k for k in order if not k.endswith(TOTAL)]
    sub = frame[frame[spread].isin(keys)]
    sub = sub.iloc[pd.Index(keys).get_indexer(sub[spread]).argsort(kind="stable")]
    items = list(dict.fromkeys(sub[row_col.name]))
    cols = [Col(spread, _t(report, "Region"), labels=labels), Col(row_col.name, "item"),
            value_col]
    return sub, cols, (row_col.name, value), items


def _extremes_frame(report: Report, frame: pd.DataFrame, pivot: tuple[str, str], item: str,
                    order: list[str]) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """Each round's total beside the lowest and highest shown region value per ``item`` row.

    Only unsuppressed region values enter the lowest and highest (they are in appendix B too),
    so no hidden figure comes out; text values get the total only.
    """
    spread, value = pivot
    pieces, keys, labels = [], [], {}
    total = _t(report, "Total")
    words = (("min", "_lowest", _t(report, "Lowest region")),
             ("max", "_highest", _t(report, "Highest region")))
    numeric = pd.api.types.is_numeric_dtype(frame[value])
    for rnd in report.rounds:
        total_key = _key(rnd, TOTAL)
        suffix = f" {rnd}" if report.kind == "final" else ""
        if total_key in order:
            keys.append(total_key)
            labels[total_key] = total + suffix
            pieces.append(frame[frame[spread] == total_key])
        if not numeric:
            continue
        regions = frame[frame[spread].isin([k for k in order if k.split("|", 1)[0] == rnd
                                            and not k.endswith(TOTAL)])]
        shown = regions[regions[value].notna()]
        if "suppressed" in shown:
            shown = shown[~shown["suppressed"].astype(bool)]
        if shown.empty:
            continue
        group = shown.groupby(item, sort=False)[value]
        for how, tag, word in words:
            k = f"{rnd}|{tag}"
            stat = getattr(group, how)().reset_index()
            stat[spread] = k
            stat["suppressed"] = False
            pieces.append(stat)
            keys.append(k)
            labels[k] = word + suffix
    out = pd.concat(pieces, ignore_index=True) if pieces else frame.iloc[:0]
    return out, keys, labels


def _where(report: Report, key: str) -> str:
    """``in Den Haag`` / ``in alle regio's samen`` for a column key, in the report's language."""
    rnd, g = key.split("|", 1)
    if g == TOTAL:
        if report.kind == "final":
            label = report.config.round(rnd).label
            return _t(report, "in the regions of {label} together").format(
                label=label[:1].lower() + label[1:] if _nl(report) else label)
        return _t(report, "in all regions together")
    return f"in {report.region_label(g)}"


def _p_text(p: Any, language: str) -> str:
    if is_missing(p):
        return ""
    if float(p) < 0.001:
        return "p < " + format_number(0.001, 3, language)
    return "p = " + format_number(p, 2 if float(p) >= 0.01 else 3, language)


def _region_columns(report: Report, frame: pd.DataFrame, with_total: bool = True) -> list[str]:
    order = [g for g in report.regions if g in set(frame["region"].astype(str))]
    if with_total and report.comparative and TOTAL in set(frame["region"].astype(str)):
        order.append(TOTAL)
    return order


# == 5 personal level ==============================================================================
_INVOLVEMENT_PHRASES = {
    "ever_treated_mhc": N_("has ever been treated in mental health care"),
    "contact_professional": N_("is in contact with a professional"),
    "has_spv": N_("has a community psychiatric nurse (SPV)"),
    "has_housing_support": N_("has a housing support worker"),
    "has_trajectory_counsellor": N_("has a trajectory counsellor"),
    "has_other_professional": N_("has another professional"),
    "day_activities": N_("takes part in organised day activities"),
    "paid_work": N_("has paid work"),
    "volunteering": N_("does volunteer work"),
    "in_education": N_("is in education"),
}


def _row(result: pd.DataFrame, key: str, **match: Any) -> pd.Series | None:
    """The result row of a column key (and further column values), or None."""
    mask = result["col"] == key
    for column, value in match.items():
        mask &= result[column] == value
    rows = result[mask.fillna(False)]
    return None if rows.empty else rows.iloc[0]


def _shown(row: pd.Series | None, column: str) -> bool:
    return row is not None and not bool(row.get("suppressed", False)) and \
        not is_missing(row.get(column))
