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
           "rating_change", "PAIRWISE_MAX_REGIONS"]

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
        n, suppressed``: one row per region, key and pair of consecutive rounds in which it was
        measured; ``change`` is ``value_to - value_from``; ``n`` is the smaller base; suppressed
        when either figure is.

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
            rows.append({region: reg, **dict(zip(keys, rest)), "round_from": a["round"],
                         "round_to": b["round"], "value_from": va, "value_to": vb,
                         "change": change, "n_from": a["n"], "n_to": b["n"],
                         "n": min(_num(a["n"]), _num(b["n"])), "suppressed": supp})
    cols = [region, *keys, "round_from", "round_to", "value_from", "value_to", "change",
            "n_from", "n_to", "n", "suppressed"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("round_from", "round_to"):
        out[c] = out[c].astype("string")
    if region in result:
        out[region] = out[region].astype(result[region].dtype)
    return finish(out, ints=("n_from", "n_to", "n"), floats=("change",))


def _num(v) -> float:
    return 0.0 if pd.isna(v) else float(v)


def rating_change(clients: pd.DataFrame, *, column: str = "mss_rating", min_n: int = MIN_N,
                  rounds: Sequence[str] | None = None, confidence: float = 0.95
                  ) -> pd.DataFrame:
    """Change of the clients' rating for each region interviewed in two consecutive rounds.

    The clients of two rounds are treated as independent samples (most are different people):
    Welch's t-test with Hedges' g and the Mann-Whitney U test (pingouin). Rests on the clients
    with a rating; suppressed when either round has fewer than ``min_n``.

    Returns
    -------
    DataFrame
        ``region, round_from, round_to, n_from, n_to, mean_from, mean_to, change, ci_low,
        ci_high, t, dof, p_t, p_mwu, hedges, n, suppressed``; ``ci_low/ci_high`` is pingouin's
        interval of the difference (``mean_to - mean_from``).

    Examples
    --------
    >>> df = pd.DataFrame({"round": ["r1"] * 5 + ["r2"] * 5, "region": "a",
    ...     "mss_rating": [6, 7, 7, 6, 7, 8, 8, 9, 8, 7]})
    >>> rating_change(df)[["region", "round_from", "round_to", "change"]]
      region round_from round_to  change
    0      a         r1       r2     1.4
    """
    order = list(rounds) if rounds is not None else list(
        dict.fromkeys(clients["round"].astype(str)))
    values = as_float(clients[column])
    data = pd.DataFrame({"round": clients["round"].astype(str).to_numpy(),
                         "region": clients["region"].astype(str).to_numpy(), "y": values})
    data = data[~np.isnan(values)]
    rows = []
    regions = list(dict.fromkeys(data["region"]))
    for region in regions:
        present = [r for r in order if ((data["region"] == region) & (data["round"] == r)).any()]
        for ra, rb in zip(present, present[1:]):
            ya = data.loc[(data["region"] == region) & (data["round"] == ra), "y"].to_numpy()
            yb = data.loc[(data["region"] == region) & (data["round"] == rb), "y"].to_numpy()
            row = {"region": region, "round_from": ra, "round_to": rb, "n_from": len(ya),
                   "n_to": len(yb), "n": min(len(ya), len(yb))}
            if min(len(ya), len(yb)) < min_n:
                rows.append({**row, "suppressed": True})
                continue
            with library_warnings_quiet(), np.errstate(all="ignore"):
                tt = pg.ttest(yb, ya, correction=True, confidence=confidence)
                mw = pg.mwu(yb, ya)
            ci = tt.filter(like="CI").iloc[0].to_numpy()
            rows.append({**row, "mean_from": ya.mean(), "mean_to": yb.mean(),
                         "change": yb.mean() - ya.mean(), "ci_low": float(ci[0][0]),
                         "ci_high": float(ci[0][1]), "t": float(tt["T"].iloc[0]),
                         "dof": float(tt["dof"].iloc[0]), "p_t": float(tt["p_val"].iloc[0]),
                         "p_mwu": float(mw["p_val"].iloc[0]),
                         "hedges": float(pg.compute_effsize(yb, ya, eftype="hedges")),
                         "suppressed": False})
    cols = ["region", "round_from", "round_to", "n_from", "n_to", "mean_from", "mean_to",
            "change", "ci_low", "ci_high", "t", "dof", "p_t", "p_mwu", "hedges", "n",
            "suppressed"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("region", "round_from", "round_to"):
        out[c] = out[c].astype("string")
    return finish(out, ints=("n_from", "n_to", "n"),
                  floats=("mean_from", "mean_to", "change", "ci_low", "ci_high", "t", "dof",
                          "p_t", "p_mwu", "hedges"))
