"""Analyses of coded segments: matrix, shared themes, source kinds, co-occurrence, agreement.

Agreement statistics are checked two ways: against the ``krippendorff`` package and
``statsmodels``, and by hand on data small enough to work out in a comment.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from mss_eval.instruments import get_instrument
from mss_eval.qualitative.analysis import (
    code_cooccurrence,
    code_frequencies_by_source_kind,
    code_region_matrix,
    cohen_kappa,
    coder_units,
    intercoder_agreement,
    krippendorff_alpha,
    percent_agreement,
    reliability,
    shared_themes,
)

KINDS = pd.CategoricalDtype(get_instrument("coded_segments").answer_set(
    get_instrument("coded_segments").item("source_kind")).keys())
SECRET = "dit fragment is privé en mag nergens in een uitkomst staan"


def segments(rows: list[tuple]) -> pd.DataFrame:
    """A tidy coded_segments frame from (round, region, source, kind, code, coder) tuples."""
    df = pd.DataFrame(rows, columns=["round", "region", "source_id", "source_kind", "code",
                                     "coder"])
    df.insert(2, "segment_id", [f"s{i}" for i in range(len(df))])
    df["start"] = pd.array([0] * len(df), dtype="Int64")
    df["end"] = pd.array([10] * len(df), dtype="Int64")
    df["excerpt"] = SECRET
    return df.astype({"round": "string", "region": "string", "segment_id": "string",
                      "source_id": "string", "source_kind": KINDS, "code": "string",
                      "coder": "string", "excerpt": "string"})


CONT, SHORT = "administrative/continuity", "executive/shorter_lines"
PEER, LOW = "executive/peer_expertise", "personal/low_threshold"
GI, PI, CI = "general_interview", "partner_interview", "client_interview"

#: The presence table of tests/qualitative_qdpx.example_project (ann / bob):
#:   source s1: continuity 1/1, shorter_lines 1/1, peer_expertise 0/1, low_threshold 0/0
#:   source s2: continuity 0/0, shorter_lines 1/0, peer_expertise 1/1, low_threshold 0/0
#:   source s3: continuity 0/0, shorter_lines 0/0, peer_expertise 0/0, low_threshold 1/1
#: plus s4, coded by ann only (continuity), which does not enter agreement.
DOUBLE = segments([
    ("r1", "dh", "s1", GI, CONT, "ann"), ("r1", "dh", "s1", GI, CONT, "bob"),
    ("r1", "dh", "s1", GI, SHORT, "ann"), ("r1", "dh", "s1", GI, SHORT, "bob"),
    ("r1", "dh", "s1", GI, SHORT, "ann"),
    ("r1", "dh", "s1", GI, PEER, "bob"),
    ("r1", "dh", "s2", PI, SHORT, "ann"),
    ("r1", "dh", "s2", PI, PEER, "ann"), ("r1", "dh", "s2", PI, PEER, "bob"),
    ("r1", "dh", "s3", CI, LOW, "ann"), ("r1", "dh", "s3", CI, LOW, "bob"),
    ("r1", "dh", "s4", CI, CONT, "ann"),
])


def alpha_by_hand(data: list[list[float]]) -> float:
    """Krippendorff's alpha (nominal) via the coincidence matrix, for checking the package."""
    matrix = np.array(data, dtype=float)
    values = sorted({v for v in matrix.ravel() if not np.isnan(v)})
    o = np.zeros((len(values), len(values)))
    for unit in matrix.T:
        present = [values.index(v) for v in unit if not np.isnan(v)]
        m = len(present)
        if m < 2:
            continue
        for i, a in enumerate(present):
            for j, b in enumerate(present):
                if i != j:
                    o[a, b] += 1 / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d_o = (o.sum() - np.trace(o)) / n
    d_e = (n * n - (n_c**2).sum()) / (n * (n - 1))
    return 1 - d_o / d_e


