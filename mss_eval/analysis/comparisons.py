"""Comparisons: regions within a round, pooled round figures, and change between rounds.

* :func:`compare_regions` tests whether a numeric outcome (the clients' rating, a scale score, the
  partners' judgement) differs between the regions of a round: Kruskal-Wallis and one-way ANOVA
  with effect sizes, then pairwise tests with Holm's correction (pingouin).
* :func:`with_pooled` runs any analysis per region and for the round as a whole and stacks both,
  the pooled rows under region ``TOTAL``.
* :func:`round_change` puts a region's figure of one round beside the next for the regions present
  in both; :func:`rating_change` tests the change of the rating.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pingouin as pg

from ._base import (
    MIN_N,
    TOTAL,
    as_by,
    as_float,
    finish,
    group_order,
    library_warnings_quiet,
    protect_pooled,
)

__all__ = ["compare_regions", "rating_comparison", "with_pooled", "round_change",
           "rating_change", "partially_paired_t", "PAIRWISE_MAX_REGIONS"]

#: Pairwise tests are made for at most this many regions per round: 12 regions give 66 pairs,
#: 175 would give 15,225 pairs that no reader can take in (and that take minutes to compute).
#: Above it :func:`compare_regions` returns the omnibus tests (Kruskal-Wallis, ANOVA) only.
PAIRWISE_MAX_REGIONS = 12

_TEST_COLUMNS = ["test", "a", "b", "statistic_name", "statistic", "df1", "df2", "p_value",
                 "p_holm", "effect_size", "effect_size_name", "groups", "n", "suppressed",
                 "pairwise_omitted"]


def compare_regions(frame: pd.DataFrame, column: str, *, group: str = "region",
                    by: Sequence[str] | None = ("round",), min_n: int = MIN_N,
                    max_pairwise: int | None = PAIRWISE_MAX_REGIONS) -> pd.DataFrame:
    """Do the regions of a round differ on a numeric outcome?

    Within each group of ``by`` (default per round), only the regions with at least ``min_n``
    answers take part (rows with ``column`` missing are left out). With two or more such regions:

    * ``kruskal``: Kruskal-Wallis H (pingouin) with epsilon-squared, ``H / (n - 1)``;
    * ``anova``: one-way ANOVA F (pingouin) with partial eta-squared (``np2``);
    * ``pairwise_t`` and ``pairwise_mwu``: every pair of regions, Welch's t-test and the
      Mann-Whitney U test (pingouin ``pairwise_tests``), p-values corrected by Holm, Hedges' g;
      only when at most ``max_pairwise`` regions take part (see :data:`PAIRWISE_MAX_REGIONS`).
      With more regions the omnibus tests stand alone: their rows then say ``pairwise_omitted``.

    With fewer than two regions large enough, one ``kruskal`` row is returned, suppressed.

    Parameters
    ----------
    frame : DataFrame
        Tidy data with ``column`` and ``group``.
    column : str
        The numeric outcome (e.g. ``mss_rating``).
    group : str
        The column whose values are compared (default ``region``).
    by : sequence of str
        Separate comparisons per group of these columns.
    min_n : int
        Minimum answers for a region to take part.
    max_pairwise : int or None
        Pairwise tests only when at most this many regions take part (default
        :data:`PAIRWISE_MAX_REGIONS`); ``None`` always, ``0`` never.

    Returns
    -------
    DataFrame
        ``*by, test, a, b, statistic_name, statistic, df1, df2, p_value, p_holm, effect_size,
        effect_size_name, groups, n, suppressed, pairwise_omitted``; ``a``/``b`` name the pair
        (pairwise rows), ``groups`` the number of regions compared and ``n`` their answers;
        ``pairwise_omitted`` is true on the omnibus rows of a round whose pairwise tests were
        left out because more than ``max_pairwise`` regions took part.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 5 + ["b"] * 5,
    ...                    "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]})
    >>> out = compare_regions(df, "y", min_n=5)
    >>> out[out.test == "anova"][["statistic", "df1", "df2", "n"]]
       statistic  df1  df2   n
    1       25.0  1.0  8.0  10
    """
    by = as_by(by)
    values = as_float(frame[column])
    data = pd.DataFrame({**{b: frame[b].to_numpy() for b in by},
                         "_group": frame[group].astype(str).to_numpy(), "_y": values})
    data = data[~np.isnan(values) & frame[group].notna().to_numpy()]
    rows: list[dict] = []
    groups = ([(k if isinstance(k, tuple) else (k,), g)
               for k, g in data.groupby(by, sort=False, observed=True)] if by else [((), data)])
    for key, g in groups:
        head = dict(zip(by, key))
        sizes = g.groupby("_group", sort=False).size()
        keep = [name for name, size in sizes.items() if size >= min_n]
        g = g[g["_group"].isin(keep)]
        g = g.assign(_group=pd.Categorical(g["_group"], categories=keep))
        n = len(g)
        if len(keep) < 2:
            rows.append({**head, "test": "kruskal", "groups": len(keep), "n": n,
                         "suppressed": True, "pairwise_omitted": False})
            continue
        pairwise = max_pairwise is None or len(keep) <= max_pairwise
        with library_warnings_quiet(), np.errstate(all="ignore"):
            kw = pg.kruskal(g, dv="_y", between="_group")
            aov = pg.anova(g, dv="_y", between="_group", detailed=False, effsize="np2")
            if pairwise:
                pair_t = pg.pairwise_tests(g, dv="_y", between="_group", padjust="holm",
                                           parametric=True, correction=True)
                pair_u = pg.pairwise_tests(g, dv="_y", between="_group", padjust="holm",
                                           parametric=False)
        h = float(kw["H"].iloc[0])
        rows.append({**head, "test": "kruskal", "statistic_name": "H", "statistic": h,
                     "df1": float(kw["ddof1"].iloc[0]), "p_value": float(kw["p_unc"].iloc[0]),
                     "effect_size": h / (n - 1) if n > 1 else np.nan,
                     "effect_size_name": "epsilon_squared", "groups": len(keep), "n": n,
                     "suppressed": False, "pairwise_omitted": not pairwise})
        rows.append({**head, "test": "anova", "statistic_name": "F",
                     "statistic": float(aov["F"].iloc[0]), "df1": float(aov["ddof1"].iloc[0]),
                     "df2": float(aov["ddof2"].iloc[0]), "p_value": float(aov["p_unc"].iloc[0]),
                     "effect_size": float(aov["np2"].iloc[0]), "effect_size_name": "np2",
                     "groups": len(keep), "n": n, "suppressed": False,
                     "pairwise_omitted": not pairwise})
        if not pairwise:
            continue
        sizes = g["_group"].value_counts()
        for test, table, stat in (("pairwise_t", pair_t, "T"), ("pairwise_mwu", pair_u, "U_val")):
            for _, r in table.iterrows():
                pair_n = int(sizes[r["A"]] + sizes[r["B"]])
                rows.append({**head, "test": test, "a": str(r["A"]), "b": str(r["B"]),
                             "statistic_name": "T" if stat == "T" else "U",
                             "statistic": float(r[stat]),
                             "df1": float(r["dof"]) if "dof" in r else np.nan,
                             "p_value": float(r["p_unc"]),
                             "p_holm": float(r.get("p_corr", r["p_unc"])),
                             "effect_size": float(r["hedges"]), "effect_size_name": "hedges",
                             "groups": 2, "n": pair_n, "suppressed": False,
                             "pairwise_omitted": False})
    result = pd.DataFrame(rows, columns=by + _TEST_COLUMNS)
    for b in by:
        result[b] = result[b].astype(frame[b].dtype)
    for c in ("test", "a", "b", "statistic_name", "effect_size_name"):
        result[c] = result[c].astype("string")
    result["pairwise_omitted"] = (pd.array(result["pairwise_omitted"], dtype="boolean")
                                  .fillna(False).to_numpy(dtype=bool))
    return finish(result, ints=("n", "groups"),
                  floats=("statistic", "df1", "df2", "p_value", "p_holm", "effect_size"))


def rating_comparison(clients: pd.DataFrame, *, by: Sequence[str] | None = ("round",),
                      min_n: int = MIN_N, max_pairwise: int | None = PAIRWISE_MAX_REGIONS
                      ) -> pd.DataFrame:
    """:func:`compare_regions` for the clients' rating of the MSS (``mss_rating``).

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 5 + ["b"] * 5,
    ...     "mss_rating": [8, 9, 8, 7, 9, 6, 7, 6, 5, 6]})
    >>> rating_comparison(df)[["test", "statistic", "p_value"]].head(2).round(4)
          test  statistic  p_value
    0  kruskal      6.562   0.0104
    1    anova    20.1667    0.002
    """
    return compare_regions(clients, "mss_rating", by=by, min_n=min_n, max_pairwise=max_pairwise)


def with_pooled(analysis: Callable[..., pd.DataFrame], *frames: pd.DataFrame,
                by: Sequence[str] = ("round", "region"), **kwargs) -> pd.DataFrame:
    """An analysis per region and for all regions of a round together, stacked.

    Runs ``analysis(*frames, by=by, **kwargs)`` and ``analysis(*frames, by=by[:-1], **kwargs)``
    (pooled over the last grouping column, normally ``region``) and returns both, the pooled rows
    with that column set to ``TOTAL``, each round's regions followed by its total. A total whose
    suppressed regions rest together on fewer than ``min_n`` respondents is suppressed too
    (:func:`mss_eval.analysis._base.protect_pooled`), so it cannot give them away.

    Examples
    --------
    >>> from mss_eval.analysis.personal import client_rating
    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 5 + ["b"] * 5,
    ...                    "mss_rating": pd.array([8] * 5 + [6] * 5, dtype="Int64")})
    >>> with_pooled(client_rating, df)[["region", "n", "mean"]]
       region   n  mean
    0       a   5   8.0
    1       b   5   6.0
    2  _total  10   7.0
    """
    by = list(by)
    per = analysis(*frames, by=by, **kwargs)
    pooled = analysis(*frames, by=by[:-1], **kwargs)
    # a total must not give away its suppressed regions (rule 4 of the suppression policy)
    pooled = protect_pooled(pooled, per, outer=by[:-1], min_n=kwargs.get("min_n", MIN_N))
    last = by[-1]
    pooled.insert(len(by) - 1, last, TOTAL)
    pooled[last] = pooled[last].astype(per[last].dtype)
    outer = by[:-1]
    stacked = pd.concat([per, pooled], ignore_index=True)
    if outer:
        order = group_order(stacked, outer)
        is_total = (stacked[last] == TOTAL).to_numpy()
        stacked = stacked.iloc[np.lexsort((np.arange(len(stacked)), is_total, order))]
    return stacked.reset_index(drop=True)


def round_change(result: pd.DataFrame, value: str, *, keys: Sequence[str] = (),
                 region: str = "region", rounds: Sequence[str] | None = None) -> pd.DataFrame:
    """A figure of each region in one round beside the next round, for regions in both.

    Parameters
    ----------
    result : DataFrame
        The output of an analysis with ``round``, ``region``, ``n``, ``suppressed`` and ``value``.
    value : str
        The statistic to compare (e.g. ``mean``, ``share``).
    keys : sequence of str
        Further columns identifying a result (e.g. ``("variable",)``).
    rounds : sequence of str, optional
        Round order (study order); by default the order of appearance.

    Returns
    -------
    DataFrame
        ``region, *keys, round_from, round_to, value_from, value_to, change, n_from, n_to,
        ci_low, ci_high, n, suppressed``: one row per region, key and pair of consecutive
        rounds in which it was measured; ``change`` is ``value_to - value_from``; ``n`` is the
        smaller base; suppressed when either figure is.

    Notes
    -----
    ``ci_low``/``ci_high`` of the change combine the two figures' own intervals (``ci_low``,
    ``ci_high`` of ``result``, e.g. Wilson intervals of shares) by the MOVER method of Zou &
    Donner (2008) (Newcombe's method 10 for shares): ``change - sqrt((value_to - low_to)² +
    (high_from - value_from)²)`` to ``change + sqrt((high_to - value_to)² + (value_from -
    low_from)²)``. It treats the rounds as independent samples; for the rating, whose clients
    may return, :func:`rating_change` pairs the returning clients. Missing when ``result`` has
    no interval.

    References
    ----------
    .. [1] Zou, G. Y., & Donner, A. (2008). Construction of confidence limits about effect
       measures: a general approach. *Statistics in Medicine*, 27(10), 1693-1702.

    Examples
    --------
    >>> r = pd.DataFrame({"round": ["r1", "r1", "r2"], "region": ["a", "b", "a"],
    ...                   "n": [10, 12, 9], "mean": [7.5, 8.0, 8.1],
    ...                   "suppressed": [False, False, False]})
    >>> round_change(r, "mean")[["region", "round_from", "round_to", "change"]]
      region round_from round_to  change
    0      a         r1       r2     0.6
    """
    keys = list(keys)
    order = list(rounds) if rounds is not None else list(dict.fromkeys(result["round"].astype(str)))
    pos = {r: i for i, r in enumerate(order)}
    data = result[result[region] != TOTAL].copy()
    data["_pos"] = data["round"].astype(str).map(pos)
    data = data[data["_pos"].notna()]
    rows = []
    for (reg, *rest), g in data.groupby([region, *keys], sort=False, observed=True):
        g = g.sort_values("_pos")
        for (_, a), (_, b) in zip(g.iterrows(), list(g.iterrows())[1:]):
            supp = bool(a["suppressed"]) or bool(b["suppressed"])
            va, vb = a[value], b[value]
            change = (np.nan if supp or pd.isna(va) or pd.isna(vb)
                      else float(vb) - float(va))
            low, high = _mover(va, vb, a.get("ci_low"), a.get("ci_high"), b.get("ci_low"),
                               b.get("ci_high")) if not np.isnan(change) else (np.nan, np.nan)
            rows.append({region: reg, **dict(zip(keys, rest)), "round_from": a["round"],
                         "round_to": b["round"], "value_from": va, "value_to": vb,
                         "change": change, "n_from": a["n"], "n_to": b["n"], "ci_low": low,
                         "ci_high": high, "n": min(_num(a["n"]), _num(b["n"])),
                         "suppressed": supp})
    cols = [region, *keys, "round_from", "round_to", "value_from", "value_to", "change",
            "n_from", "n_to", "ci_low", "ci_high", "n", "suppressed"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("round_from", "round_to"):
        out[c] = out[c].astype("string")
    if region in result:
        out[region] = out[region].astype(result[region].dtype)
    return finish(out, ints=("n_from", "n_to", "n"), floats=("change", "ci_low", "ci_high"))


def _mover(va, vb, la, ua, lb, ub) -> tuple[float, float]:
    """The MOVER interval of ``vb - va`` from the two estimates' own intervals."""
    parts = [va, vb, la, ua, lb, ub]
    if any(p is None or pd.isna(p) for p in parts):
        return np.nan, np.nan
    va, vb, la, ua, lb, ub = map(float, parts)
    d = vb - va
    return (d - np.sqrt((vb - lb) ** 2 + (ua - va) ** 2),
            d + np.sqrt((ub - vb) ** 2 + (va - la) ** 2))


