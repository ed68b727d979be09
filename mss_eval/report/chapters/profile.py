"""Chapter 2, the MSS: its profile per region, and the themes of a level from the qualitative coding.
"""

from __future__ import annotations

import pandas as pd

from ..document import Block, Heading, Paragraph, Quote, strong
from ..notebook import Report
from ..style import format_count, is_missing, join_words
from ..tables import Col
from ..text import paragraph, say
from . import _shared
from ._shared import _appendix_note, _narrative, _t, _to_appendix, many_regions


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
    from ...qualitative.tables import theme_table

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
    from ...qualitative.quotes import approved_quotes
    from ...qualitative.tables import theme_comparison, theme_matrix, theme_table

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
        if others > _shared.MANY_REGIONS:
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
            from ...qualitative.tables import _region_names, _segments, code_region_matrix

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
