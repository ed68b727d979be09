"""The synthetic example study: deterministic, current, and shaped like the interim report.

Counts and means are computed from the raw files with pandas and pyreadstat directly (not through
the generator's own records), and again through ``mss_eval.load_study``.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pyreadstat
import pytest

from mss_eval.example import default_example_dir, generate_study, generated_files
from mss_eval.study import SECRET_FILE, load_config

#: Table 1 of the interim report (DOMAIN.md): general interviews, partner interviews,
#: questionnaires on individual clients, client interviews, feedback-meeting attendees.
TABLE_1 = {
    "den_haag": (5, 8, 7, 14, 12),
    "eindhoven": (10, 9, 10, 13, 12),
    "dordrecht": (4, 5, 9, 12, 10),
}
#: Mean client rating of the MSS reported per region.
REPORTED_RATING = {"den_haag": 8.0, "eindhoven": 8.0, "dordrecht": 7.7}
MISSING_CODES = {97, 98, 99}
#: Regions whose client interviews are written with answer labels instead of codes.
LABELLED = {"breda", "de_bilt"}
SMALL_REGION = "zeist"      # fewer clients than the minimum: the marker x in its reports
PARTIAL_REGION = "hilversum"  # delivered the client interviews, questionnaires and register


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The example study generated with the default arguments into a temporary folder."""
    return generate_study(tmp_path_factory.mktemp("example") / "example_study")


