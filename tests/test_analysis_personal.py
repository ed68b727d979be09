"""Personal level on small hand-made data: ratings, shares, domains, scales, network, needs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from mss_eval.analysis import TOTAL, personal
from mss_eval.analysis.scales import item_distribution, scale_score, scale_summary, scored_items
from helpers_tidy import stack, tidy

EXP = ["exp_heard", "exp_time", "exp_staff_change", "exp_wishes", "exp_reachable",
       "exp_know_where"]
CODE = {"strongly_disagree": 1, "disagree": 2, "neutral": 3, "agree": 4, "strongly_agree": 5}
KEY = {v: k for k, v in CODE.items()}


# -- rating ---------------------------------------------------------------------------------------
def test_rating_per_region_by_hand_with_a_missing_rating():
    df = tidy("client_interview", mss_rating=[8, 9, 7, None, 8, 6, 6, 7, 5, 6],
              region=["a"] * 5 + ["b"] * 5)
    out = personal.client_rating(df, min_n=4).set_index("region")
    assert out.loc["a", "n"] == 4
    assert out.loc["a", "mean"] == 8.0            # (8 + 9 + 7 + 8) / 4
    assert out.loc["a", "median"] == 8.0
    assert out.loc["a", "sd"] == pytest.approx(np.sqrt(2 / 3))  # squares 0,1,1,0 over 3
    assert out.loc["b", "mean"] == 6.0            # (6 + 6 + 7 + 5 + 6) / 5


def test_rating_of_a_region_at_the_minimum_is_shown_one_below_suppressed():
    df = tidy("client_interview", mss_rating=[8] * 5 + [7] * 4, region=["a"] * 5 + ["b"] * 4)
    out = personal.client_rating(df, min_n=5).set_index("region")
    assert not out.loc["a", "suppressed"] and out.loc["a", "mean"] == 8
    assert out.loc["b", "suppressed"] and pd.isna(out.loc["b", "mean"])
    assert out.loc["b", "n"] == 4


def _case_mix_data():
    rng = np.random.default_rng(11)
    rows = []
    for region, shift, n in (("a", 0.0, 12), ("b", -0.8, 10), ("c", 0.3, 3)):
        for i in range(n):
            gender = ["man", "woman"][(i + (region == "b")) % 2]
            age = ["age_25_39", "age_40_54", "age_55_plus"][i % 3 if region != "b" else (i % 2) + 1]
            rating = int(np.clip(round(7.5 + shift + (0.6 if gender == "woman" else 0)
                                       + (0.5 if age == "age_55_plus" else 0)
                                       + rng.normal(0, 0.7)), 1, 10))
            rows.append({"region": region, "gender": gender, "age_band": age,
                         "living_situation": "alone", "mss_rating": rating})
    rows.append({"region": "a", "gender": None, "age_band": "age_40_54",
                 "living_situation": "alone", "mss_rating": 9})  # not in the model
    return tidy("client_interview", rows)


def test_case_mix_adjusted_means_equal_a_hand_built_regression():
    df = _case_mix_data()
    out = personal.case_mix_adjusted_rating(df, min_n=5, method="ols",
                                            covariates=personal.CASE_MIX).set_index("region")
    # second route: dummy-coded least squares in numpy, regions with >= 5 complete cases
    d = pd.DataFrame({c: df[c].astype(str) for c in ("region", "gender", "age_band")})
    d["y"] = df["mss_rating"].astype(float)
    d = d[(df["gender"].notna()) & (d["region"] != "c")].reset_index(drop=True)

    def design(frame):
        return np.column_stack([
            np.ones(len(frame)), frame["region"] == "b", frame["gender"] == "woman",
            frame["age_band"] == "age_40_54", frame["age_band"] == "age_55_plus"]).astype(float)

    beta, *_ = np.linalg.lstsq(design(d), d["y"].to_numpy(), rcond=None)
    for region in ("a", "b"):
        expected = (design(d.assign(region=region)) @ beta).mean()
        assert out.loc[region, "adjusted_mean"] == pytest.approx(expected)
        assert out.loc[region, "adjusted_ci_low"] < expected < out.loc[region, "adjusted_ci_high"]
    # raw means use every rated client, the model only complete cases
    assert out.loc["a", "n"] == 13 and out.loc["a", "n_model"] == 12
    assert out.loc["a", "mean"] == pytest.approx(df.loc[df.region == "a", "mss_rating"].mean())
    # region c is too small: no adjusted mean and a note saying why
    assert out.loc["c", "suppressed"] and pd.isna(out.loc["c", "adjusted_mean"])
    assert out.loc["c", "note"] == "n_below_min"


def test_case_mix_flags_regions_whose_intervals_overlap_and_separates_distinct_ones():
    far = tidy("client_interview", [
        {"region": r, "mss_rating": v, "gender": g, "age_band": "age_40_54",
         "living_situation": "alone"}
        for r, vals in (("a", [9, 10, 9, 10, 9, 10]), ("b", [2, 3, 2, 3, 2, 3]))
        for v, g in zip(vals, ["man", "woman"] * 3)])
    out = personal.case_mix_adjusted_rating(far, min_n=5, method="ols",
                                            covariates=personal.CASE_MIX).set_index("region")
    assert out["separable"].tolist() == [True, True]
    assert out["note"].isna().all()
    near = far.assign(mss_rating=pd.array([8, 7] * 6, dtype="Int64"))
    out = personal.case_mix_adjusted_rating(near, min_n=5, method="ols",
                                            covariates=personal.CASE_MIX)
    assert out["separable"].tolist() == [False, False]
    assert out["note"].tolist() == ["intervals_overlap"] * 2


def test_case_mix_with_a_single_region_says_there_is_nothing_to_compare():
    df = _case_mix_data()
    out = personal.case_mix_adjusted_rating(df[df.region == "a"], min_n=5, method="ols",
                                            covariates=personal.CASE_MIX)
    assert out["note"].tolist() == ["single_region"]
    assert pd.isna(out["adjusted_mean"].iloc[0]) and out["mean"].notna().all()


# -- shares ---------------------------------------------------------------------------------------
def test_professional_involvement_shares_by_hand():
    # Den Haag-like: 9 of 10 ever treated, 7 of 10 with an SPV, one unanswered
    df = tidy("client_interview", ever_treated_mhc=[True] * 9 + [False, None],
              has_spv=[True] * 7 + [False] * 3 + [None])
    out = personal.professional_involvement(df, items=["ever_treated_mhc", "has_spv"], min_n=5)
    assert out["variable"].tolist() == ["ever_treated_mhc", "has_spv"]
    assert out["n"].tolist() == [10, 10]
    assert out["share"].tolist() == [0.9, 0.7]
    assert out["label"].iloc[0] == "Ooit behandeld in de ggz"
    assert (out["ci_low"] < out["share"]).all() and (out["share"] < out["ci_high"]).all()


def test_professional_involvement_defaults_to_the_eight_items_of_the_brief():
    df = tidy("client_interview", mss_rating=[8] * 5)
    out = personal.professional_involvement(df)
    assert out["variable"].tolist() == list(personal.INVOLVEMENT_ITEMS)
    assert len(personal.INVOLVEMENT_ITEMS) == 8
    assert (out["n"] == 0).all() and out["suppressed"].all()


def test_peer_expert_contact_share():
    df = tidy("client_interview", peer_expert_contact=[True, False, False, True, False, None])
    out = personal.peer_expert_contact(df, min_n=5)
    assert (out["n"].iloc[0], out["share"].iloc[0]) == (5, 0.4)


def test_social_contacts_change_distribution():
    df = tidy("client_interview", social_contacts_change=["more", "more", "same", "fewer",
                                                          "more", None])
    out = personal.social_contacts_change(df, min_n=5).set_index("answer")
    assert out.loc["more", "share"] == 0.6 and out.loc["fewer", "count"] == 1


# -- support per life domain ---------------------------------------------------------------------
def _domains():
    return tidy("client_interview",
                support_needed_work=[True, True, True, False, False, True],
                support_received_work=[True, False, False, False, None, True],
                support_enough_work=[False, None, None, None, None, True],
                support_needed_housing=[False] * 6,
                support_received_housing=[False] * 6)


def test_support_per_life_domain_gives_needed_received_enough_per_domain():
    out = personal.support_per_life_domain(_domains(), min_n=2, language="en")
    work = out[out.life_domain == "work"].set_index("measure")
    assert work.loc["support_needed", "n"] == 6 and work.loc["support_needed", "count"] == 4
    assert work.loc["support_received", "n"] == 5 and work.loc["support_received", "count"] == 2
    assert work.loc["support_enough", "n"] == 2 and work.loc["support_enough", "share"] == 0.5
    assert work["domain_label"].iloc[0] == "work"
    assert list(dict.fromkeys(out["life_domain"]))[:2] == ["housing", "social_contacts"]


def test_support_per_life_domain_reads_the_professionals_questionnaire_too():
    q = tidy("client_questionnaire", support_given_finances=[True, True, False],
             support_enough_finances=[True, False, None])
    out = personal.support_per_life_domain(q, instrument="client_questionnaire", min_n=2)
    fin = out[out.life_domain == "finances"].set_index("measure")
    assert set(out["measure"]) == {"support_given", "support_enough"}
    assert fin.loc["support_given", "share"] == pytest.approx(2 / 3)


def test_support_gaps_show_where_needs_outrun_support():
    out = personal.support_gaps(_domains(), min_n=3).set_index("life_domain")
    work = out.loc["work"]
    # base: the 5 clients who answered needed and received for work; 4 need, 2 receive;
    # unmet: needs and gets nothing (2) or gets it and it is not enough (1)
    assert (work["n"], work["needed"], work["received"], work["unmet"]) == (5, 4, 2, 3)
    assert work["needs_outrun_support"]
    assert work["unmet_share"] == pytest.approx(3 / 4)
    assert work["gap"] == pytest.approx(4 / 5 - 2 / 5)
    assert not out.loc["housing", "needs_outrun_support"]
    assert pd.isna(out.loc["housing", "unmet_share"])  # nobody needs support: no base


# -- experience scale ----------------------------------------------------------------------------
def _experience(rows):
    return tidy("client_interview", [
        {item: (KEY[v] if v is not None else None) for item, v in zip(EXP, codes)}
        for codes in rows])


def test_scale_score_reverses_the_staff_change_item_and_needs_four_answers():
    df = _experience([
        [5, 4, 1, 4, 4, 5],           # staff_change 1 -> 5: mean (5+4+5+4+4+5)/6
        [4, 4, 5, None, None, None],  # three answers: below min_items (4), no score
        [3, 3, 3, 3, None, None],     # exactly four answers: score 3
    ])
    scores = scale_score(df, "client_interview", "experience")
    assert scores["score"].iloc[0] == pytest.approx(27 / 6)
    assert pd.isna(scores["score"].iloc[1]) and scores["n_items"].iloc[1] == 3
    assert scores["score"].iloc[2] == 3.0
    assert "respondent_id" not in scores


def test_cronbach_alpha_matches_its_formula_and_pingouin():
    rows = [[5, 4, 1, 4, 4, 5], [4, 4, 2, 4, 3, 4], [2, 3, 4, 2, 2, 3], [3, 3, 3, 3, 3, 3],
            [5, 5, 1, 5, 4, 5], [1, 2, 5, 2, 1, 2], [4, 3, 2, 4, 4, 3],
            [3, 4, None, 3, 3, 4]]  # incomplete: scored, but left out of alpha
    out = scale_summary(_experience(rows), "client_interview", "experience", min_n=5).iloc[0]
    items = np.array(rows[:7], dtype=float)
    items[:, 2] = 6 - items[:, 2]
    k = items.shape[1]
    alpha = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert out["n_alpha"] == 7 and out["n"] == 8
    assert out["alpha"] == pytest.approx(alpha)
    expected_alpha, ci = pg.cronbach_alpha(pd.DataFrame(items), ci=0.95)
    assert out["alpha"] == pytest.approx(expected_alpha)
    # Feldt's interval by hand, at full precision; pingouin gives the same rounded to 3 decimals
    from scipy.stats import f
    df1, df2 = 7 - 1, (7 - 1) * (k - 1)
    low = 1 - (1 - alpha) * f.ppf(0.975, df1, df2)
    high = 1 - (1 - alpha) * f.ppf(0.025, df1, df2)
    assert (out["alpha_ci_low"], out["alpha_ci_high"]) == pytest.approx((low, high), rel=1e-12)
    assert (round(out["alpha_ci_low"], 3), round(out["alpha_ci_high"], 3)) == tuple(ci)
    assert round(out["alpha_ci_low"], 6) != round(out["alpha_ci_low"], 3)  # not pre-rounded
    scores = np.append(items.mean(axis=1), np.mean([3, 4, 3, 3, 4]))
    assert out["mean"] == pytest.approx(scores.mean())


def test_alpha_below_the_minimum_base_is_suppressed_but_the_mean_can_stay():
    rows = [[5, 4, 1, 4, 4, 5], [4, 4, 2, 4, 3, 4], [2, 3, 4, 2, 2, 3], [3, 3, 3, 3, 3, 3],
            [5, 5, None, 5, 4, 5]]
    out = scale_summary(_experience(rows), "client_interview", "experience", min_n=5).iloc[0]
    assert out["n"] == 5 and not out["suppressed"]
    assert out["n_alpha"] == 4 and out["alpha_suppressed"] and pd.isna(out["alpha"])


def test_scored_items_mirror_within_the_answer_set():
    df = _experience([[1, 2, 1, 3, 4, 5]])
    scored = scored_items(df, "client_interview", "experience")
    assert scored.iloc[0].tolist() == [1, 2, 5, 3, 4, 5]


def test_item_distribution_shows_reversed_items_as_scored_for_diverging_bars():
    df = _experience([[5, 4, 5, 4, 4, 5], [4, 4, 4, 4, 3, 4], [2, 3, 1, 2, 2, 3],
                      [3, 3, 3, 3, 3, 3], [5, 5, None, 5, 4, 5]])
    out = item_distribution(df, "client_interview", "experience", min_n=4, language="en")
    staff = out[out.item == "exp_staff_change"]
    assert staff["reversed"].all()
    # agreeing that staff keep changing is unfavourable: it sits on the negative side
    side = dict(zip(staff["answer"], staff["side"]))
    assert side["strongly_agree"] == "negative" and side["strongly_disagree"] == "positive"
    assert staff["scored_code"].tolist() == [1, 2, 3, 4, 5]
    assert staff["n"].iloc[0] == 4 and staff["count"].sum() == 4
    heard = out[out.item == "exp_heard"]
    assert heard["answer"].tolist()[0] == "strongly_disagree"
    assert heard["share"].sum() == pytest.approx(1)


def test_experience_wrappers_use_the_experience_scale():
    df = _experience([[4, 4, 2, 4, 4, 4]] * 5)
    assert personal.experience_scale(df)["mean"].iloc[0] == 4.0
    assert set(personal.experience_items(df)["item"]) == set(EXP)


# -- personal network ----------------------------------------------------------------------------
def _network():
    return tidy("client_interview",
                network_close=[1, 2, 0, 3, 1, 4], network_informal=[0, 1, 0, 1, 0, None],
                network_general_services=[2, 2, 3, 2, 4, 1],
                network_specialised_care=[3, 2, 2, 4, 3, 2])


def test_personal_network_shows_strong_professional_and_thin_informal_rings():
    out = personal.personal_network(_network(), min_n=5).iloc[0]
    # the sixth client left a ring blank: five complete networks
    assert out["n"] == 5
    assert out["network_close"] == pytest.approx(7 / 5)
    assert out["network_informal"] == pytest.approx(2 / 5)
    assert out["informal_persons"] == pytest.approx(9 / 5)
    assert out["professional_persons"] == pytest.approx(27 / 5)
    assert out["informal_share"] == pytest.approx(9 / 36)
    assert out["professional_persons"] > out["informal_persons"]


def test_network_rings_share_of_network_adds_up_to_one():
    out = personal.network_rings(_network(), min_n=5, language="en")
    assert out["ring"].tolist() == list(personal.RINGS)
    assert out["ring_kind"].tolist() == ["informal", "informal", "professional", "professional"]
    assert out["share_of_network"].sum() == pytest.approx(1.0)
    assert out["share_of_network"].iloc[0] == pytest.approx(7 / 36)


def test_personal_network_of_a_small_region_is_suppressed():
    out = personal.personal_network(_network().iloc[:4], min_n=5).iloc[0]
    assert out["suppressed"] and pd.isna(out["informal_share"])


# -- participation needs -------------------------------------------------------------------------
def test_participation_needs_are_ranked_and_ties_share_a_rank():
    df = tidy("client_interview",
              participation_needs_company=[True, True, True, False, True, None],
              participation_needs_paid_work=[True, False, True, False, False, None],
              participation_needs_meaning=[False, True, False, True, False, None],
              participation_needs_day_structure=[False] * 5 + [None],
              participation_needs_relationships=[False] * 5 + [None])
    out = personal.participation_needs(df, min_n=5)
    assert out["need"].tolist()[:3] == ["company", "paid_work", "meaning"]
    assert out["rank"].tolist() == [1, 2, 2, 4, 4]
    assert out["n"].iloc[0] == 5 and out["share"].iloc[0] == 0.8


# -- breakdown by respondent characteristics ----------------------------------------------------
def test_respondent_profile_suppresses_small_counts_with_secondary_suppression():
    df = tidy("client_interview", gender=["man"] * 3 + ["woman"] * 6 + ["man"] * 7 + ["woman"] * 8,
              region=["a"] * 9 + ["b"] * 15, age_band=["age_40_54"] * 24)
    out = personal.respondent_profile(df, characteristics=["gender", "age_band"], min_n=5)
    gender = out[(out.characteristic == "gender") & (out.region != TOTAL)]
    inner = gender[gender.category.isin(["man", "woman"])]
    assert inner["suppressed"].all() and inner["n"].isna().all()
    # nobody answered "other": zeros say nothing about a person and stay visible
    assert gender.loc[gender.category == "other", "n"].tolist() == [0, 0]
    assert gender.loc[gender.category == TOTAL, "n"].tolist() == [9, 15]
    age = out[(out.characteristic == "age_band") & (out.category == "age_40_54")]
    assert age["n"].tolist() == [9, 15, 24]


# -- questionnaires about clients ----------------------------------------------------------------
def _questionnaires():
    return tidy("client_questionnaire",
                signalled_by=["mental_health_care"] * 3 + ["general_practitioner", "police", None],
                brought_to_case_table=[True, False, False, True, False, None],
                contact_frequency=["weekly", "bimonthly", "monthly", "weekly", None, None],
                months_in_contact=[18, 3, 12, None, 9, 6],
                outcome_day_activities=[True, True, False, False, False, None],
                outcome_none_yet=[False, False, True, False, False, None])


def test_who_signals_clients():
    out = personal.signalled_by(_questionnaires(), min_n=5).set_index("answer")
    assert out.loc["mental_health_care", "share"] == 0.6
    assert out.loc["self", "count"] == 0


def test_share_brought_to_a_case_table():
    out = personal.case_table_route(_questionnaires(), min_n=5).iloc[0]
    assert (out["n"], out["count"], out["share"]) == (5, 2, 0.4)


def test_contact_frequency_range_and_distribution():
    q = _questionnaires()
    rng = personal.contact_frequency_range(q, min_n=4, language="en").iloc[0]
    assert (rng["lowest"], rng["highest"]) == ("bimonthly", "weekly")
    assert rng["lowest_label"] == "every two months"
    small = personal.contact_frequency_range(q, min_n=5).iloc[0]
    assert small["suppressed"] and pd.isna(small["lowest"])
    dist = personal.contact_frequency(q, min_n=4).set_index("answer")
    assert dist.loc["weekly", "count"] == 2 and dist.loc["daily", "count"] == 0


def test_months_in_contact_leave_out_unknown():
    out = personal.months_in_contact(_questionnaires(), min_n=5).iloc[0]
    assert (out["n"], out["max"], out["median"]) == (5, 18, 9)


def test_client_outcomes_rest_on_questionnaires_that_answered_the_outcome_question():
    out = personal.client_outcomes(_questionnaires(), min_n=5).set_index("outcome")
    assert out.loc["day_activities", "n"] == 5
    assert out.loc["day_activities", "share"] == 0.4
    assert out.loc["none_yet", "share"] == 0.2


def test_rows_of_two_rounds_stay_apart():
    df = stack(tidy("client_interview", mss_rating=[8] * 5, round=["r1"] * 5),
               tidy("client_interview", mss_rating=[6] * 5, round=["r2"] * 5))
    out = personal.client_rating(df)
    assert out["round"].tolist() == ["r1", "r2"] and out["mean"].tolist() == [8, 6]
    pooled = personal.client_rating(df, by=())
    assert pooled["mean"].iloc[0] == 7 and pooled["n"].iloc[0] == 10
