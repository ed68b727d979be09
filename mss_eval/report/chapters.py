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
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analysis import TOTAL
from .document import Block, Heading, Note, Paragraph, Quote, code, strong
from .figures import dot_plot_figure
from .notebook import Report
from .style import (SUPPRESSED_MARKER, format_count, format_number, format_percent,
                    format_signed, is_missing, join_words)
from .tables import Col
from .conclusions import reliability_word, scale_usable
from .i18n import MINUS, N_, gettext, ngettext

from .text import paragraph, say, say_n
# shared with the summary (mss_eval.report.summary), which builds on the same words
from .wording import _GROUP_WORDS, _deliveries_sentence  # noqa: F401

__all__ = ["summary", "introduction", "mss_profile", "administrative", "executive", "personal",
           "conclusions", "appendix", "data_collection"]


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
    from ..instruments import get_instrument

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
    from ..analysis.comparisons import with_pooled

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


# == 1 introduction and accountability of the data ==============================================
def data_collection(report: Report, round: str | None = None) -> Block:
    """The data-collection table (respondents per method and region) with its text.

    For a region report one column; for a round report the regions side by side with the
    round's total (the interim report's Table 1); the final report shows one table per round.
    """
    from ..analysis.collection import data_collection as collect

    block = Block()
    rounds = [round] if round else report.rounds
    for rnd in rounds:
        table = collect(report.study.tables, config=report.config, round=rnd,
                        language=report.language)
        table = table.assign(method_label=table["method_label"].map(_cap))
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
                pivot_labels=report.region_labels))
        block.add(paragraph(*_collection_sentences(report, table, rnd)))
    return block


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
    from .summary import summary as _summary

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
    from .summary import _reach

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


# == 2 the MSS ====================================================================================
def mss_profile(report: Report) -> Block:
    """Chapter 2: the MSS of each region, from the profile in study.yaml and the author's text."""
    block = Block()
    block.add(report.chapter(2, _t(report, "The community support system")))
    lang = report.language
    fields = [("goal", _t(report, "Aim")),
              ("target_group", _t(report, "Target group")),
              ("way_of_working", _t(report, "Way of working"))]
    rows = []
    for g in report.regions:
        region = report.config.region(g)
        row = {"region": region.name,
               "municipalities": join_words(list(region.municipalities), lang),
               "target_population": region.target_population}
        for key, _label in fields:
            row[key] = getattr(region.profile, key) or ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    generated = []
    if report.kind == "region" and rows:
        row = rows[0]
        sentences = []
        if row["municipalities"]:
            sentences.append(say(lang, "The {region} MSS covers {m}.",
                                 region=row["region"], m=row["municipalities"]))
        if not is_missing(row["target_population"]):
            sentences.append(say(lang,
                                 "The region estimates its target group at about {n} people with "
                                 "a long-term psychiatric vulnerability.",
                                 n=format_count(row["target_population"], lang)))
        generated.append(" ".join(sentences))
        block.add(_narrative(report, "mss", generated))
        # the profile from study.yaml is data, shown beside an author's text too
        for key, label in fields:
            if row[key]:
                block.add(Paragraph.of(strong(f"{label}."), f" {row[key]}",
                                       role="region-profile"))
    else:
        block.add(_narrative(report, "mss", [say(
            lang, "Table 2.1 sketches the MSS of each region: where it works, for whom and how.")]))
        cols = [Col("region", _t(report, "Region")),
                Col("municipalities", _t(report, "Municipalities")),
                Col("target_population", _t(report, "Target group (estimate)"), kind="count")]
        caption = _t(report, "The MSS per region")
        if many_regions(report):
            # every region's profile in one table of appendix B instead of a page per region
            cols += [Col(key, label, kind="text") for key, label in fields]
            number = _to_appendix(report, frame, cols, caption=caption)
            block.add(paragraph(_appendix_note(report, number, _t(
                report, "The profile of each region's MSS is in Table {number} in Appendix B."))))
            return block
        block.add(report.table(frame, cols, caption=caption))
        for row in rows:
            parts = [Paragraph.of(strong(f"{label}."), f" {row[key]}", role="region-profile")
                     for key, label in fields if row[key]]
            if parts:
                # one level below the chapter (no number, not in the contents): a heading
                # never skips a level (h2 chapter, h3 region; PDF/UA and WCAG 1.3.1)
                block.add(Heading(row["region"], level=2, role="region-profile"), parts)
    return block


# == themes from the coded interviews (every level chapter) ======================================
def _themes_of_level(report: Report, level: str) -> pd.DataFrame:
    """A region report's themes of one level: :func:`theme_table` of every level, computed once
    per report (the shared regions come from the whole round) and filtered by level; the rows
    and their order are those of ``theme_table(..., level=level)``."""
    from ..qualitative.tables import theme_table

    cache = report.__dict__.setdefault("_theme_tables", {})
    if "all" not in cache:
        cache["all"] = theme_table(report.study, report.round, region=report.region, level=None,
                                   language=report.language)
    table = cache["all"]
    return table[table["level"] == level].reset_index(drop=True)


def themes(report: Report, level: str) -> Block:
    """Themes found in the coded interviews at one level: per region, shared, across rounds.

    A region report lists the region's themes with the other regions that share them; a round
    report shows the theme matrix across its regions; the final report shows in how many regions
    of each round a theme was found. Approved quotes (and only those) follow, attributed by
    region and source kind.
    """
    from ..qualitative.quotes import approved_quotes
    from ..qualitative.tables import theme_comparison, theme_matrix, theme_table

    block = Block()
    lang = report.language
    study = report.study
    if not len(report.frame("coded_segments")):
        return block
    if report.kind == "region":
        table = _themes_of_level(report, level)
        if table.empty:
            return block
        table = table.assign(found=[f"{format_count(a, lang)} / {format_count(b, lang)}"
                                    for a, b in zip(table["sources"], table["n"])])
        others = len(report.config.round(report.round).regions) - 1
        if others > MANY_REGIONS:
            # naming 174 other regions in a cell fills pages: say in how many it was found
            table = table.assign(shared_with=[say(
                lang, "{k} of the {n} other regions",
                k=format_count(int(r) - 1, lang), n=format_count(others, lang))
                for r in table["regions"]])
        top = table.head(3)["theme"].tolist()
        block.add(paragraph(say(
            lang, "In the interviews in {region}, {themes} came up most.",
            region=report.region_name,
            themes=join_words([t[:1].lower() + t[1:] for t in top], lang))))
        block.add(report.table(table, [
            Col("theme", _t(report, "Theme")),
            Col("found", _t(report, "Sources with this theme"),
                kind="text"),
            Col("shared_with", _t(report, "Also found in"))],
            caption=_t(report, "Themes from the interviews"),
            notes=[_t(report, "Sources: interviews and meetings coded with the codebook; a source "
                      "counts once per theme.")]))
    elif report.kind == "round":
        wide = theme_matrix(study, report.round, level=level, language=lang, wide=True)
        if wide.empty:
            return block
        frame = wide.reset_index().drop(columns="level_label")
        caption = _t(report, "Themes per region (number of sources)")
        if many_regions(report):
            # a row per region in appendix B instead of a column per region
            regions = [c for c in frame.columns if c != "theme"]
            long = frame.melt(id_vars="theme", value_vars=regions, var_name="region",
                              value_name="sources")
            long = long.iloc[pd.Index(regions).get_indexer(long["region"]).argsort(kind="stable")]
            number = _to_appendix(
                report, long, [Col("region", _t(report, "Region")),
                               Col("theme", "theme"), Col("sources", "sources", kind="count")],
                caption=caption, pivot=("theme", "sources"),
                pivot_order=list(frame["theme"]))
            block.add(paragraph(_appendix_note(report, number, _t(
                report, "Table {number} in Appendix B gives per region how many sources name each "
                "theme."))))
        else:
            # "k / n": the sources naming the theme against the sources coded in the region,
            # so regions with more interviews do not simply look richer
            from ..qualitative.tables import _region_names, _segments, code_region_matrix

            names = _region_names(study)
            bases = code_region_matrix(_segments(study, report.round), level, language=lang)
            base = {names.get(r, r): int(n) for r, n in
                    bases.groupby("region", observed=True)["n"].max().items()}
            regions = [c for c in frame.columns if c != "theme"]
            shown = frame.assign(**{c: [f"{format_count(0 if is_missing(k) else k, lang)} / "
                                        f"{format_count(base.get(c, 0), lang)}"
                                        for k in frame[c]] for c in regions})
            block.add(report.table(shown, [Col("theme", _t(report, "Theme"))] + [
                Col(c, c, kind="text") for c in regions],
                caption=_t(report, "Themes per region (sources with the theme / sources coded "
                                   "in the region)"),
                notes=[_t(report, "Sources: interviews and meetings coded with the codebook; a "
                                  "source counts once per theme.")]))
        shared = theme_table(study, report.round, level=level, language=lang)
        if len(shared):
            block.add(paragraph(say(
                lang, "{n} themes came up in at least two regions, among them {themes}.",
                n=format_count(len(shared), lang),
                themes=join_words([t[:1].lower() + t[1:] for t in shared["theme"].head(3)],
                                  lang))))
    else:
        table = theme_comparison(study, level=level, language=lang)
        if table.empty:
            return block
        table = table.assign(found=[f"{format_count(a, lang)} / {format_count(b, lang)}"
                                    for a, b in zip(table["regions"], table["n"])])
        order = [r.id for r in report.config.rounds]
        labels = {r.id: r.label for r in report.config.rounds}
        block.add(report.table(
            table, [Col("theme", _t(report, "Theme")), Col("round", "round"),
                    Col("found", "found", kind="text")],
            caption=_t(report, "Themes per round (regions where found / regions in the round)"),
            pivot=("round", "found"), pivot_order=order, pivot_labels=labels))
    quotes = approved_quotes(study, round=report.round, region=report.region, level=level,
                             language=lang)
    for q in quotes.itertuples(index=False):
        block.add(Quote(str(q.excerpt), f"{q.source_kind_label}, {q.region_name}"))
    return block


