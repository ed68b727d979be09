"""Personal level (persoonlijk niveau): client interviews and questionnaires about clients.

Client interviews (``client_interview``): the rating of the MSS, the professionals involved,
participation, support per life domain, the experience scale, the personal network in rings,
participation needs, change in social contacts and contact with a peer expert.

Questionnaires about clients (``client_questionnaire``), filled in by professionals: who signals
clients, the route (brought to a case table or not), contact frequency, months in contact and the
outcomes.

Every function returns one row per result with ``n`` and ``suppressed`` (see
:mod:`mss_eval.analysis._base` for the suppression policy).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from ..instruments import get_instrument
from ._base import (
    with_columns,
    BY_REGION,
    CHARACTERISTICS,
    MIN_N,
    apply_min_n,
    as_by,
    as_float,
    characteristic_breakdown,
    describe_numeric,
    distribution,
    finish,
    group_codes,
    group_order,
    shares,
)
from .scales import item_distribution, scale_summary

__all__ = [
    "CLIENT_INTERVIEW",
    "CLIENT_QUESTIONNAIRE",
    "INVOLVEMENT_ITEMS",
    "RINGS",
    "INFORMAL_RINGS",
    "client_rating",
    "case_mix_adjusted_rating",
    "professional_involvement",
    "support_per_life_domain",
    "support_gaps",
    "experience_scale",
    "experience_items",
    "personal_network",
    "network_rings",
    "participation_needs",
    "social_contacts_change",
    "peer_expert_contact",
    "respondent_profile",
    "signalled_by",
    "case_table_route",
    "contact_frequency",
    "contact_frequency_range",
    "months_in_contact",
    "client_outcomes",
]

CLIENT_INTERVIEW = "client_interview"
CLIENT_QUESTIONNAIRE = "client_questionnaire"
_CI = get_instrument(CLIENT_INTERVIEW)

#: Professionals involved, then participation (the interim report's shares per region).
INVOLVEMENT_ITEMS: tuple[str, ...] = (
    "ever_treated_mhc", "contact_professional", "has_spv", "has_housing_support",
    "has_trajectory_counsellor", "day_activities", "paid_work", "volunteering",
)
#: The rings of the personal network, innermost first (items of the client interview).
RINGS: tuple[str, ...] = tuple(i.name for i in _CI.items if i.name.startswith("network_"))
#: The informal rings: close relatives and friends, informal contacts. The others are
#: professional (general services, specialised care).
INFORMAL_RINGS: tuple[str, ...] = ("network_close", "network_informal")
#: The case-mix covariates of the adjusted rating (CQ-index practice).
CASE_MIX: tuple[str, ...] = ("age_band", "gender", "living_situation")

for _name in INVOLVEMENT_ITEMS + INFORMAL_RINGS + CASE_MIX + ("mss_rating",):
    _CI.column(_name)  # fails at import if the instrument no longer has the item
assert set(INFORMAL_RINGS) <= set(RINGS)


# -- rating ---------------------------------------------------------------------------------------
def client_rating(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                  min_n: int = MIN_N, confidence: float = 0.95) -> pd.DataFrame:
    """Clients' rating of the MSS (rapportcijfer, 1-10) per region: n, mean, SD, median, CI.

    Rests on the interviewed clients of each group with a rating (``mss_rating`` not missing).

    Parameters
    ----------
    clients : DataFrame
        Tidy ``client_interview`` data.
    by : sequence of str
        Grouping (default round and region; ``("round",)`` pools the regions of a round).
    min_n : int
        Minimum number of ratings for a mean to be shown.
    confidence : float
        Level of the t-interval of the mean.

    Returns
    -------
    DataFrame
        ``*by, variable, n, mean, sd, median, min, max, ci_low, ci_high, suppressed``.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 5,
    ...                    "mss_rating": pd.array([7, 8, 8, 9, None], dtype="Int64")})
    >>> client_rating(df, min_n=4)[["region", "n", "mean", "median"]]
      region  n  mean  median
    0      a  4   8.0     8.0
    """
    return describe_numeric(clients, "mss_rating", by=by, min_n=min_n, confidence=confidence)


def _design_row_means(result, data: pd.DataFrame) -> np.ndarray:
    """Average row of the model's design matrix for new data (patsy design of the formula)."""
    import patsy

    spec = result.model.data.model_spec
    if isinstance(spec, patsy.DesignInfo):
        matrix = patsy.build_design_matrices([spec], data, return_type="matrix")[0]
    else:  # pragma: no cover - formulaic model spec (other statsmodels set-ups)
        matrix = spec.get_model_matrix(data)
    return np.asarray(matrix, dtype=float).mean(axis=0)


