"""The conventions every analysis follows: bases, suppression, intervals, generic statistics."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mss_eval.analysis as analysis_pkg
from mss_eval.analysis import (
    _base,
    administrative,
    collection,
    comparisons,
    executive,
    indicators,
    key_figures,
    personal,
    scales,
)
from mss_eval.analysis._base import (
    TOTAL,
    apply_min_n,
    characteristic_breakdown,
    describe_numeric,
    distribution,
    recoverable_cells,
    shares,
    suppress_table,
    t_interval,
    wilson_interval,
)
from helpers_tidy import tidy, wilson_by_formula


@pytest.mark.parametrize("module", [_base, scales, collection, personal, executive,
                                    administrative, indicators, comparisons, key_figures,
                                    analysis_pkg])
def test_every_docstring_example_runs(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_every_public_analysis_is_documented():
    text = (Path(__file__).resolve().parents[1] / "docs" / "analyses.md").read_text("utf-8")
    missing = [f"{m.__name__}.{name}"
               for m in (_base, scales, collection, personal, executive, administrative,
                         indicators, comparisons, key_figures)
               for name in m.__all__
               if callable(getattr(m, name)) and not isinstance(getattr(m, name), type)
               and f"`{name}" not in text and f".{name}`" not in text]
    assert not missing, f"not in docs/analyses.md: {missing}"


def test_every_public_analysis_has_a_runnable_example():
    without = [f"{m.__name__}.{name}"
               for m in (_base, scales, collection, personal, executive, administrative,
                         indicators, comparisons, key_figures)
               for name in m.__all__
               if callable(getattr(m, name)) and not isinstance(getattr(m, name), type)
               and ">>>" not in (getattr(m, name).__doc__ or "")]
    assert not without


# -- minimum base ----------------------------------------------------------------------------------
def test_a_base_exactly_at_the_minimum_is_shown_one_below_is_suppressed():
    r = pd.DataFrame({"n": pd.array([5, 4, None], dtype="Int64"), "mean": [8.0, 7.0, 6.0]})
    out = apply_min_n(r, ["mean"], min_n=5)
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["mean"].iloc[0] == 8.0
    assert out["mean"].iloc[1:].isna().all()
    assert out["n"].tolist()[:2] == [5, 4]  # the base itself stays visible


# -- intervals -----------------------------------------------------------------------------------
@pytest.mark.parametrize("k,n", [(9, 10), (0, 7), (7, 7), (13, 39), (1, 2)])
def test_wilson_interval_matches_its_formula(k, n):
    low, high = wilson_interval([k], [n])
    exp_low, exp_high = wilson_by_formula(k, n)
    assert low[0] == pytest.approx(exp_low, abs=1e-12)
    assert high[0] == pytest.approx(exp_high, abs=1e-12)


def test_wilson_interval_of_an_empty_base_is_missing():
    low, high = wilson_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_t_interval_matches_scipy_interval_of_the_mean():
    x = np.array([6, 7, 8, 8, 9, 10.0])
    low, high = t_interval([x.mean()], [x.std(ddof=1)], [len(x)])
    exp = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (low[0], high[0]) == pytest.approx(exp)


# -- generic statistics --------------------------------------------------------------------------
def test_describe_numeric_leaves_out_missing_answers_and_keeps_group_order():
    df = tidy("client_interview", mss_rating=[9, 7, None, 8, 6, 5, 5, 5, 5, 5],
              region=["b", "b", "b", "b", "b", "a", "a", "a", "a", "a"])
    out = describe_numeric(df, "mss_rating", min_n=4)
    assert out["region"].tolist() == ["b", "a"]
    b = out.iloc[0]
    assert (b["n"], b["mean"], b["median"], b["min"], b["max"]) == (4, 7.5, 7.5, 6, 9)
    assert b["sd"] == pytest.approx(np.std([9, 7, 8, 6], ddof=1))
    assert not b["suppressed"]


def test_describe_numeric_with_no_grouping_pools_every_row():
    df = tidy("client_interview", mss_rating=[9, 7, 8, 6, 5], region=list("aabbb"))
    out = describe_numeric(df, "mss_rating", by=(), min_n=5)
    assert len(out) == 1 and out["n"].iloc[0] == 5 and out["mean"].iloc[0] == 7.0


def test_shares_count_only_answered_rows():
    df = tidy("client_interview", has_spv=[True, True, False, None, True, None])
    out = shares(df, ["has_spv"], min_n=4, instrument="client_interview")
    row = out.iloc[0]
    assert (row["n"], row["count"], row["share"]) == (4, 3, 0.75)
    assert row["label"] == "Heeft een SPV"


def test_shares_of_a_group_below_the_minimum_are_suppressed_but_keep_n():
    df = tidy("client_interview", has_spv=[True, True, False, True])
    out = shares(df, ["has_spv"], min_n=5)
    assert out["suppressed"].iloc[0]
    assert out["n"].iloc[0] == 4
    assert out[["count", "share", "ci_low", "ci_high"]].iloc[0].isna().all()


def test_distribution_lists_every_answer_with_zeros_and_ignores_missing():
    df = tidy("client_interview", social_contacts_change=["more", "same", None, "more", "more"])
    out = distribution(df, "social_contacts_change", min_n=4, instrument="client_interview",
                       language="en")
    assert out["answer"].tolist() == ["fewer", "same", "more"]
    assert out["count"].tolist() == [0, 1, 3]
    assert out["share"].sum() == pytest.approx(1.0)
    assert (out["n"] == 4).all()
    assert out["label"].tolist() == ["fewer contacts", "about the same", "more contacts"]
    assert out["code"].tolist() == [1, 2, 3]


# -- suppression of tables ---------------------------------------------------------------------
def _possible_values(full: np.ndarray, hidden: np.ndarray) -> dict[tuple, set]:
    """Every value each hidden entry can take, by enumerating whole-number tables.

    An independent route to the audit in the code: try every assignment of the hidden inner cells
    (each from 1 to the shown grand total; zeros are never hidden), keep those that reproduce
    every shown entry and leave every hidden margin at least 1, and collect the values each
    hidden entry takes in them.
    """
    rows, cols = full.shape[0] - 1, full.shape[1] - 1
    grand = int(full[rows, cols])
    cells = [(i, j) for i in range(rows) for j in range(cols) if hidden[i, j]]
    fixed = np.where(hidden[:rows, :cols], 0, full[:rows, :cols])
    grids = np.meshgrid(*[np.arange(1, grand + 1)] * len(cells), indexing="ij")
    values = np.stack([g.ravel() for g in grids], axis=1) if cells else np.zeros((1, 0))
    row_of = np.array([[i == r for r in range(rows)] for i, _ in cells], dtype=float)
    col_of = np.array([[j == c for c in range(cols)] for _, j in cells], dtype=float)
    row_sums = fixed.sum(axis=1) + (values @ row_of if cells else 0)
    col_sums = fixed.sum(axis=0) + (values @ col_of if cells else 0)
    total = fixed.sum() + values.sum(axis=1)
    ok = np.ones(len(values), dtype=bool)
    for i in range(rows):
        ok &= (row_sums[:, i] >= 1) if hidden[i, cols] else (row_sums[:, i] == full[i, cols])
    for j in range(cols):
        ok &= (col_sums[:, j] >= 1) if hidden[rows, j] else (col_sums[:, j] == full[rows, j])
    ok &= (total >= 1) if hidden[rows, cols] else (total == grand)
    possible: dict[tuple, set] = {}
    for k, cell in enumerate(cells):
        possible[cell] = set(values[ok, k].tolist())
    for i in range(rows):
        if hidden[i, cols]:
            possible[(i, cols)] = set(row_sums[ok, i].tolist())
    for j in range(cols):
        if hidden[rows, j]:
            possible[(rows, j)] = set(col_sums[ok, j].tolist())
    if hidden[rows, cols]:
        possible[(rows, cols)] = set(total[ok].tolist())
    return possible


@pytest.mark.parametrize("counts", [
    [[3, 9], [8, 7]],            # one small cell
    [[1, 6, 7], [5, 0, 6]],      # a small cell next to a zero
    [[2, 2], [6, 9]],            # two small cells in one row
    [[1, 0], [0, 8]],            # small cells whose margins are small too
    [[2, 5, 1], [3, 1, 0]],      # three columns, a zero in a suppressed row
])
def test_no_suppressed_count_can_be_derived_from_the_shown_cells_and_totals(counts):
    full, hidden = suppress_table(pd.DataFrame(counts), min_n=5)
    f, h = full.to_numpy(), hidden.to_numpy()
    # primary: every count from 1 to 4 is hidden, zeros are shown
    assert np.all(h[(f >= 1) & (f < 5)])
    assert not np.any(h[f == 0])
    possible = _possible_values(f, h)
    for key, values in possible.items():
        assert f[key] in values
        assert len(values) >= 2, f"entry {key} = {f[key]} is recoverable from {f} / {h}"
    # the linear-programming audit agrees
    assert not recoverable_cells(full, hidden).to_numpy().any()


def test_a_table_without_small_counts_is_shown_whole():
    full, hidden = suppress_table(pd.DataFrame([[5, 9], [8, 7]]), min_n=5)
    assert not hidden.to_numpy().any()
    assert full.loc[TOTAL, TOTAL] == 29


def test_a_count_exactly_at_the_minimum_is_shown_one_below_is_hidden():
    _, shown = suppress_table(pd.DataFrame([[5, 9], [8, 7]]), min_n=5)
    _, hidden = suppress_table(pd.DataFrame([[4, 9], [8, 7]]), min_n=5)
    assert not shown.iloc[0, 0] and hidden.iloc[0, 0]


def test_the_recoverability_audit_finds_a_cell_given_away_by_its_total():
    full = pd.DataFrame([[3, 9, 12], [8, 7, 15], [11, 16, 27]])
    only_primary = full.map(lambda v: False)
    only_primary.iloc[0, 0] = True
    assert recoverable_cells(full, only_primary).iloc[0, 0]


def test_graph_audit_agrees_with_linear_programming_on_random_tables():
    rng = np.random.default_rng(7)
    for _ in range(60):
        rows, cols = rng.integers(1, 4), rng.integers(1, 5)
        vals = rng.integers(0, 8, size=(rows, cols)).astype(float)
        full = np.zeros((rows + 1, cols + 1))
        full[:rows, :cols] = vals
        full[:rows, cols] = vals.sum(1)
        full[rows, :cols] = vals.sum(0)
        full[rows, cols] = vals.sum()
        flat = _base._flatten(full)
        hidden = (flat > 0) & (rng.random(len(flat)) < 0.5)
        low, high = _base._bounds(flat, hidden, _base._table_lines(rows, cols))
        by_lp = hidden & (np.abs(high - low) < 1e-6)
        assert np.array_equal(by_lp, _base._exposed(flat, hidden, rows, cols))


def test_characteristic_breakdown_hides_small_counts_and_what_would_give_them_away():
    genders = ["man"] * 3 + ["woman"] * 6 + ["man"] * 7 + ["woman"] * 8 + [None]
    regions = ["a"] * 9 + ["b"] * 15 + ["a"]
    df = tidy("client_interview", gender=genders, region=regions,
              mss_rating=[8] * 3 + [6] * 6 + [7] * 7 + [9] * 8 + [10])
    out = characteristic_breakdown(df, "gender", value="mss_rating", min_n=5,
                                   instrument="client_interview", language="en")
    cell = out.set_index(["region", "category"])
    # a: 3 men (primary), and then a's women, b's men and women (secondary): margins stay
    for key in [("a", "man"), ("a", "woman"), ("b", "man"), ("b", "woman")]:
        assert cell.loc[key, "suppressed"] and pd.isna(cell.loc[key, "n"])
        assert pd.isna(cell.loc[key, "mean"]) and pd.isna(cell.loc[key, "share"])
    assert cell.loc[("a", TOTAL), "n"] == 9          # the respondent without gender is left out
    assert cell.loc[(TOTAL, "woman"), "n"] == 14
    assert cell.loc[(TOTAL, "woman"), "mean"] == pytest.approx((6 * 6 + 9 * 8) / 14)
    assert cell.loc[(TOTAL, "man"), "label"] == "man"
    assert cell.loc[(TOTAL, TOTAL), "label"] == "total"
    assert cell.loc[(TOTAL, TOTAL), "n"] == 24


def test_characteristic_breakdown_shows_a_table_of_large_counts_whole():
    df = tidy("client_interview", gender=["man"] * 5 + ["woman"] * 6, region=["a"] * 11)
    out = characteristic_breakdown(df, "gender", min_n=5)
    assert not out["suppressed"].any()
    assert out.loc[out.category == "man", "share"].iloc[0] == pytest.approx(5 / 11)
