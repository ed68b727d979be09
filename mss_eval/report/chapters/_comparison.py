"""Regions compared: dot plots in the order of their estimates, the case mix of a multilevel model,
its sentences on which regions differ from the total, and the funnel plot (chapters 4 and 5).
"""

from __future__ import annotations

import pandas as pd

from ...analysis import TOTAL
from ..document import Block
from ..i18n import N_
from ..notebook import Report
from ..style import format_count, format_number, format_percent, is_missing, join_words
from ..tables import Col
from ..text import paragraph, say, say_n
from ..wording import _GROUP_WORDS, all_regions
from . import _shared
from ._shared import (_cap, _in_round, _key, _p_text, _region_rows, _t, group_labels,
                      group_order, many_regions)


#: The fewest regions in a round's model for which the report says how much of the differences
#: lies with the region (the ICC) and how many clients a region needs to be told apart reliably
#: (docs/methods.md): with fewer, the variance between regions rests on too few regions.
MIN_REGIONS_FOR_RELIABILITY = 5


def _flat_rounds(report: Report, result: pd.DataFrame) -> set[str]:
    """The rounds whose model finds no variance between regions (τ² = 0): every region reads
    the total's estimate and interval there."""
    fitted = result[~result["suppressed"] & result["tau2"].notna()]
    return {str(rnd) for rnd, rows in fitted.groupby(fitted["round"].astype(str))
            if float(rows["tau2"].iloc[0]) == 0.0}


def _dot_order(report: Report, frame: pd.DataFrame, order: list[str], value: str = "mean"
               ) -> list[str]:
    """The rows of a dot plot: every region, or with many regions each round's
    :data:`~._shared.EXTREME_REGIONS` highest regions, its total and its lowest regions (sorted)."""
    if not many_regions(report):
        return order
    out = []
    for rnd in report.rounds:
        keys = [k for k in order if k.split("|", 1)[0] == rnd and not k.endswith(TOTAL)]
        rows = frame[frame["col"].isin(keys) & frame[value].notna()]
        if "suppressed" in rows:
            rows = rows[~rows["suppressed"].astype(bool)]
        ranked = list(rows.sort_values(value, ascending=False, kind="stable")["col"])
        high = ranked[:_shared.EXTREME_REGIONS]
        low = [k for k in ranked[-_shared.EXTREME_REGIONS:] if k not in high]
        total = [k for k in order if k == _key(rnd, TOTAL)]
        out += high + total + low
    return out


def _extremes_caption(report: Report) -> str:
    if not many_regions(report):
        return ""
    return " " + _t(report, "Per round the {k} highest and {k} lowest regions around the total; "
                            "every region is in {where}.").format(
        k=_shared.EXTREME_REGIONS, where=_appendix_b_name(report))


def _appendix_b_name(report: Report) -> str:
    """Where every region's figures are: this report's appendix B, or for the final report
    appendix B of the interim reports (see :func:`_to_appendix`)."""
    if report.kind == "final":
        return _t(report, "Appendix B of the interim reports")
    return _t(report, "Appendix B")


def _colours(report: Report, order: list[str]) -> dict[str, str]:
    """A fixed colour per region (never the total's marker colour) and the total's."""
    from ..style import REGION_PALETTE, TOTAL_COLOUR

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
    from ...analysis.comparisons import rating_comparison

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
    from ...analysis.multilevel import CASE_MIX, PARTNER_CASE_MIX

    if who == "partners":
        return PARTNER_CASE_MIX
    return tuple(getattr(report.config.settings, "case_mix", CASE_MIX))


def _case_mix_words(report: Report, who: str = "clients") -> str:
    words = [_t(report, _CASE_MIX_WORDS[c]) for c in _case_mix_of(report, who)]
    return join_words(words, report.language)


def _multilevel(report: Report, frame: pd.DataFrame, column: str,
                kind: str | None = None, who: str = "clients") -> pd.DataFrame:
    """Every round's regions compared with the multilevel model, with the column key ``col``."""
    from ...analysis.multilevel import multilevel_comparison

    result = multilevel_comparison(frame, column, kind=kind, by=("round",),
                                   covariates=_case_mix_of(report, who),
                                   min_n=report.min_respondents)
    return result.assign(col=[_key(r, g) for r, g in zip(result["round"].astype(str),
                                                         result["region"].astype(str))])


def _merged_categories(report: Report, note, who: str = "clients") -> list[str]:
    """The characteristics of the case mix in which a yes/no comparison merged a category
    (``note`` ``case_mix_merged:...``), in the report's language and in the order of the note.
    The categories themselves are not named: a small category in which every client answered
    alike would say more of them than the reader needs."""
    if is_missing(note) or not str(note).startswith("case_mix_merged:"):
        return []
    columns = dict.fromkeys(part.partition("=")[0]
                            for part in str(note).split(":", 1)[1].split(";"))
    return [_t(report, _CASE_MIX_WORDS[c]) if c in _CASE_MIX_WORDS else c for c in columns]


