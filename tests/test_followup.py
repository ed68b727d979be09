"""Clients followed over rounds: the paired change of the same clients, computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mss_eval.analysis import TOTAL
from mss_eval.analysis.multilevel import paired_change


def _clients() -> pd.DataFrame:
    # region a: p1-p6 in both rounds, p7 only in r1, p8 only in r2; region b: q1-q3 in both
    rows = []
    before = {"p1": 6, "p2": 7, "p3": 7, "p4": 8, "p5": 5, "p6": 6, "p7": 9}
    after = {"p1": 7, "p2": 7, "p3": 9, "p4": 8, "p5": 7, "p6": 8, "p8": 3}
    for pid, v in before.items():
        rows.append({"round": "r1", "region": "a", "respondent_id": pid, "mss_rating": v})
    for pid, v in after.items():
        rows.append({"round": "r2", "region": "a", "respondent_id": pid, "mss_rating": v})
    for pid, (x, y) in {"q1": (8, 6), "q2": (7, 6), "q3": (9, 8)}.items():
        rows.append({"round": "r1", "region": "b", "respondent_id": pid, "mss_rating": x})
        rows.append({"round": "r2", "region": "b", "respondent_id": pid, "mss_rating": y})
    frame = pd.DataFrame(rows)
    frame["mss_rating"] = frame["mss_rating"].astype("Int64")
    return frame


def test_the_change_of_the_same_clients_by_hand():
    out = paired_change(_clients(), outcomes=["mss_rating"], min_n=5, pooled=False)
    a = out[out["region"] == "a"].iloc[0]
    diff = np.array([1, 0, 2, 0, 2, 2], dtype=float)  # p1..p6, after - before
    n = 6
    sd = math.sqrt(((diff - diff.mean()) ** 2).sum() / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    assert a["n"] == 6 and (a["round_from"], a["round_to"]) == ("r1", "r2")
    assert a["mean_from"] == pytest.approx(39 / 6) and a["mean_to"] == pytest.approx(46 / 6)
    assert a["change"] == pytest.approx(diff.mean()) and a["sd_change"] == pytest.approx(sd)
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((diff.mean() - half, diff.mean() + half))
    t = diff.mean() / (sd / math.sqrt(n))
    assert a["t"] == pytest.approx(t) and a["dof"] == 5
    assert a["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), n - 1))
    # the round's clients: 7 in r1, 7 in r2, of whom 6 were followed
    assert (a["n_round_from"], a["n_round_to"]) == (7, 7)


def test_clients_seen_once_do_not_enter_the_paired_change():
    out = paired_change(_clients(), outcomes=["mss_rating"], min_n=5, pooled=False)
    a = out[out["region"] == "a"].iloc[0]
    # p7 (9, only before) and p8 (3, only after) would move the means if they counted
    assert a["mean_from"] == pytest.approx(39 / 6) and a["mean_to"] == pytest.approx(46 / 6)


def test_fewer_pairs_than_the_minimum_are_suppressed_and_so_is_a_total_that_gives_them_away():
    out = paired_change(_clients(), outcomes=["mss_rating"], min_n=5).set_index("region")
    b = out.loc["b"]
    assert bool(b["suppressed"]) and b["n"] == 3 and pd.isna(b["change"])
    # the pooled 9 pairs minus a's 6 would give away b's 3: the total is hidden too
    total = out.loc[TOTAL]
    assert total["n"] == 9 and bool(total["suppressed"]) and pd.isna(total["change"])
    # with a minimum of 3 everything is shown; the total is the mean over all 9 pairs
    shown = paired_change(_clients(), outcomes=["mss_rating"], min_n=3).set_index("region")
    assert shown.loc[TOTAL, "change"] == pytest.approx((7 - 4) / 9)


def test_a_client_in_three_rounds_gives_two_consecutive_pairs():
    frame = pd.DataFrame({"round": ["r1", "r2", "r3"] * 5, "region": "a",
                          "respondent_id": np.repeat([f"p{i}" for i in range(5)], 3),
                          "mss_rating": [5, 6, 8] * 5})
    out = paired_change(frame, outcomes=["mss_rating"], min_n=5, pooled=False,
                        rounds=["r1", "r2", "r3"])
    assert list(zip(out["round_from"], out["round_to"])) == [("r1", "r2"), ("r2", "r3")]
    assert out["change"].tolist() == pytest.approx([1.0, 2.0])


def test_the_same_id_in_another_region_is_another_client():
    frame = pd.DataFrame({"round": ["r1"] * 5 + ["r2"] * 5, "region": ["a"] * 5 + ["b"] * 5,
                          "respondent_id": [f"p{i}" for i in range(5)] * 2,
                          "mss_rating": [6] * 10})
    assert paired_change(frame, outcomes=["mss_rating"], min_n=1).empty


def test_an_outcome_missing_in_one_round_drops_that_client_from_its_pair():
    frame = _clients()
    frame.loc[(frame["respondent_id"] == "p1") & (frame["round"] == "r2"), "mss_rating"] = pd.NA
    out = paired_change(frame, outcomes=["mss_rating"], min_n=5, pooled=False)
    a = out[out["region"] == "a"].iloc[0]
    assert a["n"] == 5 and a["change"] == pytest.approx(6 / 5)


# -- the example study's follow-up round ----------------------------------------------------------
def test_the_example_follow_up_round_interviews_part_of_round_ones_clients_again():
    from pathlib import Path

    import mss_eval
    from mss_eval.analysis.collection import data_collection

    example = Path(__file__).resolve().parents[1] / "data_templates" / "example_study"
    if not (example / "study.yaml").is_file():
        pytest.skip("the example study has not been generated")
    study = mss_eval.load_study(example)
    assert [r.id for r in study.config.rounds] == ["2010-1", "2010-2", "2011"]
    assert study.config.round("2011").regions == ("den_haag", "dordrecht")
    clients = study["client_interview"]
    ids = {(rnd, g): set(clients.loc[(clients["round"] == rnd) & (clients["region"] == g),
                                     "respondent_id"]) for rnd in ("2010-1", "2011")
           for g in ("den_haag", "dordrecht")}
    for g in ("den_haag", "dordrecht"):
        again = ids[("2010-1", g)] & ids[("2011", g)]
        # partly the same clients: some followed, some new, some not seen again
        assert 5 <= len(again) < len(ids[("2011", g)]) < len(ids[("2010-1", g)])
    out = paired_change(clients, outcomes=["mss_rating"], rounds=["2010-1", "2010-2", "2011"],
                        min_n=5).set_index("region")
    assert (out["round_from"] == "2010-1").all() and (out["round_to"] == "2011").all()
    assert not out["suppressed"].any() and out.loc[TOTAL, "n"] == 16
    # round 1's Table 1 is untouched by the follow-up round
    table = data_collection(study.tables, config=study.config, round="2010-1")
    interviews = table[table["method"] == "client_interview"].set_index("region")["n"]
    assert interviews.to_dict() == {"den_haag": 14, "eindhoven": 13, "dordrecht": 12, TOTAL: 39}
