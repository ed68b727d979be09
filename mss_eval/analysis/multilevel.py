"""Comparing regions fairly: a multilevel model with case mix, shrinkage, three groups, funnels.

Raw means of regions of 5 to 40 clients lie apart by chance alone; a league table of them says
more about sample size than about the MSS. The Dutch CQ-index practice (NIVEL) therefore fits a
multilevel model with the clients' characteristics as case mix, shrinks each region towards the
overall value as far as its few clients warrant (empirical Bayes), and places a region in one of
three groups -- *below average*, *average*, *above average* -- only when its interval excludes the
overall value. Funnel plots (Spiegelhalter 2005) show the same data without ranking: each
region's value against its number of clients, with the limits chance allows at that number.

* :func:`multilevel_comparison` -- per outcome (the rating, the experience scale, a yes/no item
  such as *in contact with a professional*) and per round: each region's shrunken estimate, its
  interval, reliability and group, with the model's ICC, τ², σ² and the number of clients a
  region needs for a reliability of 0.8 and 0.9.
* :func:`funnel_limits` and :func:`funnel_data` -- control limits around the overall value at
  95% and 99.8%, with an overdispersion correction (multiplicative φ or additive τ²) when the
  regions differ more than chance allows.
* :func:`paired_change` -- clients interviewed in more than one round (the same pseudonym): the
  change of the same people between rounds, with a paired t-test, per region and pooled.
* :func:`outcome_values` -- the client-level values of the outcomes compared (rating, experience
  score, network rings, yes/no items).

Every function returns a tidy frame with ``n`` and ``suppressed`` (``docs/analyses.md``); the
methods are described in ``docs/methods.md``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import special, stats

from ._base import (
    MIN_N,
    TOTAL,
    as_by,
    as_float,
    finish,
    library_warnings_quiet,
    protect_pooled,
)

__all__ = [
    "CASE_MIX",
    "GROUPS",
    "OUTCOMES",
    "PAIRED_OUTCOMES",
    "outcome_values",
    "multilevel_comparison",
    "funnel_limits",
    "funnel_data",
    "overdispersion",
    "paired_change",
]

#: Case-mix characteristics of the client interview (CQ-index practice): the default of
#: ``settings.case_mix`` in ``study.yaml``.
CASE_MIX: tuple[str, ...] = ("age_band", "gender", "education", "living_situation")
#: The case mix of partners compared between regions (the executive level): the kind of
#: organisation they answer for, since a region that heard mostly from care providers and one
#: that heard mostly from the municipality are not alike.
PARTNER_CASE_MIX: tuple[str, ...] = ("organisation_group",)
#: The three groups a region can be placed in, from low to high.
GROUPS: tuple[str, ...] = ("below", "average", "above")
#: The outcomes compared between regions, by key-figure name: (client-level value, kind).
#: ``experience`` is the experience scale's score (:func:`outcome_values`).
OUTCOMES: dict[str, tuple[str, str]] = {
    "rating_mean": ("mss_rating", "gaussian"),
    "experience_mean": ("experience", "gaussian"),
    **{f"share_{item}": (item, "binary") for item in (
        "ever_treated_mhc", "contact_professional", "has_spv", "has_housing_support",
        "has_trajectory_counsellor", "day_activities", "paid_work", "volunteering")},
}
#: What :func:`paired_change` follows over rounds by default.
PAIRED_OUTCOMES: tuple[str, ...] = ("mss_rating", "experience", "network_close",
                                    "network_informal", "network_general_services",
                                    "network_specialised_care")

_MISSING_LEVEL = "_missing"
#: How much higher (in log-likelihood units) an interior REML fit must be than the fit at τ² = 0
#: to be taken: an optimiser stops near, not on, the boundary, at a likelihood that differs from
#: the boundary's only in the last digits (or is lower), and where it stops depends on the
#: processor's arithmetic. lme4 and metafor likewise compare with the boundary explicitly.
_BOUNDARY_TOLERANCE = 1e-6
#: The optimisers tried in turn for the REML fit, until one converges.
_MIXED_METHODS: tuple[str, ...] = ("bfgs", "lbfgs", "powell", "nm")


# -- the values compared ------------------------------------------------------------------------
def outcome_values(clients: pd.DataFrame, outcome: str) -> pd.Series:
    """The client-level value of an outcome as float (``NaN`` where unknown).

    ``experience`` is the experience scale score (mean of the scored ``exp_*`` items for clients
    with at least the scale's minimum number of answers, :func:`mss_eval.analysis.scales.
    scale_score`); any other name is a column of the client interview (numbers as they are,
    yes/no as 1/0).

    Examples
    --------
    >>> df = pd.DataFrame({"mss_rating": pd.array([7, None], dtype="Int64")})
    >>> outcome_values(df, "mss_rating").tolist()
    [7.0, nan]
    """
    if outcome == "experience":
        from .scales import scale_score

        score = scale_score(clients, "client_interview", "experience")["score"]
        return pd.Series(as_float(score), index=clients.index, name=outcome)
    return pd.Series(as_float(clients[outcome]), index=clients.index, name=outcome)


def _kind(values: pd.Series, kind: str | None) -> str:
    if kind is not None:
        if kind not in ("gaussian", "binary"):
            raise ValueError(f"kind must be 'gaussian' or 'binary', not {kind!r}")
        return kind
    known = values.dropna()
    return "binary" if len(known) and known.isin([0.0, 1.0]).all() else "gaussian"


# -- the multilevel model --------------------------------------------------------------------------
_COLUMNS = ["region", "n", "raw_mean", "adjusted_mean", "estimate", "ci_low", "ci_high",
            "reliability", "group", "overall", "n_regions", "n_model", "icc", "tau2", "sigma2",
            "n_for_reliability_0_8", "n_for_reliability_0_9", "method", "note", "suppressed"]
_FLOATS = ("raw_mean", "adjusted_mean", "estimate", "ci_low", "ci_high", "reliability",
           "overall", "icc", "tau2", "sigma2")
_INTS = ("n", "n_regions", "n_model", "n_for_reliability_0_8", "n_for_reliability_0_9")


def multilevel_comparison(frame: pd.DataFrame, outcome: str, *, kind: str | None = None,
                          group: str = "region", by: Sequence[str] | None = ("round",),
                          covariates: Sequence[str] = CASE_MIX, min_n: int = MIN_N,
                          confidence: float = 0.95) -> pd.DataFrame:
    """Regions compared with a random-intercept model: shrunken estimates and three groups.

    Within each group of ``by`` (default each round), the clients with ``outcome`` known in the
    regions with at least ``min_n`` of them are modelled as ::

        y_ij = x_ij'β + u_j + e_ij,    u_j ~ N(0, τ²),  e_ij ~ N(0, σ²)

    with the case-mix characteristics ``covariates`` as fixed terms (categorical; a missing
    answer is a category of its own, so that no client is lost; a characteristic with one
    category is left out) and a random intercept per region.

    * ``gaussian`` outcomes (the rating, a scale score): statsmodels ``MixedLM``, REML. A
      region's estimate is ``overall + û_j``, where ``overall`` is the mean of ``x'β̂`` over all
      clients of the model (the round's own case mix) and ``û_j`` the empirical-Bayes prediction
      (BLUP) of its random intercept; its interval is ``± z · sd(u_j | y)``, the conditional
      standard deviation ``sqrt(τ²(1 - R_j))``. ``adjusted_mean`` is the case-mix adjusted mean
      before shrinkage, ``ȳ_j - mean_j(x'β̂) + overall``.
    * ``gaussian``: when the REML likelihood at τ² = 0 (least squares, closed form) is not
      lower than the optimiser's, the fit is that boundary, the same on every processor.
    * ``binary`` outcomes (yes/no items): a logistic random-intercept model (GLMM) by maximum
      likelihood with adaptive Gauss-Hermite quadrature (9 points, as lme4's ``glmer(nAGQ=9)``),
      the boundary τ² = 0 compared explicitly. A region's estimate is the share the round's
      clients would have there, ``mean_i expit(x_i'β̂ + û_j)`` with ``û_j`` the conditional
      mode, its interval at ``û_j ± z·sd(u_j | y)``; ``overall`` the same at ``u = 0``.
      ``sigma2`` is the per-client variance on the logit scale, ``1/(P(1-P))`` at the overall
      share ``P``, and ``icc`` the latent-scale ICC ``τ²/(τ² + π²/3)``. A case-mix category in
      which every client answers yes (or no) is merged into the characteristic's largest
      category that answers both ways (perfect separation); ``note`` names it
      (``case_mix_merged:age_band=under_25``).

    A region's *reliability* is ``R_j = τ²/(τ² + σ²/n_j)`` (binary: ``1 - sd(u_j | y)²/τ²``), the
    share of its observed spread that is real difference. Its *group* is ``above`` or
    ``below`` only when its interval excludes ``overall``, otherwise ``average``. The number of
    clients a region needs for a reliability ``R`` is ``R/(1-R) · σ²/τ²`` (rounded up; none when
    τ² is 0: then no number of clients tells the regions apart).

    A region below ``min_n`` is not in the model and never placed in a group: its row has only
    ``n`` and ``suppressed=True`` (``note = "n_below_min"``). With fewer than two regions of at
    least ``min_n``, no model is fitted (``note = "single_region"``).

    Parameters
    ----------
    frame : DataFrame
        Tidy client data with ``outcome``, ``group``, the ``by`` columns and the covariates.
    outcome : str
        A numeric or yes/no column, or ``experience`` (the scale score, :func:`outcome_values`).
    kind : {"gaussian", "binary"}, optional
        By default ``binary`` when every known value is 0 or 1 (yes/no), else ``gaussian``.
    group : str
        The column of the units compared (default ``region``).
    by : sequence of str
        A separate model per group of these columns.
    covariates : sequence of str
        Case-mix characteristics (``study.yaml`` ``settings.case_mix``); ``()`` for none.
    min_n : int
        Minimum number of clients with the outcome for a region to take part.
    confidence : float
        Level of the intervals (normal quantile).

    Returns
    -------
    DataFrame
        ``*by, region, n, raw_mean, adjusted_mean, estimate, ci_low, ci_high, reliability,
        group, overall, n_regions, n_model, icc, tau2, sigma2, n_for_reliability_0_8,
        n_for_reliability_0_9, method, note, suppressed``: one row per region, in the order
        of the data; the model's figures (``overall`` to ``n_for_reliability_0_9``) repeat on
        every row of the group; ``method`` is ``mixedlm_reml`` or ``glmm_agq``.

    Notes
    -----
    The interval ignores the uncertainty of τ², σ² and β̂ (as lme4's conditional variances do),
    so it is slightly too narrow when there are few regions.

    References
    ----------
    .. [1] Snijders, T. A. B., & Bosker, R. J. (2012). *Multilevel analysis* (2nd ed.), ch. 4
       (empirical Bayes estimates, reliability).
    .. [2] Sixma, H., et al. (2008). *Handboek CQ-index ontwikkeling*. NIVEL (case-mix
       adjustment, three groups).
    .. [3] Pinheiro, J. C., & Bates, D. M. (1995). Approximations to the log-likelihood function
       in the nonlinear mixed-effects model. *J. Comput. Graph. Stat.*, 4, 12-35 (adaptive
       Gauss-Hermite quadrature).

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": np.repeat(["a", "b", "c"], 4),
    ...                    "y": [1., 2, 3, 4, 3, 4, 5, 6, 5, 6, 7, 8]})
    >>> out = multilevel_comparison(df, "y", covariates=(), min_n=4)
    >>> out[["region", "estimate", "reliability", "group"]].round(3)
      region  estimate  reliability    group
    0      a     2.708        0.896    below
    1      b       4.5        0.896  average
    2      c     6.292        0.896    above
    >>> round(float(out["tau2"].iloc[0]), 3), round(float(out["sigma2"].iloc[0]), 3)
    (3.583, 1.667)
    """
    by = [b for b in as_by(by) if b != group]
    values = outcome_values(frame, outcome)
    kind = _kind(values, kind)
    covariates = [c for c in covariates if c in frame.columns]
    data = pd.DataFrame({
        **{b: frame[b].astype(str).to_numpy() for b in by},
        "_group": frame[group].astype("string").to_numpy(),
        "_y": values.to_numpy(dtype=float),
        **{f"_c{i}": _levels(frame[c]) for i, c in enumerate(covariates)},
    })
    data = data[data["_y"].notna() & data["_group"].notna()]
    rows: list[dict] = []
    z = stats.norm.ppf(0.5 + confidence / 2)
    groups = ([(k if isinstance(k, tuple) else (k,), g)
               for k, g in data.groupby(by, sort=False)] if by else [((), data)])
    for key, g in groups:
        head = dict(zip(by, key))
        sizes = g.groupby("_group", sort=False).size()
        keep = [str(r) for r, size in sizes.items() if size >= min_n]
        model = g[g["_group"].isin(keep)]
        cov_cols = [f"_c{i}" for i in range(len(covariates))
                    if model[f"_c{i}"].nunique() > 1]
        fitted: dict[str, dict] = {}
        shared: dict = {"n_regions": len(keep), "n_model": len(model)}
        if len(keep) >= 2:
            if kind == "gaussian":
                per_region, shared_fit = _fit_gaussian(model, cov_cols, keep, z)
            else:
                per_region, shared_fit = _fit_binary(
                    model, cov_cols, keep, z,
                    names={f"_c{i}": c for i, c in enumerate(covariates)})
            fitted, shared = per_region, {**shared, **shared_fit}
        means = g.groupby("_group", sort=False)["_y"].mean()
        for region, size in sizes.items():
            raw = float(means[region])
            region = str(region)
            row = {**head, "region": region, "n": int(size), "raw_mean": raw}
            if size < min_n:
                rows.append({**row, "raw_mean": np.nan, "note": "n_below_min",
                             "suppressed": True})
                continue
            if region not in fitted:
                rows.append({**row, **shared, "note": "single_region", "suppressed": False})
                continue
            rows.append({**row, **shared, **fitted[region], "suppressed": False})
    result = pd.DataFrame(rows, columns=by + _COLUMNS)
    for b in by:
        result[b] = result[b].astype(frame[b].dtype)
    result["region"] = result["region"].astype(frame[group].dtype if group in frame else "string")
    for c in ("group", "method", "note"):
        result[c] = result[c].astype("string")
    return finish(result, ints=_INTS, floats=_FLOATS)


def _levels(series: pd.Series) -> np.ndarray:
    """A covariate as text categories, a missing answer as a category of its own."""
    text = series.astype("string")
    return text.fillna(_MISSING_LEVEL).to_numpy(dtype=object)


def _n_for(reliability: float, tau2: float, sigma2: float) -> float:
    """Clients a region needs for ``reliability``: ``R/(1-R) · σ²/τ²`` rounded up."""
    if not (tau2 > 1e-12) or not np.isfinite(sigma2):
        return np.nan
    return float(math.ceil(reliability / (1 - reliability) * sigma2 / tau2 - 1e-9))


def _group_of(low: float, high: float, overall: float) -> str:
    if low > overall:
        return "above"
    if high < overall:
        return "below"
    return "average"


def _fit_gaussian(model: pd.DataFrame, cov_cols: list[str], keep: list[str], z: float
                  ) -> tuple[dict[str, dict], dict]:
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, SingularMatrixWarning

    formula = "_y ~ 1" + "".join(f" + C({c})" for c in cov_cols)
    data = model.assign(_group=model["_group"].astype(str))
    mixed = smf.mixedlm(formula, data, groups=data["_group"])
    result, failure = None, None
    with warnings.catch_warnings():
        # τ² on the boundary (0: regions no more alike than chance) is a result, not an error;
        # the optimiser says so in several ways on its way there
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        warnings.simplefilter("ignore", category=SingularMatrixWarning)
        # quasi-Newton first (fast, precise); near the boundary L-BFGS can step into a
        # singular covariance, and Powell's method, which needs no gradient, gets there
        for method in _MIXED_METHODS:
            try:
                attempt = mixed.fit(reml=True, method=method)
            except (np.linalg.LinAlgError, ValueError) as exc:
                failure = exc
                continue
            if not (np.isfinite(attempt.llf) and np.isfinite(attempt.fe_params).all()):
                # at τ² = 0 with a sparse case mix L-BFGS can report convergence with an
                # infinite likelihood and fixed effects that are not a solution (an intercept
                # of 0): not a fit, whatever the optimiser says
                failure = ValueError(f"{method}: no finite likelihood")
                continue
            if result is None or attempt.llf > result.llf + 1e-9:
                result = attempt
            if attempt.converged:
                break
    if result is None:
        raise RuntimeError(f"the multilevel model could not be fitted: {failure}")
    exog = np.asarray(result.model.exog, dtype=float)
    boundary = _reml_at_zero(exog, np.asarray(result.model.endog, dtype=float))
    if boundary["llf"] >= result.llf - _BOUNDARY_TOLERANCE:
        # the REML optimum is on the boundary: regions no more alike than chance allows; the
        # fit there is ordinary least squares, in closed form, the same on every processor
        tau2, sigma2, beta = 0.0, boundary["sigma2"], boundary["beta"]
    else:
        tau2, sigma2 = float(np.asarray(result.cov_re)[0, 0]), float(result.scale)
        beta = np.asarray(result.fe_params, dtype=float)
    fixed = exog @ beta
    overall = float(fixed.mean())
    # at τ² = 0 statsmodels cannot invert the random effects' covariance (it raises), and
    # every region's effect is 0 anyway
    effects = result.random_effects if tau2 > 0 else {}
    conditional = result.random_effects_cov if tau2 > 0 else {}
    out = {}
    # per region at once: clients, mean outcome and mean fixed part
    per = pd.DataFrame({"g": data["_group"].to_numpy(), "y": data["_y"].to_numpy(dtype=float),
                        "f": fixed}).groupby("g", sort=False).agg(
        n=("y", "size"), y=("y", "mean"), f=("f", "mean"))
    for region in keep:
        n = int(per.at[region, "n"])
        u = float(np.asarray(effects[region])[0]) if tau2 > 0 else 0.0
        var = float(np.asarray(conditional[region])[0, 0]) if tau2 > 0 else 0.0
        sd = math.sqrt(max(var, 0.0))
        low, high = overall + u - z * sd, overall + u + z * sd
        out[region] = {
            "adjusted_mean": float(per.at[region, "y"] - per.at[region, "f"] + overall),
            "estimate": overall + u, "ci_low": low, "ci_high": high,
            "reliability": tau2 / (tau2 + sigma2 / n) if tau2 > 0 else 0.0,
            "group": _group_of(low, high, overall)}
    shared = {"overall": overall, "icc": tau2 / (tau2 + sigma2), "tau2": tau2, "sigma2": sigma2,
              "n_for_reliability_0_8": _n_for(0.8, tau2, sigma2),
              "n_for_reliability_0_9": _n_for(0.9, tau2, sigma2), "method": "mixedlm_reml"}
    return out, shared


def _reml_at_zero(exog: np.ndarray, endog: np.ndarray) -> dict:
    """The REML fit of the random-intercept model at τ² = 0: ordinary least squares.

    The restricted log-likelihood there, with σ² profiled out, is
    ``-((n-p)·log(2π·σ̂²) + log|X'X| + (n-p)) / 2`` with ``σ̂² = RSS/(n-p)``: the same quantity,
    with the same constants, as statsmodels' ``MixedLMResults.llf`` of a REML fit, so the two
    can be compared (``tests/test_multilevel.py`` checks they meet as τ² goes to 0).
    """
    beta, *_ = np.linalg.lstsq(exog, endog, rcond=None)
    n, p = exog.shape
    rss = float(((endog - exog @ beta) ** 2).sum())
    dof = n - p
    if dof <= 0 or rss <= 0:
        return {"llf": -np.inf, "sigma2": np.nan, "beta": beta}
    sigma2 = rss / dof
    logdet = float(np.linalg.slogdet(exog.T @ exog)[1])
    llf = -0.5 * (dof * math.log(2 * math.pi * sigma2) + logdet + dof)
    return {"llf": llf, "sigma2": sigma2, "beta": beta}


#: Nodes of the adaptive Gauss-Hermite quadrature of the yes/no model (lme4's ``nAGQ``).
_AGQ_NODES = 9
_HERMITE = np.polynomial.hermite.hermgauss(_AGQ_NODES)
#: The largest between-region standard deviation of the yes/no model taken as an estimate
#: (logit scale). Beyond it (odds ratios of e^10 between a region one SD above and one below
#: the mean) the likelihood is running off, not measuring a spread: with few regions, one of
#: which answered all yes or all no after the case mix, the data do not bound τ (glmer runs off
#: the same way, with a convergence warning); ``note = "tau2_not_estimable"``.
_TAU_MAX = 5.0


def _merge_separated(model: pd.DataFrame, cov_cols: list[str], names: dict[str, str]
                     ) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Case-mix categories in which every client answers yes (or every one no), merged.

    Such a category sends its coefficient to infinity (perfect separation): the model cannot
    adjust for it. Only that category is merged into the characteristic's largest category
    that answers both ways; the other categories keep their adjustment. A characteristic left
    with one category drops out. Returns the frame, the covariates kept and one
    ``characteristic=category`` per merged category (for ``note``).
    """
    merged: list[str] = []
    kept: list[str] = []
    model = model.copy()
    for col in cov_cols:
        by_level = model.groupby(col, sort=True)["_y"].agg(["mean", "size"])
        separated = by_level.index[(by_level["mean"] <= 0.0) | (by_level["mean"] >= 1.0)]
        mixed = by_level.drop(index=separated)
        if len(separated):
            merged += [f"{names[col]}={level}" for level in separated]
            if mixed.empty:
                continue
            # the largest mixed category; ties in the categories' order
            target = mixed["size"].idxmax()
            model[col] = model[col].where(~model[col].isin(separated), target)
        if model[col].nunique() > 1:
            kept.append(col)
    return model, kept, merged


def _region_modes(eta: np.ndarray, yes: np.ndarray, count: np.ndarray, region: np.ndarray,
                  k: int, tau2: float, start: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Each region's conditional mode of ``u`` and the curvature ``-h''`` there (Newton, from
    ``start``: the optimiser's previous point is close, so a few steps suffice)."""
    u = np.zeros(k) if start is None else start.copy()
    for _ in range(100):
        p = special.expit(eta + u[region])
        grad = np.bincount(region, yes - count * p, minlength=k) - u / tau2
        info = np.bincount(region, count * p * (1 - p), minlength=k) + 1.0 / tau2
        step = np.clip(grad / info, -5.0, 5.0)
        u += step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = special.expit(eta + u[region])
    info = np.bincount(region, count * p * (1 - p), minlength=k) + 1.0 / tau2
    return u, info


def _glmm_loglik(beta: np.ndarray, tau: float, design: np.ndarray, yes: np.ndarray,
                 count: np.ndarray, region: np.ndarray, k: int,
                 start: np.ndarray | None = None, gradient: bool = False):
    """Marginal log-likelihood of the random-intercept logistic model (adaptive quadrature).

    Per region ``∫ Π_i p(y_i | u) φ(u; 0, τ²) du`` by Gauss-Hermite quadrature centred on the
    conditional mode and scaled by the curvature there (as lme4's ``glmer(nAGQ = 9)``).
    Returns it with the conditional modes and standard deviations of ``u`` and, with
    ``gradient``, its gradient in ``(β, log τ)`` at fixed nodes (the quadrature does not depend
    on where it is centred, up to its own small error, so this is the gradient to that error).
    """
    eta = design @ beta
    if tau < 1e-6:
        value = float((yes * eta - count * np.logaddexp(0.0, eta)).sum())
        if gradient:
            grad = design.T @ (yes - count * special.expit(eta))
            return value, np.zeros(k), np.zeros(k), np.append(grad, 0.0)
        return value, np.zeros(k), np.zeros(k)
    tau2 = tau * tau
    u, info = _region_modes(eta, yes, count, region, k, tau2, start)
    sd = 1.0 / np.sqrt(info)
    nodes, weights = _HERMITE
    # nodes × regions: u at each node, and nodes × patterns: the linear predictor there
    points = u[None, :] + math.sqrt(2.0) * sd[None, :] * nodes[:, None]
    e = eta[None, :] + points[:, region]
    terms = yes[None, :] * e - count[None, :] * np.logaddexp(0.0, e)
    lik = np.stack([np.bincount(region, row, minlength=k) for row in terms])
    stacked = lik - points ** 2 / (2 * tau2) + (nodes ** 2 + np.log(weights))[:, None]
    top = stacked.max(axis=0)
    share = np.exp(stacked - top)
    norm = share.sum(axis=0)
    total = top + np.log(norm) + np.log(math.sqrt(2.0) * sd) - 0.5 * math.log(2 * math.pi * tau2)
    if not gradient:
        return float(total.sum()), u, sd
    post = share / norm  # each node's weight in its region's integral
    residual = (post[:, region] * (yes[None, :] - count[None, :] * special.expit(e))).sum(axis=0)
    d_beta = design.T @ residual
    d_log_tau = float((post * (points ** 2 / tau2 - 1.0)).sum())
    return float(total.sum()), u, sd, np.append(d_beta, d_log_tau)


def _fit_binary(model: pd.DataFrame, cov_cols: list[str], keep: list[str], z: float,
                names: dict[str, str] | None = None) -> tuple[dict[str, dict], dict]:
    """A logistic random-intercept model (GLMM) by maximum likelihood, adaptive quadrature."""
    from scipy import optimize

    names = names or {c: c for c in cov_cols}
    model, cov_cols, merged = _merge_separated(model, cov_cols, names)
    # clients of a region alike in every characteristic are one binomial count: the
    # likelihood is the same as client by client, and much quicker to evaluate
    keys = ["_group", *cov_cols]
    counts = model.groupby(keys, sort=False)["_y"].agg(yes="sum", count="size").reset_index()
    order = {r: i for i, r in enumerate(keep)}
    region = counts["_group"].map(order).to_numpy(dtype=int)
    yes = counts["yes"].to_numpy(dtype=float)
    count = counts["count"].to_numpy(dtype=float)
    columns = [np.ones(len(counts))]
    for col in cov_cols:
        levels = model[col].value_counts(sort=True).index.tolist()  # the largest as reference
        columns += [(counts[col] == level).to_numpy(dtype=float) for level in levels[1:]]
    design = np.column_stack(columns)
    k = len(keep)
    share = float(yes.sum() / count.sum())
    if share in (0.0, 1.0):
        beta, tau, u, sd = np.zeros(design.shape[1]), 0.0, np.zeros(k), np.zeros(k)
        beta[0] = special.logit(min(max(share, 1e-9), 1 - 1e-9))
    else:
        modes = np.zeros(k)

        def objective(theta: np.ndarray) -> float:
            # τ = exp(θ): unconstrained; τ → 0 is the boundary, fitted on its own below
            nonlocal modes
            # far beyond any real spread the likelihood is flat: the search stops there
            capped = theta[-1] > math.log(10 * _TAU_MAX)
            tau_ = math.exp(min(theta[-1], math.log(10 * _TAU_MAX)))
            value, u_, _, grad = _glmm_loglik(theta[:-1], tau_, design, yes, count, region, k,
                                              modes, gradient=True)
            if np.all(np.isfinite(u_)):
                modes = u_
            if capped:
                grad[-1] = 0.0
            return -value, -grad

        start = np.zeros(design.shape[1] + 1)
        start[0] = special.logit(share)
        best = None
        for tau0 in (0.5, 0.05):
            start[-1] = math.log(tau0)
            modes = np.zeros(k)
            attempt = optimize.minimize(objective, start, method="BFGS", jac=True,
                                        options={"gtol": 1e-6, "maxiter": 1000})
            if best is None or attempt.fun < best.fun:
                best = attempt
        beta, tau = best.x[:-1], math.exp(min(float(best.x[-1]), math.log(10 * _TAU_MAX)))

        def at_zero(b: np.ndarray) -> tuple[float, np.ndarray]:
            value, _, _, grad = _glmm_loglik(b, 0.0, design, yes, count, region, k,
                                             gradient=True)
            return -value, -grad[:-1]

        boundary = optimize.minimize(at_zero, beta, method="BFGS", jac=True,
                                     options={"gtol": 1e-8})
        if -boundary.fun >= -best.fun - _BOUNDARY_TOLERANCE:
            beta, tau = boundary.x, 0.0
        elif tau > _TAU_MAX:
            # the likelihood still rises as the regions are set infinitely far apart: with few
            # regions, one of which answered all yes (or all no) after the case mix, the data
            # cannot say how much regions differ (glmer runs off the same way, with a warning)
            return ({r: {"adjusted_mean": np.nan, "estimate": np.nan, "ci_low": np.nan,
                         "ci_high": np.nan, "reliability": np.nan, "group": None}
                     for r in keep},
                    {"overall": np.nan, "icc": np.nan, "tau2": np.nan, "sigma2": np.nan,
                     "n_for_reliability_0_8": np.nan, "n_for_reliability_0_9": np.nan,
                     "method": "glmm_agq", "note": "tau2_not_estimable"})
        _, u, sd = _glmm_loglik(beta, tau, design, yes, count, region, k)
    tau2 = tau * tau
    eta = design @ beta
    weights = count / count.sum()

    def standardised(shift: np.ndarray | float) -> np.ndarray:
        # the share among all clients of the round's model had they been in that region
        shift = np.atleast_1d(np.asarray(shift, dtype=float))
        return (special.expit(eta[None, :] + shift[:, None]) * weights).sum(axis=1)

    overall = float(standardised(0.0)[0])
    expected = np.bincount(region, count * special.expit(eta), minlength=k) / \
        np.bincount(region, count, minlength=k)
    observed_yes = np.bincount(region, yes, minlength=k)
    observed_n = np.bincount(region, count, minlength=k)
    est, low, high = (standardised(u), standardised(u - z * sd), standardised(u + z * sd))
    out = {}
    p_overall = min(max(overall, 1e-9), 1 - 1e-9)
    for j, name in enumerate(keep):
        x, n = observed_yes[j], observed_n[j]
        xc, nc = (x + 0.5, n + 1.0) if x in (0.0, n) else (x, n)
        e = min(max(expected[j], 1e-9), 1 - 1e-9)
        d = special.logit(xc / nc) - special.logit(e)
        out[name] = {
            "adjusted_mean": float(special.expit(special.logit(p_overall) + d)),
            "estimate": float(est[j]), "ci_low": float(low[j]), "ci_high": float(high[j]),
            "reliability": float(1.0 - sd[j] ** 2 / tau2) if tau2 > 0 else 0.0,
            "group": _group_of(u[j] - z * sd[j], u[j] + z * sd[j], 0.0)}
    sigma2 = 1.0 / (p_overall * (1 - p_overall))
    shared = {"overall": overall,
              "icc": tau2 / (tau2 + math.pi ** 2 / 3), "tau2": tau2, "sigma2": sigma2,
              "n_for_reliability_0_8": _n_for(0.8, tau2, sigma2),
              "n_for_reliability_0_9": _n_for(0.9, tau2, sigma2), "method": "glmm_agq"}
    if merged:
        shared["note"] = "case_mix_merged:" + ";".join(merged)
    return out, shared


# -- funnel plots ---------------------------------------------------------------------------------
#: The two funnels Spiegelhalter (2005) draws: about 2 and 3 standard errors.
FUNNEL_COVERAGES: tuple[float, ...] = (0.95, 0.998)


def funnel_limits(target: float, n, *, kind: str = "normal", sd: float | None = None,
                  coverage: float = 0.95, phi: float = 1.0, tau2: float = 0.0
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Control limits of a funnel plot at the sample sizes ``n`` (Spiegelhalter 2005).

    * ``normal`` (means): ``target ± z · sqrt(φ · sd²/n + τ²)``, with ``sd`` the standard
      deviation of one client's value.
    * ``binomial`` (shares): without overdispersion the exact binomial limits with
      Spiegelhalter's interpolation: with ``r`` the ``p``-quantile of Binomial(n, target) and
      ``α = (F(r) - p) / (F(r) - F(r - 1))``, the limit is ``(r - α)/n``; with overdispersion the
      normal form above with ``sd² = target(1 - target)``, cut to 0-1.

    ``z`` is the normal quantile of ``0.5 + coverage/2`` (1.96 for 95%, 3.09 for 99.8%).
    ``phi`` inflates the variance (multiplicative overdispersion), ``tau2`` adds a between-region
    variance (additive); leave both at 1 and 0 for the plain funnel.

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper limit per ``n``.

    Examples
    --------
    >>> low, high = funnel_limits(7.0, [4, 16], sd=2.0)
    >>> np.round(high - 7.0, 3).tolist()
    [1.96, 0.98]
    """
    n = np.asarray(n, dtype=float)
    if kind not in ("normal", "binomial"):
        raise ValueError(f"kind must be 'normal' or 'binomial', not {kind!r}")
    z = stats.norm.ppf(0.5 + coverage / 2)
    if kind == "binomial" and phi == 1.0 and tau2 == 0.0:
        return (_binomial_limit(target, n, (1 - coverage) / 2),
                _binomial_limit(target, n, 1 - (1 - coverage) / 2))
    if kind == "binomial":
        sd = math.sqrt(target * (1 - target))
    elif sd is None:
        raise ValueError("a normal funnel needs the standard deviation of one client's value")
    half = z * np.sqrt(phi * sd ** 2 / n + tau2)
    low, high = target - half, target + half
    if kind == "binomial":
        low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    return low, high


def _binomial_limit(target: float, n: np.ndarray, p: float) -> np.ndarray:
    """Spiegelhalter's interpolated exact binomial limit (2005, appendix A.1.1)."""
    dist = stats.binom(n.astype(int), target)
    r = dist.ppf(p)
    above, below = dist.cdf(r), dist.cdf(r - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(above > below, (above - p) / (above - below), 0.0)
    return (r - alpha) / n


def overdispersion(z, *, winsorise: float = 0.1) -> float:
    """Spiegelhalter's multiplicative overdispersion φ: the mean of the squared z-scores.

    The ``winsorise`` share of the z-scores at each end (rounded down: nothing with fewer than
    ten regions at 10%) is set to the nearest value kept before squaring, so that one outlying
    region does not hide the others.

    Examples
    --------
    >>> overdispersion([1.0, -2.0, 0.5])
    1.75
    """
    z = np.sort(np.asarray(z, dtype=float)[~np.isnan(np.asarray(z, dtype=float))])
    k = len(z)
    if k == 0:
        return np.nan
    g = int(math.floor(winsorise * k))
    if g:
        z[:g], z[k - g:] = z[g], z[k - g - 1]
    return float(np.mean(z ** 2))


_FUNNEL_COLUMNS = ["region", "n", "value", "target", "sd", "se", "z", "low_95", "high_95",
                   "low_998", "high_998", "position", "phi", "tau2", "overdispersed",
                   "adjustment", "kind", "suppressed"]


def funnel_data(frame: pd.DataFrame, value: str, *, n: str = "n", group: str = "region",
                by: Sequence[str] | None = ("round",), kind: str = "normal",
                target: str | float | None = None, sd: str | float | None = None,
                adjustment: str = "additive", min_n: int = MIN_N,
                winsorise: float = 0.1) -> pd.DataFrame:
    """Where each region lies in the funnel of its round: limits, z-score, overdispersion.

    Per group of ``by``, over the regions with ``n >= min_n`` and a value (the others get a row
    with ``suppressed=True`` and are not used):

    * ``target``: a number, a column (its first value per group) or, by default, the mean of the
      values weighted by ``n`` (the overall mean or share);
    * standard error ``se_j = sd/√n_j`` (``normal``; ``sd`` a number or a column) or
      ``sqrt(target(1 - target)/n_j)`` (``binomial``), and ``z_j = (value_j - target)/se_j``;
    * ``phi``: :func:`overdispersion` of the z-scores. The regions are *overdispersed* when
      ``k·φ`` exceeds the 95th percentile of χ² with ``k - 1`` degrees of freedom (``k`` regions;
      one is lost to the estimated target);
    * with overdispersion the limits are widened as ``adjustment`` says: ``"multiplicative"``
      (variance times φ) or ``"additive"`` (a between-region variance
      ``τ² = (k·φ - (k-1)) / (Σw - Σw²/Σw)``, ``w = 1/se²``, DerSimonian-Laird), or not at all
      (``"none"``); ``adjustment`` in the result says what was done (``none`` when there was no
      overdispersion);
    * limits at 95% and 99.8% (:func:`funnel_limits`) at the region's own ``n``, and its
      ``position``: ``below_998``, ``below_95``, ``inside``, ``above_95``, ``above_998``.

    Returns
    -------
    DataFrame
        ``*by, region, n, value, target, sd, se, z, low_95, high_95, low_998, high_998,
        position, phi, tau2, overdispersed, adjustment, kind, suppressed``; ``sd`` is one
        client's standard deviation (``sqrt(target(1 - target))`` for shares), ``phi`` the
        estimated overdispersion and ``tau2`` the additive variance used (0 when none).

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
       *Statistics in Medicine*, 24, 1185-1202.

    Examples
    --------
    >>> r = pd.DataFrame({"round": "r1", "region": ["a", "b", "c"], "n": [10, 20, 40],
    ...                   "share": [0.5, 0.6, 0.7]})
    >>> out = funnel_data(r, "share", kind="binomial")
    >>> out[["region", "z", "position"]].round(3)
      region      z position
    0      a -0.943   inside
    1      b   -0.4   inside
    2      c  0.754   inside
    """
    if adjustment not in ("multiplicative", "additive", "none"):
        raise ValueError(f"adjustment must be multiplicative, additive or none, not {adjustment!r}")
    by = [b for b in as_by(by) if b != group]
    rows = []
    groups = ([(k if isinstance(k, tuple) else (k,), g)
               for k, g in frame.groupby(by, sort=False, observed=True)] if by
              else [((), frame)])
    for key, g in groups:
        head = dict(zip(by, key))
        sizes = pd.array(g[n], dtype="Float64").fillna(0).to_numpy(dtype=float)
        vals = as_float(g[value])
        use = (sizes >= min_n) & ~np.isnan(vals)
        if isinstance(target, str):
            t = float(pd.Series(as_float(g[target]))[use].dropna().iloc[0]) if use.any() \
                else np.nan
        elif target is not None:
            t = float(target)
        else:
            t = float(np.average(vals[use], weights=sizes[use])) if use.any() else np.nan
        if kind == "binomial":
            se = np.sqrt(t * (1 - t) / np.where(sizes > 0, sizes, np.nan))
            s = math.sqrt(t * (1 - t)) if np.isfinite(t) else np.nan
        else:
            s = float(pd.Series(as_float(g[sd]))[use].dropna().iloc[0]) \
                if isinstance(sd, str) and use.any() else (np.nan if sd is None or
                                                            isinstance(sd, str) else float(sd))
            se = s / np.sqrt(np.where(sizes > 0, sizes, np.nan))
        zs = (vals - t) / se
        k = int(use.sum())
        phi = overdispersion(zs[use], winsorise=winsorise) if k else np.nan
        over = bool(k >= 2 and k * phi > stats.chi2.ppf(0.95, k - 1))
        done = adjustment if over else "none"
        tau2, phi_used = 0.0, 1.0
        if done == "multiplicative":
            phi_used = phi
        elif done == "additive":
            w = 1.0 / se[use] ** 2
            tau2 = max((k * phi - (k - 1)) / (w.sum() - (w ** 2).sum() / w.sum()), 0.0)
        limits = {}
        for cov, name in ((0.95, "95"), (0.998, "998")):
            lo, hi = (funnel_limits(t, np.where(sizes > 0, sizes, 1.0), kind=kind, sd=s,
                                    coverage=cov, phi=phi_used, tau2=tau2)
                      if np.isfinite(t) and np.isfinite(s) else
                      (np.full(len(g), np.nan), np.full(len(g), np.nan)))
            limits[name] = (lo, hi)
        for i, region in enumerate(g[group].astype(str)):
            row = {**head, "region": region, "n": sizes[i], "target": t, "sd": s, "kind": kind,
                   "phi": phi, "tau2": tau2, "overdispersed": over, "adjustment": done}
            if not use[i]:
                rows.append({**row, "suppressed": True})
                continue
            v = vals[i]
            lo95, hi95 = limits["95"][0][i], limits["95"][1][i]
            lo998, hi998 = limits["998"][0][i], limits["998"][1][i]
            position = ("below_998" if v < lo998 else "above_998" if v > hi998 else
                        "below_95" if v < lo95 else "above_95" if v > hi95 else "inside")
            rows.append({**row, "value": v, "se": se[i], "z": zs[i], "low_95": lo95,
                         "high_95": hi95, "low_998": lo998, "high_998": hi998,
                         "position": position, "suppressed": False})
    result = pd.DataFrame(rows, columns=by + _FUNNEL_COLUMNS)
    for b in by:
        result[b] = result[b].astype(frame[b].dtype)
    for c in ("region", "position", "adjustment", "kind"):
        result[c] = result[c].astype("string")
    result["overdispersed"] = result["overdispersed"].astype(bool)
    return finish(result, ints=("n",), floats=("value", "target", "sd", "se", "z", "low_95",
                                                "high_95", "low_998", "high_998", "phi",
                                                "tau2"))


# -- clients followed over rounds --------------------------------------------------------------
_PAIRED_COLUMNS = ["region", "outcome", "round_from", "round_to", "n", "mean_from", "mean_to",
                   "change", "sd_change", "ci_low", "ci_high", "t", "dof", "p_value",
                   "p_wilcoxon", "n_round_from", "n_round_to", "suppressed"]


def paired_change(clients: pd.DataFrame, *, outcomes: Sequence[str] = PAIRED_OUTCOMES,
                  id_column: str = "respondent_id", rounds: Sequence[str] | None = None,
                  min_n: int = MIN_N, confidence: float = 0.95,
                  pooled: bool = True) -> pd.DataFrame:
    """The change of the *same* clients between rounds: a paired comparison per region.

    A client interviewed in two rounds keeps the same pseudonym (the key is shared across the
    rounds of a study, and a pseudonym is bound to the region). For every client the rounds in
    which they were interviewed are taken in study order, and each pair of consecutive ones is a
    pair ``(round_from, round_to)``. Per region, outcome and pair of rounds, on the clients with
    the outcome known in both rounds: the mean before and after, the mean change
    (``after - before``) with its t-interval, the paired t-test and the Wilcoxon signed-rank test
    (pingouin). With ``pooled`` the pairs of all regions are added under region ``TOTAL``.

    A result resting on fewer than ``min_n`` pairs is suppressed; a pooled result is suppressed
    too when its suppressed regions together rest on 1 to ``min_n - 1`` pairs (rule 4 of the
    policy). ``n_round_from``/``n_round_to`` are all clients of the region with the outcome in
    each round, so that a report can say how many of the round's clients were followed.

    Parameters
    ----------
    clients : DataFrame
        Tidy client interviews of several rounds (``round``, ``region``, ``id_column``).
    outcomes : sequence of str
        Numeric columns or ``experience`` (:func:`outcome_values`).
    rounds : sequence of str, optional
        Study order of the rounds (default: order of appearance).

    Returns
    -------
    DataFrame
        ``region, outcome, round_from, round_to, n, mean_from, mean_to, change, sd_change,
        ci_low, ci_high, t, dof, p_value, p_wilcoxon, n_round_from, n_round_to, suppressed``.

    Examples
    --------
    >>> df = pd.DataFrame({"round": ["r1"] * 3 + ["r2"] * 3, "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p1", "p2", "p4"],
    ...     "mss_rating": [6, 7, 8, 8, 8, 5]})
    >>> paired_change(df, outcomes=["mss_rating"], min_n=2, pooled=False)[
    ...     ["region", "n", "mean_from", "mean_to", "change"]]
      region  n  mean_from  mean_to  change
    0      a  2        6.5      8.0     1.5
    """
    order = list(rounds) if rounds is not None else list(
        dict.fromkeys(clients["round"].astype(str)))
    pos = {r: i for i, r in enumerate(order)}
    base = pd.DataFrame({"round": clients["round"].astype(str).to_numpy(),
                         "region": clients["region"].astype(str).to_numpy(),
                         "id": clients[id_column].astype("string").to_numpy()})
    base["_pos"] = base["round"].map(pos)
    base = base[base["id"].notna() & base["_pos"].notna()]
    pairs = _consecutive_pairs(base)
    rows: list[dict] = []
    for outcome in outcomes:
        values = outcome_values(clients, outcome).loc[base.index].to_numpy(dtype=float)
        known = base.assign(_y=values)
        counts = known[known["_y"].notna()].groupby(["region", "round"]).size()
        before = known.loc[pairs["from"], "_y"].to_numpy()
        after = known.loc[pairs["to"], "_y"].to_numpy()
        ok = ~np.isnan(before) & ~np.isnan(after)
        p = pairs[ok].assign(_a=before[ok], _b=after[ok])
        scopes = [(r, p[p["region"] == r]) for r in dict.fromkeys(p["region"])]
        per_region: list[dict] = []
        for region, sub in scopes:
            for (ra, rb), pair in sub.groupby(["round_from", "round_to"], sort=False):
                per_region.append(_paired_row(region, outcome, ra, rb, pair, min_n, confidence,
                                              int(counts.get((region, ra), 0)),
                                              int(counts.get((region, rb), 0))))
        rows += per_region
        if pooled and len(p):
            for (ra, rb), pair in p.groupby(["round_from", "round_to"], sort=False):
                total = _paired_row(TOTAL, outcome, ra, rb, pair, min_n, confidence,
                                    int(sum(counts.get((r, ra), 0) for r in set(pair["region"]))),
                                    int(sum(counts.get((r, rb), 0) for r in set(pair["region"]))))
                rows.append(total)
    result = pd.DataFrame(rows, columns=_PAIRED_COLUMNS)
    for c in ("region", "outcome", "round_from", "round_to"):
        result[c] = result[c].astype("string")
    result = finish(result, ints=("n", "n_round_from", "n_round_to"),
                    floats=("mean_from", "mean_to", "change", "sd_change", "ci_low", "ci_high",
                            "t", "dof", "p_value", "p_wilcoxon"))
    if pooled and len(result):
        # a total beside its regions must not give away a suppressed region (rule 4)
        keys = ["outcome", "round_from", "round_to"]
        is_total = (result["region"] == TOTAL).to_numpy()
        totals, parts = result[is_total], result[~is_total]
        totals = protect_pooled(totals.drop(columns="region"), parts.drop(columns="region"),
                                outer=keys, min_n=min_n, keys=())
        result = pd.concat([parts, totals.assign(region=TOTAL)[result.columns]],
                           ignore_index=True)
        result["region"] = result["region"].astype("string")
        order_key = pd.Series(result.index, dtype=float)
        result = result.iloc[np.lexsort((
            order_key.to_numpy(), (result["region"] == TOTAL).to_numpy(),
            pd.Categorical(result["outcome"], categories=list(dict.fromkeys(outcomes))).codes,
        ))].reset_index(drop=True)
    return result


def _consecutive_pairs(base: pd.DataFrame) -> pd.DataFrame:
    """For every client (region and pseudonym), each pair of consecutive rounds they are in."""
    ordered = base.sort_values("_pos", kind="stable")
    ordered = ordered[~ordered.duplicated(["region", "id", "round"], keep="first")]
    ordered = ordered.sort_values(["region", "id", "_pos"], kind="stable")
    same = ((ordered["region"] == ordered["region"].shift(-1))
            & (ordered["id"] == ordered["id"].shift(-1))).fillna(False).to_numpy(dtype=bool)
    starts = np.flatnonzero(same)
    out = pd.DataFrame({"region": ordered["region"].to_numpy()[starts],
                        "from": ordered.index.to_numpy()[starts],
                        "to": ordered.index.to_numpy()[starts + 1],
                        "round_from": ordered["round"].to_numpy()[starts],
                        "round_to": ordered["round"].to_numpy()[starts + 1]})
    # in study order of the regions (first appearance), then of the rounds
    first = {r: i for i, r in enumerate(dict.fromkeys(base["region"]))}
    out = out.assign(_r=out["region"].map(first)).sort_values(["_r"], kind="stable")
    return out.drop(columns="_r").reset_index(drop=True)


def _paired_row(region: str, outcome: str, ra: str, rb: str, pair: pd.DataFrame, min_n: int,
                confidence: float, n_from: int, n_to: int) -> dict:
    a, b = pair["_a"].to_numpy(dtype=float), pair["_b"].to_numpy(dtype=float)
    n = len(a)
    row = {"region": region, "outcome": outcome, "round_from": ra, "round_to": rb, "n": n,
           "n_round_from": n_from, "n_round_to": n_to}
    if n < min_n or n < 2:
        return {**row, "suppressed": True}
    diff = b - a
    sd = float(np.std(diff, ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    with library_warnings_quiet(), np.errstate(all="ignore"), warnings.catch_warnings():
        # a zero difference for every client: the tests have nothing to rank or divide by
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"(scipy|pingouin)")
        warnings.filterwarnings("ignore", category=UserWarning, module=r"(scipy|pingouin)")
        tt = pg.ttest(b, a, paired=True, confidence=confidence)
        wx = pg.wilcoxon(b, a) if np.any(diff != 0) else None
    return {**row, "mean_from": float(a.mean()), "mean_to": float(b.mean()),
            "change": float(diff.mean()), "sd_change": sd,
            "ci_low": float(diff.mean() - half), "ci_high": float(diff.mean() + half),
            "t": float(tt["T"].iloc[0]), "dof": float(tt["dof"].iloc[0]),
            "p_value": float(tt["p_val"].iloc[0]),
            "p_wilcoxon": float(wx["p_val"].iloc[0]) if wx is not None else np.nan,
            "suppressed": False}
