"""Administrative level: governance profiles side by side, referrals per case table."""

from __future__ import annotations

import pandas as pd
import pytest

from mss_eval.analysis import administrative
from helpers_tidy import stack, tidy


def _governance():
    return tidy("governance_profile", [
        {"region": "den_haag", "covenant": True, "covenant_year": 2004, "steering_group": True,
         "case_tables": 5, "agreed_referrals_per_table": 25, "coordinator": "municipality",
         "funding_wmo": True, "funding_awbz": True, "funding_zvw": False},
        {"region": "dordrecht", "covenant": False, "steering_group": False, "case_tables": 0},
    ])


def test_governance_profiles_side_by_side_in_the_report_language():
    out = administrative.governance_profiles(_governance(), language="en")
    table = out.pivot(index="item", columns="region", values="value")
    assert table.loc["covenant"].tolist() == ["yes", "no"]
    assert table.loc["covenant_year", "den_haag"] == "2004"
    assert pd.isna(table.loc["covenant_year", "dordrecht"])
    assert table.loc["coordinator", "den_haag"] == "municipality"
    assert table.loc["funding", "den_haag"] == "Wmo, AWBZ"
    assert pd.isna(table.loc["funding", "dordrecht"])   # not filled in at all
    assert out["suppressed"].eq(False).all() and out["n"].eq(1).all()
    dutch = administrative.governance_profiles(_governance())
    assert dutch.set_index(["region", "item"]).loc[("den_haag", "covenant"), "value"] == "ja"


def _register(dates, outcomes, region="den_haag"):
    return tidy("monitor_register", registration_number=list(range(1, len(dates) + 1)),
                client_id=[f"c{i}" for i in range(len(dates))], date=dates,
                outcome=outcomes, life_domain=["day_activities"] * len(dates),
                region=[region] * len(dates))


def test_referrals_to_day_activities_per_table_against_the_agreement():
    # 2009: 130 day-activity referrals over the whole year / 5 tables = 26 >= 25
    # 2010 (first half only): 40 day-activity referrals / 5 = 8, flagged as a partial year
    dates = ["2009-01-10"] * 65 + ["2009-12-20"] * 65 + ["2009-06-01"] * 10 + ["2010-01-05"] * 45
    outcomes = ["day_activities"] * 130 + ["housing"] * 10 + ["day_activities"] * 40 + [None] * 5
    reg = _register(dates, outcomes)
    out = administrative.referrals_per_table(reg, _governance(), min_n=5).set_index("year")
    assert out.loc[2009, "n"] == 140 and out.loc[2009, "to_day_activities"] == 130
    assert out.loc[2009, "per_table"] == pytest.approx(26.0)
    assert out.loc[2009, "meets_agreement"] and not out.loc[2009, "partial_year"]
    assert out.loc[2010, "per_table"] == pytest.approx(8.0)
    assert not out.loc[2010, "meets_agreement"] and out.loc[2010, "partial_year"]


def test_a_region_without_case_tables_or_agreement_has_no_per_table_figure():
    reg = stack(_register(["2010-03-01"] * 6, ["day_activities"] * 6, region="dordrecht"))
    out = administrative.referrals_per_table(reg, _governance(), min_n=5).iloc[0]
    assert out["to_day_activities"] == 6
    assert pd.isna(out["per_table"]) and pd.isna(out["meets_agreement"])
    assert not out["suppressed"]


def test_referral_counts_below_the_minimum_are_suppressed():
    reg = _register(["2010-03-01"] * 4, ["day_activities"] * 4)
    out = administrative.referrals_per_table(reg, _governance(), min_n=5).iloc[0]
    assert out["suppressed"] and out["n"] == 4 and pd.isna(out["per_table"])
