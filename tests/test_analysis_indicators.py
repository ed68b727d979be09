"""Monitor indicators: reach, referrals, duration of contact, supply against demand."""

from __future__ import annotations

import pandas as pd
import pytest

from mss_eval.analysis import indicators
from helpers_tidy import config, stack, tidy, wilson_by_formula


def _register():
    a = tidy("monitor_register",
             registration_number=list(range(1, 9)),
             client_id=["p1", "p1", "p2", "p3", "p4", "p5", "p6", "p6"],
             date=["2010-01-01", "2010-04-01", "2010-01-08", "2010-01-15", "2010-01-15",
                   "2010-02-01", "2010-02-12", "2010-02-26"],
             referrer_group=["care_services"] * 5 + ["civil_society"] * 2 + [None],
             life_domain=["housing", "work", "work", "work", "social_contacts",
                          "day_activities", "work", "work"],
             outcome=["housing", "work", None, None, None, None, None, None], region=["a"] * 8)
    b = tidy("monitor_register", registration_number=[1, 2, 3], client_id=["q1", "q2", "q3"],
             date=["2010-03-01"] * 3, life_domain=["housing"] * 3, region=["b"] * 3)
    return stack(a, b)


def test_reach_counts_unique_clients_per_thousand_of_the_target_population():
    out = indicators.reach(_register(), {"a": 1200, "b": 300}, min_n=3).set_index("region")
    assert out.loc["a", "n"] == 6 and out.loc["a", "referrals"] == 8
    assert out.loc["a", "per_1000"] == pytest.approx(6 / 1200 * 1000)
    low, high = wilson_by_formula(6, 1200)
    assert out.loc["a", "ci_low"] == pytest.approx(low * 1000)
    assert out.loc["a", "ci_high"] == pytest.approx(high * 1000)
    # first registration 1 January, last 1 April: 90 days
    assert out.loc["a", "per_week"] == pytest.approx(6 / (90 / 7))
    # b: three people on one day: no weekly rate
    assert pd.isna(out.loc["b", "per_week"])


def test_pooled_reach_adds_up_target_populations_and_reads_study_config():
    cfg = config({"r1": ["a", "b"]}, target={"a": 1200, "b": 300})
    out = indicators.reach(_register(), cfg, by=("round",), min_n=3).iloc[0]
    assert out["n"] == 9 and out["target_population"] == 1500
    assert out["per_1000"] == pytest.approx(9 / 1500 * 1000)


def test_reach_without_a_target_population_is_unknown_and_small_reach_suppressed():
    out = indicators.reach(_register(), {"a": None, "b": 300}, min_n=4).set_index("region")
    assert pd.isna(out.loc["a", "per_1000"]) and not out.loc["a", "suppressed"]
    assert out.loc["b", "suppressed"] and pd.isna(out.loc["b", "per_1000"])


def test_referrals_by_referring_group_and_life_domain():
    reg = _register()
    groups = indicators.referrals_by(reg, "referrer_group", min_n=5).set_index(
        ["region", "answer"])
    assert groups.loc[("a", "care_services"), "n"] == 7      # one row without a referrer group
    assert groups.loc[("a", "care_services"), "share"] == pytest.approx(5 / 7)
    domains = indicators.referrals_by(reg, "life_domain", min_n=5).set_index(["region", "answer"])
    assert domains.loc[("a", "work"), "count"] == 5
    with pytest.raises(ValueError):
        indicators.referrals_by(reg, "client_id")


def test_contact_duration_in_months_from_first_to_last_registration():
    out = indicators.contact_duration(_register(), min_n=6).set_index("region")
    # a: p1 90 days, p6 14 days, four clients once (0)
    months = [90 / indicators.DAYS_PER_MONTH, 14 / indicators.DAYS_PER_MONTH, 0, 0, 0, 0]
    assert out.loc["a", "n"] == 6
    assert out.loc["a", "max"] == pytest.approx(max(months))
    assert out.loc["a", "mean"] == pytest.approx(sum(months) / 6)
    assert out.loc["b", "suppressed"]


def _social_map():
    return tidy("social_map", [
        {"service_name": "Inloop", "wheel_goal": "social_contacts",
         "life_domains_social_contacts": True, "life_domains_leisure": True, "accessible": True},
        {"service_name": "Werkproject", "wheel_goal": "paid_work", "life_domains_work": True,
         "accessible": False},
        {"service_name": "Leerwerk", "wheel_goal": "learning_skills", "life_domains_work": True,
         "life_domains_education": True},
    ])


def test_supply_by_wheel_goal_lists_every_domain_and_goal_area():
    out = indicators.supply_by_wheel_goal(_social_map())
    assert len(out) == 8 * 6
    work = out[out.life_domain == "work"].set_index("wheel_goal")
    assert work.loc["paid_work", "services"] == 1 and work.loc["paid_work", "available"] == 0
    assert work.loc["learning_skills", "available"] == 1   # accessibility unknown: counted
    assert work.loc["taking_part", "services"] == 0
    assert not out["suppressed"].any() and (out["n"] == 3).all()


def test_white_spots_are_domains_with_need_and_no_available_service():
    clients = tidy("client_interview",
                   support_needed_finances=[True, True, False, False, False],
                   support_needed_work=[True, False, False, False, False],
                   support_needed_social_contacts=[False] * 5,
                   support_needed_housing=[True, None, None, None, None])
    out = indicators.white_spots(clients, _social_map(), min_n=5).set_index("life_domain")
    assert out.loc["finances", "white_spot"]            # 2 of 5 need it, nothing on the map
    assert out.loc["finances", "needing"] == 2 and out.loc["finances", "services"] == 0
    assert not out.loc["work", "white_spot"]            # one available service (Leerwerk)
    assert out.loc["work", "goal_areas"] == 2
    assert not out.loc["social_contacts", "white_spot"]  # no need
    assert out.loc["housing", "suppressed"] and pd.isna(out.loc["housing", "white_spot"])
    stricter = indicators.white_spots(clients, _social_map(), min_n=5, min_need_share=0.5)
    assert not stricter.set_index("life_domain").loc["finances", "white_spot"]