# == 3 administrative level =====================================================================
def administrative(report: Report) -> Block:
    """Chapter 3: the administrative level: governance profile, agreements, themes."""
    from ..analysis.administrative import governance_profiles, referrals_per_table

    block = Block()
    lang = report.language
    block.add(report.chapter(3, _t(report, "Administrative level")))
    governance = report.frame("governance_profile")
    profile = governance_profiles(governance, language=lang)
    profile = profile.assign(col=[_key(r, g) for r, g in zip(profile["round"].astype(str),
                                                             profile["region"].astype(str))])
    order = [k for k in group_order(report) if not k.endswith(TOTAL)]
    labels = group_labels(report)
    sentences = []
    many = many_regions(report)
    if many:
        sentences.append(_governance_summary(report, profile))
    for key in [] if many else order:
        rows = profile[profile["col"] == key].set_index("item")
        if rows.empty:
            continue
        raw = rows["raw"].to_dict()
        where = report.region_label(key.split("|", 1)[1])
        if raw.get("covenant") == "true":
            year = raw.get("covenant_year")
            sentences.append(say(
                lang, N_("In {where} the partners have a covenant (since {year}).")
                if not is_missing(year) and year else
                N_("In {where} the partners have a covenant."), where=where, year=year))
        else:
            sentences.append(say(lang, "{where} has no covenant.", where=where))
        tables = raw.get("case_tables")
        if not is_missing(tables) and tables not in ("", "0"):
            freq = rows["value"].get("case_table_frequency")
            count = int(float(tables)) if str(tables).replace(".", "", 1).isdigit() else None
            if count is None:
                pass
            elif isinstance(freq, str) and freq:
                sentences.append(say_n(
                    lang, "There is {n} case table, meeting {freq}.",
                    "There are {n} case tables, meeting {freq}.", count,
                    n=format_count(count, lang), freq=freq))
            else:
                sentences.append(say_n(lang, "There is {n} case table.",
                                       "There are {n} case tables.", count,
                                       n=format_count(count, lang)))
        agreed = raw.get("agreed_referrals_per_table")
        if not is_missing(agreed) and agreed:
            sentences.append(say(
                lang, "The agreement is that each case table guides at least {a} clients to day "
                "activities per year.", a=agreed))
        if raw.get("structural_consultation") == "false":
            sentences.append(say(lang, "There is no structural administrative consultation.",))
    block.add(_narrative(report, "administrative", [" ".join(sentences)]))
    block.add(report.section(1, _t(report, "Governance")))
    note, delivered = _delivery(report, "governance_profile")
    if note:
        block.add(paragraph(note))
    if delivered:
        block.add(_side_by_side(
            report, profile, [Col("label", _t(report, "Item")), Col("col", "col"),
                              Col("value", "value", kind="text")],
            caption=_t(report, "Governance profile"),
            pivot=("col", "value"), pivot_order=order, pivot_labels=labels))
    register = report.frame("monitor_register")
    if len(register):
        block.add(report.section(2, _t(report, "Performance agreements")))
        result = referrals_per_table(register, governance, min_n=report.min_respondents)
        result = result.assign(col=[_key(r, g) for r, g in zip(result["round"].astype(str),
                                                               result["region"].astype(str))])
        result = result.assign(period=[
            f"{y}" + (_t(report, " (part)") if bool(p) else "")
            for y, p in zip(result["year"], result["partial_year"].fillna(False))])
        result = result.assign(meets=[
            "" if is_missing(m) else (_t(report, "yes") if bool(m) else _t(report, "no"))
            for m in result["meets_agreement"]])
        block.add(_region_rows(
            report, result, [Col("col", _t(report, "Region"), labels=labels),
                     Col("period", _t(report, "Year"), kind="text"),
                     Col("to_day_activities", _t(report, "To day activities"),
                         kind="count"),
                     Col("case_tables", _t(report, "Case tables"), kind="count"),
                     Col("per_table", _t(report, "Per case table")),
                     Col("agreed", _t(report, "Agreed"), kind="count"),
                     Col("meets", _t(report, "Met"), kind="text")],
            caption=_t(report, "Referrals to day activities per case table (MSS register)"),
            notes=[_t(report, "'(part)': the register does not cover the whole year, so the number per "
                      "table is lower than over a full year.")]))
        block.add(paragraph(*_agreement_sentences(report, result)))
    themes_block = themes(report, "administrative")
    if themes_block.nodes:
        block.add(report.section(3, _t(report, "Themes from the interviews")))
        block.add(themes_block)
    return block


def _governance_summary(report: Report, profile: pd.DataFrame) -> str:
    """With many regions: in how many regions the partners have a covenant."""
    lang = report.language
    raw = profile[profile["item"] == "covenant"]
    regions = raw["col"].nunique()
    covenant = raw.loc[raw["raw"] == "true", "col"].nunique()
    return say(lang, "In {k} of the {n} regions the partners have a covenant.",
               k=format_count(covenant, lang), n=format_count(regions, lang))


def _agreement_sentences(report: Report, result: pd.DataFrame) -> list[str]:
    lang = report.language
    out = []
    if many_regions(report):
        rows = result[result["agreed"].notna() & ~result["suppressed"].astype(bool)
                      & result["per_table"].notna()]
        if len(rows):
            met = int(rows["meets_agreement"].fillna(False).astype(bool).sum())
            out.append(say(
                lang, "In {k} of the {n} region-years with an agreement, the case tables guided at "
                "least the agreed number of clients to day activities on average.",
                k=format_count(met, lang), n=format_count(len(rows), lang)))
        return out
    for _, row in result.iterrows():
        if is_missing(row["agreed"]) or bool(row["suppressed"]) or is_missing(row["per_table"]):
            continue
        out.append(say(
            lang, "In {year}, each case table in {where} guided {per} clients to day activities on "
            "average, against {agreed} agreed{part}.",
            year=row["year"], where=report.region_label(row["region"]),
            per=format_number(row["per_table"], 1, lang), agreed=format_count(row["agreed"], lang),
            part=_t(report, " (over part of the year)")
            if bool(row["partial_year"]) else ""))
    return out


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
    from ..analysis.executive import partner_results_rating

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
    from ..analysis.executive import bottleneck_items, collaboration_scales

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
    from ..analysis.scales import scale_score

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
        prefix = "" if report.kind != "final" else say(
            lang, "In {label}: ", label=report.config.round(rnd).label)
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
            out.append(prefix + say(
                lang, "After adjusting for the partners' organisation group, the regions cannot "
                "be told apart on any of the {k} aspects of collaboration.",
                k=format_count(compared, lang)))
        else:
            out.append(prefix + say(
                lang, "{parts} (after adjusting for the partners' organisation group); on the "
                "other aspects the regions cannot be told apart.", parts=join_words(parts, lang)))
    return out


def _network_of_organisations(report: Report, partners: pd.DataFrame,
                              ties: pd.DataFrame) -> Block:
    from ..analysis.executive import build_networks, central_organisations, collaboration_network
    from ..instruments import get_instrument
    from .figures import collaboration_network_figure as draw_network

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
    central = _analyse(report, central_organisations, partners, ties, pooled=False,
                       language=lang)
    sentences = []
    for key in order:
        rows = central[(central["col"] == key) & ~central["suppressed"]]
        if len(rows):
            sentences.append(say(
                lang, "{Where}, {orgs} are the most connected.", Where=_cap(_where(report, key)),
                orgs=join_words(list(rows["organisation"].head(3)), lang)))
    block.add(paragraph(*sentences))
    return block


def _feedback(report: Report) -> Block:
    from ..analysis.executive import feedback_attendance, findings_recognised

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


def personal(report: Report) -> Block:
    """Chapter 5: the personal level (client interviews and questionnaires about clients)."""
    block = Block()
    block.add(report.chapter(5, _t(report, "Personal level")))
    written = report.author_text("personal")
    block.add(written or paragraph(say(
        report.language,
        "This chapter is about what clients experience of the MSS: their rating, the "
        "professionals and activities in their lives, support per life domain and their "
        "personal network, followed by what professionals report about clients' routes.")))
    clients = report.frame("client_interview")
    sections = [
        (_t(report, "Rating of the MSS"), _rating),
        (_t(report, "Professionals and day activities"),
         _involvement),
        (_t(report, "Support per life domain"), _life_domains),
        (_t(report, "Experience with the MSS"), _experience),
        (_t(report, "The personal network"), _network),
        (_t(report, "Wishes and social contacts"), _needs),
    ]
    number = 0
    note, delivered = _delivery(report, "client_interview")
    if note:  # said once for the chapter's sections on client interviews
        block.add(paragraph(note))
    few = _too_few(report, clients, "client_interview") if delivered else None
    if few:
        # every table would be x and every figure 'not shown': one sentence instead
        block.add(paragraph(few))
        delivered = False
    for title, part in sections if delivered else []:
        number += 1
        block.add(report.section(number, title))
        block.add(part(report, clients))
    number += 1
    block.add(report.section(number, _t(report, "What professionals report about clients")))
    note, delivered = _delivery(report, "client_questionnaire")
    if note:
        block.add(paragraph(note))
    few = _too_few(report, report.frame("client_questionnaire"), "client_questionnaire") \
        if delivered else None
    if few:
        block.add(paragraph(few))
        delivered = False
    if delivered:
        block.add(_questionnaires(report, report.frame("client_questionnaire")))
    compared = _rounds_compared(report)
    if compared.nodes:
        number += 1
        block.add(report.section(number, _t(report, "Rounds compared")))
        block.add(compared)
    if report.kind == "final":
        followed = _followed_clients(report, clients)
        if followed.nodes:
            number += 1
            block.add(report.section(number, _t(report, "Clients followed over rounds")))
            block.add(followed)
    return block