def _design_row_means_per_region(result, data: pd.DataFrame,
                                 regions: Sequence[str]) -> dict[str, np.ndarray]:
    """:func:`_design_row_means` of ``data`` with ``region`` set to each region in turn.

    The design is built once: only the ``C(region)`` columns depend on the region, and their
    mean is the (constant) indicator row of that region, so the other columns' means are shared.
    Falls back to one design per region when the model has no separate region term.
    """
    import patsy

    spec = result.model.data.model_spec
    term = "C(region)"
    if not isinstance(spec, patsy.DesignInfo) or term not in spec.term_name_slices:
        return {r: _design_row_means(result, data.assign(region=r)) for r in regions}
    where = spec.term_name_slices[term]
    base = _design_row_means(result, data)
    one = data.iloc[[0] * len(regions)].assign(region=list(regions))
    indicators = np.asarray(patsy.build_design_matrices([spec], one, return_type="matrix")[0],
                            dtype=float)[:, where]
    out = {}
    for i, region in enumerate(regions):
        a = base.copy()
        a[where] = indicators[i]
        out[region] = a
    return out


def case_mix_adjusted_rating(clients: pd.DataFrame, *, study=None,
                             covariates: Sequence[str] | None = None,
                             by: Sequence[str] | None = ("round",), min_n: int | None = None,
                             confidence: float = 0.95,
                             method: str = "multilevel") -> pd.DataFrame:
    """Raw and case-mix adjusted mean rating per region, side by side (CQ-index style).

    ``method="multilevel"`` (default) adjusts as the reports do: the random-intercept model of
    :func:`mss_eval.analysis.multilevel.multilevel_comparison` with the study's case mix, so
    that ``adjusted_mean`` and its interval are the reports' (and ``figures.json``'s)
    ``comparison.rating_mean.multilevel`` estimate, interval, ``reliability`` and ``group``; a
    missing case-mix answer is a category of its own there, so ``n_model`` is ``n``.

    ``method="ols"``: within each group of ``by`` (default each round) the model ::

        mss_rating ~ C(region) + C(age_band) + C(gender) + C(living_situation)

    is fitted by OLS (statsmodels) on the clients with a rating and every covariate known, from
    the regions with at least ``min_n`` such clients. A region's adjusted mean is the mean
    prediction for *all* model clients of the round as if they lived in that region (marginal
    standardisation to the pooled case mix); its interval uses the model's covariance (delta
    method, t with the residual degrees of freedom).

    Regions are *separable* when a region's adjusted interval misses at least one other region's;
    ``note`` says why a region is not: ``n_below_min`` (too few clients, not in the model),
    ``single_region`` (nothing to compare with) or ``intervals_overlap`` (its interval overlaps
    every other region's, so small samples cannot tell the regions apart).

    Parameters
    ----------
    clients : DataFrame
        Tidy ``client_interview`` data.
    study : Study, optional
        A loaded study: its ``settings.case_mix`` and ``settings.min_respondents`` are the
        defaults of ``covariates`` and ``min_n``.
    covariates : sequence of str, optional
        Case-mix characteristics (categorical columns); by default the study's
        ``settings.case_mix``, without a study the workbench default
        (:data:`mss_eval.analysis.multilevel.CASE_MIX`).
    by : sequence of str
        Separate models per group; must not contain ``region``.
    min_n : int, optional
        Minimum number of clients per region; by default the study's, else 5.
    method : {"multilevel", "ols"}
        The reports' random-intercept model (default) or fixed-effects least squares.

    Returns
    -------
    DataFrame
        ``*by, region, n, mean, ci_low, ci_high, n_model, adjusted_mean, adjusted_ci_low,
        adjusted_ci_high, separable, note, suppressed`` (``multilevel`` adds ``reliability``
        and ``group`` before ``separable``). ``n``/``mean``/``ci_*`` are the raw figures (every
        client with a rating), ``n_model`` the clients in the model.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 8 + ["b"] * 8,
    ...     "mss_rating": [8, 9, 8, 7, 9, 8, 8, 9, 6, 7, 6, 6, 7, 5, 6, 7],
    ...     "age_band": ["age_25_39", "age_40_54"] * 8,
    ...     "gender": ["man"] * 4 + ["woman"] * 4 + ["man", "woman"] * 4,
    ...     "living_situation": "alone"})
    >>> out = case_mix_adjusted_rating(df, min_n=5, method="ols")
    >>> out[["region", "n", "mean", "adjusted_mean", "separable"]].round(2)
      region  n  mean  adjusted_mean  separable
    0      a  8  8.25           8.25       True
    1      b  8  6.25           6.25       True
    """
    from ..disclosure import minimum
    from .multilevel import CASE_MIX as STUDY_CASE_MIX
    from .multilevel import multilevel_comparison

    if method not in ("multilevel", "ols"):
        raise ValueError("method must be 'multilevel' or 'ols'")
    min_n = minimum(study, min_n)
    if covariates is None:
        covariates = (tuple(study.settings.case_mix) if study is not None
                      else STUDY_CASE_MIX)
    # a characteristic the frame lacks is not part of the case mix (as in the reports' model)
    covariates = [c for c in covariates if c in clients.columns]
    by = [b for b in as_by(by) if b != "region"]
    raw = describe_numeric(clients, "mss_rating", by=by + ["region"], min_n=min_n,
                           confidence=confidence)
    raw = raw[by + ["region", "n", "mean", "ci_low", "ci_high"]]
    cols = ["mss_rating", "region", *covariates]
    complete = clients[clients[cols].notna().all(axis=1)]
    rows = []
    groups = ([(k if isinstance(k, tuple) else (k,), g)
               for k, g in complete.groupby(by, sort=False, observed=True)]
              if by else [((), complete)])
    fitted: dict[tuple, dict[str, tuple[int, float, float, float]]] = {}
    extra: dict[tuple, dict[str, tuple]] = {}
    if method == "multilevel":
        groups = []
        ml = multilevel_comparison(clients, "mss_rating", kind="gaussian", by=by,
                                   covariates=covariates, min_n=min_n, confidence=confidence)
        for r in ml.to_dict("records"):
            key = tuple(str(r[b]) for b in by)
            if r["suppressed"] or pd.isna(r["estimate"]):
                continue
            fitted.setdefault(key, {})[str(r["region"])] = (
                int(r["n"]), float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]))
            extra.setdefault(key, {})[str(r["region"])] = (float(r["reliability"]),
                                                           str(r["group"]))
    for key, g in groups:
        sizes = g.groupby(g["region"].astype(str), sort=False).size()
        keep = [r for r, size in sizes.items() if size >= min_n]
        data = g[g["region"].astype(str).isin(keep)]
        data = pd.DataFrame({
            "mss_rating": as_float(data["mss_rating"]),
            "region": data["region"].astype(str).to_numpy(),
            **{c: data[c].astype(str).to_numpy() for c in covariates},
        })
        out: dict[str, tuple[int, float, float, float]] = {}
        if len(keep) >= 2:
            terms = " + ".join(f"C({c})" for c in ["region", *covariates]
                               if data[c].nunique() > 1 or c == "region")
            model = smf.ols(f"mss_rating ~ {terms}", data=data).fit()
            cov = np.asarray(model.cov_params(), dtype=float)
            params = np.asarray(model.params, dtype=float)
            t = stats.t.ppf(0.5 + confidence / 2, model.df_resid) if model.df_resid > 0 \
                else np.nan
            rows_a = _design_row_means_per_region(model, data, keep)
            for region in keep:
                a = rows_a[region]
                est = float(a @ params)
                se = float(np.sqrt(max(a @ cov @ a, 0.0)))
                n_model = int((data["region"] == region).sum())
                out[region] = (n_model, est, est - t * se, est + t * se)
        else:
            for region in keep:
                out[region] = (int((data["region"] == region).sum()), np.nan, np.nan, np.nan)
        fitted[key] = out
    for _, r in raw.iterrows():
        key = tuple(r[b] for b in by)
        region = str(r["region"])
        model_out = fitted.get(tuple(map(str, key)) if method == "multilevel" else key, {})
        n_model, est, lo, hi = model_out.get(region, (np.nan, np.nan, np.nan, np.nan))
        if method == "multilevel":
            n_model = r["n"]
        elif region not in model_out:
            sub = complete[(complete["region"].astype(str) == region)]
            for b, k in zip(by, key):
                sub = sub[sub[b] == k]
            n_model = len(sub)
        rows.append({**{b: r[b] for b in by}, "region": r["region"], "n": r["n"],
                     "mean": r["mean"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "n_model": n_model, "adjusted_mean": est, "adjusted_ci_low": lo,
                     "adjusted_ci_high": hi})
    result = pd.DataFrame(rows, columns=by + ["region", "n", "mean", "ci_low", "ci_high",
                                              "n_model", "adjusted_mean", "adjusted_ci_low",
                                              "adjusted_ci_high"])
    for c in by + ["region"]:
        result[c] = result[c].astype(clients[c].dtype)
    result = finish(result, ints=("n", "n_model"),
                    floats=("mean", "ci_low", "ci_high", "adjusted_mean", "adjusted_ci_low",
                            "adjusted_ci_high"))
    result = apply_min_n(result, ["mean", "ci_low", "ci_high"], min_n=min_n)
    small_model = result["n_model"].fillna(0).to_numpy() < min_n
    for c in ("adjusted_mean", "adjusted_ci_low", "adjusted_ci_high"):
        result[c] = result[c].mask(small_model)
    result["suppressed"] = result["suppressed"].to_numpy() | small_model
    separable, notes = [], []
    keys = pd.Series(group_order(result, by), index=result.index)
    for i, row in result.iterrows():
        if row["suppressed"]:
            separable.append(pd.NA)
            notes.append("n_below_min")
            continue
        others = result[(keys == keys[i]) & (result.index != i) & ~result["suppressed"]]
        if others.empty or pd.isna(row["adjusted_mean"]):
            separable.append(pd.NA)
            notes.append("single_region")
            continue
        lo, hi = row["adjusted_ci_low"], row["adjusted_ci_high"]
        apart = (others["adjusted_ci_high"] < lo) | (others["adjusted_ci_low"] > hi)
        sep = bool(apart.fillna(False).any())
        separable.append(sep)
        notes.append(pd.NA if sep else "intervals_overlap")
    if method == "multilevel":
        got = [extra.get(tuple(str(row[b]) for b in by), {}).get(str(row["region"]))
               for _, row in result.iterrows()]
        result.insert(len(result.columns) - 1, "reliability", pd.array(
            [np.nan if g is None or hidden else g[0]
             for g, hidden in zip(got, result["suppressed"])], dtype="Float64"))
        result.insert(len(result.columns) - 1, "group", pd.array(
            [pd.NA if g is None or hidden else g[1]
             for g, hidden in zip(got, result["suppressed"])], dtype="string"))
    result.insert(len(result.columns) - 1, "separable", pd.array(separable, dtype="boolean"))
    result.insert(len(result.columns) - 1, "note", pd.array(notes, dtype="string"))
    return result


# -- professionals and participation -------------------------------------------------------------
def professional_involvement(clients: pd.DataFrame, *, items: Sequence[str] = INVOLVEMENT_ITEMS,
                             by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                             confidence: float = 0.95, language: str = "nl") -> pd.DataFrame:
    """Shares of clients with each professional involved, and in day activities, work, volunteering.

    Default items: ever treated in mental health care, in contact with a professional, has an
    SPV, a housing support worker, a trajectory counsellor; takes part in day activities, has paid
    work, does volunteer work. Each share rests on the clients of the group who answered that item.

    Returns
    -------
    DataFrame
        ``*by, variable, label, n, count, share, ci_low, ci_high, suppressed`` (Wilson intervals).

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...                    "has_spv": pd.array([True] * 7 + [False] * 3, dtype="boolean")})
    >>> professional_involvement(df, items=["has_spv"])[["n", "share"]]
        n  share
    0  10    0.7
    """
    return shares(clients, list(items), by=by, min_n=min_n, confidence=confidence,
                  instrument=CLIENT_INTERVIEW, language=language)


# -- support per life domain -------------------------------------------------------------------
def _per_domain_items(instrument: str) -> list[str]:
    ins = get_instrument(instrument)
    return [i.name for i in ins.items if i.per == "life_domain"]


def support_per_life_domain(frame: pd.DataFrame, *, instrument: str = CLIENT_INTERVIEW,
                            by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                            confidence: float = 0.95, language: str = "nl") -> pd.DataFrame:
    """Share of clients with support needed, received and enough, per life domain.

    For the client interview the measures are ``support_needed``, ``support_received`` and
    ``support_enough``; for the questionnaire about clients (``instrument="client_questionnaire"``)
    the professional's ``support_given`` and ``support_enough``. Each share rests on the clients of
    the group who answered that measure for that domain.

    Returns
    -------
    DataFrame
        ``*by, life_domain, domain_label, measure, measure_label, n, count, share, ci_low,
        ci_high, suppressed``; domains in answer-set order, measures in instrument order.

    Examples
    --------
    >>> b = lambda *v: pd.array(list(v), dtype="boolean")
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "support_needed_work": b(True, True, False, True, None),
    ...     "support_received_work": b(True, False, False, True, False)})
    >>> support_per_life_domain(df, min_n=4)[["life_domain", "measure", "n", "share"]]
      life_domain           measure  n  share
    0        work    support_needed  4   0.75
    1        work  support_received  5    0.4
    """
    ins = get_instrument(instrument)
    measures = _per_domain_items(instrument)
    domains = ins.answer_sets["life_domain"].answers
    columns = [f"{m}_{d.key}" for d in domains for m in measures]
    columns = [c for c in columns if c in frame]
    result = shares(frame, columns, by=by, min_n=min_n, confidence=confidence)
    domain_of = {f"{m}_{d.key}": d for d in domains for m in measures}
    measure_of = {f"{m}_{d.key}": m for d in domains for m in measures}
    by = as_by(by)
    out = result[by].copy()
    out["life_domain"] = [domain_of[v].key for v in result["variable"]]
    out["domain_label"] = [domain_of[v].label(language) for v in result["variable"]]
    out["measure"] = [measure_of[v] for v in result["variable"]]
    out["measure_label"] = [ins.item(m).label(language) for m in out["measure"]]
    for c in ("n", "count", "share", "ci_low", "ci_high", "suppressed"):
        out[c] = result[c]
    return out


def support_gaps(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                 min_n: int = MIN_N, language: str = "nl") -> pd.DataFrame:
    """Life domains where clients' needs outrun the support they receive.

    For each domain, on the clients who answered both ``support_needed`` and
    ``support_received`` for it (``n``): how many need support, how many receive it, and how
    many need it but go without, or receive it and call it not enough (``unmet``; a missing
    ``support_enough`` counts as enough). ``needs_outrun_support`` is true when more clients
    need support than receive it. ``unmet_share`` (unmet over needing) rests on the clients who
    need support and is suppressed when they are fewer than ``min_n``.

    Returns
    -------
    DataFrame
        ``*by, life_domain, label, n, needed, received, needed_share, received_share, gap,
        unmet, unmet_share, needs_outrun_support, suppressed``; ``gap`` is needed share minus
        received share. Rows per group in domain order.

    Examples
    --------
    >>> b = lambda *v: pd.array(list(v), dtype="boolean")
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "support_needed_work": b(True, True, True, False, False),
    ...     "support_received_work": b(True, False, False, False, None),
    ...     "support_enough_work": b(False, None, None, None, None)})
    >>> support_gaps(df, min_n=3)[["life_domain", "n", "needed", "received", "unmet",
    ...                             "needs_outrun_support"]]
      life_domain  n  needed  received  unmet  needs_outrun_support
    0        work  4       3         1      3                  True
    """
    by = as_by(by)
    codes, keys = group_codes(clients, by)
    g = len(keys)
    domains = _CI.answer_sets["life_domain"].answers
    pieces = []
    for d in domains:
        need_c, rec_c, enough_c = (f"support_needed_{d.key}", f"support_received_{d.key}",
                                   f"support_enough_{d.key}")
        if need_c not in clients or rec_c not in clients:
            continue
        need = as_float(clients[need_c])
        rec = as_float(clients[rec_c])
        enough = as_float(clients[enough_c]) if enough_c in clients else np.full(len(clients),
                                                                                 np.nan)
        base = (codes >= 0) & ~np.isnan(need) & ~np.isnan(rec)
        unmet_row = (need == 1) & ((rec == 0) | ((rec == 1) & (enough == 0)))

        def count(mask: np.ndarray) -> np.ndarray:
            return np.bincount(codes[base & mask], minlength=g)[:g].astype(float)

        n = count(np.ones(len(clients), dtype=bool))
        needed, received, unmet = count(need == 1), count(rec == 1), count(unmet_row)
        with np.errstate(invalid="ignore", divide="ignore"):
            needed_share = np.where(n > 0, needed / np.where(n > 0, n, 1), np.nan)
            received_share = np.where(n > 0, received / np.where(n > 0, n, 1), np.nan)
            unmet_share = np.where(needed >= min_n, unmet / np.where(needed > 0, needed, 1),
                                   np.nan)
        piece = with_columns(keys, life_domain=d.key, label=d.label(language), n=n, needed=needed,
                            received=received, needed_share=needed_share,
                            received_share=received_share, gap=needed_share - received_share,
                            unmet=unmet, unmet_share=unmet_share,
                            needs_outrun_support=pd.array(needed > received, dtype="boolean"))
        piece["_group"] = np.arange(g)
        pieces.append(piece)
    result = pd.concat(pieces, ignore_index=True).sort_values("_group", kind="stable")
    result = result.drop(columns="_group")
    result = finish(result, ints=("n", "needed", "received", "unmet"),
                    floats=("needed_share", "received_share", "gap", "unmet_share"))
    result = apply_min_n(result, ["needed", "received", "needed_share", "received_share", "gap",
                                  "unmet", "unmet_share", "needs_outrun_support"], min_n=min_n)
    result["needs_outrun_support"] = pd.array(result["needs_outrun_support"], dtype="boolean")
    return result


# -- experience scale --------------------------------------------------------------------------
def experience_scale(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                     min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                     ) -> pd.DataFrame:
    """Experience with the MSS: mean scale score with CI and Cronbach's alpha with CI.

    The score is the mean of the experience items (``exp_*``), ``exp_staff_change`` reversed
    (``6 - code``), for clients who answered at least ``Scale.min_items`` of them; see
    :func:`mss_eval.analysis.scales.scale_summary` for the columns and bases.

    Examples
    --------
    >>> cats = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
    >>> answers = {"exp_heard": "agree", "exp_time": "agree", "exp_staff_change": "disagree",
    ...            "exp_wishes": "strongly_agree"}   # the third is reversed: disagree scores 4
    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 5,
    ...     **{k: pd.Categorical([v] * 5, categories=cats) for k, v in answers.items()}})
    >>> experience_scale(df)[["n", "mean", "n_alpha"]]
       n  mean  n_alpha
    0  5  4.25        0
    """
    return scale_summary(clients, CLIENT_INTERVIEW, "experience", by=by, min_n=min_n,
                         confidence=confidence, language=language)


def experience_items(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                     min_n: int = MIN_N, language: str = "nl") -> pd.DataFrame:
    """Answer distribution of each experience item, for diverging stacked bars.

    See :func:`mss_eval.analysis.scales.item_distribution`; the reversed item is shown as scored.

    Examples
    --------
    >>> cats = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 5, "exp_heard": pd.Categorical(
    ...     ["agree", "agree", "strongly_agree", "neutral", "agree"], categories=cats)})
    >>> out = experience_items(df)
    >>> out[out.item == "exp_heard"][["answer", "side", "count"]]
                  answer      side  count
    0  strongly_disagree  negative      0
    1           disagree  negative      0
    2            neutral   neutral      1
    3              agree  positive      3
    4     strongly_agree  positive      1
    """
    return item_distribution(clients, CLIENT_INTERVIEW, "experience", by=by, min_n=min_n,
                             language=language)


# -- personal network ---------------------------------------------------------------------------
def _network_values(clients: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    values = np.column_stack([as_float(clients[r]) for r in RINGS])
    complete = ~np.isnan(values).any(axis=1)
    return values, complete


def personal_network(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                     min_n: int = MIN_N) -> pd.DataFrame:
    """Persons per ring of the personal network and the informal share, one row per group.

    The table that shows whether "the professional rings are strong and the informal rings thin":
    mean number of persons in each ring (close relatives and friends; informal contacts; general
    services; specialised care), the mean informal and professional persons, and the informal share
    ``(close + informal) / all``, computed as the ratio of the summed persons (equivalently of the
    ring means shown in the same row). Rests on the clients who answered all four rings (``n``).

    Returns
    -------
    DataFrame
        ``*by, n, network_close, network_informal, network_general_services,
        network_specialised_care, informal_persons, professional_persons, informal_share,
        suppressed``; ``informal_share`` is ``NA`` when the rings hold nobody.

    Examples
    --------
    >>> i = lambda *v: pd.array(list(v), dtype="Int64")
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "network_close": i(1, 2, 0), "network_informal": i(0, 1, 0),
    ...     "network_general_services": i(2, 2, 3), "network_specialised_care": i(3, 2, 2)})
    >>> personal_network(df, min_n=3)[["n", "informal_persons", "informal_share"]]
       n  informal_persons  informal_share
    0  3          1.333333        0.222222
    """
    by = as_by(by)
    codes, keys = group_codes(clients, by)
    g = len(keys)
    values, complete = _network_values(clients)
    ok = (codes >= 0) & complete
    n = np.bincount(codes[ok], minlength=g)[:g].astype(float)
    sums = np.column_stack([np.bincount(codes[ok], weights=values[ok, k], minlength=g)[:g]
                            for k in range(len(RINGS))])
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / np.where(n > 0, n, np.nan)[:, None]
    informal = np.array([r in INFORMAL_RINGS for r in RINGS])
    result = with_columns(keys, n=n)
    for k, ring in enumerate(RINGS):
        result[ring] = means[:, k]
    result["informal_persons"] = means[:, informal].sum(axis=1)
    result["professional_persons"] = means[:, ~informal].sum(axis=1)
    total = sums.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result["informal_share"] = np.where(total > 0, sums[:, informal].sum(axis=1) / total,
                                            np.nan)
    stats_ = list(RINGS) + ["informal_persons", "professional_persons", "informal_share"]
    result = finish(result, floats=stats_)
    return apply_min_n(result, stats_, min_n=min_n)


def network_rings(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                  min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                  ) -> pd.DataFrame:
    """Persons per ring of the personal network in long form (one row per group and ring).

    Rests, like :func:`personal_network`, on the clients who answered all four rings, so the
    rings' ``share_of_network`` (ring persons over all persons) add up to 1 within a group.

    Returns
    -------
    DataFrame
        ``*by, ring, label, ring_kind (informal|professional), n, mean, sd, median, ci_low,
        ci_high, share_of_network, suppressed``.

    Examples
    --------
    >>> i = lambda *v: pd.array(list(v), dtype="Int64")
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "network_close": i(1, 2, 0), "network_informal": i(0, 1, 0),
    ...     "network_general_services": i(2, 2, 3), "network_specialised_care": i(3, 2, 2)})
    >>> network_rings(df, min_n=3)[["ring", "ring_kind", "mean", "share_of_network"]].round(3)
                           ring     ring_kind   mean  share_of_network
    0             network_close      informal    1.0             0.167
    1          network_informal      informal  0.333             0.056
    2  network_general_services  professional  2.333             0.389
    3  network_specialised_care  professional  2.333             0.389
    """
    by = as_by(by)
    values, complete = _network_values(clients)
    sub = clients[complete]
    pieces = []
    for ring in RINGS:
        d = describe_numeric(sub, ring, by=by, min_n=min_n, confidence=confidence)
        d = d.rename(columns={"variable": "ring"})
        d.insert(len(by) + 1, "label", _CI.column(ring).label(language))
        d.insert(len(by) + 2, "ring_kind", "informal" if ring in INFORMAL_RINGS else
                 "professional")
        pieces.append(d)
    result = pd.concat(pieces, ignore_index=True)
    group = group_order(result, by)
    persons = result["mean"].astype("Float64").fillna(0) * result["n"].astype("Float64")
    totals = persons.groupby(group).transform("sum")
    result["share_of_network"] = (persons / totals).mask(totals == 0).mask(result["suppressed"])
    result = result.iloc[np.lexsort((np.arange(len(result)), group))]
    result = result.drop(columns=["min", "max"])
    cols = [c for c in result.columns if c != "suppressed"] + ["suppressed"]
    return finish(result[cols], floats=("share_of_network",))


# -- needs, contacts, peers ---------------------------------------------------------------------
def participation_needs(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                        min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                        ) -> pd.DataFrame:
    """Participation needs named by clients, ranked by how often they are named.

    A multiple-choice item: each share rests on the clients of the group who answered the
    question at all (a row with every option blank is missing). ``rank`` 1 is the need named most
    often in the group (ties share the lower rank); suppressed groups get no rank.

    Returns
    -------
    DataFrame
        ``*by, variable, need, label, n, count, share, ci_low, ci_high, rank, suppressed``,
        ordered by rank within each group.

    Examples
    --------
    >>> b = lambda *v: pd.array(list(v), dtype="boolean")
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "participation_needs_company": b(True, True, True, False),
    ...     "participation_needs_paid_work": b(True, False, False, False)})
    >>> participation_needs(df, min_n=4)[["need", "count", "rank"]].head(2)
            need  count  rank
    0    company      3     1
    1  paid_work      1     2
    """
    by = as_by(by)
    columns = [c.name for c in _CI.columns_of("participation_needs") if c.name in clients]
    result = shares(clients, columns, by=by, min_n=min_n, confidence=confidence)
    options = {c.name: c.option for c in _CI.columns_of("participation_needs")}
    labels = _CI.answer_sets["participation_need"].by_key()
    result.insert(len(by) + 1, "need", [options[v] for v in result["variable"]])
    result.insert(len(by) + 2, "label", [labels[o].label(language) for o in result["need"]])
    order = group_order(result, by)
    result["rank"] = result["count"].astype("Float64").groupby(order).rank(
        method="min", ascending=False)
    result["rank"] = result["rank"].mask(result["suppressed"])
    rank_sort = result["rank"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    result = result.iloc[np.lexsort((np.arange(len(result)), rank_sort, order))]
    cols = [c for c in result.columns if c != "suppressed"] + ["suppressed"]
    return finish(result[cols], ints=("n", "count", "rank"))


def social_contacts_change(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                           min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                           ) -> pd.DataFrame:
    """Change in social contacts since the MSS (fewer, about the same, more): distribution.

    Rests on the clients of each group who answered ``social_contacts_change``.
    See :func:`mss_eval.analysis._base.distribution` for the columns.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "social_contacts_change": pd.Categorical(
    ...     ["more", "more", "same", "more", None], categories=["fewer", "same", "more"])})
    >>> social_contacts_change(df, min_n=4)[["answer", "n", "share"]]
      answer  n  share
    0  fewer  4    0.0
    1   same  4   0.25
    2   more  4   0.75
    """
    return distribution(clients, "social_contacts_change", by=by, min_n=min_n,
                        confidence=confidence, instrument=CLIENT_INTERVIEW, language=language)


def peer_expert_contact(clients: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                        min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                        ) -> pd.DataFrame:
    """Share of clients in contact with a peer expert (ervaringsdeskundige), Wilson CI.

    Rests on the clients of each group who answered ``peer_expert_contact``.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "peer_expert_contact": pd.array(
    ...     [True, False, False, True, False], dtype="boolean")})
    >>> peer_expert_contact(df)[["n", "share"]]
       n  share
    0  5    0.4
    """
    return shares(clients, ["peer_expert_contact"], by=by, min_n=min_n, confidence=confidence,
                  instrument=CLIENT_INTERVIEW, language=language)


def respondent_profile(clients: pd.DataFrame, *,
                       characteristics: Sequence[str] = CHARACTERISTICS,
                       by: Sequence[str] | None = ("round",), min_n: int = MIN_N,
                       value: str | None = None, language: str = "nl") -> pd.DataFrame:
    """Interviewed clients by age band, gender, living situation and education, per region.

    One table per characteristic and round, regions side by side with totals, with primary and
    secondary suppression of small counts
    (:func:`mss_eval.analysis._base.characteristic_breakdown`).
    With ``value="mss_rating"`` the mean rating per cell is added.

    Returns
    -------
    DataFrame
        ``*by, region, characteristic, category, label, n, share, [mean, n_value], suppressed``.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": ["a"] * 6 + ["b"] * 7,
    ...     "gender": pd.Categorical(["man"] * 6 + ["woman"] * 7,
    ...                              categories=["man", "woman", "other"])})
    >>> out = respondent_profile(df, characteristics=["gender"], min_n=5, language="en")
    >>> out[out.region == "a"][["category", "label", "n"]]
      category  label  n
    0      man    man  6
    1    woman  woman  0
    2    other  other  0
    3   _total  total  6
    """
    pieces = [characteristic_breakdown(clients, c, value=value, by=by, min_n=min_n,
                                       instrument=CLIENT_INTERVIEW, language=language)
              for c in characteristics]
    return pd.concat(pieces, ignore_index=True)


# -- questionnaires about clients --------------------------------------------------------------
def signalled_by(questionnaires: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                 min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                 ) -> pd.DataFrame:
    """Who signalled the client (the client, relatives, mental health care, GP, ...).

    Distribution of ``signalled_by`` on the questionnaires of each group that answered it.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "signalled_by": pd.Categorical(
    ...     ["mental_health_care"] * 4 + ["police"],
    ...     categories=["self", "mental_health_care", "police"])})
    >>> signalled_by(df)[["answer", "count", "share"]]
                   answer  count  share
    0                self      0    0.0
    1  mental_health_care      4    0.8
    2              police      1    0.2
    """
    return distribution(questionnaires, "signalled_by", by=by, min_n=min_n,
                        confidence=confidence, instrument=CLIENT_QUESTIONNAIRE, language=language)


def case_table_route(questionnaires: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                     min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                     ) -> pd.DataFrame:
    """Share of clients whose question was brought to a case table (werktafel), Wilson CI.

    Rests on the questionnaires of each group with ``brought_to_case_table`` answered.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "brought_to_case_table": pd.array(
    ...     [True, False, False, True, False, None], dtype="boolean")})
    >>> case_table_route(df)[["n", "count", "share"]]
       n  count  share
    0  5      2    0.4
    """
    return shares(questionnaires, ["brought_to_case_table"], by=by, min_n=min_n,
                  confidence=confidence, instrument=CLIENT_QUESTIONNAIRE, language=language)


def contact_frequency(questionnaires: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                      min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                      ) -> pd.DataFrame:
    """Contact frequency between professional and client (yearly ... daily): distribution.

    Rests on the questionnaires of each group with ``contact_frequency`` answered; answers in
    their ordinal order, zeros included.

    Examples
    --------
    >>> cats = ["yearly", "quarterly", "bimonthly", "monthly", "fortnightly", "weekly", "daily"]
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "contact_frequency": pd.Categorical(
    ...     ["weekly", "weekly", "monthly", "yearly", "weekly"], categories=cats, ordered=True)})
    >>> out = contact_frequency(df)
    >>> out[out["count"] > 0][["answer", "count"]]
        answer  count
    0   yearly      1
    3  monthly      1
    5   weekly      3
    """
    return distribution(questionnaires, "contact_frequency", by=by, min_n=min_n,
                        confidence=confidence, instrument=CLIENT_QUESTIONNAIRE, language=language)


def contact_frequency_range(questionnaires: pd.DataFrame, *,
                            by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                            language: str = "nl") -> pd.DataFrame:
    """Lowest and highest contact frequency reported ("from yearly to weekly").

    Rests on the questionnaires of each group with ``contact_frequency`` answered.

    Returns
    -------
    DataFrame
        ``*by, n, lowest, lowest_label, highest, highest_label, suppressed``.

    Examples
    --------
    >>> from mss_eval.instruments import get_instrument
    >>> cats = get_instrument("client_questionnaire").column("contact_frequency").answers.keys()
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "contact_frequency": pd.Categorical(
    ...     ["weekly", "yearly", "monthly", None], categories=cats, ordered=True)})
    >>> contact_frequency_range(df, min_n=3, language="en")[["n", "lowest", "highest"]]
       n  lowest highest
    0  3  yearly  weekly
    """
    by = as_by(by)
    codes, keys = group_codes(questionnaires, by)
    series = questionnaires["contact_frequency"]
    cats = list(series.cat.categories)
    pos = series.cat.codes.to_numpy().astype(float)
    pos[pos < 0] = np.nan
    ok = (codes >= 0) & ~np.isnan(pos)
    agg = pd.Series(pos[ok]).groupby(codes[ok]).agg(["count", "min", "max"]).reindex(
        range(len(keys)))
    labels = get_instrument(CLIENT_QUESTIONNAIRE).labels("contact_frequency", language)
    key_at = lambda p: cats[int(p)] if pd.notna(p) else pd.NA  # noqa: E731
    result = with_columns(keys, n=agg["count"].fillna(0).to_numpy())
    result["lowest"] = [key_at(p) for p in agg["min"]]
    result["lowest_label"] = [labels[k] if pd.notna(k) else pd.NA for k in result["lowest"]]
    result["highest"] = [key_at(p) for p in agg["max"]]
    result["highest_label"] = [labels[k] if pd.notna(k) else pd.NA for k in result["highest"]]
    for c in ("lowest", "lowest_label", "highest", "highest_label"):
        result[c] = result[c].astype("string")
    result = finish(result)
    return apply_min_n(result, ["lowest", "lowest_label", "highest", "highest_label"],
                       min_n=min_n)


def months_in_contact(questionnaires: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                      min_n: int = MIN_N, confidence: float = 0.95) -> pd.DataFrame:
    """Months the professional has been in contact with the client: n, mean, SD, median, range.

    Rests on the questionnaires of each group with ``months_in_contact`` known (the "don't know"
    and "no answer" codes 998/999 are missing).

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "months_in_contact": pd.array([3, 18, 12, 6, 9, None], dtype="Int64")})
    >>> months_in_contact(df)[["n", "median", "max"]]
       n  median   max
    0  5     9.0  18.0
    """
    return describe_numeric(questionnaires, "months_in_contact", by=by, min_n=min_n,
                            confidence=confidence)


def client_outcomes(questionnaires: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                    min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                    ) -> pd.DataFrame:
    """Outcomes for the client (guided to day activities, work, housing arranged, ...): shares.

    A multiple-choice item: each share rests on the questionnaires of the group where the
    outcome question was answered at all.

    Examples
    --------
    >>> b = lambda *v: pd.array(list(v), dtype="boolean")
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "outcome_day_activities": b(True, True, False, True, False),
    ...     "outcome_none_yet": b(False, False, True, False, False)})
    >>> client_outcomes(df)[["outcome", "n", "share"]].head(1)
              outcome  n  share
    0  day_activities  5    0.6
    """
    ins = get_instrument(CLIENT_QUESTIONNAIRE)
    columns = [c.name for c in ins.columns_of("outcome") if c.name in questionnaires]
    result = shares(questionnaires, columns, by=by, min_n=min_n, confidence=confidence)
    options = {c.name: c.option for c in ins.columns_of("outcome")}
    labels = ins.answer_sets["outcome"].by_key()
    by = as_by(by)
    result.insert(len(by) + 1, "outcome", [options[v] for v in result["variable"]])
    result.insert(len(by) + 2, "label", [labels[o].label(language) for o in result["outcome"]])
    return result

