"""``respondent_profile(..., value="mss_rating")`` gives each cell's mean whatever the frame's index.

The tidy tables of a study are not numbered 0..n-1 (a region's rows keep their place in the whole
table), so the means must not depend on the index. Data small enough to check by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mss_eval.analysis.personal import respondent_profile

# region a: five men rated 6, 7, 8, 9, 10 (mean 8) and five women rated 5, 5, 6, 6, 8 (mean 6);
# region b: six women rated 9, 9, 8, 8, 7, 7 (mean 8) and no men
REGIONS = ["a"] * 10 + ["b"] * 6
GENDERS = ["man"] * 5 + ["woman"] * 5 + ["woman"] * 6
RATINGS = [6, 7, 8, 9, 10, 5, 5, 6, 6, 8, 9, 9, 8, 8, 7, 7]
BY_HAND = {("a", "man"): 8.0, ("a", "woman"): 6.0, ("b", "woman"): 8.0,
           ("a", "_total"): 7.0, ("b", "_total"): 8.0, ("_total", "man"): 8.0,
           ("_total", "woman"): (30 + 48) / 11, ("_total", "_total"): 118 / 16}


def _clients(index) -> pd.DataFrame:
    return pd.DataFrame({
        "round": "2010-1", "region": REGIONS,
        "gender": pd.Categorical(GENDERS, categories=["man", "woman"]),
        "mss_rating": pd.array(RATINGS, dtype="Int64")}, index=index)


@pytest.mark.parametrize("index", [
    pd.RangeIndex(16),
    pd.Index(np.random.default_rng(3).permutation(16) + 100),   # shuffled, not from 0
    pd.Index(np.arange(16) * 7 + 1000),                          # rows of a larger table
], ids=["0..n-1", "shuffled", "subset"])
def test_mean_rating_per_cell_equals_the_hand_computation(index):
    out = respondent_profile(_clients(index), characteristics=["gender"], value="mss_rating",
                             min_n=5, language="en")
    means = {(r.region, r.category): r.mean for r in out.itertuples() if pd.notna(r.mean)}
    assert means == pytest.approx(BY_HAND)


def test_means_do_not_change_when_the_rows_are_shuffled():
    ordered = _clients(pd.RangeIndex(16))
    shuffled = ordered.sample(frac=1, random_state=11)
    a = respondent_profile(ordered, characteristics=["gender"], value="mss_rating", min_n=5)
    b = respondent_profile(shuffled, characteristics=["gender"], value="mss_rating", min_n=5)
    pd.testing.assert_series_equal(a["mean"], b["mean"])