#: The key figures compared over rounds: (key figure, analysis column, unit).
_OVER_ROUNDS = (("rating_mean", N_("Rating (1–10)"), "rating"),
                ("experience_mean", N_("Experience (1–5)"), "score"),
                ("informal_share", N_("Informal share (%)"), "share"))


def _change_rows(report: Report) -> pd.DataFrame:
    """``changes`` of the key figures as rows: region, rounds, figure, change, interval, p."""
    rows = []
    for g, pairs in (report.key_figures.get("changes") or {}).items():
        for pair, records in pairs.items():
            a, b = pair.split("_", 1)
            for name, rec in records.items():
                rows.append({"region": g, "round_from": a, "round_to": b, "figure": name,
                             "value": rec.get("value"), "ci_low": rec.get("ci_low"),
                             "ci_high": rec.get("ci_high"), "p": rec.get("p"),
                             "test": rec.get("test"), "n": rec.get("n") or 0,
                             "suppressed": bool(rec.get("suppressed")), "unit": rec.get("unit")})
    return pd.DataFrame(rows)


def _rounds_compared(report: Report) -> Block:
    """The final report and the report of a region that took part before: per region in two
    rounds the change of its key figures with a 95% interval and a test (``changes`` of the key
    figures, suppressed like them), and the key figures over the rounds as small multiples."""
    from .summary import _changes as change_findings

    block = Block()
    if report.kind not in ("final", "region"):
        return block
    changes = _change_rows(report)
    if changes.empty:
        return block
    lang = report.language
    sentences = [f.text for f in change_findings(report, report.key_figures)]
    sentences.append(_t(report, "A change is significant when its p value is below 0.05. The "
                                "rating is tested with Welch's t test, the informal share with a "
                                "bootstrap over clients; both treat the rounds as independent "
                                "groups (clients followed over rounds are shown separately)."))
    block.add(paragraph(*sentences))
    names = {"rating_mean": _t(report, "Mean rating (1–10)"),
             "informal_share": _t(report, "Informal share of the network")}

    def change_text(r) -> str:
        if r["suppressed"] or r["value"] is None:
            return SUPPRESSED_MARKER
        if r["unit"] == "share":
            return format_signed(float(r["value"]) * 100, 0, lang, unit="pp")
        return format_signed(r["value"], 1, lang)

    to = _t(report, "to")

    def ci_text(r) -> str:
        if r["suppressed"] or r["ci_low"] is None:
            return SUPPRESSED_MARKER if r["suppressed"] else ""
        if r["unit"] == "share":
            return (f"{format_signed(float(r['ci_low']) * 100, 0, lang)} "
                    f"{to} {format_signed(float(r['ci_high']) * 100, 0, lang)}")
        return (f"{format_signed(r['ci_low'], 1, lang)} {to} "
                f"{format_signed(r['ci_high'], 1, lang)}")

    def p_text(r) -> str:
        if r["suppressed"] or r["p"] is None:
            return SUPPRESSED_MARKER if r["suppressed"] else ""
        return _p_text(r["p"], lang)

    shown = changes.assign(
        who=[f"{report.region_label(g)}, {report.config.round(a).label} → "
             f"{report.config.round(b).label}" for g, a, b in
             zip(changes["region"], changes["round_from"], changes["round_to"])],
        what=[names.get(f, f) for f in changes["figure"]],
        change=[change_text(r) for _, r in changes.iterrows()],
        interval=[ci_text(r) for _, r in changes.iterrows()],
        p_shown=[p_text(r) for _, r in changes.iterrows()])
    notes = [_t(report, "Change: the later round minus the earlier; the informal share in "
                        "percentage points. n: the smaller number of clients of the two rounds.")]
    if changes["suppressed"].any():
        from .style import suppression_note

        notes.append(suppression_note(lang, report.min_respondents))
    block.add(report.table(
        shown, [Col("who", _t(report, "Region and rounds"), kind="text"),
                Col("what", _t(report, "Key figure"), kind="text"),
                Col("n", "n", kind="count", base=True),
                Col("change", _t(report, "Change"), kind="text"),
                Col("interval", _t(report, "95% CI"), kind="text"),
                Col("p_shown", "p", kind="text")],
        caption=_t(report, "Change between rounds per region"), notes=notes))
    block.add(_over_rounds_figure(report))
    return block


def _over_rounds_figure(report: Report):
    """Small multiples of the key figures over rounds: the regions in more than one round
    and, in the final report, each round's total."""
    from ..analysis.comparisons import with_pooled
    from ..analysis.personal import client_rating, experience_scale, personal_network
    from .figures import rounds_small_multiples

    table = report.study["client_interview"]
    if report.kind == "region":
        table = table[(table["region"] == report.region).fillna(False)]
    order = [r.id for r in report.config.rounds]
    present = table.groupby("region", observed=True)["round"].nunique()
    again = [str(g) for g, k in present.items() if k >= 2]
    pieces = []
    for name, (analysis, column) in {"rating_mean": (client_rating, "mean"),
                                     "experience_mean": (experience_scale, "mean"),
                                     "informal_share": (personal_network, "informal_share")
                                     }.items():
        kwargs = {"min_n": report.min_respondents}
        if _takes_language(analysis):
            kwargs["language"] = report.language
        result = (with_pooled(analysis, table, by=("round", "region"), **kwargs)
                  if report.kind == "final" else
                  analysis(table, by=("round", "region"), **kwargs))
        result = result[result["region"].astype(str).isin(again + [TOTAL])]
        pieces.append(pd.DataFrame({
            "region": ["__total__" if str(g) == TOTAL else str(g) for g in result["region"]],
            "round": result["round"].astype(str).to_numpy(), "figure": name,
            "value": result[column].to_numpy(), "n": result["n"].to_numpy(),
            "suppressed": result["suppressed"].astype(bool).to_numpy()}))
    frame = pd.concat(pieces, ignore_index=True)
    rounds = [r for r in order if r in set(frame["round"])]
    labels = {g: report.region_label(g) for g in again}
    labels["__total__"] = _t(report, "Total")
    colours = _colours(report, [_key(rounds[-1], g) for g in again])
    colours = {g: colours.get(_key(rounds[-1], g), "#0072B2") for g in again}
    from .style import TOTAL_COLOUR

    colours["__total__"] = TOTAL_COLOUR
    fig = rounds_small_multiples(
        frame, panels=[(n, _t(report, t), u) for n, t, u in _OVER_ROUNDS], rounds=rounds,
        round_labels={r: report.config.round(r).label.split(",")[0] for r in rounds},
        labels=labels, colours=colours, title=_t(report, "Key figures over rounds"),
        language=report.language, min_respondents=report.min_respondents)
    return report.figure(fig, caption=_t(
        report, "Source: client interviews. One line per region that took part in more than "
                "one round; in the final report the dashed grey line is all regions of a round "
                "together. A figure resting on too few clients is left out."))


def _too_few(report: Report, frame: pd.DataFrame, instrument: str) -> str | None:
    """In a region report: the sentence that replaces the sections of an instrument answered
    by fewer than ``min_respondents`` people (all their figures would be suppressed), or None."""
    if report.comparative or len(frame) == 0 or len(frame) >= report.min_respondents:
        return None
    from ..instruments import get_instrument

    ins = get_instrument(instrument)
    what = ins.in_sentence(report.language) if ins.in_sentence else ins.title(
        report.language).lower()
    return say_n(report.language,
                 "{Where} delivered {what} with {n} respondent, fewer than the {k} a figure "
                 "needs; the sections that rest on them are left out, so that no one can be "
                 "recognised.",
                 "{Where} delivered {what} with {n} respondents, fewer than the {k} a figure "
                 "needs; the sections that rest on them are left out, so that no one can be "
                 "recognised.", len(frame), Where=report.region_name, what=what,
                 n=format_count(len(frame), report.language),
                 k=format_count(report.min_respondents, report.language))


def _outcome_label(report: Report, outcome: str) -> str:
    from ..instruments import get_instrument

    if outcome == "mss_rating":
        return _t(report, "rating (1–10)")
    if outcome == "experience":
        return _t(report, "experience with the MSS (1–5)")
    label = get_instrument("client_interview").column(outcome).label(report.language)
    return _cap(label.split(": ", 1)[-1]) + _t(report, " (persons)")