def _num(v) -> float:
    return 0.0 if pd.isna(v) else float(v)


def rating_change(clients: pd.DataFrame, *, column: str = "mss_rating", study: Any = None,
                  min_n: int | None = None, rounds: Sequence[str] | None = None,
                  confidence: float = 0.95, id_column: str = "respondent_id") -> pd.DataFrame:
    """Change of the clients' rating for each region interviewed in two consecutive rounds.

    ``change`` is the mean of all the later round's clients minus the mean of all the earlier
    round's (``mean_to - mean_from``). Clients interviewed in both rounds keep their pseudonym
    (``id_column``); where such clients return, the two rounds are *partially overlapping
    samples* and the interval and t-test account for the pairing (Derrick et al., 2017,
    ``T_new2``): the variance of the difference is ::

        s_from²/n_from + s_to²/n_to - 2 r s_from s_to n_paired / (n_from n_to)

    with ``r`` the correlation of the returning clients' two ratings, and the degrees of freedom
    ``(n_paired - 1) + (γ - n_paired + 1) / (a + b + 2 n_paired) · (a + b)``, ``γ`` Welch's
    degrees of freedom and ``a``, ``b`` the clients seen in one round only. Without returning
    clients (fewer than two) this is Welch's t-test; when every client returns it is the paired
    t-test. Intervals are at full precision (scipy's t quantile, no rounding).

    Rests on the clients with a rating; suppressed when either round has fewer than ``min_n``
    (by default the study's ``settings.min_respondents``, else 5).

    Returns
    -------
    DataFrame
        ``region, round_from, round_to, n_from, n_to, n_paired, mean_from, mean_to, change,
        ci_low, ci_high, t, dof, p_t, p_mwu, hedges, method, n, suppressed``; ``method`` is
        ``welch`` or ``partially_paired``; ``p_mwu`` (Mann-Whitney U, pingouin) and ``hedges``
        (Hedges' g) only for independent rounds (``welch``), since both assume independence.

    References
    ----------
    .. [1] Derrick, B., Russ, B., Toher, D., & White, P. (2017). Test statistics for the
       comparison of means for two samples that include both paired and independent
       observations. *Journal of Modern Applied Statistical Methods*, 16(1), 137-157.

    Examples
    --------
    >>> df = pd.DataFrame({"round": ["r1"] * 5 + ["r2"] * 5, "region": "a",
    ...     "respondent_id": [f"p{i}" for i in range(10)],
    ...     "mss_rating": [6, 7, 7, 6, 7, 8, 8, 9, 8, 7]})
    >>> rating_change(df)[["region", "round_from", "round_to", "n_paired", "change", "method"]]
      region round_from round_to  n_paired  change method
    0      a         r1       r2         0     1.4  welch
    """
    from ..disclosure import minimum

    min_n = minimum(study, min_n)
    if rounds is None and study is not None:
        rounds = [r.id for r in study.config.rounds]
    order = list(rounds) if rounds is not None else list(
        dict.fromkeys(clients["round"].astype(str)))
    values = as_float(clients[column])
    ids = (clients[id_column].astype("string").to_numpy() if id_column in clients
           else np.full(len(clients), pd.NA, dtype=object))
    data = pd.DataFrame({"round": clients["round"].astype(str).to_numpy(),
                         "region": clients["region"].astype(str).to_numpy(), "y": values,
                         "id": ids})
    data = data[~np.isnan(values)]
    rows = []
    regions = list(dict.fromkeys(data["region"]))
    for region in regions:
        present = [r for r in order if ((data["region"] == region) & (data["round"] == r)).any()]
        for ra, rb in zip(present, present[1:]):
            a = data[(data["region"] == region) & (data["round"] == ra)]
            b = data[(data["region"] == region) & (data["round"] == rb)]
            ya, yb = a["y"].to_numpy(), b["y"].to_numpy()
            both = _returning(a, b)
            row = {"region": region, "round_from": ra, "round_to": rb, "n_from": len(ya),
                   "n_to": len(yb), "n_paired": len(both), "n": min(len(ya), len(yb))}
            if min(len(ya), len(yb)) < min_n:
                rows.append({**row, "suppressed": True})
                continue
            test = partially_paired_t(ya, yb, both["y_from"].to_numpy(),
                                      both["y_to"].to_numpy(), confidence=confidence)
            independent = test["method"] == "welch"
            with library_warnings_quiet(), np.errstate(all="ignore"):
                p_mwu = float(pg.mwu(yb, ya)["p_val"].iloc[0]) if independent else np.nan
                hedges = (float(pg.compute_effsize(yb, ya, eftype="hedges")) if independent
                          else np.nan)
            rows.append({**row, "mean_from": ya.mean(), "mean_to": yb.mean(), **test,
                         "p_mwu": p_mwu, "hedges": hedges, "suppressed": False})
    cols = ["region", "round_from", "round_to", "n_from", "n_to", "n_paired", "mean_from",
            "mean_to", "change", "ci_low", "ci_high", "t", "dof", "p_t", "p_mwu", "hedges",
            "method", "n", "suppressed"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("region", "round_from", "round_to", "method"):
        out[c] = out[c].astype("string")
    return finish(out, ints=("n_from", "n_to", "n_paired", "n"),
                  floats=("mean_from", "mean_to", "change", "ci_low", "ci_high", "t", "dof",
                          "p_t", "p_mwu", "hedges"))


def _returning(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The clients with a pseudonym in both rounds: ``y_from``, ``y_to`` (a pseudonym seen twice
    within one round is not a returning client: it pairs with nothing)."""
    a = a[a["id"].notna()].drop_duplicates("id", keep=False)
    b = b[b["id"].notna()].drop_duplicates("id", keep=False)
    return a[["id", "y"]].merge(b[["id", "y"]], on="id", suffixes=("_from", "_to"))


def partially_paired_t(before: np.ndarray, after: np.ndarray, paired_before: np.ndarray,
                       paired_after: np.ndarray, *, confidence: float = 0.95) -> dict:
    """``mean(after) - mean(before)`` with its interval and t-test, for two samples of which
    ``paired_before``/``paired_after`` are the same people measured twice (Derrick et al.,
    2017, ``T_new2``; see :func:`rating_change`).

    Returns a dict ``change, ci_low, ci_high, t, dof, p_t, method``.

    Examples
    --------
    >>> out = partially_paired_t(np.array([6., 7, 8]), np.array([7., 8, 9]),
    ...                          np.array([6., 7, 8]), np.array([7., 8, 9]))
    >>> out["change"], out["method"]
    (1.0, 'partially_paired')
    """
    from scipy import stats

    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    n1, n2, nc = len(before), len(after), len(paired_before)
    change = float(after.mean() - before.mean())
    v1 = before.var(ddof=1) / n1 if n1 > 1 else np.nan
    v2 = after.var(ddof=1) / n2 if n2 > 1 else np.nan
    with np.errstate(all="ignore"):
        gamma = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    r = 0.0
    if nc >= 2:
        with np.errstate(all="ignore"):
            r = float(np.corrcoef(paired_before, paired_after)[0, 1])
        r = 0.0 if np.isnan(r) else r
    if nc < 2:
        method, var, dof = "welch", v1 + v2, gamma
    else:
        method = "partially_paired"
        s1, s2 = before.std(ddof=1), after.std(ddof=1)
        var = v1 + v2 - 2 * r * s1 * s2 * nc / (n1 * n2)
        single = (n1 - nc) + (n2 - nc)
        dof = (nc - 1) + (gamma - nc + 1) / (single + 2 * nc) * single
        if not np.isfinite(dof):  # both rounds without spread
            dof = nc - 1
    se = float(np.sqrt(max(var, 0.0))) if np.isfinite(var) else np.nan
    if not se > 0:
        same = change == 0
        return {"change": change, "ci_low": change if se == 0 else np.nan,
                "ci_high": change if se == 0 else np.nan, "t": np.nan, "dof": dof,
                "p_t": (1.0 if same else 0.0) if se == 0 else np.nan, "method": method}
    q = stats.t.ppf(0.5 + confidence / 2, dof)
    t = change / se
    return {"change": change, "ci_low": change - q * se, "ci_high": change + q * se,
            "t": t, "dof": float(dof), "p_t": float(2 * stats.t.sf(abs(t), dof)),
            "method": method}
