"""The data-collection table (the interim report's Table 1) on small hand-made data."""

from __future__ import annotations

import pandas as pd
import pytest

from mss_eval.analysis import TOTAL
from mss_eval.analysis.collection import METHODS, data_collection, method_labels
from helpers_tidy import config, stack, tidy


def _tables():
    register = stack(
        tidy("interview_register", kind=["general", "general", "partner"], region=["a"] * 3),
        tidy("interview_register", kind=["partner"] * 2, region=["b"] * 2),
    )
    clients = tidy("client_interview", mss_rating=[8, 7, 9], region=["a", "a", "b"])
    quest = tidy("client_questionnaire", brought_to_case_table=[True], region=["b"])
    meeting = tidy("feedback_meeting", attendee_number=[1, 2, 3, 4], region=["a"] * 4)
    return {"interview_register": register, "client_interview": clients,
            "client_questionnaire": quest, "feedback_meeting": meeting}


def _table(result, round="r1"):
    r = result[result["round"] == round]
    return r.pivot(index="method", columns="region", values="n")


def test_counts_respondents_per_method_and_region_with_a_total():
    cfg = config({"r1": ["a", "b", "c"]})
    t = _table(data_collection(_tables(), config=cfg))
    # by hand: a has 2 general + 1 partner interviews, 2 clients, 4 attendees; b 2 partner
    # interviews, 1 client, 1 questionnaire; c has nothing but still gets its zeros
    assert t.loc["general_interview"].to_dict() == {"a": 2, "b": 0, "c": 0, TOTAL: 2}
    assert t.loc["partner_interview"].to_dict() == {"a": 1, "b": 2, "c": 0, TOTAL: 3}
    assert t.loc["client_interview"].to_dict() == {"a": 2, "b": 1, "c": 0, TOTAL: 3}
    assert t.loc["client_questionnaire"].to_dict() == {"a": 0, "b": 1, "c": 0, TOTAL: 1}
    assert t.loc["feedback_meeting"].to_dict() == {"a": 4, "b": 0, "c": 0, TOTAL: 4}


def test_small_counts_are_never_suppressed_in_the_accountability_table():
    result = data_collection(_tables(), config=config({"r1": ["a", "b"]}))
    assert not result["suppressed"].any()
    assert result["n"].min() == 0


def test_methods_come_in_a_fixed_order_with_labels_from_the_instruments():
    result = data_collection(_tables(), config=config({"r1": ["a", "b"]}), language="en")
    assert list(dict.fromkeys(result["method"])) == list(METHODS)
    labels = dict(zip(result["method"], result["method_label"]))
    assert labels["general_interview"] == "general interview"
    assert labels["partner_interview"] == "partner interview"
    assert labels == method_labels("en")


def test_response_is_respondents_over_approached_where_the_study_records_it():
    cfg = config({"r1": ["a", "b"]},
                 approached={"r1": {"a": {"client_interview": 4},
                                    "b": {"client_interview": 2, "partner_interview": 4}}})
    result = data_collection(_tables(), config=cfg)
    row = result.set_index(["region", "method"])
    assert row.loc[("a", "client_interview"), "response"] == pytest.approx(2 / 4)
    assert row.loc[("b", "partner_interview"), "response"] == pytest.approx(2 / 4)
    assert row.loc[(TOTAL, "client_interview"), "response"] == pytest.approx(3 / 6)
    # not approached anywhere: no response figure rather than a made-up one
    assert pd.isna(row.loc[("a", "feedback_meeting"), "response"])
    assert pd.isna(row.loc[(TOTAL, "partner_interview"), "response"])


def test_without_a_config_the_regions_come_from_the_data_and_a_round_can_be_chosen():
    tables = _tables()
    tables["client_interview"] = stack(tables["client_interview"],
                                       tidy("client_interview", mss_rating=[5], round=["r2"],
                                            region=["a"]))
    result = data_collection(tables, round="r2")
    assert set(result["round"]) == {"r2"}
    t = _table(result, "r2")
    assert t.loc["client_interview"].to_dict() == {"a": 1, TOTAL: 1}


def test_missing_instruments_count_as_empty():
    result = data_collection({}, config=config({"r1": ["a"]}))
    assert (result["n"] == 0).all()
    assert len(result) == len(METHODS) * 2