def _followed_clients(report: Report, clients: pd.DataFrame) -> Block:
    """The final report: the change of the *same* clients between rounds (paired), beside the
    change of the round's mean over all its clients (who may be other people)."""
    from ..analysis.comparisons import rating_change
    from ..analysis.multilevel import PAIRED_OUTCOMES, paired_change

    block = Block()
    lang = report.language
    paired = paired_change(clients, outcomes=PAIRED_OUTCOMES, rounds=report.rounds,
                           min_n=report.min_respondents)
    if paired.empty:
        return block
    everyone = rating_change(clients, rounds=report.rounds, min_n=report.min_respondents)
    sentences = []
    rating = paired[(paired["outcome"] == "mss_rating") & (paired["region"] != TOTAL)]
    for _, row in rating.iterrows():
        g, ra, rb = str(row["region"]), str(row["round_from"]), str(row["round_to"])
        labels = {"name": report.region_label(g), "a": report.config.round(ra).label,
                  "b": report.config.round(rb).label}
        if bool(row["suppressed"]):
            sentences.append(say(
                lang, "In {name}, {n} clients were interviewed in both {a} and {b}: too few to show "
                "their change.", n=format_count(row["n"], lang), **labels))
            continue
        sentences.append(say(
            lang, "In {name}, {n} of the {m} clients of {a} were interviewed again in {b}. For these "
            "same clients the rating changed by {d} on average (95% CI {lo} to {hi}; paired "
            "t-test, {p}).", n=format_count(row["n"], lang),
            m=format_count(row["n_round_from"], lang), d=_signed(row["change"], 1, lang),
            lo=_signed(row["ci_low"], 1, lang), hi=_signed(row["ci_high"], 1, lang),
            p=_p_text(row["p_value"], lang), **labels))
        whole = everyone[(everyone["region"] == g) & (everyone["round_from"] == ra)
                         & (everyone["round_to"] == rb) & ~everyone["suppressed"]]
        if len(whole):
            sentences.append(say(
                lang, "The mean of all the round's clients changed by {d}; that difference may also "
                "come from the round speaking partly to other clients.",
                d=_signed(whole["change"].iloc[0], 1, lang)))
    block.add(paragraph(*sentences))
    shown = paired.assign(
        col=[f"{report.region_label(g) if g != TOTAL else _t(report, 'Total')}, "
             f"{a} → {b}" for g, a, b in zip(paired["region"].astype(str),
                                               paired["round_from"].astype(str),
                                               paired["round_to"].astype(str))],
        label=[_outcome_label(report, o) for o in paired["outcome"].astype(str)])
    block.add(report.table(
        shown, [Col("col", _t(report, "Region and rounds"), kind="text"),
                Col("label", _t(report, "Outcome"), kind="text"),
                Col("n", _t(report, "n followed"), kind="count", base=True),
                Col("mean_from", _t(report, "Before"), decimals=1),
                Col("mean_to", _t(report, "After"), decimals=1),
                Col("change", _t(report, "Change"), decimals=1),
                Col("ci_low|ci_high", _t(report, "95% CI"), kind="range",
                    decimals=1),
                Col("p_value", _t(report, "p (paired)"), decimals=3)],
        caption=_t(report, "The same clients in two rounds: change per client (paired comparison)"),
        notes=[_t(report, "Only clients interviewed in both rounds (the same pseudonym). Change: later "
                  "minus earlier.")]))
    return block


def _signed(value: Any, decimals: int, language: str) -> str:
    return format_signed(value, decimals, language)


def _rating(report: Report, clients: pd.DataFrame) -> Block:
    from ..analysis.personal import client_rating

    block = Block()
    lang = report.language
    result = _analyse(report, client_rating, clients)
    order, labels = group_order(report), group_labels(report)
    cols = [Col("col", _t(report, "Region"), labels=labels),
            Col("n", "n", kind="count", base=True),
            Col("mean", _t(report, "Mean")),
            Col("ci_low|ci_high", _t(report, "95% CI")),
            Col("sd", _t(report, "SD")),
            Col("median", _t(report, "Median")),
            Col("min", _t(report, "Lowest"), kind="count"),
            Col("max", _t(report, "Highest"), kind="count")]
    ordered = result.set_index("col").reindex(order).dropna(how="all").reset_index()
    sentences = []
    for key in order:
        row = _row(result, key)
        if row is None or (report.comparative and not key.endswith(TOTAL)):
            continue
        if _shown(row, "mean"):
            sentences.append(say(
                lang,
                "{Where}, {n} clients gave the MSS an average rating of {mean} (95% confidence "
                "interval {lo}–{hi}); half of them gave {median} or more.",
                Where=_cap(_where(report, key)), n=format_count(row["n"], lang),
                mean=format_number(row["mean"], 1, lang), lo=format_number(row["ci_low"], 1, lang),
                hi=format_number(row["ci_high"], 1, lang),
                median=format_number(row["median"], 0 if float(row["median"]).is_integer() else 1,
                                     lang)))
        else:
            sentences.append(say(
                lang, "{Where}, too few clients rated the MSS to show an average.",
                Where=_cap(_where(report, key))))
        if report.comparative:
            sentences += _rating_spread(report, result, key.split("|", 1)[0])
    block.add(paragraph(*sentences))
    total_label = _t(report, "Total")
    block.add(_region_rows(report, ordered, cols,
                           caption=_t(report, "Rating of the MSS (1–10)"), total_label=total_label))
    if report.comparative and not many_regions(report):
        # in study order; with many regions the funnel plot below shows them all, unranked
        fig = dot_plot_figure(ordered, group="col", labels=labels,
                          order=_dot_order(report, ordered, order),
                          title=_t(report, "Rating of the MSS per region"),
                          xlabel=_t(report, "mean rating (1–10) with 95% CI"),
                          xlim=(1, 10), language=lang, min_respondents=report.min_respondents,
                          colours=_colours(report, order))
        block.add(report.figure(fig, caption=_t(
            report, "Source: client interviews. Lines show the 95% confidence interval.")
            + _extremes_caption(report)))
    if report.comparative:
        block.add(_regions_compared(report, clients, "mss_rating", decimals=1, ylim=None,
                                    what=_t(report, "the rating"),
                                    axis=_t(report, "rating (1–10)")))
    return block


def _dot_order(report: Report, frame: pd.DataFrame, order: list[str], value: str = "mean"
               ) -> list[str]:
    """The rows of a dot plot: every region, or with many regions each round's
    :data:`EXTREME_REGIONS` highest regions, its total and its lowest regions (sorted)."""
    if not many_regions(report):
        return order
    out = []
    for rnd in report.rounds:
        keys = [k for k in order if k.split("|", 1)[0] == rnd and not k.endswith(TOTAL)]
        rows = frame[frame["col"].isin(keys) & frame[value].notna()]
        if "suppressed" in rows:
            rows = rows[~rows["suppressed"].astype(bool)]
        ranked = list(rows.sort_values(value, ascending=False, kind="stable")["col"])
        high = ranked[:EXTREME_REGIONS]
        low = [k for k in ranked[-EXTREME_REGIONS:] if k not in high]
        total = [k for k in order if k == _key(rnd, TOTAL)]
        out += high + total + low
    return out


def _extremes_caption(report: Report) -> str:
    if not many_regions(report):
        return ""
    return " " + _t(report, "Per round the {k} highest and {k} lowest regions around the total; "
                            "every region is in {where}.").format(
        k=EXTREME_REGIONS, where=_appendix_b_name(report))


def _appendix_b_name(report: Report) -> str:
    """Where every region's figures are: this report's appendix B, or for the final report
    appendix B of the interim reports (see :func:`_to_appendix`)."""
    if report.kind == "final":
        return _t(report, "Appendix B of the interim reports")
    return _t(report, "Appendix B")


def _colours(report: Report, order: list[str]) -> dict[str, str]:
    """A fixed colour per region (never the total's marker colour) and the total's."""
    from .style import REGION_PALETTE, TOTAL_COLOUR

    regions = [g.id for g in report.config.regions]
    out = {}
    for key in order:
        g = key.split("|", 1)[1]
        out[key] = TOTAL_COLOUR if g == TOTAL else \
            REGION_PALETTE[regions.index(g) % len(REGION_PALETTE)] if g in regions else \
            REGION_PALETTE[0]
    return out


def _rating_spread(report: Report, result: pd.DataFrame, rnd: str) -> list[str]:
    """How far the regions of a round lie apart, and whether that is more than chance."""
    from ..analysis.comparisons import rating_comparison

    lang = report.language
    out = []
    rows = result[(result["round"] == rnd) & (result["region"] != TOTAL) & ~result["suppressed"]]
    if len(rows) >= 2:
        # the range without naming its ends: which region is 'highest' is for the multilevel
        # comparison to say, and only when it can (see _regions_compared)
        out.append(say(
            lang, "The regions' raw means range from {lo} to {hi}.",
            lo=format_number(rows["mean"].min(), 1, lang),
            hi=format_number(rows["mean"].max(), 1, lang)))
    clients = report.frame("client_interview")
    tests = rating_comparison(clients[clients["round"] == rnd], min_n=report.min_respondents)
    for _, t in tests[(tests["test"] == "kruskal") & ~tests["suppressed"]].iterrows():
        significant = float(t["p_value"]) < 0.05
        out.append(say(
            lang, N_("That difference is statistically significant (Kruskal-Wallis, {p}).")
            if significant else
            N_("That difference is not statistically significant (Kruskal-Wallis, {p})."),
            p=_p_text(t["p_value"], lang)))
    return out


# -- regions compared fairly: multilevel model, three groups, funnel plot --------------------------
_CASE_MIX_WORDS = {"age_band": N_("age"), "gender": N_("gender"), "education": N_("education"),
                   "living_situation": N_("living situation"),
                   "organisation_group": N_("organisation group")}


def _case_mix_of(report: Report, who: str = "clients") -> tuple[str, ...]:
    """The case mix a comparison of ``who`` (clients or partners) adjusts for."""
    from ..analysis.multilevel import CASE_MIX, PARTNER_CASE_MIX

    if who == "partners":
        return PARTNER_CASE_MIX
    return tuple(getattr(report.config.settings, "case_mix", CASE_MIX))


def _case_mix_words(report: Report, who: str = "clients") -> str:
    words = [_t(report, _CASE_MIX_WORDS[c]) for c in _case_mix_of(report, who)]
    return join_words(words, report.language)


