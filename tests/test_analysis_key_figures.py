"""Key figures: nesting by scope, JSON-ready records, suppression and determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mss_eval.analysis.key_figures import DEFINITIONS, LEVELS, key_figures
from helpers_tidy import StandInStudy, config, empty_tables, stack, tidy

DOCS = Path(__file__).resolve().parents[1] / "docs"
LEAF_KEYS = {"value", "n", "suppressed", "definition", "unit", "ci_low", "ci_high",
             "p", "test"}  # p and test: a change between rounds (issue 18)


def _study(min_respondents: int = 5) -> StandInStudy:
    cfg = config({"r1": ["a", "b"], "r2": ["a"]}, target={"a": 2000, "b": 500},
                 approached={"r1": {"a": {"client_interview": 8}}},
                 min_respondents=min_respondents)
    tables = empty_tables()
    tables["client_interview"] = stack(
        tidy("client_interview", mss_rating=[8, 9, 7, 8, 8, 6], has_spv=[True] * 4 + [False] * 2,
             gender=["man", "woman"] * 3, region=["a"] * 6),
        tidy("client_interview", mss_rating=[7, 6, 8], has_spv=[True, False, True],
             region=["b"] * 3),
        tidy("client_interview", mss_rating=[9, 9, 8, 9, 10], round=["r2"] * 5, region=["a"] * 5),
    )
    tables["interview_register"] = tidy("interview_register", kind=["general", "partner"],
                                        region=["a", "b"])
    tables["monitor_register"] = tidy(
        "monitor_register", registration_number=list(range(1, 8)),
        client_id=[f"c{i}" for i in range(7)], date=["2010-01-01"] * 4 + ["2010-02-01"] * 3,
        life_domain=["work"] * 7, region=["a"] * 7)
    tables["governance_profile"] = tidy("governance_profile", covenant=[True, False],
                                        case_tables=[5, 0], region=["a", "b"])
    return StandInStudy(cfg, tables)


def _leaves(node, path=""):
    if isinstance(node, dict) and "definition" in node and "value" in node:
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{path}.{k}" if path else k)


def test_region_scope_holds_the_region_and_its_round():
    figures = key_figures(_study(), "r1", "a")
    assert [k for k in figures if k != "definitions"] == ["meta", "region", "round"]
    assert list(figures["region"]) == list(LEVELS)
    rating = figures["region"]["personal"]["rating_mean"]
    assert rating["value"] == pytest.approx(46 / 6) and rating["n"] == 6
    assert rating["ci_low"] < rating["value"] < rating["ci_high"]
    # the round's 9 ratings minus a's 6 would give away b's 3 (suppressed): the round's mean
    # is suppressed too (rule 4); with a minimum of 3 nothing is hidden and it is 67 / 9
    round_rating = figures["round"]["personal"]["rating_mean"]
    assert round_rating["value"] is None and round_rating["suppressed"] and round_rating["n"] == 9
    assert key_figures(_study(min_respondents=3), "r1", "a")["round"]["personal"][
        "rating_mean"]["value"] == pytest.approx(67 / 9)
    assert figures["region"]["personal"]["share_has_spv"]["value"] == pytest.approx(4 / 6)
    assert figures["region"]["collection"]["client_interview"]["value"] == 6
    assert figures["region"]["collection"]["client_interview_response"]["value"] == 0.75
    assert figures["region"]["administrative"]["covenant"]["value"] is True
    assert figures["region"]["indicators"]["reach_per_1000"]["value"] == pytest.approx(3.5)
    assert figures["meta"]["scope"] == "region" and figures["meta"]["min_respondents"] == 5


def test_a_figure_below_the_minimum_has_no_value_but_keeps_its_base():
    figures = key_figures(_study(), "r1", "b")
    rating = figures["region"]["personal"]["rating_mean"]
    assert rating == {"value": None, "n": 3, "suppressed": True,
                      "definition": "personal.rating_mean", "unit": "rating",
                      "ci_low": None, "ci_high": None}
    # exactly at the minimum it is shown
    assert key_figures(_study(min_respondents=3), "r1", "b")["region"]["personal"][
        "rating_mean"]["value"] == pytest.approx(7.0)


def test_absent_data_still_give_every_figure():
    figures = key_figures(_study(), "r1", "a")
    network = figures["region"]["executive"]["network_density"]
    assert network["value"] is None and network["n"] == 0
    partners = figures["region"]["executive"]["partners"]
    assert partners["value"] == 0 and not partners["suppressed"]
    ids = {leaf["definition"] for _, leaf in _leaves(figures["region"])}
    expected = {d for d, v in DEFINITIONS.items() if "region" in v.scopes}
    assert ids == expected


def test_round_and_study_scopes_nest_regions_and_changes():
    r1 = key_figures(_study(), "r1")
    assert list(r1["regions"]) == ["a", "b"]
    assert "administrative" in r1["regions"]["a"] and r1["round"]["administrative"] == {}
    study = key_figures(_study())
    assert list(study["rounds"]) == ["r1", "r2"]
    assert study["study"]["personal"]["clients"]["value"] == 14
    change = study["changes"]["a"]["r1_r2"]["rating_mean"]
    assert change["value"] == pytest.approx(9.0 - 46 / 6) and change["n"] == 5


def test_records_are_plain_json_and_rendering_twice_gives_the_same_text():
    study = _study()
    for args in (("r1", "a"), ("r1",), ()):
        first = key_figures(study, *args)
        text = json.dumps(first, allow_nan=False, ensure_ascii=False)
        assert json.dumps(key_figures(study, *args), allow_nan=False, ensure_ascii=False) == text
        for path, leaf in _leaves(first):
            assert set(leaf) <= LEAF_KEYS, path
            assert isinstance(leaf["n"], int) and isinstance(leaf["suppressed"], bool)
            assert leaf["value"] is None or type(leaf["value"]) in (int, float, str, bool)
            assert leaf["definition"] in DEFINITIONS


def test_region_without_round_is_found_or_refused():
    study = _study()
    assert key_figures(study, region="b")["meta"]["round"] == "r1"
    with pytest.raises(ValueError):
        key_figures(study, region="a")          # in two rounds
    with pytest.raises(KeyError):
        key_figures(study, "r2", "b")


def test_text_figures_follow_the_language():
    study = _study()
    study.tables["client_interview"] = tidy(
        "client_interview", participation_needs_company=[True] * 5,
        participation_needs_paid_work=[False] * 5)
    figures = key_figures(study, "r1", "a", language="en")
    assert figures["region"]["personal"]["top_participation_need"]["value"] == \
        "meeting people and company"
    assert figures["definitions"]["personal.rating_mean"]["text"].startswith("Mean rating")


def test_every_definition_is_documented():
    text = (DOCS / "figures-json.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+\.[a-z0-9_]+)`", text))
    missing = sorted(set(DEFINITIONS) - documented)
    assert not missing, f"not in docs/figures-json.md: {missing}"


def test_region_figures_from_the_rounds_shared_pass_equal_those_of_the_region_alone(tmp_path):
    """A warm report kernel computes a round's regions in one pass from its second region on;
    every region's figures must be what its report computed on its own, suppressed ones too."""
    import mss_eval
    from mss_eval.analysis import memo
    from mss_eval.example.generator import generate_study

    # 6 small regions: their client figures fall under the minimum (5) and are suppressed
    study = mss_eval.load_study(generate_study(tmp_path / "s", regions_per_round=6,
                                               clients_per_region=4), on_error="skip")
    round_id = study.config.rounds[0].id
    regions = study.config.round(round_id).regions

    def forget():
        memo.forget()

    def passes():
        return [key for key in memo._MEMO if key[0] == "key_figures.regions"]

    alone = {}
    for region in regions:
        forget()
        alone[region] = key_figures(study, round_id, region, include_round=False)
        assert not passes()  # one report alone: no pass over the round
    forget()
    shared = {region: key_figures(study, round_id, region, include_round=False)
              for region in regions}
    assert passes()  # the pass was made and kept
    assert shared == alone
    suppressed = [path for region in regions for path, record in _leaves(alone[region]["region"])
                  if record["suppressed"]]
    assert suppressed, "the study should have suppressed region figures"
    # what the memo hands out is a copy: a report changing its figures changes no other's
    shared[regions[1]]["region"]["personal"]["clients"]["value"] = -1
    again = key_figures(study, round_id, regions[1], include_round=False)
    assert again == alone[regions[1]]
    # the interim report's regions are the same figures
    interim = key_figures(study, round_id, definitions=False)["regions"]
    assert all(interim[region] == alone[region]["region"] for region in regions)
    forget()
