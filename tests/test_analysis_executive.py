"""Executive level on small hand-made data: collaboration scales, network, feedback meetings."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mss_eval.analysis import executive
from mss_eval.instruments import get_instrument
from helpers_tidy import stack, tidy

KEY = {1: "strongly_disagree", 2: "disagree", 3: "neutral", 4: "agree", 5: "strongly_agree"}


# -- collaboration quality -----------------------------------------------------------------------
def _partners(codes_1, codes_2, region="a"):
    return tidy("partner_survey",
                respondent_id=[f"p{i}" for i in range(len(codes_1))],
                organisation=[f"Org {i}" for i in range(len(codes_1))],
                cq_task_coordination_1=[KEY.get(c) for c in codes_1],
                cq_task_coordination_2=[KEY.get(c) for c in codes_2],  # reversed
                region=[region] * len(codes_1))


def test_collaboration_scale_reverses_duplicate_work_and_matches_alpha_formula():
    c1, c2 = [4, 5, 3, 4, 2, 4], [2, 1, 3, 3, 4, None]
    out = executive.collaboration_scales(_partners(c1, c2), min_n=5)
    row = out.set_index("scale").loc["task_coordination"]
    scored = np.array([[a, 6 - b] for a, b in zip(c1[:5], c2[:5])], dtype=float)
    k = 2
    alpha = k / (k - 1) * (1 - scored.var(axis=0, ddof=1).sum() / scored.sum(axis=1).var(ddof=1))
    assert row["n_alpha"] == 5 and row["alpha"] == pytest.approx(alpha)
    # min_items 2: the sixth respondent (one answer) has no score
    assert row["n"] == 5
    assert row["mean"] == pytest.approx(scored.mean(axis=1).mean())
    # every scale of the instrument gets a row, in instrument order
    assert out["scale"].tolist() == list(get_instrument("partner_survey").scales)
    assert out.set_index("scale").loc["short_lines", "n"] == 0


def test_bottleneck_items_are_items_below_the_threshold_after_reversal():
    # item 1 mean 3.4 (fine); item 2 "partners duplicate work": mostly agree -> scored low
    out = executive.bottleneck_items(_partners([4, 3, 3, 4, 3], [4, 5, 4, 4, 3]), min_n=5)
    items = out.set_index("item")
    assert items.loc["cq_task_coordination_1", "mean"] == pytest.approx(3.4)
    assert not items.loc["cq_task_coordination_1", "bottleneck"]
    assert items.loc["cq_task_coordination_2", "mean"] == pytest.approx(6 - 4)
    assert items.loc["cq_task_coordination_2", "bottleneck"]
    assert items.loc["cq_task_coordination_2", "share_unfavourable"] == pytest.approx(4 / 5)
    assert items.loc["cq_short_lines_1", "suppressed"]
    assert pd.isna(items.loc["cq_short_lines_1", "bottleneck"])


def test_bottleneck_threshold_is_a_setting():
    out = executive.bottleneck_items(_partners([4, 3, 3, 4, 3], [2] * 5), threshold=3.5, min_n=5)
    assert out.set_index("item").loc["cq_task_coordination_1", "bottleneck"]


def test_partner_results_rating():
    df = tidy("partner_survey", results_rating=[7, 8, 6, 7, 7, None])
    out = executive.partner_results_rating(df, min_n=5).iloc[0]
    assert (out["n"], out["mean"]) == (5, 7.0)


# -- network ---------------------------------------------------------------------------------------
def _star_study(extra_ties=()):
    """Hub 'GGZ' named by four respondents from four other organisations, plus extras."""
    orgs = ["Wijkteam", "Woonstichting", "Gemeente", "Cliëntenraad"]
    groups = ["care_services", "civil_society", "government_funders", "clients_relatives"]
    partners = stack(
        tidy("partner_survey", respondent_id=[f"r{i}" for i in range(4)], organisation=orgs,
             organisation_group=groups),
        tidy("partner_survey", respondent_id=["r9"], organisation=["GGZ"],
             organisation_group=["care_services"]),
    )
    ties = tidy("partner_ties",
                respondent_id=["r0", "r1", "r2", "r3", "r9", "r0"] + [t[0] for t in extra_ties],
                partner_organisation=["GGZ", " ggz ", "GGZ", "GGZ", "Wijkteam", "wijkteam"]
                + [t[1] for t in extra_ties],
                partner_group=["care_services"] * 6 + [None] * len(extra_ties),
                frequency=["weekly", "monthly", "yearly", "weekly", "daily", "weekly"]
                + [t[2] for t in extra_ties])
    return partners, ties


def test_degree_centralisation_is_one_for_a_star_and_zero_for_a_cycle():
    assert executive.degree_centralisation(nx.star_graph(5)) == 1.0
    assert executive.degree_centralisation(nx.cycle_graph(6)) == 0.0
    # a path a-b-c-d by hand: degrees 1,2,2,1, max 2: (1+0+0+1) / ((4-1)(4-2)) = 1/3
    assert executive.degree_centralisation(nx.path_graph(4)) == pytest.approx(1 / 3)
    assert np.isnan(executive.degree_centralisation(nx.path_graph(2)))


def test_network_matches_names_drops_self_ties_and_keeps_the_highest_frequency():
    partners, ties = _star_study()
    (graph, respondents), = executive.build_networks(partners, ties).values()
    # ' ggz ' is GGZ; Wijkteam naming itself is no tie; GGZ-Wijkteam reported twice
    assert respondents == 5
    assert graph.number_of_nodes() == 5 and graph.number_of_edges() == 4
    assert graph["ggz"]["wijkteam"]["weight"] == 7      # daily beats weekly
    assert graph["ggz"]["wijkteam"]["reports"] == 2
    assert graph.nodes["ggz"]["name"] == "GGZ"
    assert graph.nodes["cliëntenraad"]["group"] == "clients_relatives"


def test_collaboration_network_of_a_star():
    partners, ties = _star_study()
    out = executive.collaboration_network(partners, ties, min_n=5).iloc[0]
    assert (out["organisations"], out["ties"]) == (5, 4)
    assert out["density"] == pytest.approx(4 / 10)
    assert out["degree_centralisation"] == pytest.approx(1.0)
    assert out["mean_degree"] == pytest.approx(8 / 5)
    small = executive.collaboration_network(partners, ties, min_n=6).iloc[0]
    assert small["suppressed"] and pd.isna(small["density"]) and small["n"] == 5


def test_most_central_organisations_and_groups():
    partners, ties = _star_study(extra_ties=[("r1", "Gemeente", "monthly")])
    top = executive.central_organisations(partners, ties, top=3, min_n=5, language="en")
    # Woonstichting (r1) now also works with Gemeente: both degree 2; the tie is broken by
    # strength, the summed frequency codes: Woonstichting 4 + 4 = 8, Gemeente 1 + 4 = 5
    assert top["organisation"].tolist() == ["GGZ", "Woonstichting", "Gemeente"]
    assert top["degree"].tolist() == [4, 2, 2]
    # GGZ: Wijkteam 7 (daily), Woonstichting 4, Gemeente 1, Cliëntenraad 6
    assert top["strength"].tolist() == [18, 8, 5]
    assert top["degree_centrality"].iloc[0] == 1.0
    assert top["group_label"].iloc[0] == "care and services"
    groups = executive.central_groups(partners, ties, min_n=5).set_index("group")
    assert groups.loc["care_services", "organisations"] == 2
    assert groups.loc["care_services", "mean_degree"] == pytest.approx((4 + 1) / 2)
    assert groups["rank"].to_dict() == {"clients_relatives": 4, "civil_society": 2,
                                        "government_funders": 2, "care_services": 1}


def test_central_organisations_of_a_small_network_name_nobody():
    partners, ties = _star_study()
    out = executive.central_organisations(partners, ties, min_n=6)
    assert len(out) == 1 and out["suppressed"].iloc[0] and pd.isna(out["organisation"].iloc[0])


def test_ties_between_organisation_groups():
    partners, ties = _star_study()
    out = executive.group_ties(partners, ties, min_n=5)
    pairs = {(a, b): n for a, b, n in zip(out["group_a"], out["group_b"], out["ties"])}
    # GGZ (care) with: Wijkteam (care), Woonstichting (civil), Gemeente (gov), Cliëntenraad
    assert pairs == {("clients_relatives", "care_services"): 1,
                     ("civil_society", "care_services"): 1,
                     ("government_funders", "care_services"): 1,
                     ("care_services", "care_services"): 1}
    assert out["share"].sum() == pytest.approx(1.0)


def test_networks_of_regions_stay_apart():
    p1, t1 = _star_study()
    p2 = p1.assign(region=pd.array(["b"] * len(p1), dtype="string"))
    t2 = t1.assign(region=pd.array(["b"] * len(t1), dtype="string"))
    t2 = t2[t2.respondent_id != "r3"]
    out = executive.collaboration_network(stack(p1, p2), stack(t1, t2), min_n=1)
    assert out["region"].tolist() == ["a", "b"]
    assert out["ties"].tolist() == [4, 3]
    assert out["n"].tolist() == [5, 4]


# -- feedback meetings ---------------------------------------------------------------------------
def test_feedback_attendance_by_organisation_group():
    df = tidy("feedback_meeting", attendee_number=list(range(1, 11)),
              organisation_group=["care_services"] * 7 + ["civil_society"] * 2
              + ["clients_relatives"])
    out = executive.feedback_attendance(df, min_n=5).set_index("answer")
    assert out.loc["care_services", "share"] == 0.7
    assert out.loc["government_funders", "count"] == 0
    assert out["n"].iloc[0] == 10


def test_share_of_findings_recognised():
    df = tidy("feedback_findings", finding_number=list(range(1, 8)),
              recognition=["recognised"] * 4 + ["partly", "not_recognised", None])
    out = executive.findings_recognised(df, min_n=5).iloc[0]
    assert (out["n"], out["recognised"], out["at_least_partly"]) == (6, 4, 5)
    assert out["share_recognised"] == pytest.approx(4 / 6)
    small = executive.findings_recognised(df.iloc[:5], min_n=6).iloc[0]
    assert small["suppressed"] and pd.isna(small["share_recognised"])