def _multilevel(report: Report, frame: pd.DataFrame, column: str,
                kind: str | None = None, who: str = "clients") -> pd.DataFrame:
    """Every round's regions compared with the multilevel model, with the column key ``col``."""
    from ..analysis.multilevel import multilevel_comparison

    result = multilevel_comparison(frame, column, kind=kind, by=("round",),
                                   covariates=_case_mix_of(report, who),
                                   min_n=report.min_respondents)
    return result.assign(col=[_key(r, g) for r, g in zip(result["round"].astype(str),
                                                         result["region"].astype(str))])


def _merged_categories(report: Report, note, who: str = "clients") -> list[str]:
    """The case-mix categories a yes/no comparison merged (``note`` ``case_mix_merged:...``),
    as 'characteristic: category' in the report's language."""
    from ..instruments import get_instrument

    if is_missing(note) or not str(note).startswith("case_mix_merged:"):
        return []
    instrument = get_instrument("partner_survey" if who == "partners" else "client_interview")
    out = []
    for part in str(note).split(":", 1)[1].split(";"):
        column, _, level = part.partition("=")
        try:
            labels = instrument.labels(column, report.language)
        except KeyError:
            labels = {}
        word = _t(report, _CASE_MIX_WORDS[column]) if column in _CASE_MIX_WORDS else column
        category = _t(report, N_("unknown")) if level == "_missing" else labels.get(level, level)
        out.append(f"'{category}' ({word})")
    return out


def _merged_sentences(report: Report, note, who: str = "clients") -> list[str]:
    """One sentence on the case-mix categories a yes/no comparison could not adjust for."""
    merged = _merged_categories(report, note, who)
    if not merged:
        return []
    return [say_n(report.language,
                  "In the category {categories} every client gave the same answer, so the "
                  "comparison cannot adjust for it: those clients are counted with the largest "
                  "category of the same characteristic.",
                  "In the categories {categories} every client gave the same answer, so the "
                  "comparison cannot adjust for them: those clients are counted with the "
                  "largest category of the same characteristic.",
                  len(merged), categories=join_words(merged, report.language))]


def _group_sentences(report: Report, result: pd.DataFrame, rnd: str, what: str,
                     who: str = "clients") -> list[str]:
    """The three groups of a round in words: only regions the model separates are named, in
    study order; the others are counted, never ordered. ``who``: clients or partners."""
    lang = report.language
    partners = who == "partners"
    rows = result[result["round"].astype(str) == rnd]
    modelled = rows[~rows["suppressed"] & rows["tau2"].notna()]
    small = [report.region_label(g) for g in rows.loc[rows["suppressed"], "region"]]
    prefix = "" if report.kind != "final" else say(
        lang, "In {label}: ", label=report.config.round(rnd).label)
    out = []
    if modelled.empty:
        out.append(prefix + say(
            lang, N_("Too few regions have at least {k} partners who answered to compare {what} "
                     "between regions.") if partners else
            N_("Too few regions have at least {k} clients to compare {what} between regions."),
            k=format_count(report.min_respondents, lang), what=what))
    else:
        names = {g: [report.region_label(r) for r in modelled.loc[modelled["group"] == g,
                                                                    "region"]]
                 for g in ("above", "below")}
        average = int((modelled["group"] == "average").sum())
        if not names["above"] and not names["below"]:
            out.append(prefix + say(
                lang, N_("After adjusting for {mix} and taking each region's number of partners "
                         "who answered into account, all {k} regions are 'average' on {what}: "
                         "the differences are no larger than chance can explain, so the regions "
                         "are not ranked.") if partners else
                N_("After adjusting for {mix} and taking each region's number of clients into "
                   "account, all {k} regions are 'average' on {what}: the differences are no "
                   "larger than chance can explain, so the regions are not ranked."),
                mix=_case_mix_words(report, who), k=format_count(len(modelled), lang),
                what=what))
        else:
            parts = []
            for group in ("above", "below"):
                if names[group]:
                    parts.append(say_n(lang, "{names} is {where}", "{names} are {where}",
                                       len(names[group]), names=join_words(names[group], lang),
                                       where=_t(report, _GROUP_WORDS[group])))
            joined = join_words(parts, lang)
            fields = dict(mix=_case_mix_words(report, who), parts=joined, Parts=_cap(joined),
                          what=what, k=format_count(average, lang))
            if average == 0:
                text = N_("After adjusting for {mix}, {parts} on {what}.")
            elif average == 1:
                text = N_("After adjusting for {mix}, {parts} on {what}; the other region is "
                          "'average'.")
            else:
                text = N_("After adjusting for {mix}, {parts} on {what}; the other {k} regions "
                          "are 'average' and cannot be told apart.")
            out.append(prefix + say(lang, text, **fields))
        model = modelled.iloc[0]
        out += _merged_sentences(report, model["note"], who)
        if float(model["tau2"]) == 0.0:
            out.append(say(
                lang, "The model finds no difference between the regions beyond chance (τ² = 0), "
                "so every region gets the overall estimate."))
        else:
            out.append(say(
                lang, N_("Of the differences between partners' answers, {icc} lies with the "
                         "region (ICC). Telling regions apart reliably (0.8) takes about {n8} "
                         "partners who answer per region, {n9} for 0.9.") if partners else
                N_("Of the differences between clients, {icc} lies with the region (ICC). "
                   "Telling regions apart reliably (0.8) takes about {n8} clients per region, "
                   "{n9} for 0.9."), icc=format_percent(model["icc"], 0, lang),
                n8=format_count(model["n_for_reliability_0_8"], lang),
                n9=format_count(model["n_for_reliability_0_9"], lang)))
    if small:
        out.append(say_n(
            lang, "{names} has too few partners who answered (fewer than {k}) to be compared.",
            "{names} have too few partners who answered (fewer than {k}) to be compared.",
            len(small), names=join_words(small, lang),
            k=format_count(report.min_respondents, lang)) if partners else say_n(
            lang, "{names} has too few clients (fewer than {k}) to be compared.",
            "{names} have too few clients (fewer than {k}) to be compared.", len(small),
            names=join_words(small, lang), k=format_count(report.min_respondents, lang)))
    return out


def _regions_compared(report: Report, frame: pd.DataFrame, column: str, *, what: str,
                      axis: str, decimals: int = 1, ylim: tuple[float, float] | None = None,
                      who: str = "clients") -> Block:
    """Regions compared fairly (CQ-index practice): the three groups in words, a table with
    each region's case-mix adjusted and shrunken estimate, interval, reliability and group,
    and a funnel plot per round. Nothing here orders regions the model cannot separate.
    ``frame`` holds clients (``who="clients"``) or partners who answered the partner survey
    (``who="partners"``, adjusted for their organisation group)."""
    from ..analysis.multilevel import funnel_data
    from .figures import funnel_figure

    block = Block()
    lang = report.language
    partners = who == "partners"
    result = _multilevel(report, frame, column, who=who)
    order = [k for k in group_order(report) if k in set(result["col"])]
    if not order:
        return block
    mix = _case_mix_words(report, who)
    sentences = [_t(report, N_(
        "Regions hear from different kinds of partners and sometimes from only a few. A fair "
        "comparison takes both into account (see the methods in Appendix A).") if partners else N_(
        "Regions reach different clients and sometimes count only a few. A fair "
        "comparison takes both into account (see the methods in Appendix A)."))]
    for rnd in report.rounds:
        sentences += _group_sentences(report, result, rnd, what, who)
    block.add(paragraph(*sentences))
    labels = group_labels(report)
    group_labels_ = {g: _t(report, _GROUP_WORDS[g]) for g in _GROUP_WORDS}
    shown = result.set_index("col").loc[order].reset_index()
    block.add(_region_rows(
        report, shown, [Col("col", _t(report, "Region"), labels=labels),
                        Col("n", "n", kind="count", base=True),
                        Col("raw_mean", _t(report, "Raw mean"),
                            decimals=decimals),
                        Col("estimate", _t(report, "Estimate"), decimals=decimals),
                        Col("ci_low|ci_high", _t(report, "95% CI"), kind="range",
                            decimals=decimals),
                        Col("reliability", _t(report, "Reliability"),
                            decimals=2),
                        Col("group", _t(report, "Group"), kind="text",
                            labels=group_labels_)],
        caption=_t(report, "Regions compared: {what}, adjusted for {mix} (multilevel model)")
        .format(what=what, mix=mix),
        notes=[_t(report, N_(
            "Estimate: the adjusted mean, drawn towards the overall mean the fewer partners "
            "answered in a region. Group: 'above' or 'below' average only when the interval "
            "excludes the overall mean.") if partners else N_(
            "Estimate: the adjusted mean, drawn towards the overall mean the fewer "
            "clients a region has. Group: 'above' or 'below' average only when the "
            "interval excludes the overall mean."))]))
    region_labels = {g: report.region_label(g) for g in set(result["region"].astype(str))}
    for rnd in report.rounds:
        rows = result[(result["round"].astype(str) == rnd)]
        fitted = rows[~rows["suppressed"] & rows["tau2"].notna()]
        if len(fitted) < 2:
            continue
        rows = rows.assign(sd=float(fitted["sigma2"].iloc[0]) ** 0.5)
        funnel = funnel_data(rows, "adjusted_mean", target="overall", sd="sd",
                             adjustment="additive", min_n=report.min_respondents)
        title = _t(report, N_("{what} per region against the number of partners who answered")
                   if partners else N_("{what} per region against the number of clients")
                   ).format(what=_cap(what))
        if report.kind == "final":
            title += f" — {report.config.round(rnd).label}"
        fig = funnel_figure(funnel, labels=region_labels, title=title, ylabel=axis,
                            xlabel=_t(report, "number of partners who answered (n)")
                            if partners else "", language=lang, decimals=decimals, ylim=ylim,
                            min_respondents=report.min_respondents)
        block.add(report.figure(fig, caption=_t(report, N_(
            "Source: partner survey. Each region's mean adjusted for {mix}, against its number "
            "of partners who answered. Within the dashed (95%) and dotted (99.8%) limits lies "
            "what chance allows at that number.") if partners else N_(
            "Source: client interviews. Each region's mean adjusted for {mix}, against "
            "its number of clients. Within the dashed (95%) and dotted (99.8%) limits "
            "lies what chance allows at that number.")).format(mix=mix)))
    return block