# -- agreement by hand ----------------------------------------------------------------------
def test_alpha_on_the_example_by_hand_and_by_the_package():
    # Units are (source, code); ann and bob give these values over the 12 units
    # (s1: cont, short, peer, low; s2: ...; s3: ...):
    #   ann: 1 1 0 0 | 0 1 1 0 | 0 0 0 1
    #   bob: 1 1 1 0 | 0 0 1 0 | 0 0 0 1
    # Coincidence matrix (each unit with 2 values adds 1/(2-1) = 1 per ordered pair of values):
    #   both 1 in 4 units -> o11 = 8; both 0 in 6 units -> o00 = 12; 2 disagreements -> o01 =
    #   o10 = 2.  n0 = o00 + o01 = 14, n1 = o10 + o11 = 10, n = 24.
    #   D_o = (o01 + o10) / n = 4/24;  D_e = 2 * n0 * n1 / (n (n - 1)) = 280/552.
    #   alpha = 1 - D_o / D_e = 1 - (4/24) / (280/552) = 0.6714...  -> "tentative"
    expected = 1 - (4 / 24) / (280 / 552)
    ann = [1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1]
    bob = [1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert alpha_by_hand([ann, bob]) == pytest.approx(expected)
    assert krippendorff.alpha(reliability_data=[ann, bob], level_of_measurement="nominal") \
        == pytest.approx(expected)
    overall = intercoder_agreement(DOUBLE).iloc[0]
    assert overall["scope"] == "overall"
    assert overall["alpha"] == pytest.approx(expected)
    assert overall["reliability"] == "tentative"
    assert overall["percent_agreement"] == pytest.approx(10 / 12)
    assert (overall["n"], overall["sources"], overall["coders"]) == (12, 3, 2)


def test_alpha_per_code_by_hand():
    # peer_expertise over s1, s2, s3: ann 0 1 0, bob 1 1 0.  o11 = 2, o00 = 2, o01 = o10 = 1;
    # n0 = n1 = 3, n = 6: alpha = 1 - (2/6) / (2*3*3 / (6*5)) = 1 - (1/3)/(3/5) = 4/9.
    # continuity (1/1, 0/0, 0/0) and low_threshold (0/0, 0/0, 1/1) agree everywhere: alpha 1.
    table = intercoder_agreement(DOUBLE).set_index("code", drop=False)
    per_code = table[table["scope"] == "code"]
    assert per_code["code"].tolist() == [CONT, SHORT, PEER, LOW]   # codebook order
    assert per_code.loc[PEER, "alpha"] == pytest.approx(4 / 9)
    assert per_code.loc[SHORT, "alpha"] == pytest.approx(4 / 9)
    assert per_code.loc[CONT, "alpha"] == pytest.approx(1.0)
    assert per_code.loc[LOW, "reliability"] == "reliable"
    assert per_code.loc[PEER, "reliability"] == "unreliable"
    for code in (CONT, SHORT, PEER, LOW):
        units = coder_units(DOUBLE, codes=[code]).pivot_table(
            index="coder", columns="source_id", values="present").to_numpy(dtype=float)
        assert per_code.loc[code, "alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=units, level_of_measurement="nominal"))


def test_cohens_kappa_by_hand_on_a_2x2_table():
    # Confusion table of the example (rows ann 0/1, columns bob 0/1): [[6, 1], [1, 4]].
    #   p_o = (6 + 4) / 12 = 10/12; ann has five 1s, bob five 1s:
    #   p_e = (7/12)(7/12) + (5/12)(5/12) = 74/144;  kappa = (120/144 - 74/144) / (70/144) = 46/70
    overall = intercoder_agreement(DOUBLE).iloc[0]
    assert overall["kappa"] == pytest.approx(46 / 70)
    assert cohens_kappa(np.array([[6, 1], [1, 4]])).kappa == pytest.approx(46 / 70)


def test_kappa_matches_statsmodels_on_random_tables():
    rng = np.random.default_rng(5)
    for _ in range(20):
        m = rng.integers(0, 2, size=(2, 30)).astype(float)
        table = np.array([[np.sum((m[0] == i) & (m[1] == j)) for j in (0, 1)] for i in (0, 1)])
        assert cohen_kappa(m) == pytest.approx(cohens_kappa(table).kappa)


def test_alpha_with_three_coders_and_missing_values_matches_the_package():
    data = [[1, 0, 1, np.nan, 0, 1], [1, 1, 1, 0, np.nan, 1], [np.nan, 0, 1, 0, 0, 0]]
    assert krippendorff_alpha(np.array(data)) == pytest.approx(alpha_by_hand(data))
    assert krippendorff_alpha(np.array(data)) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    # pairs: unit1 (1,1) 2 agree of 2; unit2 (0,1,0) 2 of 6; unit3 (1,1,1) 6 of 6; unit4 (0,0) 2/2;
    # unit5 (0,0) 2/2; unit6 (1,1,0) 2/6 -> 16 / 24
    assert percent_agreement(np.array(data)) == pytest.approx(16 / 24)


def test_agreement_without_variation_is_undefined_not_perfect():
    same = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    assert np.isnan(krippendorff_alpha(same)) and np.isnan(cohen_kappa(same))
    assert percent_agreement(same) == 1.0
    assert reliability(float("nan")) == "undefined"


@pytest.mark.parametrize("alpha, word", [(0.8, "reliable"), (0.799, "tentative"),
                                         (0.667, "tentative"), (0.666, "unreliable")])
def test_reliability_thresholds(alpha, word):
    assert reliability(alpha) == word


def test_three_coders_give_no_kappa():
    third = segments([("r1", "dh", "s1", GI, CONT, "cor"), ("r1", "dh", "s2", PI, PEER, "cor")])
    table = intercoder_agreement(pd.concat([DOUBLE, third], ignore_index=True))
    assert table.iloc[0]["coders"] == 3 and pd.isna(table.iloc[0]["kappa"])
    assert not pd.isna(table.iloc[0]["alpha"])


def test_no_double_coding_gives_an_empty_table():
    single = DOUBLE[DOUBLE["coder"] == "ann"]
    assert intercoder_agreement(single).empty


def test_codebook_units_add_agreed_absences():
    used = intercoder_agreement(DOUBLE).iloc[0]
    every = intercoder_agreement(DOUBLE, codes="codebook").iloc[0]
    assert every["n"] == 3 * 30 and used["n"] == 12
    assert every["percent_agreement"] > used["percent_agreement"]


# -- themes -----------------------------------------------------------------------------------
THREE = pd.concat([DOUBLE, segments([
    ("r1", "ehv", "e1", PI, CONT, "cees"), ("r1", "ehv", "e1", PI, LOW, "cees"),
    ("r1", "ehv", "e2", CI, LOW, "cees"),
    ("r1", "dor", "d1", GI, SHORT, "dirk"),
    ("r2", "dh", "s1", GI, CONT, "ann"),
])], ignore_index=True)


def test_matrix_counts_segments_and_distinct_sources_per_region():
    m = code_region_matrix(THREE, "administrative")
    assert set(m["level"]) == {"administrative"} and len(m) == 4 * 5  # 4 region-rounds x 5 codes
    cont = m[m["code"] == CONT].set_index(["round", "region"])
    assert cont.loc[("r1", "dh"), ["segments", "sources", "n"]].tolist() == [3, 2, 4]
    assert cont.loc[("r1", "ehv"), ["segments", "sources", "n"]].tolist() == [1, 1, 2]
    assert cont.loc[("r1", "dor"), ["segments", "sources", "n"]].tolist() == [0, 0, 1]
    assert cont.loc[("r1", "ehv"), "share"] == pytest.approx(0.5)
    assert m["round"].tolist()[:5] == ["r1"] * 5 and m["region"].tolist()[:5] == ["dh"] * 5


def test_shared_themes_need_k_regions_of_the_round():
    two = shared_themes(THREE)
    assert two[["round", "code", "regions", "n", "region_ids"]].values.tolist() == [
        ["r1", CONT, 2, 3, "dh, ehv"], ["r1", SHORT, 2, 3, "dh, dor"],
        ["r1", LOW, 2, 3, "dh, ehv"]]
    three = shared_themes(THREE, k=3)
    assert three.empty
    only_personal = shared_themes(THREE, level="personal")
    assert only_personal["code"].tolist() == [LOW]
    with_all = shared_themes(THREE, all_themes=True)
    assert with_all.loc[with_all["code"] == PEER, "found"].tolist() == [False]


def test_frequencies_by_source_kind():
    f = code_frequencies_by_source_kind(THREE, "personal")
    low = f[(f["code"] == LOW) & (f["round"] == "r1")].set_index("source_kind", drop=False)
    # client interviews in r1: s3, s4, e2; low_threshold in s3 (ann, bob) and e2 (cees)
    assert low.loc[CI, ["segments", "sources", "n"]].tolist() == [3, 2, 3]
    # partner interviews in r1: s2, e1; low_threshold in e1
    assert low.loc[PI, ["segments", "sources", "n"]].tolist() == [1, 1, 2]
    assert low.loc[GI, ["segments", "sources", "n"]].tolist() == [0, 0, 2]


def test_cooccurrence_within_sources():
    co = code_cooccurrence(THREE[THREE["round"] == "r1"])
    pairs = {(a, b): n for a, b, n in co[["code_a", "code_b", "sources"]].values.tolist()}
    # s1: cont, short, peer; s2: short, peer; e1: cont, low
    assert pairs == {(CONT, SHORT): 1, (CONT, PEER): 1, (SHORT, PEER): 2, (CONT, LOW): 1}
    row = co[(co["code_a"] == SHORT) & (co["code_b"] == PEER)].iloc[0]
    assert (row["sources_a"], row["sources_b"], row["n"]) == (3, 2, 7)
    assert row["jaccard"] == pytest.approx(2 / 3)


def test_no_analysis_result_carries_an_excerpt():
    results = [code_region_matrix(THREE), shared_themes(THREE, all_themes=True),
               code_frequencies_by_source_kind(THREE), code_cooccurrence(THREE),
               intercoder_agreement(THREE), coder_units(THREE)]
    for frame in results:
        assert "excerpt" not in frame.columns
        assert SECRET not in frame.to_string()
