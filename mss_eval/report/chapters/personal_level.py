"""Chapter 5, the personal level: the clients' rating, involvement, life domains, experience,
network, needs, and the clients followed over the rounds.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...analysis import TOTAL
from ..conclusions import reliability_word, scale_usable
from ..document import Block
from ..figures import dot_plot_figure
from ..i18n import MINUS, N_
from ..notebook import Report
from ..style import (SUPPRESSED_MARKER, format_count, format_number, format_percent, format_signed,
                     is_missing, join_words)
from ..tables import Col
from ..text import paragraph, say, say_n
from ..wording import _GROUP_WORDS
from ._comparison import (_appendix_b_name, _colours, _dot_order, _extremes_caption,
                          _merged_sentences, _multilevel, _rating_spread, _regions_compared)
from ._shared import (_INVOLVEMENT_PHRASES, _analyse, _cap, _delivery, _in_round, _key,
                      _p_text, _region_rows, _row, _shown, _side_by_side, _t, _takes_language,
                      _where, group_labels, group_order, many_regions)


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
    from ..summary import _changes as change_findings

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
        from ..style import suppression_note

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
    from ...analysis.comparisons import with_pooled
    from ...analysis.personal import client_rating, experience_scale, personal_network
    from ..figures import rounds_small_multiples

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
    from ..style import TOTAL_COLOUR

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
    from ...instruments import get_instrument

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
    from ...instruments import get_instrument

    if outcome == "mss_rating":
        return _t(report, "rating (1–10)")
    if outcome == "experience":
        return _t(report, "experience with the MSS (1–5)")
    label = get_instrument("client_interview").column(outcome).label(report.language)
    return _cap(label.split(": ", 1)[-1]) + _t(report, " (persons)")


def _followed_clients(report: Report, clients: pd.DataFrame) -> Block:
    """The final report: the change of the *same* clients between rounds (paired), beside the
    change of the round's mean over all its clients (who may be other people)."""
    from ...analysis.comparisons import rating_change
    from ...analysis.multilevel import PAIRED_OUTCOMES, paired_change

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
    from ...analysis.personal import client_rating

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
            # a total's extremes over a suppressed region are left out on their own (rule 6)
            Col("min", _t(report, "Lowest"), kind="count", suppressed_by="extremes_suppressed"),
            Col("max", _t(report, "Highest"), kind="count", suppressed_by="extremes_suppressed")]
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


#: The items of chapter 5.2 as relative clauses ("the share of clients who ..."), each one message
#: so that a language puts the verb where its subordinate clause wants it ("dat een SPV heeft").
_INVOLVEMENT_CLAUSES = {
    "has_spv": N_("who have a community psychiatric nurse (SPV)"),
    "day_activities": N_("who take part in organised day activities"),
    "contact_professional": N_("who are in contact with a professional"),
}


def _involvement(report: Report, clients: pd.DataFrame) -> Block:
    from ...analysis.personal import professional_involvement

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
                    lang, "The share of clients {who} ranges from {lo} to {hi} across regions.",
                    who=_t(report, _INVOLVEMENT_CLAUSES[variable]),
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
    (the logistic multilevel comparison), per round (the final report names each round);
    nothing is said of regions it cannot separate."""
    result = _multilevel(report, clients, variable, kind="binary")
    out: list[str] = []
    for rnd in dict.fromkeys(result["round"].astype(str)):
        sentences = _share_groups_of_round(report, result[result["round"].astype(str) == rnd])
        if sentences:
            out += [_in_round(report, rnd, sentences[0]), *sentences[1:]]
    return out


def _share_groups_of_round(report: Report, result: pd.DataFrame) -> list[str]:
    lang = report.language
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
            parts.append(say_n(lang, "{names} is {where}", "{names} are {where}", len(names),
                               names=join_words(names, lang),
                               where=_t(report, _GROUP_WORDS[group])))
    joined = join_words(parts, lang)
    return [say(lang, "{Parts} after adjusting for the clients' make-up; the other regions are "
                "average.", parts=joined, Parts=_cap(joined)), *merged]


def _share_figure(report: Report, frame: pd.DataFrame, **kwargs):
    from ..figures import share_figure

    return share_figure(frame, language=report.language, min_respondents=report.min_respondents,
                      **kwargs)


def _life_domains(report: Report, clients: pd.DataFrame) -> Block:
    from ...analysis.personal import support_gaps, support_per_life_domain

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
    from ...analysis.personal import experience_items, experience_scale
    from ...instruments import get_instrument
    from ..figures import likert_figure

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
    from ...analysis.personal import network_rings, personal_network
    from ..figures import network_ring_figure

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
    from ...analysis.personal import participation_needs, peer_expert_contact, \
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
    from ...analysis.personal import case_table_route, contact_frequency_range, months_in_contact

    block = Block()
    lang = report.language
    order, labels = group_order(report), group_labels(report)
    route = _analyse(report, case_table_route, questionnaires, language=lang)
    freq = _analyse(report, contact_frequency_range, questionnaires, language=lang)
    months = _analyse(report, months_in_contact, questionnaires)
    freq = freq.assign(freq_suppressed=freq["suppressed"].fillna(True).astype(bool) | (
        freq["extremes_suppressed"].fillna(False).astype(bool)
        if "extremes_suppressed" in freq else False))  # rule 6: a total's extremes
    merged = (route[["col", "n", "share", "suppressed"]]
              .merge(freq[["col", "lowest_label", "highest_label", "freq_suppressed"]],
                     on="col", how="left")
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