def _involvement(report: Report, clients: pd.DataFrame) -> Block:
    from ..analysis.personal import professional_involvement

    block = Block()
    lang = report.language
    result = _analyse(report, professional_involvement, clients, language=lang)
    order, labels = group_order(report), group_labels(report)
    item_labels = dict(zip(result["variable"], result["label"]))
    if report.comparative:
        block.add(_side_by_side(report, 
            result, [Col("label", _t(report, "Characteristic")),
                     Col("col", "col"), Col("share", "%", kind="percent", decimals=0)],
            caption=_t(report, "Clients with professionals and day activities (% of clients)"),
            pivot=("col", "share"), pivot_order=order, pivot_labels=labels))
        sentences = []
        for variable in ("has_spv", "day_activities", "contact_professional"):
            rows = result[(result["variable"] == variable) & (result["region"] != TOTAL)
                          & ~result["suppressed"]]
            if len(rows) >= 2:
                # the range without naming its ends; regions are named only when the
                # multilevel comparison separates them from the rest
                sentences.append(say(
                    lang, "The share of clients who {what} ranges from {lo} to {hi} across regions.",
                    what=_t(report, _INVOLVEMENT_PHRASES[variable]) if _nl(report) else
                    _INVOLVEMENT_PHRASES[variable].replace("has ", "have ")
                    .replace("takes ", "take ").replace("is ", "are "),
                    lo=format_percent(rows["share"].min(), 0, lang),
                    hi=format_percent(rows["share"].max(), 0, lang)))
                sentences += _share_groups(report, clients, variable)
        block.add(paragraph(*sentences))
    else:
        key = order[0]
        rows = result[result["col"] == key]
        bits = [f"{format_percent(r['share'], 0, lang)} "
                + (_t(report, _INVOLVEMENT_PHRASES[r['variable']])
                   if r['variable'] in _INVOLVEMENT_PHRASES else str(r['label']))
                for _, r in rows.iterrows() if _shown(r, "share")]
        if bits:
            block.add(paragraph(say(lang, "Of the clients interviewed, {list}.",
                                    list=join_words(bits, lang))))
        block.add(report.table(
            rows, [Col("label", _t(report, "Characteristic")),
                   Col("n", "n", kind="count", base=True),
                   Col("share", _t(report, "Share"), kind="percent"),
                   Col("ci_low|ci_high", _t(report, "95% CI"), kind="percent",
                       decimals=0)],
            caption=_t(report, "Professionals and day activities")))
        fig = _share_figure(report, rows.assign(kind="share"), category="variable",
                            category_labels=item_labels, hue="kind",
                            title=_t(report, "Professionals and day activities"))
        block.add(report.figure(fig, caption=_t(report, "Source: client interviews.")))
    return block


def _share_groups(report: Report, clients: pd.DataFrame, variable: str) -> list[str]:
    """Which regions lie above or below the rest on a yes/no item after case-mix adjustment
    (the logistic multilevel comparison); nothing is said of regions it cannot separate."""
    lang = report.language
    result = _multilevel(report, clients, variable, kind="binary")
    if (result.loc[~result["suppressed"], "note"] == "tau2_not_estimable").any():
        return [_t(report, "The regions cannot be compared on this: with so few regions and "
                   "clients, one region's answers leave the difference between regions after "
                   "adjusting for the clients' make-up impossible to estimate.")]
    result = result[~result["suppressed"] & result["group"].notna()]
    apart = result[result["group"] != "average"]
    if result.empty:
        return []
    merged = _merged_sentences(report, result["note"].iloc[0])
    if apart.empty:
        return [_t(report, "After adjusting for the clients' make-up, the regions cannot be told apart "
                   "on this."), *merged]
    parts = []
    for group in ("above", "below"):
        names = [report.region_label(g) for g in apart.loc[apart["group"] == group, "region"]]
        if names:
            parts.append(f"{join_words(names, lang)} {_t(report, _GROUP_WORDS[group])}")
    return [say(lang, "After adjusting for the clients' make-up: {parts}; the other regions are "
                "average.", parts=join_words(parts, lang)), *merged]


def _share_figure(report: Report, frame: pd.DataFrame, **kwargs):
    from .figures import share_figure

    return share_figure(frame, language=report.language, min_respondents=report.min_respondents,
                      **kwargs)


def _life_domains(report: Report, clients: pd.DataFrame) -> Block:
    from ..analysis.personal import support_gaps, support_per_life_domain

    block = Block()
    lang = report.language
    order, labels = group_order(report), group_labels(report)
    gaps = _analyse(report, support_gaps, clients, language=lang)
    sentences = []
    for key in order if not report.comparative else [k for k in order if k.endswith(TOTAL)]:
        rows = gaps[(gaps["col"] == key) & ~gaps["suppressed"]]
        if rows.empty:
            continue
        top = rows.sort_values("needed_share", ascending=False, kind="stable").head(2)
        top = top[top["needed_share"] > 0]
        if len(top):
            sentences.append(say(
                lang, "{Where}, clients most often need support with {domains}.",
                Where=_cap(_where(report, key)),
                domains=join_words([f"{r['label']} ({format_percent(r['needed_share'], 0, lang)})"
                                    for _, r in top.iterrows()], lang)))
        outrun = rows[rows["needs_outrun_support"].fillna(False).astype(bool)]
        if len(outrun):
            sentences.append(say(
                lang, "For {domains}, fewer clients receive support than need it.",
                domains=join_words(list(outrun["label"]), lang)))
        else:
            sentences.append(say(lang, "In no life domain does support fall short of the need."))
    block.add(paragraph(*sentences))
    if report.comparative:
        block.add(_side_by_side(report, 
            gaps, [Col("label", _t(report, "Life domain")), Col("col", "col"),
                   Col("gap", "gap", kind="points", decimals=0)],
            caption=_t(report, "Support needed minus support received (percentage points; positive: "
                       "need is larger)"),
            pivot=("col", "gap"), pivot_order=order, pivot_labels=labels))
    else:
        support = _analyse(report, support_per_life_domain, clients, language=lang)
        fig = _share_figure(report, support, category="life_domain", hue="measure",
                            category_labels=dict(zip(support["life_domain"],
                                                     support["domain_label"])),
                            hue_labels=dict(zip(support["measure"], support["measure_label"])),
                            title=_t(report, "Support per life domain"))
        block.add(report.figure(fig, caption=_t(
            report, "Source: client interviews. 'Support enough' rests on the clients who receive "
            "support in that domain.")))
    return block


def _experience(report: Report, clients: pd.DataFrame) -> Block:
    from ..analysis.personal import experience_items, experience_scale
    from ..instruments import get_instrument
    from .figures import likert_figure

    block = Block()
    lang = report.language
    order, labels = group_order(report), group_labels(report)
    scale = _analyse(report, experience_scale, clients, language=lang)
    sentences = []
    keys = [k for k in order if k.endswith(TOTAL)] if report.comparative else order
    for key in keys:
        row = _row(scale, key)
        if not _shown(row, "mean"):
            continue
        alpha = None
        if not bool(row.get("alpha_suppressed", True)) and not is_missing(row.get("alpha")):
            alpha = float(row["alpha"])
        where = _cap(_where(report, key))
        a_text = None if alpha is None else format_number(alpha, 2, lang, minus=MINUS)
        if alpha is not None and alpha < 0:
            sentences.append(say(
                lang, "{Where}, the statements on experience with the MSS do not form a scale "
                "(Cronbach's alpha {a}, negative): the answers do not hang together, so no "
                "scale score is given.", Where=where, a=a_text))
        elif alpha is not None and not scale_usable(alpha):
            sentences.append(say(
                lang, "{Where}, the reliability of the scale 'experience with the MSS' is "
                "insufficient (Cronbach's alpha {a}, below 0.6), so no scale score is given; "
                "the statements are shown one by one.", Where=where, a=a_text))
        else:
            sentences.append(say(
                lang, "{Where}, clients score {mean} on average on the scale 'experience with the "
                "MSS' (1 to 5; higher is more favourable).",
                Where=where, mean=format_number(row["mean"], 1, lang)))
            if alpha is not None:
                sentences.append(say(lang, "The scale's reliability is {q} (Cronbach's alpha {a}).",
                                     q=reliability_word(lang, alpha), a=a_text))
    # a scale whose reliability is insufficient gets no score in the table either
    unusable = [not bool(r.get("alpha_suppressed", True)) and not is_missing(r.get("alpha"))
                and not scale_usable(float(r["alpha"])) for _, r in scale.iterrows()]
    if any(unusable):
        scale = scale.copy()
        mask = pd.Series(unusable, index=scale.index)
        for column in ("mean", "ci_low", "ci_high"):
            scale[column] = scale[column].astype("Float64").mask(mask)
    block.add(paragraph(*sentences))
    cols = [Col("col", _t(report, "Region"), labels=labels),
            Col("n", "n", kind="count", base=True),
            Col("mean", _t(report, "Mean (1–5)")),
            Col("ci_low|ci_high", _t(report, "95% CI")),
            Col("alpha", _t(report, "Cronbach's alpha"), decimals=2,
                suppressed_by="alpha_suppressed")]
    ordered = scale.set_index("col").reindex([k for k in order if k in set(scale["col"])]) \
        .reset_index()
    notes = [_t(report, "Reliability (Cronbach's alpha): 0.8 or more good, 0.7 to 0.8 "
                "acceptable, 0.6 to 0.7 questionable, below 0.6 insufficient (no scale score "
                "shown, the cell is empty); a negative alpha means the statements do not form a "
                "scale.")]
    block.add(_region_rows(report, ordered, cols,
                           caption=_t(report, "Scale 'experience with the MSS'"), notes=notes))
    if not report.comparative:
        items = _analyse(report, experience_items, clients, language=lang)
        ins = get_instrument("client_interview")
        answers = ins.column("exp_heard").answers
        item_labels = dict(zip(items["item"], items["item_label"]))
        # items has a row per answer; mark each reversed item once
        reversed_items = set(items.loc[items["reversed"].astype(bool), "item"])
        for item in reversed_items:
            item_labels[item] += _t(report, " (reversed)")
        fig = likert_figure(items, answer_order=answers.keys(),
                          answer_labels={a.key: a.label(lang) for a in answers.answers},
                          item_labels=item_labels, title=_t(report, "Experience with the MSS"),
                          language=lang, min_respondents=report.min_respondents)
        block.add(report.figure(fig, caption=_t(
            report, "Source: client interviews. For a reversed statement, agreeing is unfavourable.")))
    else:
        if not many_regions(report):
            dots = _dot_order(report, ordered, list(ordered["col"]))
            fig = dot_plot_figure(ordered, group="col", labels=labels, order=dots,
                              title=_t(report, "Experience with the MSS per region"),
                              xlabel=_t(report, "mean scale score (1–5) with 95% CI"),
                              xlim=(1, 5), language=lang,
                              min_respondents=report.min_respondents,
                              colours=_colours(report, dots))
            block.add(report.figure(fig, caption=_t(report, "Source: client interviews.")
                                    + _extremes_caption(report)))
        block.add(_regions_compared(report, clients, "experience", decimals=2,
                                    what=_t(report, "the scale 'experience with the MSS'"),
                                    axis=_t(report, "scale score (1–5)")))
    return block


