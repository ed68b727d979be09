"""Chapter 3, the administrative level: governance, covenants, referrals per case table.
"""

from __future__ import annotations

import pandas as pd

from ...analysis import TOTAL
from ..document import Block
from ..i18n import N_
from ..notebook import Report
from ..style import format_count, format_number, is_missing, join_words
from ..tables import Col
from ..text import paragraph, say, say_n
from ._shared import (_delivery, _key, _narrative, _region_rows, _side_by_side, _t, group_labels,
                      group_order, many_regions)
from .profile import themes


# == 3 administrative level =====================================================================
def administrative(report: Report) -> Block:
    """Chapter 3: the administrative level: governance profile, agreements, themes."""
    from ...analysis.administrative import governance_profiles, referrals_per_table

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
    described = order
    if len(report.rounds) > 1 and not many:
        # the final report describes each region once, as in the latest round it took part in
        latest = {}
        for key in order:
            latest[key.split("|", 1)[1]] = key
        described = list(latest.values())
        sentences.append(say(lang, "Each region is described as in the latest round it took "
                             "part in."))
    no_consultation = []
    for key in [] if many else described:
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
            no_consultation.append(where)
    # one sentence for every region without it, not one per region
    if no_consultation and report.comparative:
        sentences.append(say(lang, "In {names} there is no structural administrative "
                             "consultation.", names=join_words(no_consultation, lang)))
    elif no_consultation:
        sentences.append(say(lang, "There is no structural administrative consultation."))
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
            lang, N_("In {year} ({round}), each case table in {where} guided {per} clients to day "
                     "activities on average, against {agreed} agreed{part}.")
            # the final report names the round: two rounds' registers can cover the same year
            if len(report.rounds) > 1 else
            N_("In {year}, each case table in {where} guided {per} clients to day activities on "
               "average, against {agreed} agreed{part}."),
            year=row["year"], round=report.config.round(str(row["round"])).label,
            where=report.region_label(row["region"]),
            per=format_number(row["per_table"], 1, lang), agreed=format_count(row["agreed"], lang),
            part=_t(report, " (over part of the year)")
            if bool(row["partial_year"]) else ""))
    return out
