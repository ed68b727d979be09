"""Every analysis copes with a region or study without data: an empty or suppressed result."""

from __future__ import annotations

import pytest

from mss_eval.analysis import administrative as adm
from mss_eval.analysis import collection, comparisons
from mss_eval.analysis import executive as exe
from mss_eval.analysis import indicators as ind
from mss_eval.analysis import personal as per
from helpers_tidy import empty_tables

T = empty_tables()
CI, CQ = T["client_interview"], T["client_questionnaire"]
PS, PT = T["partner_survey"], T["partner_ties"]
REG, GOV, MAP = T["monitor_register"], T["governance_profile"], T["social_map"]

CALLS = {
    "client_rating": lambda: per.client_rating(CI),
    "case_mix_adjusted_rating": lambda: per.case_mix_adjusted_rating(CI),
    "professional_involvement": lambda: per.professional_involvement(CI),
    "support_per_life_domain": lambda: per.support_per_life_domain(CI),
    "support_per_life_domain_questionnaire": lambda: per.support_per_life_domain(
        CQ, instrument="client_questionnaire"),
    "support_gaps": lambda: per.support_gaps(CI),
    "experience_scale": lambda: per.experience_scale(CI),
    "experience_items": lambda: per.experience_items(CI),
    "personal_network": lambda: per.personal_network(CI),
    "network_rings": lambda: per.network_rings(CI),
    "participation_needs": lambda: per.participation_needs(CI),
    "social_contacts_change": lambda: per.social_contacts_change(CI),
    "peer_expert_contact": lambda: per.peer_expert_contact(CI),
    "respondent_profile": lambda: per.respondent_profile(CI),
    "signalled_by": lambda: per.signalled_by(CQ),
    "case_table_route": lambda: per.case_table_route(CQ),
    "contact_frequency": lambda: per.contact_frequency(CQ),
    "contact_frequency_range": lambda: per.contact_frequency_range(CQ),
    "months_in_contact": lambda: per.months_in_contact(CQ),
    "client_outcomes": lambda: per.client_outcomes(CQ),
    "collaboration_scales": lambda: exe.collaboration_scales(PS),
    "bottleneck_items": lambda: exe.bottleneck_items(PS),
    "partner_results_rating": lambda: exe.partner_results_rating(PS),
    "collaboration_network": lambda: exe.collaboration_network(PS, PT),
    "central_organisations": lambda: exe.central_organisations(PS, PT),
    "central_groups": lambda: exe.central_groups(PS, PT),
    "group_ties": lambda: exe.group_ties(PS, PT),
    "feedback_attendance": lambda: exe.feedback_attendance(T["feedback_meeting"]),
    "findings_recognised": lambda: exe.findings_recognised(T["feedback_findings"]),
    "governance_profiles": lambda: adm.governance_profiles(GOV),
    "referrals_per_table": lambda: adm.referrals_per_table(REG, GOV),
    "reach": lambda: ind.reach(REG, {}),
    "referrals_by": lambda: ind.referrals_by(REG),
    "contact_duration": lambda: ind.contact_duration(REG),
    "supply_by_wheel_goal": lambda: ind.supply_by_wheel_goal(MAP),
    "white_spots": lambda: ind.white_spots(CI, MAP),
    "rating_comparison": lambda: comparisons.rating_comparison(CI),
    "with_pooled": lambda: comparisons.with_pooled(per.client_rating, CI),
    "rating_change": lambda: comparisons.rating_change(CI),
    "round_change": lambda: comparisons.round_change(per.client_rating(CI), "mean"),
    "data_collection": lambda: collection.data_collection(T),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_an_empty_frame_gives_an_empty_result_with_n_and_suppressed(name):
    result = CALLS[name]()
    assert "n" in result.columns and "suppressed" in result.columns
    assert len(result) == 0


def test_pooling_nothing_gives_one_suppressed_row_with_base_zero():
    result = per.client_rating(CI, by=())
    assert len(result) == 1 and result["n"].iloc[0] == 0 and result["suppressed"].iloc[0]