def _network(report: Report, clients: pd.DataFrame) -> Block:
    from ..analysis.personal import network_rings, personal_network
    from .figures import network_ring_figure

    block = Block()
    lang = report.language
    order, labels = group_order(report), group_labels(report)
    summary = _analyse(report, personal_network, clients)
    rings = _analyse(report, network_rings, clients, pooled=True)
    ring_order = list(dict.fromkeys(rings["ring"]))
    ring_labels = {r: _cap(lab.split(": ", 1)[-1]) for r, lab in zip(rings["ring"], rings["label"])}
    sentences = []
    keys = [k for k in order if k.endswith(TOTAL)] if report.comparative else order
    for key in keys:
        row = _row(summary, key)
        if not _shown(row, "informal_share"):
            continue
        total = float(row["informal_persons"]) + float(row["professional_persons"])
        sentences.append(say(
            lang,
            "{Where}, a client's personal network holds {total} people on average, {informal} "
            "of them in the informal rings (relatives, friends, neighbours, colleagues): "
            "{share} of the network. The other {prof} are professionals and staff of services.",
            Where=_cap(_where(report, key)), total=format_number(total, 1, lang),
            informal=format_number(row["informal_persons"], 1, lang),
            share=format_percent(row["informal_share"], 0, lang),
            prof=format_number(row["professional_persons"], 1, lang)))
        if float(row["informal_persons"]) < float(row["professional_persons"]):
            sentences.append(_t(report,
                                "So the professional rings are fuller than the informal ones."))
    block.add(paragraph(*sentences))
    cols = [Col("col", _t(report, "Region"), labels=labels),
            Col("n", "n", kind="count", base=True)]
    cols += [Col(r, ring_labels[r], decimals=1) for r in ring_order]
    cols += [Col("informal_share", _t(report, "Informal share"),
                 kind="percent")]
    ordered = summary.set_index("col").reindex([k for k in order if k in set(summary["col"])]) \
        .reset_index()
    block.add(_region_rows(report, ordered, cols, caption=_t(
        report, "Mean number of people per ring of the personal network")))
    bars = [k for k in order if k in set(rings["col"])
            and (k.endswith(TOTAL) or not many_regions(report))]
    fig = network_ring_figure(rings, group="col", ring_order=ring_order, ring_labels=ring_labels,
                            labels=labels, order=bars,
                            title=_t(report, "Personal network per ring (innermost first)"),
                            language=lang, min_respondents=report.min_respondents)
    block.add(report.figure(fig, caption=_t(
        report, "Source: client interviews. Warm colours: informal rings; cool colours: professional "
        "rings.") + (" " + _t(report, "Each round's total; every region is in {where}.").format(
            where=_appendix_b_name(report)) if many_regions(report) else "")))
    return block


def _needs(report: Report, clients: pd.DataFrame) -> Block:
    from ..analysis.personal import participation_needs, peer_expert_contact, \
        social_contacts_change

    block = Block()
    lang = report.language
    order, labels = group_order(report), group_labels(report)
    needs = _analyse(report, participation_needs, clients)
    change = _analyse(report, social_contacts_change, clients, language=lang)
    peers = _analyse(report, peer_expert_contact, clients, language=lang)
    sentences = []
    keys = [k for k in order if k.endswith(TOTAL)] if report.comparative else order
    for key in keys:
        rows = needs[(needs["col"] == key) & ~needs["suppressed"]].sort_values("rank",
                                                                              kind="stable")
        if len(rows) >= 2:
            a, b = rows.iloc[0], rows.iloc[1]
            sentences.append(say(
                lang, "{Where}, clients most often name {a} ({pa}) as a wish, followed by {b} ({pb}).",
                Where=_cap(_where(report, key)), a=a["label"],
                pa=format_percent(a["share"], 0, lang), b=b["label"],
                pb=format_percent(b["share"], 0, lang)))
        more = _row(change, key, answer="more")
        if _shown(more, "share"):
            sentences.append(say(
                lang, "Of the clients, {share} have more social contacts since the MSS.",
                share=format_percent(more["share"], 0, lang)))
        peer = _row(peers, key)
        if _shown(peer, "share"):
            sentences.append(say(lang, "Contact with a peer expert: {share}.",
                                 share=format_percent(peer["share"], 0, lang)))
    block.add(paragraph(*sentences))
    if report.comparative:
        block.add(_side_by_side(report, 
            needs, [Col("label", _t(report, "Wish")), Col("col", "col"),
                    Col("share", "%", kind="percent", decimals=0)],
            caption=_t(report, "Participation wishes (% of clients)"),
            pivot=("col", "share"), pivot_order=order, pivot_labels=labels))
    else:
        rows = needs.sort_values("rank", kind="stable")
        block.add(report.table(
            rows, [Col("label", _t(report, "Wish")),
                   Col("n", "n", kind="count", base=True),
                   Col("share", _t(report, "Share"), kind="percent")],
            caption=_t(report, "Clients' participation wishes")))
    return block


def _questionnaires(report: Report, questionnaires: pd.DataFrame) -> Block:
    from ..analysis.personal import case_table_route, contact_frequency_range, months_in_contact

    block = Block()
    lang = report.language
    order, labels = group_order(report), group_labels(report)
    route = _analyse(report, case_table_route, questionnaires, language=lang)
    freq = _analyse(report, contact_frequency_range, questionnaires, language=lang)
    months = _analyse(report, months_in_contact, questionnaires)
    merged = (route[["col", "n", "share", "suppressed"]]
              .merge(freq[["col", "lowest_label", "highest_label", "suppressed"]]
                     .rename(columns={"suppressed": "freq_suppressed"}), on="col", how="left")
              .merge(months[["col", "median", "suppressed"]]
                     .rename(columns={"suppressed": "months_suppressed"}), on="col", how="left"))
    merged["frequency"] = [
        SUPPRESSED_MARKER if bool(s) else "" if is_missing(lo) else
        (f"{lo} – {hi}" if lo != hi else str(lo))
        for lo, hi, s in zip(merged["lowest_label"], merged["highest_label"],
                             merged["freq_suppressed"].fillna(True))]
    merged["months"] = [SUPPRESSED_MARKER if bool(s) else format_number(m, 0, lang)
                        for m, s in zip(merged["median"], merged["months_suppressed"].fillna(True))]
    merged = merged.set_index("col").reindex([k for k in order if k in set(merged["col"])]) \
        .reset_index()
    sentences = []
    keys = [k for k in order if k.endswith(TOTAL)] if report.comparative else order
    for key in keys:
        row = _row(merged, key)
        if _shown(row, "share"):
            sentences.append(say(
                lang, "{Where}, according to the professionals, the question of {share} of the clients "
                "was brought to a case table.",
                Where=_cap(_where(report, key)), share=format_percent(row["share"], 0, lang)))
        if row is not None and row["frequency"] and " – " in row["frequency"]:
            lo, hi = row["frequency"].split(" – ")
            sentences.append(say(lang, "Contact with the client varies from {lo} to {hi}.",
                                 lo=lo, hi=hi))
    block.add(paragraph(*sentences))
    block.add(_region_rows(
        report, merged, [Col("col", _t(report, "Region"), labels=labels),
                 Col("n", "n", kind="count", base=True),
                 Col("share", _t(report, "Brought to a case table"),
                     kind="percent"),
                 Col("frequency", _t(report, "Contact frequency (from – to)"), kind="text"),
                 Col("months", _t(report, "Months in contact (median)"), kind="text")],
        caption=_t(report, "Questionnaires about clients: route and contact")))
    return block



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
    from ..analysis.personal import client_rating, personal_network
    from .conclusions import informal_band, rating_band

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


