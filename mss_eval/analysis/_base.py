"""Conventions every analysis follows, and the building blocks they share.

Result frames
-------------
Every analysis takes tidy data (``docs/tidy-data.md``) and returns a tidy frame: one row per
result, the grouping columns first (by default ``round`` and ``region``), then named columns, with

* ``n`` (``Int64``): the base of the result, i.e. the number of rows (respondents, clients,
  findings, referrals) the statistic rests on after missing answers are left out;
* ``suppressed`` (``bool``): ``True`` when the statistic is not shown.

Suppression policy (one rule for every analysis, documented in ``docs/analyses.md``)
-----------------------------------------------------------------------------------
1. *Minimum base.* A statistic whose base ``n`` is below ``min_n`` (the study's
   ``settings.min_respondents``) is returned as ``NA`` with ``suppressed=True``. ``n`` itself
   stays visible: it is the size of a region's sample, which the data-collection table shows anyway.
   A base exactly at ``min_n`` is shown.
2. *Small counts by respondent characteristics.* In a breakdown by age band, gender, living
   situation or education (:func:`characteristic_breakdown`), a count from 1 to ``min_n - 1``,
   including a margin, is suppressed (primary suppression); its count and everything derived from
   it are ``NA``. Zeros are shown: a zero says nothing about a person.
3. *Secondary suppression.* A suppressed count must not be recoverable from the totals. As long as
   some suppressed count can be derived exactly from the shown cells and margins -- checked by
   linear programming over the table's row, column and grand-total relations, assuming an attacker
   knows that every suppressed count is at least 1 -- another cell is suppressed: the smallest
   positive shown count of a row or column through that cell, an inner cell before a margin. The
   table's row and column relations are totally unimodular, so the linear programme's bounds are
   attained by whole numbers: a cell whose lower and upper bound differ has at least two possible
   values.
4. *Pooled figures.* A figure pooled over regions (a round's total beside its regions, the whole
   study beside its rounds) gives away what its suppressed regions hold together: the total minus
   the regions shown. It is suppressed as well when the suppressed regions under it rest together
   on 1 to ``min_n - 1`` respondents (:func:`protect_pooled`); a total over rounds counts the
   suppressed regions of each round whose own total is suppressed. So whatever can be subtracted
   from a total rests on no respondent or on at least ``min_n``. Every statistic of such a total
   goes (mean, share, median, lowest and highest answer); its base ``n`` stays.
5. *What the suppressed regions share.* The total minus the regions shown also gives the
   suppressed regions' combined share. When that is 0% or 100% it says of every one of their
   respondents how they answered, however many they are together; the total is then suppressed
   too (:func:`protect_pooled`, for respondent shares: :data:`RESPONDENT_SHARES`). The published
   outputs of a rendered study are audited for both rules together by ``mss-eval
   check-disclosure`` (:mod:`mss_eval.privacy.subtraction`).

Missing answers are ``NA`` in tidy data and never counted: every docstring says which rows a result
rests on.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint

from ..instruments import Instrument, get_instrument

#: Default minimum base of a statistic (``settings.min_respondents`` of a study).
MIN_N = 5
#: Default grouping: one result per region within a round.
BY_REGION: tuple[str, ...] = ("round", "region")
#: Region id of a total or pooled row. Region ids are slugs starting with a letter or digit, so
#: this never collides with a real region.
TOTAL = "_total"
#: How a total row or column is labelled.
TOTAL_LABEL = {"nl": "totaal", "en": "total"}

__all__ = [
    "MIN_N",
    "BY_REGION",
    "TOTAL",
    "TOTAL_LABEL",
    "apply_min_n",
    "wilson_interval",
    "t_interval",
    "describe_numeric",
    "shares",
    "distribution",
    "characteristic_breakdown",
    "suppress_table",
    "recoverable_cells",
    "protect_pooled",
    "STATISTIC_KEYS",
]


# -- small utilities ----------------------------------------------------------------------------
def as_instrument(instrument: str | Instrument) -> Instrument:
    """An :class:`Instrument` from its id (or the object itself)."""
    return get_instrument(instrument) if isinstance(instrument, str) else instrument


def as_by(by: str | Sequence[str] | None) -> list[str]:
    """Grouping columns as a list (``None`` or ``()``: one group for all rows)."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def group_codes(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row and the group keys, groups in order of first appearance.

    Rows with a missing key get code ``-1`` and belong to no group. With no grouping columns every
    row is in group 0 and the keys frame has one row and no columns.
    """
    by = list(by)
    if not by:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=range(1))
    codes = frame.groupby(by, sort=False, observed=True, dropna=True).ngroup().to_numpy()
    codes = np.where(np.isnan(codes.astype(float)), -1, codes).astype(np.int64)
    keep = codes >= 0
    first = pd.Series(np.arange(len(frame))[keep]).groupby(codes[keep], sort=True).min()
    keys = frame[by].iloc[first.to_numpy()].reset_index(drop=True)
    return codes, keys


def with_columns(keys: pd.DataFrame, **columns) -> pd.DataFrame:
    """``keys`` with further columns, built in one go (``DataFrame.assign`` adds them one by one).

    Scalars are repeated; arrays must have one value per row of ``keys``.
    """
    data = {c: keys[c].array for c in keys.columns}
    data.update(columns)
    return pd.DataFrame(data, index=pd.RangeIndex(len(keys)))


def group_order(frame: pd.DataFrame, by: Sequence[str] | None) -> np.ndarray:
    """Integer code of each row's group, numbered in order of first appearance.

    With no grouping columns (or no rows) every row is in group 0.
    """
    by = as_by(by)
    if not by or frame.empty:
        return np.zeros(len(frame), dtype=np.int64)
    return frame.groupby(by, sort=False, observed=True, dropna=False).ngroup().to_numpy()


def _bincount(codes: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    keep = codes >= 0
    w = None if weights is None else weights[keep]
    return np.bincount(codes[keep], weights=w, minlength=size)[:size]


def as_float(series: pd.Series) -> np.ndarray:
    """Values as float64 with ``NaN`` for missing (booleans as 0/1)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        raise TypeError(f"column {series.name!r} is categorical; use its codes")
    return pd.array(series, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)


