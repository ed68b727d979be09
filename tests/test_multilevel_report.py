"""Chapter 5 of the interim and final reports: the three groups instead of a ranking.

The example study's rounds have regions whose intervals overlap (every region 'average') and,
in round 2010-2, Zeist with four clients (below the minimum of five). No sentence may order
regions the model cannot separate, and a small region is never placed above or below.
"""

from __future__ import annotations

import html as html_lib
import re
import shutil
from pathlib import Path

import pytest

import mss_eval
from mss_eval.analysis.multilevel import multilevel_comparison
from mss_eval.report import chapters
from mss_eval.report.notebook import Report, quiet_known_warnings

EXAMPLE = Path(__file__).resolve().parent.parent / "data_templates" / "example_study"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    target = tmp_path_factory.mktemp("ml") / "example_study"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".mss-secret", "reports",
                                                                   ".mss-cache"))
    quiet_known_warnings()
    return mss_eval.load_study(target, on_error="skip")


def _text(block_html: str) -> str:
    text = re.sub(r"<img[^>]*>", " ", block_html)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def _sentences(block_html: str) -> list[str]:
    """The generated paragraphs (not tables or captions) as sentences."""
    paragraphs = re.findall(r"<p>(.*?)</p>", block_html, flags=re.S)
    return [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", _text(p))]


def test_overlapping_intervals_give_no_ranking_text(study):
    report = Report(study, round="2010-1")
    html = chapters.personal(report).html
    result = multilevel_comparison(study["client_interview"], "mss_rating",
                                   covariates=chapters._case_mix_of(report), min_n=5)
    first = result[result["round"] == "2010-1"]
    # the premise: every interval contains the overall mean, so the model cannot separate them
    assert (first["ci_low"] <= first["overall"]).all()
    assert (first["ci_high"] >= first["overall"]).all()
    assert set(first["group"]) == {"average"}
    names = [study.config.region(g).name for g in study.config.round("2010-1").regions]
    ranking = re.compile(r"hoogste|laagste|beste|slechtste|van .* \((%s)\) tot" % "|".join(names))
    for sentence in _sentences(html):
        assert not ranking.search(sentence), sentence
        # no sentence names a region beside another as higher or lower
        assert not (sum(n in sentence for n in names) >= 2 and re.search(
            r"hoger|lager|boven|onder", sentence)), sentence
    text = _text(html)
    assert "alle 3 regio's voor het rapportcijfer in de groep 'gemiddeld'" in text
    assert "niet gerangschikt" in text
    assert "Trechterdiagram" in html  # the funnel plot's alt text


def test_a_small_region_is_never_placed_above_or_below(study):
    report = Report(study, round="2010-2")
    html = chapters.personal(report).html
    text = _text(html)
    assert "Zeist" in text and "te weinig cliënten (minder dan 5) om mee te vergelijken" in text
    for sentence in _sentences(html):
        if "Zeist" in sentence:
            assert "boven het gemiddelde" not in sentence
            assert "onder het gemiddelde" not in sentence
    # in the table of groups Zeist's row shows the marker, never a group
    table = re.search(r"Regio's vergeleken: het rapportcijfer.*?</table>",
                      html_lib.unescape(html), re.S).group(0)
    row = re.search(r"<th[^>]*>Zeist</th>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[0] == "4" and all(c in ("x", "") for c in cells[1:])


def test_a_small_region_with_extreme_answers_stays_out_of_the_groups():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"round": "r1", "region": np.repeat(["a", "b", "c"], 12),
                          "rating": rng.normal(7.5, 1.0, 36)})
    small = pd.DataFrame({"round": "r1", "region": ["tiny"] * 4, "rating": [1.0] * 4})
    out = multilevel_comparison(pd.concat([frame, small]), "rating", covariates=(), min_n=5)
    tiny = out[out["region"] == "tiny"].iloc[0]
    assert bool(tiny["suppressed"]) and pd.isna(tiny["group"])


def test_the_appendix_explains_the_method_in_plain_dutch(study):
    text = _text(chapters.appendix(Report(study, round="2010-1")).html)
    assert "multilevelmodel" in text and "trechterdiagram" in text.lower()
    assert "'gemiddeld' en worden niet gerangschikt" in text


def test_the_final_report_shows_the_change_of_the_same_clients(study):
    report = Report(study)
    html = chapters.personal(report).html
    text = _text(html)
    assert "Cliënten gevolgd over rondes" in text
    assert "In Den Haag zijn 9 van de 14 cliënten uit Ronde 1, voorjaar 2010 in Vervolgmeting " \
           "2011 opnieuw geïnterviewd" in text
    assert "Bij deze zelfde cliënten veranderde het rapportcijfer" in text
    assert "Het gemiddelde van alle cliënten van de ronde veranderde" in text
    assert "Dezelfde cliënten in twee rondes" in text