# == appendix =====================================================================================
def appendix(report: Report) -> Block:
    """Appendix: methods, the instruments used and provenance (input files, versions, command)."""
    block = Block()
    lang = report.language
    block.add(report.chapter("A", _t(report, "Appendix A: methods and provenance")))
    block.add(report.section(1, _t(report, "Methods")))
    written = report.author_text("appendix")
    block.add(paragraph(*_method_sentences(report)))
    if written:
        block.add(written)
    block.add(report.section(2, _t(report, "Instruments used")))
    block.add(_instruments_table(report))
    block.add(report.section(3, _t(report, "Provenance of this report")))
    block.add(_provenance(report))
    block.add(_appendix_b(report))
    return block


def _appendix_b(report: Report) -> Block:
    """Appendix B of a report with many regions: the full per-region tables, a row per region."""
    block = Block()
    tables, report.appendix_tables = list(report.appendix_tables), []
    if not tables:
        return block
    block.add(report.chapter("B", _t(report, "Appendix B: figures per region")))
    block.add(paragraph(say(
        report.language,
        "With more than {k} regions per round, the chapters show each round's total with the "
        "lowest and highest region. This appendix gives every region's figures.",
        k=format_count(MANY_REGIONS, report.language))))
    for frame, columns, caption, options in tables:
        block.add(report.table(frame, columns, caption=caption, **options))
    return block


def _method_sentences(report: Report) -> list[str]:
    from ..analysis.comparisons import PAIRWISE_MAX_REGIONS

    lang = report.language
    k = format_count(report.min_respondents, lang)
    regions_per_round = [len([k for k in group_order(report)
                              if k.split("|", 1)[0] == rnd and not k.endswith(TOTAL)])
                         for rnd in report.rounds]
    pairwise = [] if not report.comparative or max(regions_per_round, default=0) <= \
        PAIRWISE_MAX_REGIONS else [say(
            lang, "A round with more than {m} regions gets only the tests across all regions "
            "(Kruskal-Wallis, analysis of variance): pairwise comparisons of that many regions "
            "cannot be taken in and are not made.", m=format_count(PAIRWISE_MAX_REGIONS, lang))]
    out = [
        say(lang,
            "Means are given with a 95% confidence interval (t distribution), shares with a "
            "Wilson interval. Differences between regions in the rating were tested with the "
            "Kruskal-Wallis test and one-way analysis of variance, with Holm's correction for "
            "pairwise comparisons. Scale reliability is given as Cronbach's alpha."),
        say(lang,
            "Answer codes for 'don't know', 'not applicable' and 'no answer' never enter a "
            "figure; each figure states how many answers it rests on (n)."),
        say(lang,
            "A figure resting on fewer than {k} respondents is not shown (x). In breakdowns by "
            "age, gender, living situation or education, small counts are hidden too, and where "
            "needed a second cell, so that a hidden count cannot be worked out from the totals. "
            "Open answers and respondent numbers never appear in a report.", k=k),
    ]
    out[1:1] = pairwise
    if report.comparative:
        out += _comparison_method_sentences(report)
    return out


def _comparison_method_sentences(report: Report) -> list[str]:
    """How regions are compared (multilevel model, three groups, funnel plots, clients
    followed over rounds), in plain words for the appendix."""
    lang = report.language
    mix = _case_mix_words(report) or _t(report, "no characteristics")
    out = [
        say(lang,
            "Comparing regions fairly. Regions differ in whom they reach, and a region with few "
            "clients can come out high or low by chance. This report therefore compares the "
            "regions with a multilevel model, as is usual in CQ-index work: clients within "
            "regions, with a level of its own for each region and an adjustment for {mix} (the "
            "case mix, set in study.yaml under settings.case_mix). An unknown characteristic "
            "counts as a category of its own, so that no client is lost.", mix=mix),
        say(lang,
            "A region's estimate is drawn towards the mean of all regions, the more so the "
            "fewer clients it has (empirical Bayes). Its reliability (0 to 1) says how much of "
            "the difference between the region and the mean belongs to the region rather than "
            "to chance. A region is 'above average' or 'below average' only when its 95% "
            "interval excludes the mean; all other regions are 'average' and are not ranked. A "
            "region with fewer than {k} clients takes no part.",
            k=format_count(report.min_respondents, lang)),
        _t(report,
           "The funnel plot sets each region's adjusted mean against its number of clients. "
           "The funnel shows how far a region can lie from the mean by chance: wide with few "
           "clients, narrow with many (95% and 99.8% limits, Spiegelhalter 2005). When the "
           "regions together differ more than chance allows (overdispersion), the funnel is "
           "widened by the spread between regions; the note under the figure says what was "
           "done."),
        _t(report,
           "At the executive level the partners' rating of the results and the aspects of "
           "collaboration are compared in the same way: partners within regions, adjusted for "
           "the organisation group a partner answers for."),
        _t(report,
           "For yes/no questions (such as contact with a professional) the same comparison is "
           "made with a logistic multilevel model: the chance of a yes depends on the clients' "
           "characteristics and on the region, and each region's share is estimated for the "
           "clients of the whole round. Where every client in one category of a characteristic "
           "gave the same answer, that category is counted with the largest one, and the text "
           "says so."),
    ]
    if report.kind == "final":
        out.append(say(
            lang,
            "Clients interviewed in more than one round keep their pseudonym. For them the "
            "change of the same people between two rounds is shown separately (mean change "
            "with 95% interval, paired t-test), only when at least {k} clients were followed. "
            "That differs from the difference between two rounds' means, which may also come "
            "from a round speaking to other clients.", k=format_count(report.min_respondents,
                                                                         lang)))
    return out


def _instruments_table(report: Report) -> Any:
    from ..instruments import instruments

    rows = []
    for ins_id, ins in instruments().items():
        frame = report.frame(ins_id)
        if not len(frame):
            continue
        rows.append({"instrument": ins.title(report.language), "unit": ins.unit(report.language),
                     "items": len(ins.items), "rows": len(frame)})
    frame = pd.DataFrame(rows)
    return report.table(frame, [Col("instrument", _t(report, "Instrument")),
                                Col("unit", _t(report, "Unit (one row)")),
                                Col("items", _t(report, "Items"), kind="count"),
                                Col("rows", _t(report, "Rows in this report"),
                                    kind="count")],
                        caption=_t(report, "Instruments and numbers of rows"))


def combined_fingerprint(files: pd.DataFrame) -> str:
    """One SHA-256 for a set of input files: over the lines ``<sha256>  <file>`` of every file,
    sorted by file name (what ``sha256sum`` prints), so anyone can recompute it."""
    import hashlib

    pairs = sorted(zip(files["file"], files["sha256"], strict=True))
    listing = "".join(f"{digest}  {name}\n" for name, digest in pairs)
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _provenance_summary(report: Report, files: pd.DataFrame) -> Block:
    """With many regions the input files are listed per round and instrument (files, rows and
    one combined fingerprint) instead of one row per file: thousands of rows would fill pages."""
    block = Block()
    rows = []
    for (rnd, instrument), group in files.groupby(["round", "instrument"], sort=True):
        rows.append({"round": rnd, "instrument": instrument, "files": len(group),
                     "rows": int(group["rows"].sum()),
                     "short": combined_fingerprint(group)[:16]})
    table = pd.DataFrame(rows, columns=["round", "instrument", "files", "rows", "short"])
    block.add(report.table(table, [Col("round", _t(report, "Round")),
                                   Col("instrument", _t(report, "Instrument")),
                                   Col("files", _t(report, "Files"), kind="count"),
                                   Col("rows", _t(report, "Rows"), kind="count"),
                                   Col("short", "SHA-256 (16)")],
                           caption=_t(report, "Input files per round and instrument, with one combined "
                                      "fingerprint (SHA-256)")))
    block.add(Note(_t(
        report,
        "With this many regions there is one fingerprint per round and instrument instead of "
        "one per file: the SHA-256 over the lines '<sha256>  <file>' of all its files, sorted "
        "by file name (as sha256sum writes them).")))
    return block


def _provenance(report: Report) -> Block:
    from importlib.metadata import PackageNotFoundError, version

    import mss_eval

    block = Block()
    lang = report.language
    files = report.study.files
    files = files[files["round"].isin(report.rounds)]
    if report.region:
        files = files[files["region"] == report.region]
    if many_regions(report):
        block.add(_provenance_summary(report, files))
    else:
        files = files.assign(short=files["sha256"].str.slice(0, 16))
        block.add(report.table(files, [Col("file", _t(report, "File")),
                                       Col("rows", _t(report, "Rows"), kind="count"),
                                       Col("short", "SHA-256 (16)")],
                               caption=_t(report, "Input files with their fingerprint (SHA-256)")))
    packages = ["mss-eval", "pandas", "numpy", "scipy", "statsmodels", "pingouin", "seaborn",
                "matplotlib", "networkx", "papermill", "nbconvert", "typst", "weasyprint"]
    rows = []
    for name in packages:
        try:
            rows.append({"package": name, "version": version(name)})
        except PackageNotFoundError:
            continue
    import platform

    rows.append({"package": "Python", "version": platform.python_version()})
    block.add(report.table(pd.DataFrame(rows),
                           [Col("package", _t(report, "Package")),
                            Col("version", _t(report, "Version"))],
                           caption=_t(report, "Software used")))
    from .notebook import format_date

    command = report.rendered_by or _t(report, "interactively in a notebook")
    block.add(Paragraph.of(say(
        lang, "Rendered on {date} with mss-eval {v}. Command: ",
        date=format_date(report.today, lang), v=mss_eval.__version__), code(command),
        role="provenance"))
    return block