def answer_codes(series: pd.Series, instrument: str | Instrument, column: str) -> np.ndarray:
    """Numeric answer codes of a categorical column (``NaN`` for missing), from the instrument.

    Examples
    --------
    >>> s = pd.Series(pd.Categorical(["weekly", None], categories=["yearly", "weekly"]))
    >>> answer_codes(s, "partner_ties", "frequency").tolist()
    [6.0, nan]
    """
    code_of = as_instrument(instrument).codes(column)
    if isinstance(series.dtype, pd.CategoricalDtype):
        lookup = np.array([code_of[k] for k in series.cat.categories] + [np.nan], dtype=float)
        return lookup[series.cat.codes.to_numpy()]  # code -1 (missing) takes the last entry
    return pd.array(series.map(code_of), dtype="Float64").to_numpy(dtype=float, na_value=np.nan)


def _float_array(values) -> pd.arrays.FloatingArray:
    """``Float64`` with every NaN (also NaN produced by arithmetic) as a missing value."""
    arr = pd.array(values, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    return pd.array(arr, dtype="Float64")


def finish(result: pd.DataFrame, *, ints: Iterable[str] = ("n",),
           floats: Iterable[str] = ()) -> pd.DataFrame:
    """Give a result frame its dtypes: counts ``Int64``, statistics ``Float64``, flag ``bool``."""
    ints, floats = set(ints), set(floats)
    columns = {}
    for c in result.columns:
        values = result[c].to_numpy() if c in ints or c in floats else result[c].array
        if c in ints:
            arr = pd.array(values, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
            columns[c] = pd.array(np.round(arr), dtype="Float64").astype("Int64")
        elif c in floats:
            columns[c] = _float_array(values)
        elif c == "suppressed":
            columns[c] = pd.array(result[c], dtype="boolean").fillna(True).to_numpy(dtype=bool)
        else:
            columns[c] = values
    return pd.DataFrame(columns, index=pd.RangeIndex(len(result)))


def apply_min_n(result: pd.DataFrame, columns: Sequence[str], *, min_n: int = MIN_N,
                n: str = "n") -> pd.DataFrame:
    """Suppress the statistics of every row whose base is below ``min_n``.

    Parameters
    ----------
    result : DataFrame
        A result with a base column ``n``.
    columns : sequence of str
        The statistics to set to ``NA`` where ``n < min_n`` (a missing ``n`` counts as 0).
    min_n : int
        Minimum base; a base exactly at ``min_n`` is shown.

    Returns
    -------
    DataFrame
        A copy with the statistics blanked and ``suppressed`` set (or-ed with an existing flag).

    Examples
    --------
    >>> r = pd.DataFrame({"n": [5, 4], "mean": [8.0, 7.0]})
    >>> apply_min_n(r, ["mean"], min_n=5)
       n  mean  suppressed
    0  5   8.0       False
    1  4  <NA>        True
    """
    base = pd.array(result[n], dtype="Float64").fillna(0).to_numpy(dtype=float)
    small = base < min_n
    blank = set(columns)
    out = {}
    for c in result.columns:
        values = result[c].array
        if c in blank and small.any():
            if isinstance(values, pd.arrays.NumpyExtensionArray):  # plain numpy underneath
                values = (pd.array(values, dtype="Float64")
                          if values.dtype.kind in "fiub" and values.dtype.kind != "b"
                          else pd.array(values, dtype="boolean") if values.dtype.kind == "b"
                          else pd.array(values, dtype="object"))
            values = values.copy()
            values[small] = pd.NA if not isinstance(values.dtype, pd.CategoricalDtype) else None
        out[c] = values
    old = result["suppressed"].to_numpy(dtype=bool) if "suppressed" in result else False
    out["suppressed"] = small | old
    return pd.DataFrame(out, index=result.index)


# -- intervals ------------------------------------------------------------------------------------
def wilson_interval(count, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``count / n`` (statsmodels), ``NaN`` where ``n == 0``.

    Examples
    --------
    >>> low, high = wilson_interval([9], [10])
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.5958, 0.9821)
    """
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    ok = n > 0
    low, high = proportion_confint(np.where(ok, count, 0), np.where(ok, n, 1),
                                   alpha=1 - confidence, method="wilson")
    return (np.where(ok, low, np.nan), np.where(ok, high, np.nan))


def t_interval(mean, sd, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval of a mean, ``mean ± t(n-1) · sd / √n`` (scipy); ``NaN`` for ``n < 2``.

    Examples
    --------
    >>> low, high = t_interval([8.0], [1.0], [4])
    >>> round(float(low[0]), 3), round(float(high[0]), 3)
    (6.409, 9.591)
    """
    mean = np.asarray(mean, dtype=float)
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    ok = n >= 2
    df = np.where(ok, n - 1, 1)
    half = stats.t.ppf(0.5 + confidence / 2, df) * sd / np.sqrt(np.where(ok, n, 1))
    return (np.where(ok, mean - half, np.nan), np.where(ok, mean + half, np.nan))


# -- warnings of libraries we cannot fix -------------------------------------------------------
@contextmanager
def library_warnings_quiet() -> Iterator[None]:
    """Silence pandas' deprecation notices raised *inside* pingouin 0.7 (and only there).

    pingouin 0.7 still calls pandas API that pandas 3.1 deprecates (``dropna(inplace=True)``);
    the filter matches that category and pingouin's own modules, nothing else.
    """
    with warnings.catch_warnings():
        for category in (pd.errors.Pandas4Warning, FutureWarning, DeprecationWarning):
            warnings.filterwarnings("ignore", category=category, module=r"pingouin(\.|$)")
        yield


# -- labels ---------------------------------------------------------------------------------------
def column_label(instrument: Instrument, column: str, language: str = "nl") -> str:
    return instrument.column(column).label(language)


# -- generic statistics ---------------------------------------------------------------------------
def describe_numeric(frame: pd.DataFrame, column: str, *, by: Sequence[str] | None = BY_REGION,
                     min_n: int = MIN_N, confidence: float = 0.95) -> pd.DataFrame:
    """n, mean, SD, median, minimum, maximum and a t-interval of a numeric column per group.

    Rests on the rows of each group where ``column`` is not missing.

    Parameters
    ----------
    frame : DataFrame
        Tidy data with ``column`` (integer or number) and the grouping columns.
    column : str
        The numeric column.
    by : sequence of str
        Grouping columns (default ``("round", "region")``; ``()`` for all rows together).
    min_n : int
        Groups with fewer answers get ``NA`` statistics and ``suppressed=True``.
    confidence : float
        Level of the confidence interval of the mean.

    Returns
    -------
    DataFrame
        ``*by, variable, n, mean, sd, median, min, max, ci_low, ci_high, suppressed``.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["a"] * 5 + ["b"] * 2,
    ...                    "x": pd.array([6, 7, 8, 9, 10, 5, None], dtype="Int64")})
    >>> describe_numeric(df, "x", by=["region"], min_n=2)[["region", "n", "mean", "median"]]
      region  n  mean  median
    0      a  5   8.0     8.0
    1      b  1  <NA>    <NA>
    """
    by = as_by(by)
    codes, keys = group_codes(frame, by)
    values = pd.Series(as_float(frame[column]))
    ok = codes >= 0
    grouped = values[ok].groupby(codes[ok])
    agg = grouped.agg(["count", "mean", "std", "median", "min", "max"]).reindex(range(len(keys)))
    agg["count"] = agg["count"].fillna(0)
    low, high = t_interval(agg["mean"], agg["std"], agg["count"], confidence)
    result = with_columns(keys, variable=column, n=agg["count"].to_numpy(),
                          mean=agg["mean"].to_numpy(),
                         sd=agg["std"].to_numpy(), median=agg["median"].to_numpy(),
                         min=agg["min"].to_numpy(), max=agg["max"].to_numpy(),
                         ci_low=low, ci_high=high)
    stats_ = ["mean", "sd", "median", "min", "max", "ci_low", "ci_high"]
    result = finish(result, floats=stats_)
    return apply_min_n(result, stats_, min_n=min_n)


def shares(frame: pd.DataFrame, columns: Sequence[str], *, by: Sequence[str] | None = BY_REGION,
           min_n: int = MIN_N, confidence: float = 0.95, instrument: str | Instrument | None = None,
           language: str = "nl") -> pd.DataFrame:
    """Share answering yes, with a Wilson interval, for each yes/no column per group.

    Each share rests on the rows of its group where that column is not missing (for a
    multiple-choice option: the rows that answered the question at all).

    Parameters
    ----------
    frame : DataFrame
        Tidy data with boolean ``columns``.
    columns : sequence of str
        Yes/no columns (or expanded multiple-choice options).
    by, min_n, confidence
        As in :func:`describe_numeric`.
    instrument : str or Instrument, optional
        When given, a ``label`` column holds each column's label in ``language``.

    Returns
    -------
    DataFrame
        ``*by, variable, [label], n, count, share, ci_low, ci_high, suppressed``; one row per
        group and column, columns in the order given.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["a"] * 6,
    ...                    "has_spv": pd.array([True, True, True, False, None, True],
    ...                                        dtype="boolean")})
    >>> shares(df, ["has_spv"], by=["region"], min_n=5)[["n", "count", "share"]]
       n  count  share
    0  5      4    0.8
    """
    by = as_by(by)
    codes, keys = group_codes(frame, by)
    g = len(keys)
    pieces = []
    ins = as_instrument(instrument) if instrument is not None else None
    for column in columns:
        values = as_float(frame[column])
        answered = ~np.isnan(values)
        n = _bincount(codes, answered.astype(float), g)
        count = _bincount(codes, np.where(answered, values, 0.0), g)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(n > 0, count / np.where(n > 0, n, 1), np.nan)
        low, high = wilson_interval(count, n, confidence)
        label = {"label": column_label(ins, column, language)} if ins is not None else {}
        piece = with_columns(keys, variable=column, **label, n=n, count=count, share=share,
                             ci_low=low, ci_high=high)
        pieces.append(piece)
    result = _concat_in_group_order(pieces, len(keys))
    result = finish(result, ints=("n", "count"), floats=("share", "ci_low", "ci_high"))
    return apply_min_n(result, ["count", "share", "ci_low", "ci_high"], min_n=min_n)


def _concat_in_group_order(pieces: list[pd.DataFrame], groups: int) -> pd.DataFrame:
    """Stack per-variable pieces so that rows run group by group, variables in the given order."""
    if not pieces:
        return pd.DataFrame()
    stacked = pd.concat(pieces, ignore_index=True)
    group = np.tile(np.arange(groups), len(pieces))
    order = np.repeat(np.arange(len(pieces)), groups)
    return stacked.iloc[np.lexsort((order, group))].reset_index(drop=True)


def distribution(frame: pd.DataFrame, column: str, *, by: Sequence[str] | None = BY_REGION,
                 min_n: int = MIN_N, confidence: float = 0.95,
                 instrument: str | Instrument | None = None, language: str = "nl"
                 ) -> pd.DataFrame:
    """Count and share of every answer of a categorical column per group (zeros included).

    The shares rest on the rows of each group where ``column`` is not missing; every answer of
    the answer set gets a row, in code order, also answers nobody gave.

    Parameters
    ----------
    frame : DataFrame
        Tidy data; ``column`` is categorical with the answer keys as categories.
    column : str
        The categorical column.
    by, min_n, confidence
        As in :func:`describe_numeric`.
    instrument : str or Instrument, optional
        Adds ``label`` (the answer's label in ``language``) and ``code`` (its numeric code).

    Returns
    -------
    DataFrame
        ``*by, variable, answer, [label, code], n, count, share, ci_low, ci_high, suppressed``.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["a"] * 5, "change": pd.Categorical(
    ...     ["more", "more", "same", None, "more"], categories=["fewer", "same", "more"])})
    >>> distribution(df, "change", by=["region"], min_n=4)[["answer", "n", "count", "share"]]
      answer  n  count  share
    0  fewer  4      0    0.0
    1   same  4      1   0.25
    2   more  4      3   0.75
    """
    by = as_by(by)
    codes, keys = group_codes(frame, by)
    g = len(keys)
    series = frame[column]
    if not isinstance(series.dtype, pd.CategoricalDtype):
        raise TypeError(f"column {column!r} must be categorical (answer keys as categories)")
    answers = list(series.cat.categories)
    cat = series.cat.codes.to_numpy()
    ok = (codes >= 0) & (cat >= 0)
    counts = np.zeros((g, len(answers)))
    np.add.at(counts, (codes[ok], cat[ok]), 1)
    n = counts.sum(axis=1)
    result = keys.loc[np.repeat(np.arange(g), len(answers))].reset_index(drop=True)
    result["variable"] = column
    result["answer"] = np.tile(answers, g)
    if instrument is not None:
        ins = as_instrument(instrument)
        labels = ins.labels(column, language)
        code_of = ins.codes(column)
        result["label"] = [labels.get(a, a) for a in result["answer"]]
        result["code"] = [code_of.get(a) for a in result["answer"]]
    flat_n = np.repeat(n, len(answers))
    flat_count = counts.ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(flat_n > 0, flat_count / np.where(flat_n > 0, flat_n, 1), np.nan)
    low, high = wilson_interval(flat_count, flat_n, confidence)
    result = result.assign(n=flat_n, count=flat_count, share=share, ci_low=low, ci_high=high)
    result = finish(result, ints=("n", "count", "code"), floats=("share", "ci_low", "ci_high"))
    return apply_min_n(result, ["count", "share", "ci_low", "ci_high"], min_n=min_n)


# -- tables with margins: primary and secondary suppression ------------------------------------
def _table_lines(rows: int, cols: int) -> list[np.ndarray]:
    """Index sets of the linear relations of a table with margins.

    Entries are numbered: inner cells ``i * cols + j``, then row totals, column totals, grand
    total. Each relation lists its members with coefficient +1 for parts and -1 for the total.
    """
    inner = np.arange(rows * cols).reshape(rows, cols)
    row_tot = rows * cols + np.arange(rows)
    col_tot = rows * cols + rows + np.arange(cols)
    grand = rows * cols + rows + cols
    lines = []
    for i in range(rows):
        lines.append(np.append(inner[i], row_tot[i]))
    for j in range(cols):
        lines.append(np.append(inner[:, j], col_tot[j]))
    lines.append(np.append(row_tot, grand))
    lines.append(np.append(col_tot, grand))
    return lines


def _bounds(values: np.ndarray, hidden: np.ndarray, lines: list[np.ndarray]
            ) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest value each hidden entry can take given the shown entries.

    Hidden entries are assumed to be at least 1 (zeros are never suppressed). Linear
    programming (HiGHS) over the table relations.
    """
    idx = np.flatnonzero(hidden)
    low = np.full(len(values), np.nan)
    high = np.full(len(values), np.nan)
    if idx.size == 0:
        return low, high
    pos = {k: p for p, k in enumerate(idx)}
    a_eq, b_eq = [], []
    for line in lines:
        coef = np.ones(len(line))
        coef[-1] = -1.0  # the total
        row = np.zeros(idx.size)
        rhs = 0.0
        for member, c in zip(line, coef):
            if hidden[member]:
                row[pos[member]] += c
            else:
                rhs -= c * values[member]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    bounds = [(1, None)] * idx.size
    for p, k in enumerate(idx):
        c = np.zeros(idx.size)
        c[p] = 1.0
        lo = optimize.linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds,
                              method="highs")
        hi = optimize.linprog(-c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds,
                              method="highs")
        low[k] = lo.fun if lo.status == 0 else np.nan
        # status 3: unbounded above (a hidden entry with no relation tying it down)
        high[k] = -hi.fun if hi.status == 0 else (np.inf if hi.status == 3 else np.nan)
    return low, high


def _arcs(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Each table entry as an arc of a circulation: tail and head node per flat entry.

    Nodes: rows ``0..R-1``, columns ``R..R+C-1``, a row source ``R+C`` and a column sink
    ``R+C+1``. An inner cell runs row -> column, a row total source -> row, a column total
    column -> sink and the grand total sink -> source; every relation of the table is then flow
    conservation at a node.
    """
    src, snk = rows + cols, rows + cols + 1
    i, j = np.divmod(np.arange(rows * cols), cols)
    tail = np.concatenate([i, np.full(rows, src), rows + np.arange(cols), [snk]])
    head = np.concatenate([rows + j, np.arange(rows), np.full(cols, snk), [src]])
    return tail, head


def _exposed(values: np.ndarray, hidden: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Hidden entries whose value follows exactly from the shown ones (hidden entries >= 1).

    A hidden entry can take another value only by shifting flow around a cycle of hidden
    entries: up along its own arc, and down along arcs traversed backwards, which must stay at
    least 1 (so only entries of 2 or more can go down). The entry is exposed when no such cycle
    exists in either direction: a reachability question in the residual graph, answered by a
    breadth-first search per hidden entry. This gives the same answer as the linear programme of
    :func:`recoverable_cells`, much faster on large tables.
    """
    tail, head = _arcs(rows, cols)
    idx = np.flatnonzero(hidden)
    out = np.zeros(len(values), dtype=bool)
    # residual arcs: (from, to, entry)
    adjacency: dict[int, list[tuple[int, int]]] = {}
    for k in idx:
        u, v = int(tail[k]), int(head[k])
        adjacency.setdefault(u, []).append((v, int(k)))      # increase entry k
        if values[k] >= 2:
            adjacency.setdefault(v, []).append((u, int(k)))  # decrease entry k

    def reachable(start: int, goal: int, skip: int) -> bool:
        seen = {start}
        frontier = [start]
        while frontier:
            nxt = []
            for node in frontier:
                for to, entry in adjacency.get(node, ()):
                    if entry == skip or to in seen:
                        continue
                    if to == goal:
                        return True
                    seen.add(to)
                    nxt.append(to)
            frontier = nxt
        return False

    for k in idx:
        u, v = int(tail[k]), int(head[k])
        can_increase = reachable(v, u, int(k))
        can_decrease = values[k] >= 2 and reachable(u, v, int(k))
        out[k] = not (can_increase or can_decrease)
    return out


def recoverable_cells(table: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """Which hidden cells of a table with margins could be derived exactly from what is shown.

    Parameters
    ----------
    table : DataFrame
        Counts including margins: the last row and last column are the totals.
    hidden : DataFrame
        Boolean mask of the same shape: ``True`` for suppressed entries.

    Returns
    -------
    DataFrame
        Boolean mask: ``True`` where a hidden entry's lowest and highest possible value coincide.

    Examples
    --------
    >>> full = pd.DataFrame([[3, 9, 12], [8, 7, 15], [11, 16, 27]])
    >>> hidden = full < 5  # only the 3 hidden: its row total gives it away
    >>> bool(recoverable_cells(full, hidden).iloc[0, 0])
    True
    """
    values = np.asarray(table, dtype=float)
    rows, cols = values.shape[0] - 1, values.shape[1] - 1
    flat, mask = _flatten(values), _flatten(np.asarray(hidden, dtype=bool))
    low, high = _bounds(flat, mask, _table_lines(rows, cols))
    exact = mask & (np.abs(high - low) < 1e-6)
    return pd.DataFrame(_unflatten(exact, rows, cols), index=table.index, columns=table.columns)


def _flatten(full: np.ndarray) -> np.ndarray:
    rows, cols = full.shape[0] - 1, full.shape[1] - 1
    return np.concatenate([full[:rows, :cols].ravel(), full[:rows, cols], full[rows, :cols],
                           [full[rows, cols]]])


def _unflatten(flat: np.ndarray, rows: int, cols: int) -> np.ndarray:
    full = np.empty((rows + 1, cols + 1), dtype=flat.dtype)
    full[:rows, :cols] = flat[: rows * cols].reshape(rows, cols)
    full[:rows, cols] = flat[rows * cols: rows * cols + rows]
    full[rows, :cols] = flat[rows * cols + rows: rows * cols + rows + cols]
    full[rows, cols] = flat[-1]
    return full


def suppress_table(counts: pd.DataFrame, *, min_n: int = MIN_N
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add margins to a table of counts and decide which entries to suppress.

    Primary suppression hides every count from 1 to ``min_n - 1`` (inner cells and margins).
    Secondary suppression then hides further entries until no hidden count can be derived exactly
    from the shown entries (see the module notes): for a hidden entry whose value is still
    determined, the smallest positive shown entry of a row or column through it is hidden, inner
    cells before margins and the grand total last.

    Parameters
    ----------
    counts : DataFrame
        Inner cells only (e.g. categories × regions), non-negative whole numbers.
    min_n : int
        Smallest count that may be shown.

    Returns
    -------
    (DataFrame, DataFrame)
        The table with a ``TOTAL`` row and column added, and a boolean mask of the same shape,
        ``True`` for suppressed entries.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [3, 9], "b": [8, 7]}, index=["man", "woman"])
    >>> full, hidden = suppress_table(t, min_n=5)
    >>> hidden.loc[["man", "woman"], ["a", "b"]].to_numpy().tolist()
    [[True, True], [True, True]]
    """
    values = counts.to_numpy(dtype=float)
    rows, cols = values.shape
    full = np.zeros((rows + 1, cols + 1))
    full[:rows, :cols] = values
    full[:rows, cols] = values.sum(axis=1)
    full[rows, :cols] = values.sum(axis=0)
    full[rows, cols] = values.sum()
    flat = _flatten(full)
    hidden = (flat >= 1) & (flat < min_n)
    lines = _table_lines(rows, cols)
    # preference when choosing a complementary cell: inner cells, then margins, grand total last
    rank = np.concatenate([np.zeros(rows * cols), np.ones(rows + cols), [2]])

    def complement(k: int) -> int | None:
        """The best shown entry to hide next to a hidden entry ``k`` whose value is exposed."""
        best = None
        for line in lines:
            if k not in line:
                continue
            for m in line:
                if hidden[m] or flat[m] <= 0:
                    continue
                key = (rank[m], flat[m], m)
                if best is None or key < best:
                    best = key
        return None if best is None else int(best[2])

    while hidden.any():
        # cheap rule first: a relation with exactly one hidden member gives that member away
        changed = True
        while changed:
            changed = False
            for line in lines:
                members = line[hidden[line]]
                if members.size == 1:
                    m = complement(int(members[0]))
                    if m is not None:
                        hidden[m] = True
                        changed = True
        # then the exact audit over all relations together
        exact = np.flatnonzero(_exposed(flat, hidden, rows, cols))
        if exact.size == 0:
            break
        added = False
        for k in exact:
            m = complement(int(k))
            if m is not None:
                hidden[m] = True
                added = True
                break
        if not added:  # nothing left to hide next to an exposed entry: hide every count
            hidden[flat > 0] = True
            break
    index = list(counts.index) + [TOTAL]
    columns = list(counts.columns) + [TOTAL]
    table = pd.DataFrame(full, index=index, columns=columns)
    mask = pd.DataFrame(_unflatten(hidden, rows, cols), index=index, columns=columns)
    return table, mask


# -- pooled figures: secondary suppression across groups ---------------------------------------
#: Columns that say *which* statistic a result row holds (not its value): a region's row and the
#: pooled row with the same values here are the same statistic.
STATISTIC_KEYS = ("variable", "answer", "item", "scale", "ring", "need", "outcome", "measure",
                  "life_domain", "organisation_group", "characteristic", "category", "test",
                  "year", "method")


#: Columns of an analysis's result that are shares of its respondents (base ``n``): what rule 5
#: checks for a combined 0% or 100% of the suppressed parts.
RESPONDENT_SHARES = ("share", "share_recognised", "share_at_least_partly", "share_unfavourable")


def _is_base(column: str) -> bool:
    return column == "n" or column.startswith("n_")


def protect_pooled(pooled: pd.DataFrame, parts: pd.DataFrame, *, outer: Sequence[str] = (),
                   min_n: int = MIN_N, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Suppress pooled statistics that would give away the suppressed parts under them.

    Rule 4 of the module notes: a pooled row is suppressed when the rows of ``parts`` under it
    (same ``outer`` groups and statistic ``keys``) that are suppressed rest together on 1 to
    ``min_n - 1`` respondents (a suppressed part whose base is unknown counts as small).

    Parameters
    ----------
    pooled : DataFrame
        A result pooled over the parts (e.g. per round, ``by=("round",)``).
    parts : DataFrame
        The same analysis per part (e.g. per region, ``by=("round", "region")``), with ``n`` and
        ``suppressed``.
    outer : sequence of str
        The grouping both share (``("round",)``; ``()`` when pooled over everything).
    min_n : int
        Minimum base.
    keys : sequence of str, optional
        Columns naming the statistic of a row; default those of :data:`STATISTIC_KEYS` present.

    Returns
    -------
    DataFrame
        A copy of ``pooled``: in the rows to protect ``suppressed`` is ``True`` and every column
        that is not a key, a base (``n``, ``n_*``) or a description (a text the same in every part,
        such as a label) is ``NA``; flags named ``*_suppressed`` are ``True``.

    Examples
    --------
    Region b's 3 ratings are suppressed; the round's mean of 10 minus region a's 7 would give them
    away, so the round's mean goes too.

    >>> parts = pd.DataFrame({"round": "r1", "region": ["a", "b"], "n": [7, 3],
    ...                       "mean": [8.0, None], "suppressed": [False, True]})
    >>> pooled = pd.DataFrame({"round": ["r1"], "n": [10], "suppressed": [False],
    ...                        "mean": pd.array([7.7], dtype="Float64")})
    >>> protect_pooled(pooled, parts, outer=["round"], min_n=5)
      round   n  suppressed  mean
    0    r1  10        True  <NA>
    """
    outer = list(outer)
    if keys is None:
        keys = [k for k in STATISTIC_KEYS if k in pooled.columns and k in parts.columns]
    keys = list(keys)
    out = pooled.copy()
    if out.empty or parts.empty or "suppressed" not in parts:
        return out
    out = protect_extremes(out, parts, group=outer + keys)
    hidden = parts["suppressed"].fillna(True).astype(bool).to_numpy()
    base = pd.array(parts["n"], dtype="Float64") if "n" in parts else         pd.array([np.nan] * len(parts), dtype="Float64")
    # a hidden part with an unknown base might be small
    small_unknown = hidden & pd.isna(base)
    weight = np.where(hidden, np.nan_to_num(base.to_numpy(dtype=float, na_value=np.nan)), 0.0)
    weight = np.where(small_unknown, np.inf, weight)
    group = outer + keys
    hidden_base = _sum_under(out, parts, group, {"weight": weight})["weight"]
    protect = (hidden_base >= 1) & (hidden_base < min_n)
    protect |= (hidden_base >= min_n) & _shares_all_or_none(out, parts, group, hidden)
    already = out["suppressed"].fillna(True).astype(bool).to_numpy() if "suppressed" in out \
        else np.zeros(len(out), dtype=bool)
    rows = protect & ~already
    if not rows.any():
        return out
    for column in out.columns:
        if column in group or _is_base(column) or column == "suppressed":
            continue
        if column.endswith("_suppressed"):
            out[column] = out[column].mask(rows, True)
            continue
        if column in parts.columns and _describes(out, parts, column, group):
            continue
        out[column] = out[column].mask(rows)
    out["suppressed"] = already | rows
    return out


def _sum_under(pooled: pd.DataFrame, parts: pd.DataFrame, group: Sequence[str],
               values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per row of ``pooled``: each array of ``values`` (one value per row of ``parts``) summed
    over the parts with the same ``group`` values (all parts when ``group`` is empty); a
    missing key matches a missing key, and a pooled row with no part under it gets 0."""
    group = list(group)
    frame = pd.DataFrame(values)
    if not group:
        return {k: np.full(len(pooled), float(frame[k].sum())) for k in frame.columns}
    keys = [parts[c].astype(object).where(parts[c].notna(), None).to_numpy() for c in group]
    sums = frame.groupby(keys, dropna=False).sum()
    sums.index = (pd.MultiIndex.from_tuples(list(sums.index), names=group) if len(group) > 1
                  else pd.Index(list(sums.index), name=group[0]))
    lookup = pooled[group].astype(object).where(pooled[group].notna(), None)
    index = pd.MultiIndex.from_frame(lookup) if len(group) > 1 else pd.Index(lookup[group[0]])
    at = sums.reindex(index).fillna(0.0)
    return {k: at[k].to_numpy(dtype=float) for k in frame.columns}


def _shares_all_or_none(pooled: pd.DataFrame, parts: pd.DataFrame, group: Sequence[str],
                        hidden: np.ndarray) -> np.ndarray:
    """Per pooled row: whether the suppressed parts under it answered all yes or all no, as
    anyone can work out from the pooled share and the shares and bases of the parts shown
    (rule 5). Only :data:`RESPONDENT_SHARES` are checked, and only where ``n`` is known."""
    result = np.zeros(len(pooled), dtype=bool)
    if "n" not in pooled or "n" not in parts or not hidden.any():
        return result
    n_pooled = pd.array(pooled["n"], dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    n_parts = pd.array(parts["n"], dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    shown = ~hidden
    for column in RESPONDENT_SHARES:
        if column not in pooled.columns or column not in parts.columns:
            continue
        share_pooled = pd.array(pooled[column], dtype="Float64").to_numpy(dtype=float,
                                                                          na_value=np.nan)
        share_parts = pd.array(parts[column], dtype="Float64").to_numpy(dtype=float,
                                                                        na_value=np.nan)
        yes_shown = np.where(shown, np.nan_to_num(share_parts * n_parts), 0.0)
        n_shown = np.where(shown, np.nan_to_num(n_parts), 0.0)
        sums = _sum_under(pooled, parts, group, {"yes": yes_shown, "n": n_shown})
        yes_sum, n_sum = sums["yes"], sums["n"]
        rest = n_pooled - n_sum  # what the parts not shown hold together
        yes_rest = share_pooled * n_pooled - yes_sum
        with np.errstate(invalid="ignore"):
            # the counts are whole numbers: within half a respondent of none or of all
            known = np.isfinite(yes_rest) & (rest >= 1)
            result |= known & ((yes_rest < 0.5) | (yes_rest > rest - 0.5))
    return result


#: Columns holding one respondent's own value: the lowest and highest of a group.
EXTREMES = ("min", "max", "lowest", "lowest_label", "highest", "highest_label")


def protect_extremes(pooled: pd.DataFrame, parts: pd.DataFrame, *,
                     group: Sequence[str] = ()) -> pd.DataFrame:
    """Leave out the lowest and highest value of a pooled row that has a suppressed part under it.

    A minimum or maximum is one respondent's own answer. Pooled over regions, it may come from a
    suppressed region: with every region shown at most 36 months in contact and the round's
    maximum 120, the 120 is that of a client of a suppressed region, published. So a pooled
    row's extremes (:data:`EXTREMES`) are left out whenever a part under it (same ``group``
    values) is suppressed and holds anyone (``n`` of at least 1, or unknown); the row's other
    statistics are kept (rule 4 of the policy decides about those). :func:`protect_pooled`
    applies this first.

    Returns
    -------
    DataFrame
        ``pooled`` when it has no extremes; otherwise a copy with the extremes ``NA`` in those
        rows and a column ``extremes_suppressed``: ``True`` where the extremes are not shown
        (left out here, or the whole row suppressed).

    Examples
    --------
    >>> parts = pd.DataFrame({"round": "r1", "region": ["a", "b"], "n": [7, 1],
    ...                       "max": [36.0, None], "suppressed": [False, True]})
    >>> pooled = pd.DataFrame({"round": ["r1"], "n": [8], "median": [12.0], "max": [120.0],
    ...                        "suppressed": [False]})
    >>> protect_extremes(pooled, parts, group=["round"])
      round  n  median  max  suppressed  extremes_suppressed
    0    r1  8    12.0  NaN       False                 True
    """
    columns = [c for c in EXTREMES if c in pooled.columns]
    if not columns:
        return pooled
    group = list(group)
    hidden = parts["suppressed"].fillna(True).astype(bool).to_numpy() if "suppressed" in parts \
        else np.zeros(len(parts), dtype=bool)
    if "n" in parts:
        base = pd.array(parts["n"], dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
        hidden = hidden & ~(base == 0)  # a suppressed part of nobody has no value to give away
    rows = _sum_under(pooled, parts, group, {"hidden": hidden.astype(float)})["hidden"] > 0
    already = pooled["suppressed"].fillna(True).astype(bool).to_numpy() \
        if "suppressed" in pooled else np.zeros(len(pooled), dtype=bool)
    if "extremes_suppressed" in pooled:  # protected before, against other parts
        already = already | pooled["extremes_suppressed"].fillna(True).astype(bool).to_numpy()
    out = pooled.copy()
    for column in columns:
        out[column] = out[column].mask(rows)
    out["extremes_suppressed"] = already | rows
    return out


def _describes(pooled: pd.DataFrame, parts: pd.DataFrame, column: str,
               group: Sequence[str]) -> bool:
    """Whether a column only describes the statistic: the same value (missing ones aside) in
    every part and in the pooled row of the same statistic, such as a label."""
    if pd.api.types.is_float_dtype(pooled[column].dtype):
        return False
    both = pd.concat([parts[list(group) + [column]], pooled[list(group) + [column]]],
                     ignore_index=True)
    if not group:
        return both[column].dropna().astype(str).nunique() <= 1
    counts = both.dropna(subset=[column]).astype({column: str}).groupby(
        list(group), dropna=False, observed=True)[column].nunique()
    return bool((counts <= 1).all())


#: The respondent characteristics whose small counts are suppressed in breakdowns.
CHARACTERISTICS = ("age_band", "gender", "living_situation", "education")


def characteristic_breakdown(frame: pd.DataFrame, characteristic: str, *,
                             value: str | None = None, across: str = "region",
                             by: Sequence[str] | None = ("round",), min_n: int = MIN_N,
                             instrument: str | Instrument | None = None,
                             language: str = "nl") -> pd.DataFrame:
    """Respondents per category of a characteristic, per region with totals, safely suppressed.

    For each group of ``by`` (default: each round) a table categories × ``across`` (regions) is
    built with row and column totals and suppressed by :func:`suppress_table` (primary and
    secondary suppression). A category's share is its count over the region's total. With
    ``value`` the mean of that numeric column in each cell is given too; it is shown only where the
    cell's count is shown and at least ``min_n`` of its rows have a value.

    Rests on the rows where ``characteristic`` is not missing (and for the means, ``value`` too);
    so a region's total here can be below its number of respondents.

    Parameters
    ----------
    frame : DataFrame
        Tidy data with the categorical ``characteristic``.
    characteristic : str
        ``age_band``, ``gender``, ``living_situation`` or ``education`` (any categorical works).
    value : str, optional
        A numeric column to average per cell (e.g. ``mss_rating``).
    across : str
        Column spread across the table (default ``region``); totals get ``TOTAL``.
    by : sequence of str
        Separate tables per group (default per round).
    instrument : str or Instrument, optional
        Adds the category ``label`` in ``language``.

    Returns
    -------
    DataFrame
        ``*by, <across>, characteristic, category, [label], n, share, [mean, n_value],
        suppressed``; ``category`` is ``TOTAL`` on the margin rows. ``n`` is ``NA`` where the
        count is suppressed.

    Examples
    --------
    Region a has 3 men: suppressed. Showing a's 6 women would give the 3 men away through a's
    total, and so on around the table: all four inner cells go, the margins stay.

    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 9 + ["b"] * 15,
    ...     "gender": pd.Categorical(["man"] * 3 + ["woman"] * 6 + ["man"] * 7 + ["woman"] * 8,
    ...                              categories=["man", "woman"])})
    >>> out = characteristic_breakdown(df, "gender", min_n=5)
    >>> out[["region", "category", "n", "suppressed"]]
       region category     n  suppressed
    0       a      man  <NA>        True
    1       a    woman  <NA>        True
    2       a   _total     9       False
    3       b      man  <NA>        True
    4       b    woman  <NA>        True
    5       b   _total    15       False
    6  _total      man    10       False
    7  _total    woman    14       False
    8  _total   _total    24       False
    """
    by = as_by(by)
    series = frame[characteristic]
    if not isinstance(series.dtype, pd.CategoricalDtype):
        raise TypeError(f"column {characteristic!r} must be categorical")
    categories = list(series.cat.categories)
    ins = as_instrument(instrument) if instrument is not None else None
    labels = ins.labels(characteristic, language) if ins is not None else {}
    sub = frame[series.notna()]
    if by:
        groups = [(k if isinstance(k, tuple) else (k,), g)
                  for k, g in sub.groupby(by, sort=False, observed=True)]
    else:
        groups = [((), sub)]
    out = []
    for key, g in groups:
        across_values = list(pd.unique(g[across].dropna()))
        counts = pd.crosstab(pd.Categorical(g[characteristic], categories=categories),
                             pd.Categorical(g[across], categories=across_values), dropna=False)
        counts = counts.reindex(index=categories, columns=across_values, fill_value=0)
        table, hidden = suppress_table(counts, min_n=min_n)
        if value is not None:
            vals = as_float(g[value])
            has = ~np.isnan(vals)
            cell = g.assign(_v=vals)[has]
            sums = pd.crosstab(pd.Categorical(cell[characteristic], categories=categories),
                               pd.Categorical(cell[across], categories=across_values),
                               # positional: the Categoricals above have no index to align on
                               values=cell["_v"].to_numpy(), aggfunc="sum", dropna=False)
            nval = pd.crosstab(pd.Categorical(cell[characteristic], categories=categories),
                               pd.Categorical(cell[across], categories=across_values),
                               dropna=False)
            sums = sums.reindex(index=categories, columns=across_values).fillna(0.0)
            nval = nval.reindex(index=categories, columns=across_values, fill_value=0)
            sum_full, _ = _with_margins(sums)
            nval_full, _ = _with_margins(nval.astype(float))
        for j, col in enumerate(table.columns):
            col_total = table.iloc[-1, j]
            for i, cat in enumerate(table.index):
                row = dict(zip(by, key))
                row[across] = col
                row["characteristic"] = characteristic
                row["category"] = cat
                if ins is not None:
                    row["label"] = (labels.get(cat, cat) if cat != TOTAL
                                    else TOTAL_LABEL.get(language, TOTAL_LABEL["nl"]))
                is_hidden = bool(hidden.iloc[i, j])
                count = table.iloc[i, j]
                row["n"] = np.nan if is_hidden else count
                total_hidden = bool(hidden.iloc[-1, j])
                row["share"] = (np.nan if is_hidden or total_hidden or col_total == 0
                                else count / col_total)
                if value is not None:
                    nv = nval_full[i, j]
                    show = (not is_hidden) and nv >= min_n
                    row["mean"] = sum_full[i, j] / nv if show else np.nan
                    row["n_value"] = np.nan if is_hidden else nv
                row["suppressed"] = is_hidden
                out.append(row)
    columns = by + [across, "characteristic", "category"] + (["label"] if ins else []) + [
        "n", "share"] + (["mean", "n_value"] if value is not None else []) + ["suppressed"]
    result = pd.DataFrame(out, columns=columns)
    for c in by + [across]:
        if c in frame:
            result[c] = result[c].astype(frame[c].dtype if frame[c].dtype != object else "string")
    return finish(result, ints=("n", "n_value"), floats=("share", "mean"))


def _with_margins(table: pd.DataFrame) -> tuple[np.ndarray, None]:
    v = table.to_numpy(dtype=float)
    full = np.zeros((v.shape[0] + 1, v.shape[1] + 1))
    full[:-1, :-1] = v
    full[:-1, -1] = v.sum(axis=1)
    full[-1, :-1] = v.sum(axis=0)
    full[-1, -1] = v.sum()
    return full, None
