"""A Dutch report says everything in Dutch: its text, captions, notes and the alt text of its
figures hold none of the English words the workbench uses for its own columns and labels
("share", "mean", "rating", ...). A word list of the report's own vocabulary: the English
names that could leak from a data frame or a default label into a sentence or an alt text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mss_eval.report import chapters
from mss_eval.report.notebook import Report

EXAMPLE = Path(__file__).resolve().parents[1] / "data_templates" / "example_study"

#: English words of the workbench's code and labels that are not Dutch words as well (so
#: "is", "in", "of" and "die" are left out; Dutch has them too).
ENGLISH = {
    "share", "shares", "mean", "median", "rating", "ratings", "region", "regions", "round",
    "rounds", "total", "missing", "suppressed", "informal", "general", "care", "close",
    "value", "values", "the", "and", "with", "not", "shown", "respondents", "clients",
    "client", "level", "chart", "figure", "table", "bars", "bar",
    "highest", "lowest", "yes", "no", "none", "unknown", "other", "count", "percent",
    "network", "support", "domain", "needed", "received", "score", "scale",
}
#: Words that are Dutch too, or names (the example's regions and instruments), never flagged.
ALLOWED = {"MSS", "SPV", "ggz", "GGz", "n"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-zÀ-ÿ]+", text) if w not in ALLOWED}


def _texts(blocks) -> list[tuple[str, str]]:
    return [(what, text) for block in blocks for node in block.nodes
            for what, text in node.texts()]


@pytest.fixture(scope="module")
def dutch_reports():
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    import matplotlib

    matplotlib.use("Agg")
    import mss_eval

    study = mss_eval.load_study(EXAMPLE)
    out = []
    for scope in ({"round": "2010-1", "region": "den_haag"}, {"round": "2010-1"}):
        report = Report(study, language="nl", **scope)
        out += _texts([chapters.introduction(report), chapters.mss_profile(report),
                       chapters.administrative(report), chapters.executive(report),
                       chapters.personal(report), chapters.conclusions(report)])
    return out


@pytest.mark.slow
def test_no_english_word_in_a_dutch_reports_text_or_alt_text(dutch_reports):
    english = {(what, word, text[:120]) for what, text in dutch_reports
               for word in _words(text) if word.lower() in ENGLISH}
    assert not english, "\n".join(f"{what}: {word!r} in {text!r}"
                                  for what, word, text in sorted(english))


@pytest.mark.slow
def test_every_chart_of_a_dutch_report_is_described_in_dutch(dutch_reports):
    alts = [text for what, text in dutch_reports if what == "alt text"]
    assert len(alts) >= 5
    assert all(text.strip() for text in alts)
    shares = [a for a in alts if a.startswith("Staafdiagram van percentages")]
    assert shares and all("hoogste:" in a and "(n = " in a for a in shares)
