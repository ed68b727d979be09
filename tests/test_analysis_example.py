"""Acceptance on the shipped example study: Table 1 of the interim report and the ratings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mss_eval
from mss_eval.analysis import TOTAL
from mss_eval.analysis.collection import data_collection
from mss_eval.analysis.key_figures import key_figures
from mss_eval.analysis.personal import client_rating, personal_network

EXAMPLE = Path(__file__).resolve().parents[1] / "data_templates" / "example_study"

#: The interim report's Table 1 (round 1, February-July 2010): respondents per method.
TABLE_1 = {
    "general_interview": {"den_haag": 5, "eindhoven": 10, "dordrecht": 4, TOTAL: 19},
    "partner_interview": {"den_haag": 8, "eindhoven": 9, "dordrecht": 5, TOTAL: 22},
    "client_questionnaire": {"den_haag": 7, "eindhoven": 10, "dordrecht": 9, TOTAL: 26},
    "client_interview": {"den_haag": 14, "eindhoven": 13, "dordrecht": 12, TOTAL: 39},
    "feedback_meeting": {"den_haag": 12, "eindhoven": 12, "dordrecht": 10, TOTAL: 34},
}
#: Mean client rating of the MSS in the interim report.
RATINGS = {"den_haag": 8.0, "eindhoven": 8.0, "dordrecht": 7.7}


@pytest.fixture(scope="module")
def study():
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study has not been generated")
    return mss_eval.load_study(EXAMPLE)


def test_round_one_data_collection_table_equals_table_1(study):
    table = data_collection(study.tables, config=study.config, round="2010-1")
    got = {method: dict(zip(rows["region"], rows["n"]))
           for method, rows in table.groupby("method", sort=False)}
    assert got == TABLE_1


def test_round_one_ratings_are_close_to_the_interim_report(study):
    ratings = client_rating(study["client_interview"], min_n=study.settings.min_respondents)
    # round 1's regions (the follow-up round 2011 measures two of them again)
    ratings = ratings[ratings["round"] == "2010-1"].set_index("region")
    for region, expected in RATINGS.items():
        row = ratings.loc[region]
        assert row["round"] == "2010-1" and not row["suppressed"]
        assert abs(row["mean"] - expected) <= 0.3, (region, row["mean"])


def test_professional_rings_outweigh_the_informal_ones_in_every_region(study):
    network = personal_network(study["client_interview"])
    shown = network[~network["suppressed"]]
    assert len(shown) > 0
    assert (shown["professional_persons"] > shown["informal_persons"]).all()


def test_key_figures_of_the_example_study_serialise(study):
    figures = key_figures(study, "2010-1", "den_haag")
    text = json.dumps(figures, allow_nan=False, ensure_ascii=False)
    assert figures["region"]["collection"]["client_interview"]["value"] == 14
    assert abs(figures["region"]["personal"]["rating_mean"]["value"] - 8.0) <= 0.3
    assert json.dumps(key_figures(study, "2010-1", "den_haag"), allow_nan=False,
                      ensure_ascii=False) == text
