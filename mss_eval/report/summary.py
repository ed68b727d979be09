"""The Samenvatting (summary) that opens every report: the findings that matter most, chosen by
fixed rules from the report's key figures (the content of its ``figures.json``).

Each finding is one sentence with its number and its base, and a reference to the section where
the figure is shown. The rules, in the order they are tried (at most :data:`MAX_FINDINGS`):

1. ``not_reported`` — what could not be reported and why: instruments a region did not deliver;
   regions (or the region) whose client figures are suppressed (fewer than ``min_respondents``
   clients); a scale whose reliability is insufficient (Cronbach's alpha below 0.6), so that its
   mean is not presented as a score.
2. ``separable`` — comparative reports: the regions the multilevel comparison places above or
   below average on the rating or the experience scale (case-mix adjusted, shrunken estimates;
   ``comparison.<outcome>.multilevel``), never a raw ranking; when none is placed, that the
   regions cannot be told apart, with the number of regions and clients in the model.
3. ``changes`` — the final report and the report of a region that took part in an earlier
   round: the change of the mean rating per region since its previous round with its 95%
   interval and test (``changes``); a change is called significant only at p < 0.05.
4. ``reach`` — clients interviewed against the clients approached (response), and the register's
   reach per 1,000 of the estimated target population where the study records it.
5. ``rating`` — the mean rating of the MSS with its number of clients.
6. ``bottlenecks`` — the number of collaboration statements partners score below the middle of
   the scale (mean < 3), with the number of partners; only when there is at least one.
7. ``white_spots`` — the number of life domains where more clients need support than receive it,
   with the number of clients; only when there is at least one.
8. ``network`` — the informal share of the personal network with its number of clients, read by
   the bands of :data:`mss_eval.report.conclusions.INFORMAL_BANDS`.

A figure that is suppressed never yields a finding (rule 1 says why it is missing). An author
replaces the generated findings with ``texts/.../summary.md`` (or ``samenvatting.md``); the
placeholder ``{{ findings }}`` in that text inserts the generated findings as a list, so an
author can also extend them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .document import Block, Heading, Paragraph, Span, link
from .i18n import N_, gettext
from .style import format_count, format_number, format_percent, format_signed, join_words
from .text import say, say_n

#: At most this many findings; the rules are tried in order.
MAX_FINDINGS = 8
#: A change between rounds is called significant below this p value.
ALPHA = 0.05
#: Below this Cronbach's alpha a scale is not reported as a score (see docs/reports.md).
ALPHA_INSUFFICIENT = 0.6


@dataclass
class Finding:
    """One finding of the summary: its rule, its sentence, the section it points to and the
    key figures (dotted path -> value) its numbers come from."""

    rule: str
    text: str
    section: str  # e.g. "5.1"
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return "h-" + self.section.replace(".", "-")


def _get(figures: Mapping, path: str) -> Any:
    node: Any = figures
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _shown(record: Any) -> bool:
    return isinstance(record, Mapping) and not record.get("suppressed") and \
        record.get("value") is not None


def _scope_where(report) -> str:
    if report.kind == "region":
        return f"in {report.region_name}"
    if report.kind == "round":
        return gettext(report.language, "in all regions together")
    return gettext(report.language, "in all rounds together")


def _own(report) -> str:
    """The key-figures prefix of the report's own scope."""
    return {"region": "region", "round": "round", "final": "study"}[report.kind]


