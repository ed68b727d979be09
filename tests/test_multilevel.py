"""The multilevel comparison of regions against values derived independently of statsmodels.

A balanced design (every region the same number of clients, no case mix) has closed forms: the
REML estimates are the ANOVA estimators, σ² = MSW and τ² = (MSB - MSW)/n, and each region's
empirical-Bayes estimate is the grand mean plus R·(ȳ_j - ȳ) with R = τ²/(τ² + σ²/n). The binary
outcome's logistic GLMM is fitted again here by integrating each region's likelihood with scipy's
adaptive quadrature and maximising it with Nelder-Mead.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mss_eval.analysis.multilevel import CASE_MIX, multilevel_comparison

Z95 = stats.norm.ppf(0.975)


def _balanced() -> pd.DataFrame:
    values = {"a": [5, 6, 7, 6, 5, 7], "b": [7, 8, 7, 9, 8, 9], "c": [6, 7, 8, 7, 6, 8],
              "d": [8, 9, 9, 10, 8, 9]}
    return pd.DataFrame({"round": "r1", "region": np.repeat(list(values), 6),
                         "rating": np.concatenate([np.array(v, dtype=float)
                                                   for v in values.values()])})


def _anova(frame: pd.DataFrame) -> tuple[float, float, dict[str, float], float]:
    """σ², τ² (ANOVA estimators), region means and grand mean, computed by hand."""
    groups = {g: frame.loc[frame["region"] == g, "rating"].to_numpy() for g in
              dict.fromkeys(frame["region"])}
    k, n = len(groups), len(next(iter(groups.values())))
    grand = sum(v.sum() for v in groups.values()) / (k * n)
    msw = sum(((v - v.mean()) ** 2).sum() for v in groups.values()) / (k * (n - 1))
    msb = n * sum((v.mean() - grand) ** 2 for v in groups.values()) / (k - 1)
    return msw, (msb - msw) / n, {g: v.mean() for g, v in groups.items()}, grand


def test_balanced_design_gives_the_anova_estimators_and_the_shrinkage_by_hand():
    frame = _balanced()
    sigma2, tau2, means, grand = _anova(frame)
    out = multilevel_comparison(frame, "rating", covariates=(), min_n=5)
    assert out["sigma2"].iloc[0] == pytest.approx(sigma2, rel=1e-4)
    assert out["tau2"].iloc[0] == pytest.approx(tau2, rel=1e-4)
    assert out["icc"].iloc[0] == pytest.approx(tau2 / (tau2 + sigma2), rel=1e-4)
    assert out["overall"].iloc[0] == pytest.approx(grand, rel=1e-6)
    r = tau2 / (tau2 + sigma2 / 6)
    for _, row in out.iterrows():
        g = row["region"]
        estimate = grand + r * (means[g] - grand)
        half = Z95 * math.sqrt(tau2 * (1 - r))
        assert row["reliability"] == pytest.approx(r, rel=1e-4)
        assert row["estimate"] == pytest.approx(estimate, abs=1e-4)
        assert row["ci_low"] == pytest.approx(estimate - half, abs=1e-3)
        assert row["ci_high"] == pytest.approx(estimate + half, abs=1e-3)
        assert row["raw_mean"] == pytest.approx(means[g])
    # clients needed for a reliability R: R/(1-R) · σ²/τ², rounded up
    assert out["n_for_reliability_0_8"].iloc[0] == math.ceil(4 * sigma2 / tau2)
    assert out["n_for_reliability_0_9"].iloc[0] == math.ceil(9 * sigma2 / tau2)


def test_the_groups_follow_the_interval_against_the_overall_mean():
    out = multilevel_comparison(_balanced(), "rating", covariates=(), min_n=5).set_index("region")
    overall = out["overall"].iloc[0]
    # a (mean 6) and d (mean 8.8) lie apart from the grand mean 7.5; b and c overlap it
    assert out.loc["a", "ci_high"] < overall and out.loc["a", "group"] == "below"
    assert out.loc["d", "ci_low"] > overall and out.loc["d", "group"] == "above"
    for g in ("b", "c"):
        assert out.loc[g, "ci_low"] <= overall <= out.loc[g, "ci_high"]
        assert out.loc[g, "group"] == "average"


def test_regions_no_more_different_than_chance_are_all_average_with_no_client_number():
    # between-region mean square below the within: τ² is 0 on the boundary
    frame = pd.DataFrame({"round": "r1", "region": np.repeat(["a", "b", "c"], 5),
                          "rating": [5., 9, 7, 6, 8, 6, 8, 7, 5, 9, 7, 7, 6, 8, 7]})
    out = multilevel_comparison(frame, "rating", covariates=(), min_n=5)
    assert (out["tau2"] == 0).all() and (out["reliability"] == 0).all()
    assert (out["group"] == "average").all()
    assert out["n_for_reliability_0_8"].isna().all()
    assert out["estimate"].to_numpy() == pytest.approx([7.0] * 3)


def test_a_region_below_the_minimum_is_left_out_of_the_model_and_never_grouped():
    frame = _balanced()
    # region e: four clients who all gave a 10, far above everyone else
    small = pd.DataFrame({"round": "r1", "region": ["e"] * 4, "rating": [10.0] * 4})
    out = multilevel_comparison(pd.concat([frame, small], ignore_index=True), "rating",
                                covariates=(), min_n=5).set_index("region")
    e = out.loc["e"]
    assert bool(e["suppressed"]) and e["note"] == "n_below_min" and e["n"] == 4
    assert pd.isna(e["group"]) and pd.isna(e["estimate"]) and pd.isna(e["raw_mean"])
    # the model is the one without region e
    alone = multilevel_comparison(frame, "rating", covariates=(), min_n=5).set_index("region")
    assert out.loc["a", "tau2"] == pytest.approx(alone.loc["a", "tau2"], rel=1e-6)
    assert int(out.loc["a", "n_regions"]) == 4


def test_one_region_at_the_minimum_fits_no_model():
    frame = pd.DataFrame({"round": "r1", "region": ["a"] * 5 + ["b"] * 3,
                          "rating": [7.0, 8, 9, 7, 8, 6, 6, 5]})
    out = multilevel_comparison(frame, "rating", covariates=(), min_n=5).set_index("region")
    assert out.loc["a", "note"] == "single_region" and pd.isna(out.loc["a", "group"])
    assert pd.isna(out.loc["a", "tau2"]) and not bool(out.loc["a", "suppressed"])
    assert bool(out.loc["b", "suppressed"])


def test_case_mix_adjusts_for_who_a_region_reaches():
    # the same rating per age band in both regions; region a reaches mostly the young, who
    # rate lower: raw means differ, the case-mix adjusted means do not
    young, old = [6.0, 6.5, 5.5], [8.0, 8.5, 7.5]
    a = pd.DataFrame({"region": "a", "age_band": ["under_25"] * 6 + ["age_55_plus"] * 3,
                      "rating": young * 2 + old})
    b = pd.DataFrame({"region": "b", "age_band": ["under_25"] * 3 + ["age_55_plus"] * 6,
                      "rating": young + old * 2})
    c = pd.DataFrame({"region": "c", "age_band": ["under_25"] * 3 + ["age_55_plus"] * 3,
                      "rating": young + old})
    frame = pd.concat([a, b, c], ignore_index=True).assign(round="r1")
    out = multilevel_comparison(frame, "rating", covariates=("age_band",), min_n=5)
    out = out.set_index("region")
    assert out.loc["a", "raw_mean"] < out.loc["b", "raw_mean"] - 0.5
    assert out.loc["a", "adjusted_mean"] == pytest.approx(out.loc["b", "adjusted_mean"],
                                                          abs=1e-6)
    assert out.loc["a", "tau2"] == pytest.approx(0.0, abs=1e-9)


def test_a_missing_characteristic_is_a_category_so_no_client_is_lost():
    frame = _balanced().assign(gender=["man", "woman", None] * 8)
    out = multilevel_comparison(frame, "rating", covariates=("gender",), min_n=5)
    assert int(out["n_model"].iloc[0]) == 24


def test_default_case_mix_is_the_four_characteristics_of_the_cq_index():
    assert CASE_MIX == ("age_band", "gender", "education", "living_situation")


def _glmm_by_integration(counts: dict[str, tuple[int, int]]) -> tuple[float, float, dict]:
    """A random-intercept logistic model fitted by hand: each region's likelihood integrated
    with scipy's adaptive quadrature (no Gauss-Hermite), maximised with Nelder-Mead."""
    from scipy import integrate, optimize
    from scipy.special import expit

    def region_loglik(mu: float, tau: float, yes: int, n: int) -> float:
        def integrand(u):
            p = expit(mu + u)
            return math.exp(yes * math.log(p) + (n - yes) * math.log1p(-p)) * \
                stats.norm.pdf(u, 0, tau)
        value, _ = integrate.quad(integrand, -12 * tau, 12 * tau, epsabs=0, epsrel=1e-12,
                                  limit=200)
        return math.log(value)

    def minus(theta):
        mu, tau = theta
        if tau <= 1e-4:
            return np.inf
        return -sum(region_loglik(mu, tau, y, n) for y, n in counts.values())

    fit = optimize.minimize(minus, [0.0, 0.7], method="Nelder-Mead",
                            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    mu, tau = fit.x
    modes = {}
    for g, (yes, n) in counts.items():
        post = optimize.minimize_scalar(
            lambda u: -(yes * math.log(expit(mu + u)) + (n - yes) * math.log1p(-expit(mu + u))
                        - u * u / (2 * tau * tau)), bounds=(-10, 10), method="bounded",
            options={"xatol": 1e-10})
        p = expit(mu + post.x)
        modes[g] = (post.x, 1 / math.sqrt(n * p * (1 - p) + 1 / tau ** 2))
    return mu, tau * tau, modes


def test_a_yes_no_outcome_is_a_logistic_glmm_as_integrated_by_hand():
    counts = {"a": (2, 10), "b": (9, 12), "c": (5, 8), "d": (14, 15), "e": (3, 14)}
    rows = []
    for g, (yes, n) in counts.items():
        rows += [{"region": g, "spv": v} for v in [True] * yes + [False] * (n - yes)]
    frame = pd.DataFrame(rows).assign(round="r1")
    frame["spv"] = frame["spv"].astype("boolean")
    out = multilevel_comparison(frame, "spv", covariates=(), min_n=5).set_index("region")
    assert (out["method"] == "glmm_agq").all()
    mu, tau2, modes = _glmm_by_integration(counts)
    assert tau2 > 0.3  # the regions differ: the hand fit is inside, not on the boundary
    assert out["tau2"].iloc[0] == pytest.approx(tau2, rel=2e-3)
    expit = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    # without case mix the share of an average region is expit(μ)
    assert out["overall"].iloc[0] == pytest.approx(expit(mu), abs=1e-4)
    for g, (u, sd) in modes.items():
        assert out.loc[g, "estimate"] == pytest.approx(expit(mu + u), abs=1e-4)
        assert out.loc[g, "ci_low"] == pytest.approx(expit(mu + u - Z95 * sd), abs=1e-4)
        assert out.loc[g, "reliability"] == pytest.approx(1 - sd ** 2 / tau2, abs=1e-3)
    assert out["icc"].iloc[0] == pytest.approx(out["tau2"].iloc[0] /
                                               (out["tau2"].iloc[0] + math.pi ** 2 / 3))
    # region e: 3 of 14 against about 58% overall, reliable enough to fall below
    assert out.loc["e", "group"] == "below"


def test_a_share_of_0_or_100_percent_gets_half_a_count_added():
    frame = pd.DataFrame({"round": "r1", "region": np.repeat(["a", "b"], 6),
                          "spv": [True] * 6 + [True, False] * 3})
    out = multilevel_comparison(frame, "spv", kind="binary", covariates=(), min_n=5)
    assert out["estimate"].notna().all() and np.isfinite(out["estimate"].astype(float)).all()


def test_two_regions_closer_than_chance_give_tau2_zero_not_a_negative_variance():
    # DerSimonian-Laird's moment estimate is negative here; truncated at 0 every region is
    # the overall share
    frame = pd.DataFrame({"round": "r1", "region": np.repeat(["a", "b"], 10),
                          "spv": [True] * 5 + [False] * 5 + [True] * 6 + [False] * 4})
    out = multilevel_comparison(frame, "spv", kind="binary", covariates=(), min_n=5)
    assert (out["tau2"] == 0).all() and (out["group"] == "average").all()
    assert out["estimate"].to_numpy() == pytest.approx([out["overall"].iloc[0]] * 2)


def test_a_case_mix_category_answering_all_yes_is_merged_and_the_note_says_so():
    # every woman says yes: her category's coefficient would run off to infinity, so women
    # join the largest category that answers both ways; with two categories nothing is left to
    # adjust for and the comparison equals the crude one
    frame = pd.DataFrame({"round": "r1", "region": np.repeat(["a", "b", "c"], 6),
                          "gender": ["woman", "man"] * 9,
                          "spv": [True, False, True, True, True, False] * 3})
    adjusted = multilevel_comparison(frame, "spv", kind="binary", covariates=("gender",),
                                     min_n=5)
    crude = multilevel_comparison(frame, "spv", kind="binary", covariates=(), min_n=5)
    assert adjusted["adjusted_mean"].to_numpy() == pytest.approx(
        crude["adjusted_mean"].to_numpy())
    assert (adjusted["note"] == "case_mix_merged:gender=woman").all()
    assert crude["note"].isna().all()


def test_only_the_separated_category_is_merged_the_others_keep_their_adjustment():
    rng = np.random.default_rng(5)
    n = 240
    region = np.repeat([f"r{i}" for i in range(8)], n // 8)
    # the age band matters, and region r0..r3 reach mostly the young
    young = rng.random(n) < np.where(np.isin(region, ["r0", "r1", "r2", "r3"]), 0.8, 0.2)
    age = np.where(young, "under_25", "age_55_plus")
    p = np.where(young, 0.3, 0.7)
    spv = rng.random(n) < p
    # a third, small category in which every client says yes: separated
    age[:6] = "age_25_54"
    spv[:6] = True
    sizes = pd.Series(age).value_counts()
    assert sizes.iloc[0] > sizes.iloc[1]  # one largest category, no tie
    frame = pd.DataFrame({"round": "r1", "region": region, "age_band": age, "spv": spv})
    out = multilevel_comparison(frame, "spv", kind="binary", covariates=("age_band",), min_n=5)
    assert (out["note"] == "case_mix_merged:age_band=age_25_54").all()
    # the same as merging that category by hand into the largest one: the other categories'
    # adjustment is kept
    by_hand = frame.assign(age_band=frame["age_band"].replace(
        {"age_25_54": frame["age_band"].value_counts().idxmax()}))
    merged = multilevel_comparison(by_hand, "spv", kind="binary", covariates=("age_band",),
                                   min_n=5)
    crude = multilevel_comparison(frame, "spv", kind="binary", covariates=(), min_n=5)
    assert out["adjusted_mean"].to_numpy() == pytest.approx(merged["adjusted_mean"].to_numpy())
    assert out["estimate"].to_numpy() == pytest.approx(merged["estimate"].to_numpy())
    # and the adjustment is real: the young regions' adjusted shares differ from the crude ones
    assert np.abs(out["adjusted_mean"].to_numpy() - crude["adjusted_mean"].to_numpy()).max() \
        > 0.05


def test_the_case_mix_is_a_setting_of_study_yaml(tmp_path):
    from mss_eval.problems import StudyError
    from mss_eval.study import load_config

    base = ("name: s\nrounds:\n- id: r1\n  label: R1\n  regions: [a]\n"
            "regions:\n- id: a\n  name: A\nsettings:\n  case_mix: {mix}\n")
    (tmp_path / "study.yaml").write_text(base.format(mix="[gender, age_band]"),
                                         encoding="utf-8")
    assert load_config(tmp_path).settings.case_mix == ("gender", "age_band")
    (tmp_path / "study.yaml").write_text(base.format(mix="[shoe_size]"), encoding="utf-8")
    with pytest.raises(StudyError) as raised:
        load_config(tmp_path)
    problem = raised.value.problems[0]
    assert "settings.case_mix" in problem.message and problem.line == 10


def test_tau2_exactly_zero_from_the_optimiser_gives_the_plain_mean_not_an_error():
    # partners of two regions (a collaboration scale of the example study's follow-up round):
    # L-BFGS lands exactly on τ² = 0, where statsmodels cannot predict random effects (its
    # covariance is singular); with τ² = 0 every region gets the overall estimate, which for a
    # model with an intercept is the plain mean of all answers (the mean of OLS fitted values)
    frame = pd.DataFrame({
        "round": "r",
        "region": ["a"] * 8 + ["b"] * 6,
        "organisation_group": ["care", "care", "civil", "clients", "civil", "care", "care",
                               "civil", "care", "civil", "care", "civil", "care", "civil"],
        "score": [3.0, 4.0, 4.0, 3.0, 4.0, 2.5, 3.0, 4.0, 4.5, 4.0, 3.5, 2.0, 1.0, 3.0]})
    out = multilevel_comparison(frame, "score", covariates=("organisation_group",), min_n=5)
    assert (out["tau2"] == 0).all() and (out["group"] == "average").all()
    assert np.allclose(out["estimate"], frame["score"].mean())
    assert (out["reliability"] == 0).all() and out["n_for_reliability_0_8"].isna().all()
