"""The appendices: methods, instruments, the figures per region (appendix B) and the provenance.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...analysis import TOTAL
from ..document import Block, Note, Paragraph, code
from ..notebook import Report
from ..style import format_count
from ..tables import Col
from ..text import paragraph, say
from ..wording import number_word
from ._comparison import MIN_REGIONS_FOR_RELIABILITY, _case_mix_words
from . import _shared
from ._shared import _t, group_order, many_regions


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
        k=format_count(_shared.MANY_REGIONS, report.language))))
    for frame, columns, caption, options in tables:
        block.add(report.table(frame, columns, caption=caption, **options))
    return block


def _method_sentences(report: Report) -> list[str]:
    from ...analysis.comparisons import PAIRWISE_MAX_REGIONS

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
        say(lang,
            "The variance between regions (τ²) says how much the regions differ beyond chance. "
            "When it is 0, every region gets the overall estimate, and the report says so in one "
            "sentence instead of a table per region. How much of the differences lies with the "
            "region (the ICC) and how many clients a region needs to be told apart reliably are "
            "given only when at least {k} regions are compared: with fewer, they rest on too few "
            "regions.", k=number_word(MIN_REGIONS_FOR_RELIABILITY, lang)),
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
    from ...instruments import instruments

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
    from ..notebook import format_date

    command = report.rendered_by or _t(report, "interactively in a notebook")
    block.add(Paragraph.of(say(
        lang, "Rendered on {date} with mss-eval {v}. Command: ",
        date=format_date(report.today, lang), v=mss_eval.__version__), code(command),
        role="provenance"))
    return block
