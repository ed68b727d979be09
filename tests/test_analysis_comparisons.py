"""Comparisons across regions and rounds, checked against scipy and statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from mss_eval.analysis import TOTAL, comparisons, personal
from helpers_tidy import stack, tidy

A = [8, 9, 7, 8, 9, 10]
B = [6, 7, 7, 5, 6, 8, 7]
C = [8, 8, 7, 9, 7]


def _ratings():
    return tidy("client_interview", mss_rating=A + B + C + [4, 10, None],
                region=["a"] * 6 + ["b"] * 7 + ["c"] * 5 + ["d", "d", "a"])


def test_kruskal_and_anova_match_scipy_and_leave_out_small_regions():
    out = comparisons.rating_comparison(_ratings(), min_n=5).set_index("test")
    h, p = stats.kruskal(A, B, C)
    assert out.loc["kruskal", "statistic"] == pytest.approx(h)
    assert out.loc["kruskal", "p_value"] == pytest.approx(p)
    assert out.loc["kruskal", "effect_size"] == pytest.approx(h / (18 - 1))
    f, p = stats.f_oneway(A, B, C)
    assert out.loc["anova", "statistic"] == pytest.approx(f)
    assert out.loc["anova", "p_value"] == pytest.approx(p)
    grand = np.mean(A + B + C)
    ss_between = sum(len(g) * (np.mean(g) - grand) ** 2 for g in (A, B, C))
    ss_total = sum((x - grand) ** 2 for x in A + B + C)
    assert out.loc["anova", "effect_size"] == pytest.approx(ss_between / ss_total)
    # region d (2 ratings) does not take part; the unrated client of a is left out
    assert out.loc["anova", "groups"] == 3 and out.loc["anova", "n"] == 18


def test_pairwise_tests_are_holm_corrected():
    out = comparisons.rating_comparison(_ratings(), min_n=5)
    welch = out[out.test == "pairwise_t"]
    groups = {"a": A, "b": B, "c": C}
    raw = [stats.ttest_ind(groups[x], groups[y], equal_var=False).pvalue
           for x, y in zip(welch["a"], welch["b"])]
    assert welch["p_value"].tolist() == pytest.approx(raw)
    assert welch["p_holm"].tolist() == pytest.approx(multipletests(raw, method="holm")[1])
    mwu = out[out.test == "pairwise_mwu"]
    raw_u = [stats.mannwhitneyu(groups[x], groups[y]).pvalue for x, y in zip(mwu["a"], mwu["b"])]
    assert mwu["p_value"].tolist() == pytest.approx(raw_u)
    assert mwu["p_holm"].tolist() == pytest.approx(multipletests(raw_u, method="holm")[1])


def test_with_fewer_than_two_regions_large_enough_the_comparison_is_suppressed():
    out = comparisons.rating_comparison(_ratings(), min_n=7)
    assert len(out) == 1 and out["suppressed"].iloc[0] and pd.isna(out["p_value"].iloc[0])
    assert out["groups"].iloc[0] == 1


def test_with_pooled_puts_each_rounds_total_after_its_regions():
    df = stack(tidy("client_interview", mss_rating=[8] * 5 + [6] * 5,
                    region=["a"] * 5 + ["b"] * 5),
               tidy("client_interview", mss_rating=[7] * 5, region=["a"] * 5, round=["r2"] * 5))
    out = comparisons.with_pooled(personal.client_rating, df)
    assert list(zip(out["round"], out["region"])) == [("r1", "a"), ("r1", "b"), ("r1", TOTAL),
                                                      ("r2", "a"), ("r2", TOTAL)]
    assert out["mean"].tolist() == [8, 6, 7, 7, 7]


def test_round_change_for_regions_in_both_rounds():
    df = stack(tidy("client_interview", mss_rating=[8] * 5 + [6] * 5,
                    region=["a"] * 5 + ["b"] * 5),
               tidy("client_interview", mss_rating=[7] * 5 + [9] * 4,
                    region=["a"] * 5 + ["b"] * 4, round=["r2"] * 9))
    out = comparisons.round_change(personal.client_rating(df, min_n=5), "mean").set_index(
        "region")
    assert out.loc["a", "change"] == -1 and out.loc["a", "n"] == 5
    assert out.loc["b", "suppressed"] and pd.isna(out.loc["b", "change"])   # 4 in round 2


def test_rating_change_matches_welch_and_mann_whitney():
    r1, r2 = [6, 7, 7, 8, 6, 7], [8, 9, 8, 7, 9]
    df = stack(tidy("client_interview", mss_rating=r1),
               tidy("client_interview", mss_rating=r2, round=["r2"] * 5))
    out = comparisons.rating_change(df, min_n=5).iloc[0]
    t = stats.ttest_ind(r2, r1, equal_var=False)
    assert out["t"] == pytest.approx(t.statistic) and out["p_t"] == pytest.approx(t.pvalue)
    assert out["p_mwu"] == pytest.approx(stats.mannwhitneyu(r2, r1).pvalue)
    assert out["change"] == pytest.approx(np.mean(r2) - np.mean(r1))
    assert out["ci_low"] < out["change"] < out["ci_high"]
    small = comparisons.rating_change(df, min_n=6).iloc[0]
    assert small["suppressed"] and pd.isna(small["change"])
