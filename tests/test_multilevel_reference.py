"""The multilevel model against R's lme4 on a small committed data set.

``tests/reference/multilevel/ratings.csv`` (75 clients in 6 regions of 5 to 20, ratings with an
age band and a gender) was fitted once with ``lme4::lmer(..., REML = TRUE)`` by
``tests/reference/multilevel/lme4_reference.R``; its output is committed as
``lme4_reference.csv`` (the R and lme4 versions are on its first line). The tests read the CSV
and do not need R. Acceptance: τ², σ² and every region's empirical-Bayes estimate within 1% of
lme4's; the conditional standard deviation (lme4's ``condVar``) is checked too.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mss_eval.analysis.multilevel import multilevel_comparison

REFERENCE = Path(__file__).resolve().parent / "reference" / "multilevel"
MODELS = {"case_mix": ("age_band", "gender"), "empty": ()}


def _lme4(model: str) -> pd.DataFrame:
    table = pd.read_csv(REFERENCE / "lme4_reference.csv", comment="#", keep_default_na=False)
    return table[table["model"] == model]


def _ours(model: str) -> pd.DataFrame:
    data = pd.read_csv(REFERENCE / "ratings.csv").assign(round="ref")
    return multilevel_comparison(data, "rating", covariates=MODELS[model],
                                 min_n=5).set_index("region")


def test_the_reference_output_says_how_it_was_made():
    first = (REFERENCE / "lme4_reference.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# R version") and "lme4" in first
    assert "lmer(rating ~ age_band + gender + (1 | region)" in (
        REFERENCE / "lme4_reference.R").read_text(encoding="utf-8")


@pytest.mark.parametrize("model", list(MODELS))
def test_variance_components_are_within_one_percent_of_lme4(model):
    ref = _lme4(model).set_index("quantity")
    ours = _ours(model)
    for ours_col, quantity in (("tau2", "tau2"), ("sigma2", "sigma2"), ("overall", "overall")):
        assert ours[ours_col].iloc[0] == pytest.approx(float(ref.loc[quantity, "value"]),
                                                       rel=0.01), quantity


@pytest.mark.parametrize("model", list(MODELS))
def test_every_regions_estimate_is_within_one_percent_of_lme4(model):
    ref = _lme4(model)
    ours = _ours(model)
    estimates = ref[ref["quantity"] == "estimate"].set_index("region")["value"].astype(float)
    assert set(estimates.index) == set(ours.index)
    for region, value in estimates.items():
        assert ours.loc[region, "estimate"] == pytest.approx(value, rel=0.01), region
    # and much closer than required: the two fits agree to about six digits
    assert (ours.loc[estimates.index, "estimate"].astype(float) - estimates).abs().max() < 1e-3


@pytest.mark.parametrize("model", list(MODELS))
def test_the_interval_is_the_conditional_sd_of_lme4(model):
    ref = _lme4(model)
    ours = _ours(model)
    sds = ref[ref["quantity"] == "conditional_sd"].set_index("region")["value"].astype(float)
    z = stats.norm.ppf(0.975)
    for region, sd in sds.items():
        half = (ours.loc[region, "ci_high"] - ours.loc[region, "ci_low"]) / 2
        assert half == pytest.approx(z * sd, rel=0.01), region
        # reliability is 1 - conditional variance / τ²
        tau2 = float(ours.loc[region, "tau2"])
        assert ours.loc[region, "reliability"] == pytest.approx(1 - sd ** 2 / tau2, rel=0.01)
    assert math.isfinite(float(ours["icc"].iloc[0]))


# -- the REML boundary ---------------------------------------------------------------------------
def test_the_reference_optimum_is_inside_and_the_boundary_rule_keeps_it():
    # lme4 puts τ² well above 0 on the reference data: the REML likelihood at τ² = 0 is lower
    # than at the optimum, so the boundary rule must not take it
    import statsmodels.formula.api as smf

    from mss_eval.analysis.multilevel import _reml_at_zero

    data = pd.read_csv(REFERENCE / "ratings.csv")
    fit = smf.mixedlm("rating ~ C(age_band) + C(gender)", data, groups=data["region"]).fit(
        reml=True, method="powell")
    zero = _reml_at_zero(fit.model.exog, fit.model.endog)
    assert zero["llf"] < fit.llf - 1.0
    assert float(_lme4("case_mix").set_index("quantity").loc["tau2", "value"]) > 1.0
    assert _ours("case_mix")["tau2"].iloc[0] > 1.0


def test_the_boundary_likelihood_is_statsmodels_reml_likelihood_in_the_limit():
    # the closed form at τ² = 0 and statsmodels' REML log-likelihood at a vanishing τ² meet,
    # so comparing the two compares like with like
    import statsmodels.formula.api as smf
    from statsmodels.regression.mixed_linear_model import MixedLMParams

    from mss_eval.analysis.multilevel import _reml_at_zero

    data = pd.read_csv(REFERENCE / "ratings.csv")
    model = smf.mixedlm("rating ~ C(age_band) + C(gender)", data, groups=data["region"])
    model.fit(reml=True, method="powell")  # sets what loglike needs
    near_zero = model.loglike(MixedLMParams.from_components(cov_re=np.array([[1e-9]])),
                              profile_fe=True)
    assert _reml_at_zero(model.exog, model.endog)["llf"] == pytest.approx(near_zero, abs=1e-5)


def test_at_the_boundary_every_optimiser_gives_the_same_result_to_the_last_bit(monkeypatch):
    # where the REML optimum is τ² = 0, where an optimiser stops depends on the processor's
    # arithmetic (L-BFGS stopped at τ² = 0.0007 on one machine, 0 on another); the result must
    # not: it is the closed-form least-squares fit, whichever optimiser ran
    from mss_eval.analysis import multilevel

    young, old = [6.0, 6.5, 5.5], [8.0, 8.5, 7.5]
    frame = pd.DataFrame({
        "round": "r1", "region": ["a"] * 9 + ["b"] * 9 + ["c"] * 6,
        "age_band": (["y"] * 6 + ["o"] * 3) + (["y"] * 3 + ["o"] * 6) + (["y"] * 3 + ["o"] * 3),
        "rating": young * 2 + old + young + old * 2 + young + old})
    results = []
    for method in ("lbfgs", "powell", "nm"):
        monkeypatch.setattr(multilevel, "_MIXED_METHODS", (method,))
        results.append(multilevel_comparison(frame, "rating", covariates=("age_band",), min_n=5))
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other, check_exact=True)
    assert (results[0]["tau2"] == 0).all()
    # σ² at the boundary is RSS/(n - p) of the least-squares fit, by hand: the data are eight
    # triples (6, 6.5, 5.5 or 8, 8.5, 7.5) around their age band's mean, each triple with
    # squared deviations 0 + 0.25 + 0.25
    rss = 8 * (0.25 + 0.25)
    assert results[0]["sigma2"].iloc[0] == pytest.approx(rss / (24 - 2), rel=1e-12)


# -- the yes/no comparison against glmer -----------------------------------------------------------
# tests/reference/multilevel/binary_simulated.csv: 8 studies of 40 regions (6-40 clients), an age
# band as case mix, true τ² = 0.25 (simulate_binary.py); glmer_reference.csv: lme4's glmer with
# 9 quadrature points on each (glmer_reference.R).
TRUE_TAU2 = 0.25


def _glmer() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "glmer_reference.csv", comment="#", keep_default_na=False,
                       dtype={"value": str})


@pytest.fixture(scope="module")
def binary_ours() -> pd.DataFrame:
    data = pd.read_csv(REFERENCE / "binary_simulated.csv")
    data = data.assign(round=data["replicate"].astype(str), y=data["y"].astype(float))
    return multilevel_comparison(data, "y", kind="binary", covariates=("age_band",), min_n=5)


def test_the_glmer_reference_says_how_it_was_made():
    first = (REFERENCE / "glmer_reference.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# R version") and "lme4" in first and "nAGQ = 9" in first


def test_yes_no_tau2_is_glmers_in_every_study_and_near_the_truth_on_average(binary_ours):
    ref = _glmer()
    theirs = ref[ref["quantity"] == "tau2"].set_index("replicate")["value"].astype(float)
    ours = binary_ours.groupby("round")["tau2"].first()
    ours.index = ours.index.astype(int)
    assert len(ours) == 8
    for rep, value in theirs.items():
        assert ours[rep] == pytest.approx(value, rel=0.01), rep
    # the moment estimate on empirical logits it replaces averaged about half the truth
    assert abs(ours.mean() - TRUE_TAU2) / TRUE_TAU2 < 0.20


def test_yes_no_groups_and_reliabilities_are_glmers(binary_ours):
    ref = _glmer()
    groups = ref[ref["quantity"] == "group"].set_index(["replicate", "region"])["value"]
    sds = ref[ref["quantity"] == "conditional_sd"].set_index(["replicate", "region"])[
        "value"].astype(float)
    taus = ref[ref["quantity"] == "tau2"].set_index("replicate")["value"].astype(float)
    ours = binary_ours.assign(replicate=binary_ours["round"].astype(int)).set_index(
        ["replicate", "region"])
    assert (ours.loc[groups.index, "group"].astype(str) == groups).all()
    assert (groups != "average").sum() >= 10  # the comparison is not trivially all average
    expected = 1 - sds ** 2 / taus.reindex(sds.index.get_level_values(0)).to_numpy()
    assert ours.loc[sds.index, "reliability"].to_numpy(dtype=float) == pytest.approx(
        expected.to_numpy(), abs=2e-3)