# -- the rules ---------------------------------------------------------------------------------
def _not_reported(report, figures: Mapping) -> list[Finding]:
    from .wording import _deliveries_sentence

    lang = report.language
    out = []
    sentence = _deliveries_sentence(report)
    if sentence:
        out.append(Finding("not_reported", sentence, "1.1"))
    k = format_count(report.min_respondents, lang)
    if report.kind == "region":
        rec = _get(figures, "region.personal.rating_mean")
        if isinstance(rec, Mapping) and rec.get("suppressed") and report.delivered_any(
                "client_interview"):
            out.append(Finding("not_reported", say(
                lang, "There are no figures about clients: fewer than {k} clients were "
                "interviewed ({n}).", k=k, n=format_count(rec.get("n") or 0, lang)), "5",
                {"region.personal.rating_mean.n": rec.get("n")}))
    else:
        rounds = ([(report.round, "regions")] if report.kind == "round" else
                  [(r, f"rounds.{r}.regions") for r in report.rounds])
        small = {}
        for rnd, prefix in rounds:
            for g in report.config.round(rnd).regions:
                rec = _get(figures, f"{prefix}.{g}.personal.rating_mean")
                if isinstance(rec, Mapping) and rec.get("suppressed") and (rec.get("n") or 0) > 0:
                    name = report.region_label(g)
                    if report.kind == "final":
                        name = f"{name} ({rnd})"
                    small[name] = (f"{prefix}.{g}.personal.rating_mean.n", rec.get("n"))
        if small:
            out.append(Finding("not_reported", say_n(
                lang, "{names} has no figures about clients: fewer than {k} clients were "
                "interviewed.", "{names} have no figures about clients: fewer than {k} clients "
                "were interviewed in each.", len(small), names=join_words(list(small), lang),
                k=k), "5.1", {p: v for p, v in small.values()}))
    path = f"{_own(report)}.personal.experience_alpha"
    alpha = _get(figures, path)
    if _shown(alpha) and float(alpha["value"]) < ALPHA_INSUFFICIENT:
        out.append(Finding("not_reported", say(
            lang, N_("The statements on experience with the MSS do not form a scale (Cronbach's "
                     "alpha {a}, {n} clients), so no scale score is given.")
            if float(alpha["value"]) < 0 else
            N_("The statements on experience with the MSS do not form a reliable scale "
               "(Cronbach's alpha {a}, {n} clients), so no scale score is given."),
            a=format_number(alpha["value"], 2, lang, minus="\u2212"),
            n=format_count(alpha["n"], lang)), "5.4", {path: alpha["value"]}))
    return out


_OUTCOMES = (("rating_mean", N_("the rating"), "5.1"),
             ("experience_mean", N_("the experience scale"), "5.4"))


def _separable(report, figures: Mapping) -> list[Finding]:
    if not report.comparative:
        return []
    from .wording import _GROUP_WORDS, none_of_the_regions_compared

    lang = report.language
    out = []
    rounds = [(report.round, "comparison")] if report.kind == "round" else \
        [(r, f"rounds.{r}.comparison") for r in report.rounds]
    for rnd, prefix in rounds:
        apart, unseparated = [], []
        for outcome, what, section in _OUTCOMES:
            path = f"{prefix}.{outcome}.multilevel"
            block = _get(figures, path)
            if not isinstance(block, Mapping) or block.get("suppressed"):
                continue
            placed = {}
            for g, r in (block.get("regions") or {}).items():
                if r.get("suppressed") or r.get("group") in (None, "average"):
                    continue
                placed[g] = r
            if not placed:
                unseparated.append((outcome, what, section, block, path))
                continue
            for group in ("above", "below"):
                names = [g for g, r in placed.items() if r["group"] == group]
                if not names:
                    continue
                bits = [f"{report.region_label(g)} "
                        f"({format_number(placed[g]['estimate'], 1, lang)}, n = "
                        f"{format_count(placed[g]['n'], lang)})" for g in names]
                text = say_n(lang, "After adjusting for the clients' make-up, {names} is {where} "
                             "on {what} (overall {overall}).",
                             "After adjusting for the clients' make-up, {names} are {where} "
                             "on {what} (overall {overall}).", len(names),
                             names=join_words(bits, lang),
                             where=gettext(lang, _GROUP_WORDS[group]),
                             what=gettext(lang, what),
                             overall=format_number(block["overall"], 1, lang))
                apart.append(Finding("separable", _in_round(report, rnd, text), section, {
                    **{f"{path}.regions.{g}.estimate": placed[g]["estimate"] for g in names},
                    **{f"{path}.regions.{g}.n": placed[g]["n"] for g in names},
                    f"{path}.overall": block["overall"]}))
        out += apart
        if unseparated and not apart:
            outcome, what, section, block, path = unseparated[0]
            whats = join_words([gettext(lang, u[1]) for u in unseparated], lang)
            out.append(Finding("separable", _in_round(report, rnd, say(
                lang, "After adjusting for the clients' make-up, {none} differs from the average "
                "on {what} more than chance allows ({n} clients): the report does not rank them.",
                none=none_of_the_regions_compared(int(block["regions_in_model"]), lang),
                what=whats, n=format_count(block["n"], lang))), section,
                {f"{path}.regions_in_model": block["regions_in_model"], f"{path}.n": block["n"]}))
    return out


