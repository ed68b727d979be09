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