def _merged_sentences(report: Report, note, who: str = "clients") -> list[str]:
    """One sentence on the characteristics a yes/no comparison could not fully adjust for."""
    merged = _merged_categories(report, note, who)
    if not merged:
        return []
    return [say(report.language,
                "The adjustment for {characteristics} is partial: in a category every client "
                "gave the same answer, and those clients are counted with the largest category.",
                characteristics=join_words(merged, report.language))]


def _group_sentences(report: Report, result: pd.DataFrame, rnd: str, what: str,
                     who: str = "clients") -> list[str]:
    """The three groups of a round in words: only regions the model separates are named, in
    study order; the others are counted, never ordered. ``who``: clients or partners."""
    lang = report.language
    partners = who == "partners"
    rows = result[result["round"].astype(str) == rnd]
    modelled = rows[~rows["suppressed"] & rows["tau2"].notna()]
    small = [report.region_label(g) for g in rows.loc[rows["suppressed"], "region"]]
    out = []
    if modelled.empty:
        out.append(_in_round(report, rnd, say(
            lang, N_("Too few regions have at least {k} partners who answered to compare {what} "
                     "between regions.") if partners else
            N_("Too few regions have at least {k} clients to compare {what} between regions."),
            k=format_count(report.min_respondents, lang), what=what)))
    else:
        names = {g: [report.region_label(r) for r in modelled.loc[modelled["group"] == g,
                                                                    "region"]]
                 for g in ("above", "below")}
        average = int((modelled["group"] == "average").sum())
        if not names["above"] and not names["below"]:
            out.append(_in_round(report, rnd, say(
                lang, N_("After adjusting for {mix} and taking each region's number of partners "
                         "who answered into account, {all} are 'average' on {what}: "
                         "the differences are no larger than chance can explain, so the regions "
                         "are not ranked.") if partners else
                N_("After adjusting for {mix} and taking each region's number of clients into "
                   "account, {all} are 'average' on {what}: the differences are no "
                   "larger than chance can explain, so the regions are not ranked."),
                mix=_case_mix_words(report, who), all=all_regions(len(modelled), lang),
                what=what)))
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
            out.append(_in_round(report, rnd, say(lang, text, **fields)))
        model = modelled.iloc[0]
        out += _merged_sentences(report, model["note"], who)
        if float(model["tau2"]) == 0.0:
            # every region's estimate and interval equal the total's: one sentence, no table
            out.append(say(
                lang, "The model finds no difference between the regions beyond chance: every "
                "region gets the overall estimate, so no table per region is shown for it."))
        elif len(modelled) >= MIN_REGIONS_FOR_RELIABILITY:
            # below that number of regions the share of the region and the clients needed
            # rest on too few regions to mean anything (docs/methods.md)
            out.append(say(
                lang, N_("Of the differences between partners' answers, {icc} lies with the "
                         "region. Telling regions apart reliably (0.8) takes about {n8} "
                         "partners who answer per region, {n9} for 0.9.") if partners else
                N_("Of the differences between clients, {icc} lies with the region. "
                   "Telling regions apart reliably (0.8) takes about {n8} clients per region, "
                   "{n9} for 0.9."), icc=format_percent(model["icc"], 0, lang),
                n8=format_count(model["n_for_reliability_0_8"], lang),
                n9=format_count(model["n_for_reliability_0_9"], lang)))
    if small:
        # in the final report this sentence too says which round it is about
        out.append(_in_round(report, rnd, say_n(
            lang, "{names} has too few partners who answered (fewer than {k}) to be compared.",
            "{names} have too few partners who answered (fewer than {k}) to be compared.",
            len(small), names=join_words(small, lang),
            k=format_count(report.min_respondents, lang)) if partners else say_n(
            lang, "{names} has too few clients (fewer than {k}) to be compared.",
            "{names} have too few clients (fewer than {k}) to be compared.", len(small),
            names=join_words(small, lang), k=format_count(report.min_respondents, lang))))
    return out


def _regions_compared(report: Report, frame: pd.DataFrame, column: str, *, what: str,
                      axis: str, decimals: int = 1, ylim: tuple[float, float] | None = None,
                      who: str = "clients") -> Block:
    """Regions compared fairly (CQ-index practice): the three groups in words, a table with
    each region's case-mix adjusted and shrunken estimate, interval, reliability and group,
    and a funnel plot per round. Nothing here orders regions the model cannot separate.
    ``frame`` holds clients (``who="clients"``) or partners who answered the partner survey
    (``who="partners"``, adjusted for their organisation group)."""
    from ...analysis.multilevel import funnel_data
    from ..figures import funnel_figure

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
    flat = _flat_rounds(report, result)
    tabled = [k for k in order if k.split("|", 1)[0] not in flat]
    shown = result.set_index("col").loc[tabled].reset_index()
    if tabled:
        block.add(_region_rows(
            report, shown, [Col("col", _t(report, "Region"), labels=labels),
                            Col("n", "n", kind="count", base=True),
                            Col("raw_mean", _t(report, "Raw mean"),
                                decimals=decimals),
                            # what the funnel plot shows for the region: one number in both
                            Col("adjusted_mean", _t(report, "Adjusted mean"),
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