def _in_round(report, rnd: str, text: str) -> str:
    if report.kind != "final":
        return text
    from .wording import after_colon

    # no capital after the colon, but for a region's name
    return f"{report.config.round(rnd).label}: {after_colon(text, report.region_labels.values())}"


def _changes(report, figures: Mapping) -> list[Finding]:
    lang = report.language
    changes = figures.get("changes") or {}
    section = "5.8"  # "Rounds compared": after the six client sections and 5.7
    found = []
    for g, pairs in changes.items():
        for pair, records in pairs.items():
            rec = records.get("rating_mean")
            if not _shown(rec):
                continue
            a, b = pair.split("_", 1)
            significant = rec.get("p") is not None and float(rec["p"]) < ALPHA
            values = dict(
                name=report.region_label(g), a=report.config.round(a).label,
                b=report.config.round(b).label, d=format_signed(rec["value"], 1, lang),
                lo=format_signed(rec["ci_low"], 1, lang), hi=format_signed(rec["ci_high"], 1, lang),
                p=_p(rec["p"], lang), n=format_count(rec["n"], lang))
            text = say(lang, N_("In {name} the mean rating changed by {d} from {a} to {b} "
                                "(95% CI {lo} to {hi}; {p}; at least {n} clients per round): a "
                                "significant change.") if significant else
                       N_("In {name} the mean rating changed by {d} from {a} to {b} (95% CI "
                          "{lo} to {hi}; {p}; at least {n} clients per round): not a "
                          "significant change."), **values)
            path = f"changes.{g}.{pair}.rating_mean"
            found.append((not significant, Finding("changes", text, section, {
                f"{path}.value": rec["value"], f"{path}.ci_low": rec["ci_low"],
                f"{path}.ci_high": rec["ci_high"], f"{path}.n": rec["n"]})))
    found.sort(key=lambda x: x[0])  # significant changes first
    return [f for _, f in found]


def _p(p: Any, lang: str) -> str:
    if p is None:
        return ""
    if float(p) < 0.001:
        return "p < " + format_number(0.001, 3, lang)
    return "p = " + format_number(p, 2 if float(p) >= 0.01 else 3, lang)


def _reach(report, figures: Mapping) -> list[Finding]:
    lang = report.language
    own = _own(report)
    clients = _get(figures, f"{own}.collection.client_interview")
    response = _get(figures, f"{own}.collection.client_interview_response")
    out = []
    if _shown(clients) and clients["value"]:
        if _shown(response):
            text = say(lang, "{clients} clients were interviewed: {response} of the {approached} "
                       "clients approached.", clients=format_count(clients["value"], lang),
                       response=format_percent(response["value"], 0, lang),
                       approached=format_count(response["n"], lang))
            figs = {f"{own}.collection.client_interview": clients["value"],
                    f"{own}.collection.client_interview_response": response["value"],
                    f"{own}.collection.client_interview_response.n": response["n"]}
        else:
            text = say(lang, "{clients} clients were interviewed.",
                       clients=format_count(clients["value"], lang))
            figs = {f"{own}.collection.client_interview": clients["value"]}
        out.append(Finding("reach", text, "1.1", figs))
    reach = _get(figures, f"{own}.indicators.reach_per_1000")
    unique = _get(figures, f"{own}.indicators.unique_clients")
    if _shown(reach) and _shown(unique):
        out.append(Finding("reach", say(
            lang, "The MSS register counts {unique} clients: {per} per 1,000 people of the "
            "estimated target population.", unique=format_count(unique["value"], lang),
            per=format_number(reach["value"], 1, lang)), "1.1",
            {f"{own}.indicators.unique_clients": unique["value"],
             f"{own}.indicators.reach_per_1000": reach["value"]}))
    return out