def read_raw(path: Path) -> pd.DataFrame:
    """A data file as pandas reads it, without the workbench's readers."""
    if path.suffix == ".sav":
        return pyreadstat.read_sav(str(path), user_missing=True)[0]
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name="gegevens", engine="openpyxl")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    header = text.splitlines()[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    return pd.read_csv(io.StringIO(text), sep=sep)


def raw_table(study: Path, round_id: str, region: str, instrument: str) -> pd.DataFrame:
    (path,) = (study / "data" / round_id / region).glob(f"{instrument}.*")
    return read_raw(path)


def answered(values: pd.Series) -> pd.Series:
    """Numeric answers without the missing-value codes."""
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers[numbers.notna() & ~numbers.isin(MISSING_CODES)]


# -- determinism and the shipped copy -------------------------------------------------------------
def test_same_seed_gives_identical_bytes(fresh, tmp_path):
    again = generate_study(tmp_path / "again")
    first, second = generated_files(fresh), generated_files(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_another_seed_gives_other_values(fresh, tmp_path):
    other = generate_study(tmp_path / "other", seed=7)
    a = raw_table(fresh, "2010-1", "eindhoven", "client_interview")
    b = raw_table(other, "2010-1", "eindhoven", "client_interview")
    assert len(a) == len(b) == 13  # the counts are the study's, not the seed's
    assert not a.equals(b)


def test_shipped_example_study_equals_a_fresh_generation(fresh):
    shipped = generated_files(default_example_dir())
    expected = generated_files(fresh)
    stale = sorted(set(shipped) ^ set(expected)) + sorted(
        name for name in set(shipped) & set(expected) if shipped[name] != expected[name])
    assert not stale, (
        "data_templates/example_study is out of date; regenerate it with "
        f"'mss-eval demo --generate --force --no-render'. Differing files: {stale[:10]}")


def test_generator_writes_no_secret_and_refuses_to_overwrite(fresh, tmp_path):
    assert not (fresh / SECRET_FILE).exists()
    with pytest.raises(FileExistsError):
        generate_study(fresh)
    real = tmp_path / "real"
    (real / "data").mkdir(parents=True)
    (real / "study.yaml").write_text("name: echt\nsynthetic: false\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="synthetic"):
        generate_study(real, overwrite=True)
    assert (real / "study.yaml").read_text(encoding="utf-8") == "name: echt\nsynthetic: false\n"


# -- the study's shape ----------------------------------------------------------------------------
def test_study_yaml_lists_both_rounds_and_is_synthetic(fresh):
    config = load_config(fresh)
    assert config.synthetic is True
    assert config.settings.min_respondents == 5
    assert [(r.id, r.regions) for r in config.rounds][:2] == [
        ("2010-1", ("den_haag", "eindhoven", "dordrecht")),
        ("2010-2", ("bos_en_lommer", "alkmaar", "breda", "de_bilt", "zeist", "hilversum")),
    ]
    for rnd in config.rounds:
        for region in rnd.regions:
            assert config.region(region).target_population > 0
            achieved = len(raw_table(fresh, rnd.id, region, "client_interview"))
            assert rnd.approached[region]["client_interview"] > achieved


def test_every_instrument_has_a_file_for_every_region(fresh):
    from mss_eval.instruments import instruments

    config = load_config(fresh)
    for round_id, region in config.round_regions():
        if region == PARTIAL_REGION:
            continue
        folder = fresh / "data" / round_id / region
        assert sorted(p.stem for p in folder.iterdir()) == sorted(instruments())


def test_one_region_of_round_2_delivered_only_part_of_its_instruments(fresh):
    from mss_eval.instruments import instruments

    folder = fresh / "data" / "2010-2" / PARTIAL_REGION
    delivered = sorted(p.stem for p in folder.iterdir())
    assert delivered == ["client_interview", "client_questionnaire", "interview_register"]
    assert set(instruments()) - set(delivered)
    # response figures only for what was fielded
    approached = load_config(fresh).round("2010-2").approached[PARTIAL_REGION]
    assert "feedback_meeting" not in approached and "client_interview" in approached


def test_one_region_of_round_2_has_fewer_clients_than_the_minimum(fresh):
    config = load_config(fresh)
    small = [region for region in config.round("2010-2").regions
             if len(raw_table(fresh, "2010-2", region, "client_interview"))
             < config.settings.min_respondents]
    assert small == [SMALL_REGION, PARTIAL_REGION]
    # together they rest on enough clients that the round's totals can still be shown
    together = sum(len(raw_table(fresh, "2010-2", r, "client_interview")) for r in small)
    assert together >= config.settings.min_respondents
    # every round-1 region is large enough: its report is the interim report's as it was
    assert all(len(raw_table(fresh, "2010-1", r, "client_interview"))
               >= config.settings.min_respondents for r in config.round("2010-1").regions)


def test_files_come_in_the_formats_regions_send(fresh):
    files = list((fresh / "data").rglob("*.*"))
    suffixes = {p.suffix for p in files}
    assert suffixes == {".csv", ".xlsx", ".sav"}
    semicolon_cp1252 = [p for p in files if p.suffix == ".csv"
                        and p.read_bytes().splitlines()[0].count(b";") > 3]
    assert semicolon_cp1252, "no semicolon-separated CSV"
    assert any(b"\xeb" in p.read_bytes() for p in semicolon_cp1252)  # 'ë' in Windows-1252
    sav = fresh / "data/2010-1/den_haag/client_interview.sav"
    _, meta = pyreadstat.read_sav(str(sav), user_missing=True, metadataonly=True)
    assert meta.variable_value_labels["gender"][2.0] == "vrouw"
    assert meta.missing_ranges["exp_heard"] == [{"lo": 97.0, "hi": 99.0}]
    labelled = raw_table(fresh, "2010-2", "de_bilt", "client_interview")
    assert set(labelled["gender"]) <= {"man", "vrouw"}
    assert set(labelled["has_spv"]) <= {"ja", "nee"}


def test_round_1_has_the_counts_of_table_1(fresh):
    for region, (general, partner, questionnaires, clients, attendees) in TABLE_1.items():
        register = raw_table(fresh, "2010-1", region, "interview_register")
        kinds = register["kind"].map(lambda v: str(v).strip().removesuffix(".0"))
        assert (kinds == "1").sum() == general, region
        assert (kinds == "2").sum() == partner, region
        assert len(raw_table(fresh, "2010-1", region, "client_questionnaire")) == questionnaires
        assert len(raw_table(fresh, "2010-1", region, "client_interview")) == clients
        assert len(raw_table(fresh, "2010-1", region, "feedback_meeting")) == attendees


def test_mean_ratings_resemble_the_interim_report(fresh):
    for region, reported in REPORTED_RATING.items():
        ratings = answered(raw_table(fresh, "2010-1", region, "client_interview")["mss_rating"])
        assert abs(ratings.mean() - reported) <= 0.15, (region, ratings.mean())


def test_den_haag_professional_shares_are_as_close_as_fourteen_clients_allow(fresh):
    clients = raw_table(fresh, "2010-1", "den_haag", "client_interview")
    n = len(clients)
    for item, reported in [("ever_treated_mhc", 0.90), ("contact_professional", 0.95),
                           ("has_spv", 0.70), ("day_activities", 0.75)]:
        share = (answered(clients[item]) == 1).sum() / n
        assert abs(share - reported) <= 0.5 / n + 1e-9, (item, share)
    questionnaires = raw_table(fresh, "2010-1", "den_haag", "client_questionnaire")
    assert (questionnaires["brought_to_case_table"] == 1).mean() < 0.5


def test_eindhoven_just_over_half_and_dordrecht_nearly_all(fresh):
    eindhoven = raw_table(fresh, "2010-1", "eindhoven", "client_interview")
    assert 0.5 < (eindhoven["contact_professional"] == 1).mean() < 0.6
    dordrecht = raw_table(fresh, "2010-1", "dordrecht", "client_interview")
    assert (dordrecht["has_trajectory_counsellor"] == 1).mean() >= 0.9


def test_informal_rings_are_thinner_than_professional_rings_everywhere(fresh):
    config = load_config(fresh)
    for round_id, region in config.round_regions():
        clients = raw_table(fresh, round_id, region, "client_interview")
        informal = sum(answered(clients[c]).mean() for c in ("network_close",
                                                              "network_informal"))
        professional = sum(answered(clients[c]).mean() for c in ("network_general_services",
                                                                  "network_specialised_care"))
        assert informal < professional, (round_id, region, informal, professional)


def test_experience_scale_is_reliable_with_the_reversed_item_turned(fresh):
    config = load_config(fresh)
    items = ["exp_heard", "exp_time", "exp_staff_change", "exp_wishes", "exp_reachable",
             "exp_know_where"]
    frames = [raw_table(fresh, r, g, "client_interview") for r, g in config.round_regions()
              if g not in LABELLED]
    data = pd.concat(frames)[items].apply(pd.to_numeric).where(lambda d: ~d.isin(MISSING_CODES))
    assert data.isna().any().any(), "missing codes should be sprinkled into the items"
    data["exp_staff_change"] = 6 - data["exp_staff_change"]
    alpha, _ = pg.cronbach_alpha(data)
    assert 0.7 <= alpha <= 0.9
    # without turning the reversed item round, the scale hangs together worse
    unturned = data.assign(exp_staff_change=6 - data["exp_staff_change"])
    assert pg.cronbach_alpha(unturned)[0] < alpha


def test_den_haag_alone_has_covenant_and_performance_agreement(fresh):
    config = load_config(fresh)
    for round_id, region in config.round_regions():
        if region == PARTIAL_REGION:
            continue
        profile = raw_table(fresh, round_id, region, "governance_profile").iloc[0]
        assert (profile["covenant"] == 1) == (region == "den_haag"), region
        assert (profile["steering_group"] == 1) == (region == "den_haag"), region
    den_haag = raw_table(fresh, "2010-1", "den_haag", "governance_profile").iloc[0]
    assert (den_haag["covenant_year"], den_haag["case_tables"],
            den_haag["agreed_referrals_per_table"]) == (2004, 5, 25)
    register = raw_table(fresh, "2010-1", "den_haag", "monitor_register")
    day_activities = register[register["outcome"] == 1].groupby("case_table").size()
    assert len(day_activities) == 5
    assert (day_activities >= 25).any() and (day_activities < 25).any()


def test_de_bilt_has_fewer_clients_than_the_minimum_for_small_breakdowns(fresh):
    config = load_config(fresh)
    n = len(raw_table(fresh, "2010-2", "de_bilt", "client_interview"))
    assert n == 6
    assert n < 2 * config.settings.min_respondents
    for region in ("bos_en_lommer", "alkmaar", "breda"):
        assert len(raw_table(fresh, "2010-2", region, "client_interview")) >= 8


def test_intercoder_subset_is_coded_by_two_coders(fresh):
    segments = raw_table(fresh, "2010-1", "eindhoven", "coded_segments")
    both = segments.groupby(["source_id", "start", "end"])["coder"].nunique()
    assert (both == 2).sum() >= 5
    assert segments["excerpt"].dropna().str.startswith("[fictief]").all()


# -- through the workbench ------------------------------------------------------------------------
def test_example_study_loads_without_errors(fresh, tmp_path):
    import mss_eval

    # loading writes the local secret: load a copy, never the generated folder itself
    copy = shutil.copytree(fresh, tmp_path / "copy")
    study = mss_eval.load_study(copy)  # raises StudyError on any error
    assert all(p.severity == "warning" for p in study.problems)
    register = study["interview_register"]
    first = register[register["round"] == "2010-1"]
    counts = first.groupby(["region", "kind"], observed=True).size()
    for region, (general, partner, questionnaires, clients, attendees) in TABLE_1.items():
        assert counts[(region, "general")] == general
        assert counts[(region, "partner")] == partner
    interviews = study["client_interview"]
    # round 1's ratings (the follow-up round 2011 measures two of its regions again)
    ratings = interviews[interviews["round"] == "2010-1"].groupby("region")["mss_rating"].mean()
    for region, reported in REPORTED_RATING.items():
        assert abs(ratings[region] - reported) <= 0.3
    labelled = study["client_interview"].query("region == 'breda'")
    assert labelled["gender"].notna().all() and labelled["has_spv"].notna().all()


# -- sizes for benchmarks -------------------------------------------------------------------------
def test_size_arguments_give_the_requested_regions_and_clients(tmp_path):
    study = generate_study(tmp_path / "big", regions_per_round=5, clients_per_region=4,
                           size_factor=0.5)
    config = load_config(study)
    assert [len(r.regions) for r in config.rounds] == [5, 5]
    assert config.rounds[0].regions[:3] == ("den_haag", "eindhoven", "dordrecht")
    extra = [g for r in config.rounds for g in r.regions if g.startswith("region_")]
    # round 1 has three named regions, round 2 six: two invented regions fill round 1
    assert extra == [f"region_{i:03d}" for i in range(1, 3)]
    for round_id, region in config.round_regions():
        assert len(raw_table(study, round_id, region, "client_interview")) == 4
    from mss_eval.input.validate import validate_study

    assert validate_study(study).errors == []


def test_fewer_regions_keeps_the_first_named_ones(tmp_path):
    config = load_config(generate_study(tmp_path / "small", regions_per_round=1,
                                        size_factor=0.3))
    assert [r.regions for r in config.rounds] == [("den_haag",), ("bos_en_lommer",)]


# -- the demo command -----------------------------------------------------------------------------
def test_demo_generates_validates_and_summarises(tmp_path, capsys):
    from mss_eval.cli import main

    study = tmp_path / "demo_study"
    assert main(["demo", "--study", str(study), "--no-render"]) == 0
    out = capsys.readouterr().out
    assert "2010-1" in out and "Den Haag" in out and "client_interview" in out
    assert "0 fout(en)" in out
    # a second --generate without --force does not touch the study
    before = generated_files(study)
    assert main(["demo", "--generate", "--study", str(study), "--no-render"]) == 2
    assert generated_files(study) == before
    assert not (study / SECRET_FILE).exists()


def test_demo_refuses_other_sizes_for_the_shipped_example(capsys):
    from mss_eval.cli import main

    assert main(["demo", "--generate", "--force", "--size-factor", "2", "--no-render"]) == 2
    assert "--study" in capsys.readouterr().err


def test_partner_ties_name_only_the_regions_fictitious_organisations(fresh):
    survey = raw_table(fresh, "2010-1", "den_haag", "partner_survey")
    ties = raw_table(fresh, "2010-1", "den_haag", "partner_ties")
    assert set(ties["respondent_id"]) <= set(survey["respondent_id"])
    assert ties["partner_organisation"].str.endswith("(fictief)").all()
    assert ties.groupby("respondent_id").size().min() >= 3
    assert len(survey) >= TABLE_1["den_haag"][1]
    assert np.isin(survey["organisation_group"], [1, 2, 3, 4]).all()
