"""A pooled lowest or highest value never publishes a respondent of a suppressed region.

The round of these tests has two regions shown (8 questionnaires each, at most 36 months in
contact, contact at most weekly) and two suppressed ones (3 questionnaires each, 6 together, so
rule 4 leaves the round's other figures alone). One client of Hilversum has been in contact for
120 months, daily: the round's maximum would be that client's own answer.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers_tidy import StandInStudy, config, empty_tables, tidy
from mss_eval.analysis._base import protect_extremes
from mss_eval.analysis.comparisons import with_pooled
from mss_eval.analysis.key_figures import key_figures
from mss_eval.analysis.personal import months_in_contact

REGIONS = ["den_haag", "eindhoven", "hilversum", "breda"]


def _study(small: int = 3) -> StandInStudy:
    """``small`` questionnaires in Hilversum and in Breda (3: both suppressed; 5: both shown)."""
    months = ([6, 12, 18, 24, 30, 36, 12, 6] + [3, 6, 9, 12, 15, 18, 21, 24]
              + [120] + [10] * (small - 1) + [8] * small)
    frequency = (["monthly"] * 4 + ["weekly"] * 4 + ["monthly"] * 8
                 + ["daily"] + ["monthly"] * (small - 1) + ["monthly"] * small)
    regions = ["den_haag"] * 8 + ["eindhoven"] * 8 + ["hilversum"] * small + ["breda"] * small
    tables = empty_tables()
    tables["client_questionnaire"] = tidy("client_questionnaire", months_in_contact=months,
                                          contact_frequency=frequency, region=regions)
    # the register: one Hilversum client registered 2010-01-01 and 2010-12-01, all others once
    # or a month apart
    ids = [f"p{i}" for i in range(8)] + [f"q{i}" for i in range(8)] + ["h0", "h0"] + \
        [f"h{i}" for i in range(1, small)] + [f"b{i}" for i in range(small)]
    dates = (["2010-03-01"] * 16 + ["2010-01-01", "2010-12-01"]
             + ["2010-03-01"] * (small - 1) + ["2010-03-01"] * small)
    register_regions = (["den_haag"] * 8 + ["eindhoven"] * 8 + ["hilversum"] * (small + 1)
                        + ["breda"] * small)
    tables["monitor_register"] = tidy(
        "monitor_register", registration_number=list(range(1, len(ids) + 1)), client_id=ids,
        date=dates, life_domain=["work"] * len(ids), region=register_regions)
    return StandInStudy(config({"r1": REGIONS}), tables)


def _numbers(figures) -> list[float]:
    """Every number anywhere in a figures dictionary."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append(float(value))

    walk(figures)
    return found


def test_the_rounds_maximum_from_a_suppressed_region_is_left_out():
    figures = key_figures(_study(), "r1", definitions=False)
    regions = figures["regions"]
    assert regions["hilversum"]["personal"]["months_in_contact_max"]["suppressed"]
    assert max(regions[g]["personal"]["months_in_contact_max"]["value"]
               for g in ("den_haag", "eindhoven")) == 36
    months = figures["round"]["personal"]["months_in_contact_max"]
    assert (months["value"], months["suppressed"], months["n"]) == (None, True, 22)
    # the round's other figures rest on 22 questionnaires and stay: only the extreme goes
    median = figures["round"]["personal"]["months_in_contact_median"]
    assert not median["suppressed"] and median["value"] is not None
    assert 120.0 not in _numbers(figures)


def test_the_rounds_highest_frequency_and_longest_registered_contact_are_left_out():
    figures = key_figures(_study(), "r1", definitions=False)["round"]
    highest = figures["personal"]["contact_frequency_highest"]
    assert (highest["value"], highest["suppressed"]) == (None, True)
    duration = figures["indicators"]["contact_duration_max"]
    assert (duration["value"], duration["suppressed"]) == (None, True)
    assert figures["indicators"]["contact_duration_median"]["value"] == pytest.approx(0.0)


def test_the_studys_maximum_is_left_out_too():
    figures = key_figures(_study(), definitions=False)
    assert figures["study"]["personal"]["months_in_contact_max"]["value"] is None
    assert figures["study"]["personal"]["months_in_contact_max"]["suppressed"]
    assert 120.0 not in _numbers(figures)
    assert "120" not in json.dumps(figures["study"])


def test_with_every_region_shown_the_rounds_maximum_is_shown():
    figures = key_figures(_study(small=5), "r1", definitions=False)
    assert figures["regions"]["hilversum"]["personal"]["months_in_contact_max"]["value"] == 120
    months = figures["round"]["personal"]["months_in_contact_max"]
    assert (months["value"], months["suppressed"]) == (120, False)


def test_a_reports_round_total_leaves_the_extremes_out_and_keeps_the_median():
    quest = _study().tables["client_questionnaire"]
    out = with_pooled(months_in_contact, quest, min_n=5)
    total = out[out["region"] == "_total"].iloc[0]
    assert pd.isna(total["max"]) and pd.isna(total["min"]) and bool(total["extremes_suppressed"])
    assert not total["suppressed"] and total["median"] == pytest.approx(12.0)


def test_a_suppressed_part_of_nobody_leaves_the_extremes_alone():
    parts = pd.DataFrame({"round": "r1", "region": ["a", "b"], "n": [7, 0],
                          "max": [36.0, None], "suppressed": [False, True]})
    pooled = pd.DataFrame({"round": ["r1"], "n": [7], "max": [36.0], "suppressed": [False]})
    out = protect_extremes(pooled, parts, group=["round"])
    assert out["max"].iloc[0] == 36.0 and not out["extremes_suppressed"].iloc[0]


def test_the_reports_total_row_marks_the_left_out_extremes_with_x(example_study):
    # round 2010-2 of the example study: Zeist and Hilversum are suppressed, so the total's
    # lowest and highest rating are left out, and the table says so with the marker, not a blank
    import re

    from mss_eval.report import chapters
    from mss_eval.report.notebook import Report

    report = Report(example_study, round="2010-2")
    html = chapters.personal(report).html
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    totals = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>",
                                                                     r, flags=re.S)]
              for r in rows if "Totaal" in r]
    rating = next(t for t in totals if len(t) == 8)  # region, n, mean, CI, SD, median, min, max
    assert rating[-2:] == ["x", "x"], rating
    assert rating[2] not in ("", "x")  # the mean stays
    # and the questionnaires' table: the total's range of contact frequency is x, its median stays
    questionnaires = next(t for t in totals if len(t) == 5 and t[2].endswith("%"))
    assert questionnaires[3] == "x" and questionnaires[4] not in ("", "x"), questionnaires