def _rating(report, figures: Mapping) -> list[Finding]:
    lang = report.language
    path = f"{_own(report)}.personal.rating_mean"
    rec = _get(figures, path)
    if not _shown(rec):
        return []
    return [Finding("rating", say(lang, "Clients give the MSS {mean} on average ({n} clients).",
                                  mean=format_number(rec["value"], 1, lang),
                                  n=format_count(rec["n"], lang)), "5.1",
                    {path: rec["value"], f"{path}.n": rec["n"]})]


def _bottlenecks(report, figures: Mapping) -> list[Finding]:
    lang = report.language
    path = f"{_own(report)}.executive.bottleneck_items"
    rec = _get(figures, path)
    if not _shown(rec) or not rec["value"]:
        return []
    return [Finding("bottlenecks", say_n(
        lang, "Partners score {k} statement about collaboration below the middle of the scale "
        "({n} partners).", "Partners score {k} statements about collaboration below the middle "
        "of the scale ({n} partners).", int(rec["value"]), k=format_count(rec["value"], lang),
        n=format_count(rec["n"], lang)), "4.1", {path: rec["value"], f"{path}.n": rec["n"]})]


def _white_spots(report, figures: Mapping) -> list[Finding]:
    lang = report.language
    path = f"{_own(report)}.personal.domains_needs_outrun_support"
    rec = _get(figures, path)
    if not _shown(rec) or not rec["value"]:
        return []
    return [Finding("white_spots", say_n(
        lang, "In {k} life domain more clients need support than receive it ({n} clients).",
        "In {k} life domains more clients need support than receive it ({n} clients).",
        int(rec["value"]), k=format_count(rec["value"], lang), n=format_count(rec["n"], lang)),
        "5.3", {path: rec["value"], f"{path}.n": rec["n"]})]


def _network(report, figures: Mapping) -> list[Finding]:
    from .conclusions import informal_band

    lang = report.language
    path = f"{_own(report)}.personal.informal_share"
    rec = _get(figures, path)
    if not _shown(rec):
        return []
    text = informal_band(lang, float(rec["value"])).format(
        where=_scope_where(report), share=format_percent(rec["value"], 0, lang),
        n=format_count(rec["n"], lang))
    return [Finding("network", text, "5.5", {path: rec["value"], f"{path}.n": rec["n"]})]


RULES = (_not_reported, _separable, _changes, _reach, _rating, _bottlenecks, _white_spots,
         _network)


def findings(report, figures: Mapping | None = None) -> list[Finding]:
    """The summary's findings of a report (at most :data:`MAX_FINDINGS`), rule by rule."""
    figures = report.key_figures if figures is None else figures
    out: list[Finding] = []
    for rule in RULES:
        out += rule(report, figures)
    return out[:MAX_FINDINGS]


def _reference(report, finding: Finding) -> Span:
    word = gettext(report.language, N_("section {number}") if "." in finding.section
                   else N_("chapter {number}")).format(number=finding.section)
    return link(word, finding.anchor)


def findings_markdown(report, found: list[Finding]) -> str:
    """The findings as a Markdown list (for ``{{ findings }}`` in an author's summary)."""
    from .text import Markdown

    out = []
    for f in found:
        out.append(f"- {f.text} ([{_reference(report, f).text}](#{f.anchor}))")
    return Markdown("\n".join(out))


def summary(report) -> Block:
    """The Samenvatting: the author's ``summary`` text (``{{ findings }}`` inserts the generated
    findings), or the generated findings, one paragraph each with a reference to its section."""
    from .text import author_text, render_author_text

    block = Block()
    block.add(Heading(gettext(report.language, "Summary"), level=1, anchor="samenvatting"))
    found = findings(report)
    written = author_text(report.study.path, "summary", round=report.round, region=report.region,
                          language=report.language)
    if written is not None:
        figures = dict(report.placeholder_figures)
        figures["findings"] = findings_markdown(report, found)
        block.add(render_author_text(written, figures, language=report.language,
                                     min_respondents=report.min_respondents))
        return block
    if not found:
        block.add(Paragraph.of(gettext(report.language, "The data of this report are too few "
                                       "for findings.")))
        return block
    for f in found:
        # the reference inside the sentence: "... (paragraaf 5.1)."
        text = f.text[:-1] if f.text.endswith(".") else f.text
        block.add(Paragraph.of(text + " (", _reference(report, f), ")."))
    return block
