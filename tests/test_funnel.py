"""Funnel plots (Spiegelhalter 2005): limits by hand, overdispersion φ from its formula."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mss_eval.analysis.multilevel import funnel_data, funnel_limits, overdispersion

Z95, Z998 = 1.959963984540054, 3.090232306167813


def test_normal_limits_are_the_target_plus_minus_z_standard_errors():
    low, high = funnel_limits(7.5, [4, 9, 25], sd=1.5, coverage=0.95)
    assert high == pytest.approx([7.5 + Z95 * 1.5 / 2, 7.5 + Z95 * 0.5, 7.5 + Z95 * 0.3])
    assert low == pytest.approx([7.5 - Z95 * 1.5 / 2, 7.5 - Z95 * 0.5, 7.5 - Z95 * 0.3])
    low, high = funnel_limits(7.5, [25], sd=1.5, coverage=0.998)
    assert (low[0], high[0]) == pytest.approx((7.5 - Z998 * 0.3, 7.5 + Z998 * 0.3))


def _binomial_limit_by_hand(target: float, n: int, p: float) -> float:
    """Spiegelhalter's interpolated limit from the binomial distribution function, summed here
    term by term (math.comb), not with scipy."""
    def cdf(r: int) -> float:
        return sum(math.comb(n, k) * target ** k * (1 - target) ** (n - k) for k in range(r + 1))

    r = next(r for r in range(n + 1) if cdf(r) >= p)
    above, below = cdf(r), cdf(r - 1) if r > 0 else 0.0
    alpha = (above - p) / (above - below)
    return (r - alpha) / n


@pytest.mark.parametrize("n", [5, 12, 20, 40])
def test_binomial_limits_are_spiegelhalters_interpolated_exact_limits(n):
    for coverage in (0.95, 0.998):
        low, high = funnel_limits(0.8, [n], kind="binomial", coverage=coverage)
        tail = (1 - coverage) / 2
        assert low[0] == pytest.approx(_binomial_limit_by_hand(0.8, n, tail), abs=1e-9)
        assert high[0] == pytest.approx(_binomial_limit_by_hand(0.8, n, 1 - tail), abs=1e-9)


def test_binomial_limits_for_twenty_clients_at_eighty_percent():
    # by hand: F(12) = 0.0321, F(11) = 0.0100 around p = 0.025, so α = 0.324 and the lower
    # limit is (12 - 0.324) / 20 = 0.584
    low, _ = funnel_limits(0.8, [20], kind="binomial", coverage=0.95)
    assert low[0] == pytest.approx(0.5838, abs=5e-4)


def test_phi_is_the_mean_squared_z_score():
    assert overdispersion([1.0, -2.0, 0.5]) == pytest.approx((1 + 4 + 0.25) / 3)


def test_phi_winsorises_ten_percent_at_each_end_from_ten_regions_on():
    z = [-6.0, -1.0, -0.5, 0.0, 0.2, 0.4, 0.6, 1.0, 1.2, 9.0]
    # the lowest and the highest are pulled in to their neighbours: -1.0 and 1.2
    kept = [-1.0, -1.0, -0.5, 0.0, 0.2, 0.4, 0.6, 1.0, 1.2, 1.2]
    assert overdispersion(z) == pytest.approx(np.mean(np.square(kept)))
    assert overdispersion(z, winsorise=0) == pytest.approx(np.mean(np.square(z)))


def _regions(values, sizes) -> pd.DataFrame:
    return pd.DataFrame({"round": "r1", "region": [f"g{i}" for i in range(len(values))],
                         "n": sizes, "mean": values})


def test_z_scores_and_positions_of_a_normal_funnel():
    frame = _regions([7.0, 8.0, 9.6, 6.4], [25, 25, 16, 16])
    out = funnel_data(frame, "mean", target=8.0, sd=2.0, adjustment="none")
    assert out["z"].to_numpy() == pytest.approx([-2.5, 0.0, 3.2, -3.2])
    assert list(out["position"]) == ["below_95", "inside", "above_998", "below_998"]
    assert out["high_95"].iloc[0] == pytest.approx(8.0 + Z95 * 0.4)


def test_overdispersion_is_found_with_the_chi_squared_test_and_corrected_multiplicatively():
    frame = _regions([7.0, 8.0, 9.6, 6.4], [25, 25, 16, 16])
    out = funnel_data(frame, "mean", target=8.0, sd=2.0, adjustment="multiplicative")
    phi = (2.5 ** 2 + 0 + 3.2 ** 2 + 3.2 ** 2) / 4
    assert out["phi"].iloc[0] == pytest.approx(phi)
    # 4 · φ = 26.7 > χ²(3) 95% = 7.81: overdispersed
    assert bool(out["overdispersed"].iloc[0]) and out["adjustment"].iloc[0] == "multiplicative"
    assert out["high_95"].iloc[0] == pytest.approx(8.0 + Z95 * math.sqrt(phi) * 0.4)
    assert out["position"].iloc[0] == "inside"


def test_additive_correction_uses_the_dersimonian_laird_tau2():
    frame = _regions([7.0, 8.0, 9.6, 6.4], [25, 25, 16, 16])
    out = funnel_data(frame, "mean", target=8.0, sd=2.0, adjustment="additive")
    phi = (2.5 ** 2 + 0 + 3.2 ** 2 + 3.2 ** 2) / 4
    w = np.array([25, 25, 16, 16]) / 4.0  # 1 / se²
    tau2 = (4 * phi - 3) / (w.sum() - (w ** 2).sum() / w.sum())
    assert out["tau2"].iloc[0] == pytest.approx(tau2)
    assert out["high_95"].iloc[0] == pytest.approx(8.0 + Z95 * math.sqrt(0.16 + tau2))


def test_regions_within_chance_keep_the_plain_limits():
    frame = _regions([7.9, 8.1, 8.0], [20, 20, 30])
    out = funnel_data(frame, "mean", sd=2.0, adjustment="additive")
    assert not out["overdispersed"].any() and (out["adjustment"] == "none").all()
    # the default target is the mean weighted by n
    assert out["target"].iloc[0] == pytest.approx((7.9 * 20 + 8.1 * 20 + 8.0 * 30) / 70)


def test_a_region_below_the_minimum_is_not_in_the_funnel():
    frame = _regions([7.0, 8.0, 3.0], [20, 20, 4])
    out = funnel_data(frame, "mean", sd=2.0, min_n=5).set_index("region")
    assert bool(out.loc["g2", "suppressed"]) and pd.isna(out.loc["g2", "value"])
    assert out.loc["g0", "target"] == pytest.approx(7.5)  # g2 is not in the target either


def test_the_figure_draws_on_a_given_axes_and_prints_the_choice_under_it():
    from matplotlib.figure import Figure

    from mss_eval.report.figures import funnel_figure, funnel_note, funnel_plot

    frame = funnel_data(_regions([7.0, 8.0, 9.6, 6.4], [25, 25, 16, 16]), "mean", target=8.0,
                        sd=2.0, adjustment="multiplicative")
    ax = Figure().subplots()
    assert funnel_plot(frame, ax=ax, labels={"g0": "Den Haag"}) is ax
    assert "Den Haag" in [t.get_text() for t in ax.texts]
    note = funnel_note(frame, "nl")
    assert "φ = 6,68" in note and "multiplicatieve correctie" in note
    figure = funnel_figure(frame, title="Rapportcijfer", language="en")
    assert figure.png.startswith(b"\x89PNG") and "multiplicative correction" in figure.notes[0]
    # widened by √φ, every region is inside; with the plain limits g2 is above them
    assert "g2: 9.6 (n = 16, inside the 95% limits)" in figure.alt
    plain = funnel_data(_regions([7.0, 8.0, 9.6, 6.4], [25, 25, 16, 16]), "mean", target=8.0,
                        sd=2.0, adjustment="none")
    figure = funnel_figure(plain, title="Rapportcijfer", language="en")
    assert "g2: 9.6 (n = 16, above the limits)" in figure.alt
    assert "not corrected" in figure.notes[0]
