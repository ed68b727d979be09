"""Complementary suppression across the published outputs, and the audit that attacks them.

Round 2010-2 of the example study has two regions below the minimum: Zeist (4 clients) and
Hilversum (3). Together they are 7, enough for rule 4, but on paid work and three outcomes of
support none of their clients says yes: the round's total minus the regions shown gives 0 for
both, and so every one of their clients' answers. Rule 5 suppresses such a total; the audit
(``mss-eval check-disclosure``) runs the subtraction on everything published.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mss_eval.privacy.subtraction import audit, published_records

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"
ROUND = "2010-2"
MIN_N = 5


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mss_eval.cli", *args], capture_output=True,
                          text=True, cwd=ROOT)


# -- the audit on outputs written by hand ---------------------------------------------------------
def _round_file(folder: Path, total_share: float, hidden_n=(4, 3)) -> Path:
    """A round's figures.json: regions a (10, 10%) and b (12, 25%) shown, c and d suppressed."""
    def rec(value, n, suppressed):
        return {"value": value, "n": n, "suppressed": suppressed,
                "definition": "personal.share_paid_work", "unit": "share"}
    regions = {"a": rec(0.1, 10, False), "b": rec(0.25, 12, False),
               "c": rec(None, hidden_n[0], True), "d": rec(None, hidden_n[1], True)}
    n_total = 22 + sum(hidden_n)
    data = {"meta": {"scope": "round", "round": "r1", "min_respondents": MIN_N},
            "round": {"personal": {"share_paid_work": rec(total_share, n_total, False)}},
            "regions": {g: {"personal": {"share_paid_work": r}} for g, r in regions.items()}}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "figures.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_the_audit_finds_two_hidden_regions_at_zero_percent_together(tmp_path):
    # 1 of a's 10 and 3 of b's 12 say yes, and the total is 4 of 29: c and d have none
    folder = _round_file(tmp_path / "zero", round(4 / 29, 6))
    findings = audit(folder, min_n=MIN_N)
    assert {(f.kind, f.regions) for f in findings} == {("exact", ("c",)), ("exact", ("d",))}
    assert all(f.low == pytest.approx(0.0, abs=1e-6) for f in findings)
    done = _cli("check-disclosure", str(folder))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "personal.share_paid_work (r1, c)" in done.stdout and "Traceback" not in done.stderr


def test_a_combined_share_between_none_and_all_gives_nothing_away(tmp_path):
    folder = _round_file(tmp_path / "mixed", round(6 / 29, 6))  # c and d: 2 of 7
    assert audit(folder, min_n=MIN_N) == []
    done = _cli("check-disclosure", str(folder))
    assert done.returncode == 0 and "Niets onderdrukts af te leiden" in done.stdout


def test_two_hidden_regions_resting_together_on_too_few_are_found(tmp_path):
    folder = _round_file(tmp_path / "small", round(6 / 26, 6), hidden_n=(2, 2))
    kinds = {(f.kind, f.regions) for f in audit(folder, min_n=MIN_N)}
    assert ("small_group", ("c", "d")) in kinds


def test_open_data_that_disagree_with_figures_json_are_found(tmp_path):
    folder = _round_file(tmp_path / "both", round(6 / 29, 6))
    (folder / "key_figures.csv").write_text(
        '"figure","scope","round","region","value","value_text","unit","ci_low","ci_high","n",'
        '"suppressed"\n"personal.share_paid_work","region","r1","c",0.25,"","share","","",4,'
        '"false"\n', encoding="utf-8")
    findings = audit(folder, min_n=MIN_N)
    assert ("inconsistent", ("c",)) in {(f.kind, f.regions) for f in findings}
    # and the attacker takes c's value from the open data: d is then the only region hidden
    assert ("exact", ("d",)) in {(f.kind, f.regions) for f in findings}


# -- the example study's round, rendered and exported ---------------------------------------------
def _one_round_study(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".mss-secret", "reports",
                                                                     ".mss-cache"))
    config = yaml.safe_load((target / "study.yaml").read_text(encoding="utf-8"))
    [second] = [r for r in config["rounds"] if r["id"] == ROUND]
    config["rounds"] = [second]
    config["regions"] = [r for r in config["regions"] if r["id"] in second["regions"]]
    (target / "study.yaml").write_text(yaml.safe_dump(config, allow_unicode=True,
                                                      sort_keys=False), encoding="utf-8")
    for other in (target / "data").iterdir():
        if other.name != ROUND:
            shutil.rmtree(other)
    return target


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    from mss_eval.render.plan import plan_reports
    from mss_eval.render.worker import render_report
    from mss_eval.study import load_config

    root = tmp_path_factory.mktemp("subtraction")
    study = _one_round_study(root / "study")
    out = root / "reports"
    for job in plan_reports(load_config(study), study, out, formats=["html"]):
        if job.kind != "region":  # the round's and the study's totals beside every region
            result = render_report(job)
            assert result.ok, result.error
    done = _cli("export", str(study), "--out", str(out / "open_data"))
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
def test_nothing_of_the_two_small_regions_can_be_derived_by_the_audit(published):
    records = published_records(published)
    hidden = {r.region for r in records if r.scope == "region" and r.round == ROUND
              and r.figure == "personal.share_paid_work" and r.suppressed}
    assert hidden == {"zeist", "hilversum"}  # the premise
    assert audit(published, min_n=MIN_N) == []
    done = _cli("check-disclosure", str(published))
    assert done.returncode == 0, done.stdout


@pytest.mark.slow
def test_nothing_of_the_two_small_regions_can_be_derived_by_subtraction(published):
    # the attack written out on its own: per share figure, the round's (and the study's) total
    # times its base, minus every region shown, is what the hidden regions have together
    figures = json.loads((published / ROUND / "figures.json").read_text(encoding="utf-8"))
    final = next(p for p in published.rglob("figures.json")
                 if json.loads(p.read_text(encoding="utf-8"))["meta"]["scope"] == "study")
    study = json.loads(final.read_text(encoding="utf-8"))
    checked = 0
    for total_levels in (figures["round"], study["study"]):
        for level, records in total_levels.items():
            for name, total in records.items():
                if not isinstance(total, dict) or total.get("unit") != "share" \
                        or total.get("suppressed") or total.get("value") is None:
                    continue
                parts = [figures["regions"][g][level][name] for g in figures["regions"]]
                shown = [p for p in parts if not p["suppressed"] and p["value"] is not None]
                rest = total["n"] - sum(p["n"] for p in shown)
                if rest <= 0 or len(shown) == len(parts):
                    continue
                yes = total["value"] * total["n"] - sum(p["value"] * p["n"] for p in shown)
                checked += 1
                assert rest >= MIN_N, name
                assert 0.5 < yes < rest - 0.5, (name, yes, rest)
    assert checked >= 10
    # the four figures of the attack are suppressed in the round's total, and so in the report
    for name in ("share_paid_work", "share_outcome_housing", "share_outcome_work",
                 "share_outcome_none_yet"):
        assert figures["round"]["personal"][name]["suppressed"], name
