"""Approved quotes and the report tables: no excerpt leaves unless an author approved it."""

from __future__ import annotations

import csv

import pytest
from qualitative_qdpx import MAPPING_YAML, eindhoven_project, example_project, write_qdpx, write_study

import mss_eval
from mss_eval.problems import StudyError
from mss_eval.qualitative.importer import import_qda
from mss_eval.qualitative.quotes import approved_quotes, unapproved_excerpts_in
from mss_eval.qualitative.tables import agreement_table, theme_comparison, theme_matrix, theme_table

APPROVED = "de woonbegeleider ging de eerste keer met me mee"


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quotes")
    study = write_study(tmp / "studie")
    mapping = tmp / "koppeling.yaml"
    mapping.write_text(MAPPING_YAML, encoding="utf-8")
    import_qda(write_qdpx(tmp / "dh.qdpx", example_project()), study, "2010-1", "den_haag",
               mapping=mapping, allow_unmapped=True)
    import_qda(write_qdpx(tmp / "ehv.qdpx", eindhoven_project()), study, "2010-1", "eindhoven")
    return study


def _rows(study):
    with open(study / "data/2010-1/den_haag/coded_segments.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _approve(study, text: str) -> None:
    (study / "texts").mkdir(exist_ok=True)
    (study / "texts/approved_quotes.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def approved_study(study_dir):
    ids = [r["segment_id"] for r in _rows(study_dir) if r["excerpt"] == APPROVED]
    _approve(study_dir, f"approved_by: A. Auteur\nquotes:\n  - segment: {ids[0]}\n"
                        f"    approved_on: 2010-10-01\n")
    yield mss_eval.load_study(study_dir)
    (study_dir / "texts/approved_quotes.yaml").unlink()


def _all_excerpts(study) -> list[str]:
    return [e for e in study["coded_segments"]["excerpt"].dropna()]


def test_only_the_approved_excerpt_is_returned_attributed_by_region_and_kind(approved_study):
    quotes = approved_quotes(approved_study)
    assert quotes["excerpt"].tolist() == [APPROVED]
    assert quotes[["region_name", "source_kind_label", "code"]].values.tolist() == [
        ["Den Haag", "cliëntinterview", "personal/low_threshold"]]
    assert not {"source_id", "coder", "segment_id", "start", "end"} & set(quotes.columns)
    shown = quotes.to_string()
    for excerpt in _all_excerpts(approved_study):
        if excerpt != APPROVED:
            assert excerpt not in shown


def test_the_same_text_coded_by_two_coders_counts_as_approved_only_for_the_listed_segment(
        approved_study):
    # ann and bob both coded APPROVED; only one segment id is listed, so one quote comes back
    assert len(approved_quotes(approved_study)) == 1


def test_without_approved_quotes_file_no_excerpt_is_returned(study_dir):
    study = mss_eval.load_study(study_dir)
    assert approved_quotes(study).empty
    assert list(approved_quotes(study).columns) == [
        "round", "region", "region_name", "source_kind", "source_kind_label", "level", "code",
        "label", "excerpt"]


def test_filters_by_region_and_level(approved_study):
    assert approved_quotes(approved_study, region="eindhoven").empty
    assert approved_quotes(approved_study, level="executive").empty
    assert len(approved_quotes(approved_study, round="2010-1", level="personal")) == 1


def test_entry_without_approval_is_an_error_naming_the_line(study_dir):
    seg = _rows(study_dir)[0]["segment_id"]
    _approve(study_dir, f"quotes:\n  - segment: {seg}\n")
    try:
        with pytest.raises(StudyError) as exc:
            approved_quotes(mss_eval.load_study(study_dir))
        problem = exc.value.problems[0]
        assert problem.code == "quotes_not_approved" and problem.line == 2
        assert problem.file == "texts/approved_quotes.yaml"
    finally:
        (study_dir / "texts/approved_quotes.yaml").unlink()


def test_unknown_segment_is_an_error(study_dir):
    _approve(study_dir, "approved_by: A. Auteur\nquotes:\n  - seg-bestaatniet\n")
    try:
        with pytest.raises(StudyError) as exc:
            approved_quotes(mss_eval.load_study(study_dir), language="en")
        assert exc.value.problems[0].code == "quotes_unknown_segment"
        assert "seg-bestaatniet" in exc.value.problems[0].message
    finally:
        (study_dir / "texts/approved_quotes.yaml").unlink()


def test_report_check_finds_unapproved_excerpts_by_id_only(approved_study):
    unapproved = "De stuurgroep komt al jaren elk kwartaal bij elkaar."
    report = f"<p>Uit een interview: {unapproved.upper()}</p><p>{APPROVED}</p>"
    found = unapproved_excerpts_in(approved_study, report)
    assert len(found) == 2  # ann and bob both coded that sentence
    assert all(f.startswith("2010-1/den_haag/seg-") for f in found)
    assert all(unapproved not in f for f in found)
    assert unapproved_excerpts_in(approved_study, f"<p>{APPROVED}</p>") == []


# -- report tables ---------------------------------------------------------------------------
def test_round_theme_table_lists_themes_of_two_regions_with_names(study_dir):
    study = mss_eval.load_study(study_dir)
    table = theme_table(study, "2010-1")
    assert table[["theme", "regions", "n", "region_names"]].values.tolist() == [
        ["Continuïteit", 2, 3, "Den Haag, Eindhoven"]]
    english = theme_table(study, "2010-1", language="en")
    assert english["theme"].tolist() == ["Continuity"]
    assert english["level_label"].tolist() == ["Administrative level"]


def test_region_theme_table_tells_which_regions_share_a_theme(study_dir):
    study = mss_eval.load_study(study_dir)
    table = theme_table(study, "2010-1", region="eindhoven").set_index("code")
    assert table.loc["administrative/continuity", ["sources", "n", "shared_with", "shared"]] \
        .tolist() == [1, 1, "Den Haag", True]
    assert table.loc["personal/independence", ["regions", "shared_with", "shared"]].tolist() \
        == [1, "", False]
    executive = theme_table(study, "2010-1", region="den_haag", level="executive")
    assert executive["code"].tolist() == ["executive/shorter_lines", "executive/peer_expertise"]


def test_theme_matrix_has_regions_as_columns(study_dir):
    study = mss_eval.load_study(study_dir)
    wide = theme_matrix(study, "2010-1", level=["administrative", "personal"], wide=True)
    assert list(wide.columns) == ["Den Haag", "Eindhoven"]
    assert wide.loc[("Bestuurlijk niveau", "Continuïteit")].tolist() == [2, 1]
    assert wide.loc[("Persoonlijk niveau", "Zelfstandigheid (zelfhulp, lotgenotencontact)")] \
        .tolist() == [0, 1]


def test_theme_comparison_and_agreement_table(study_dir):
    study = mss_eval.load_study(study_dir)
    comparison = theme_comparison(study)
    assert comparison.loc[comparison["code"] == "administrative/continuity",
                          ["round_label", "regions", "shared"]].values.tolist() == [
        ["Ronde 1", 2, True]]
    agreement = agreement_table(study, "2010-1")
    assert agreement.iloc[0]["reliability_label"] == "voorlopig"
    assert agreement.iloc[0]["alpha"] == pytest.approx(1 - (4 / 24) / (280 / 552))


def test_report_tables_carry_no_excerpt(approved_study):
    frames = [theme_table(approved_study, "2010-1"),
              theme_table(approved_study, "2010-1", region="den_haag"),
              theme_matrix(approved_study, "2010-1").reset_index(),
              theme_comparison(approved_study), agreement_table(approved_study)]
    for frame in frames:
        shown = frame.to_string()
        for excerpt in _all_excerpts(approved_study):
            assert excerpt not in shown


def test_region_theme_tables_sharing_the_rounds_themes_equal_fresh_ones(study_dir, tmp_path):
    """Region reports of a round share the round's themes (computed once per process); each
    region's table is the one computed afresh, and changed data are never answered from memory."""
    import shutil

    from mss_eval.analysis import memo

    memo.forget()
    study = mss_eval.load_study(study_dir)
    shared = {region: theme_table(study, "2010-1", region=region)
              for region in ("den_haag", "eindhoven")}
    assert any(key[0] == "theme_table.shared_themes" for key in memo._MEMO)
    for region, table in shared.items():
        memo.forget()
        fresh = theme_table(study, "2010-1", region=region)
        assert table.equals(fresh)
    # a copy of the study without Eindhoven's coding: the theme is no longer shared
    other = shutil.copytree(study_dir, tmp_path / "other")
    (other / "data/2010-1/eindhoven/coded_segments.csv").unlink()
    theme_table(study, "2010-1", region="den_haag")  # remembered for the first study
    changed = theme_table(mss_eval.load_study(other, on_error="skip"), "2010-1",
                          region="den_haag").set_index("code")
    assert changed.loc["administrative/continuity", ["regions", "shared_with"]].tolist() == \
        [1, ""]
    memo.forget()
