"""``mss-eval export``: the key figures as a Frictionless Data Package.

The package must validate (``frictionless validate``), hold the same figures as the reports'
``figures.json``, suppress exactly as the reports do, and give nothing suppressed away: on a
study with a region too small for its round the attacker of ``test_disclosure_consistency``
subtracts the shown regions from each total and must not land on the hidden value (checked
against an export of the same data with nothing suppressed).
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from mss_eval.analysis.key_figures import DEFINITIONS
from mss_eval.cli import main
from mss_eval.open_data import SUPPRESSED, export_study, read_key_figures
from test_disclosure_consistency import (MIN_N, ROUND, _blank, _records, _round_report_leaks,
                                         _small_region_study, _subtract)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"


def _rows(folder: Path, name: str) -> list[dict]:
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _value(text: str):
    if text in ("", SUPPRESSED):
        return None
    return float(text)


def _as_figures(rows: list[dict], round_id: str) -> dict:
    """The rows of one round as figures.json has them: {"round": levels, "regions": {...}}."""
    out: dict = {"round": {}, "regions": {}}
    for row in rows:
        if row["round"] != round_id or row["value_text"]:
            continue
        level, name = row["figure"].split(".", 1)
        record = {"value": _value(row["value"]), "n": int(row["n"] or 0),
                  "suppressed": row["suppressed"] == "true", "unit": row["unit"]}
        target = out["round"] if row["scope"] == "round" else \
            out["regions"].setdefault(row["region"], {})
        target.setdefault(level, {})[name] = record
    return out


@pytest.fixture(scope="module")
def example_package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("open_data") / "package"
    result = export_study(EXAMPLE, out)
    assert result.valid, result.errors
    return out


def test_the_package_passes_frictionless_validate(example_package):
    cli = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(cli), "validate", "--json",
                           str(example_package / "datapackage.json")],
                          capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(done.stdout)
    assert report["valid"], done.stdout[:2000]
    assert done.returncode == 0


def test_every_field_has_a_type_and_descriptions_in_two_languages(example_package):
    package = json.loads((example_package / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in package["resources"]}
    assert {"key_figures", "figures", "data_collection", "time_series"} <= names
    for resource in package["resources"]:
        schema = resource["schema"]
        assert schema["missingValues"] == ["", SUPPRESSED]
        for f in schema["fields"]:
            assert f["type"] in ("string", "number", "integer", "boolean", "date"), f
            assert f["description"] and f["description_nl"], f["name"]
    key_fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert key_fields[:5] == ["figure", "scope", "round", "region", "value"]
    assert {"ci_low", "ci_high", "n", "suppressed", "unit"} <= set(key_fields)


def test_the_rows_are_key_figures_of_regions_rounds_and_the_study(example_package):
    rows = read_key_figures(example_package)
    assert {r["scope"] for r in rows} == {"region", "round", "study"}
    assert {r["figure"] for r in rows} <= set(DEFINITIONS)
    assert {r["figure"]: r["unit"] for r in rows} == {
        r["figure"]: DEFINITIONS[r["figure"]].unit for r in rows}
    keys = [(r["figure"], r["scope"], r["round"], r["region"]) for r in rows]
    assert len(keys) == len(set(keys))
    definitions = _rows(example_package, "figures")
    assert {d["figure"] for d in definitions} == set(DEFINITIONS)
    assert all(d["text_nl"] and d["text_en"] for d in definitions)


def test_a_suppressed_figure_is_x_without_interval(example_package):
    rows = [r for r in read_key_figures(example_package) if r["suppressed"] == "true"]
    assert rows, "the example study has a region below the minimum"
    for row in rows:
        assert SUPPRESSED in (row["value"], row["value_text"])
        assert row["ci_low"] in ("", SUPPRESSED) and row["ci_high"] in ("", SUPPRESSED)
    shown = [r for r in read_key_figures(example_package) if r["suppressed"] == "false"]
    assert all(SUPPRESSED not in (r["value"], r["ci_low"], r["ci_high"]) for r in shown)


def test_time_series_follow_each_figure_over_the_rounds(example_package):
    series = _rows(example_package, "time_series")
    key = {(r["figure"], r["scope"], r["round"], r["region"]): r
           for r in read_key_figures(example_package)}
    rounds = {r["round"] for r in series}
    assert len(rounds) >= 2
    pooled = [r for r in series if r["figure"] == "personal.rating_mean" and not r["region"]]
    assert [int(r["round_order"]) for r in pooled] == sorted(int(r["round_order"])
                                                           for r in pooled)
    assert len(pooled) == len(rounds)
    for row in series:
        scope = "region" if row["region"] else "round"
        source = key[(row["figure"], scope, row["round"], row["region"])]
        assert (row["value"], row["n"], row["suppressed"]) == (
            source["value"], source["n"], source["suppressed"])


def test_the_data_collection_table_has_respondents_approached_and_response(example_package):
    table = _rows(example_package, "data_collection")
    key = {(r["figure"], r["scope"], r["round"], r["region"]): r
           for r in read_key_figures(example_package)}
    for row in table:
        respondents = key[(f"collection.{row['method']}", row["scope"], row["round"],
                           row["region"])]
        assert row["respondents"] == respondents["value"]
        if row["approached"]:
            assert math.isclose(float(row["response"]),
                                int(row["respondents"]) / int(row["approached"]), abs_tol=1e-6)


def test_nothing_in_the_package_names_a_respondent(example_package):
    ids = set()
    for path in (EXAMPLE / "data").rglob("*.csv"):
        # ids are ASCII; some example files are in Windows-1252
        text = path.read_bytes().decode("latin-1").lstrip("\xef\xbb\xbf")
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
        for row in csv.DictReader(text.splitlines(), dialect=dialect):
            if row.get("respondent_id"):
                ids.add(row["respondent_id"])
    assert ids
    cells = {cell for path in example_package.glob("*.csv")
             for row in csv.reader(open(path, encoding="utf-8")) for cell in row}
    assert ids & cells == set()


def test_export_of_one_round_leaves_out_the_study(tmp_path, capsys):
    first = read_first_round()
    assert main(["export", str(EXAMPLE), "--round", first, "--out", str(tmp_path)]) == 0
    assert "geldig" in capsys.readouterr().out
    rows = read_key_figures(tmp_path)
    assert {r["round"] for r in rows} == {first}
    assert {r["scope"] for r in rows} == {"region", "round"}
    assert not (tmp_path / "changes.csv").exists()


def test_an_unknown_round_is_named(tmp_path, capsys):
    assert main(["export", str(EXAMPLE), "--round", "1999-9", "--out", str(tmp_path)]) == 1
    assert "1999-9" in capsys.readouterr().err


def read_first_round() -> str:
    import yaml

    return yaml.safe_load((EXAMPLE / "study.yaml").read_text(encoding="utf-8"))["rounds"][0]["id"]


# -- the same figures as the reports, and nothing suppressed given away -------------------------
@pytest.fixture(scope="module")
def small_region(tmp_path_factory):
    """A study with Dordrecht cut below the minimum, its export, and the export of the same data
    with nothing suppressed (the oracle)."""
    root = tmp_path_factory.mktemp("open_data_disclosure")
    study = _small_region_study(root / "study", MIN_N)
    oracle_study = _small_region_study(root / "oracle_study", 1)
    package, oracle = root / "package", root / "oracle"
    assert export_study(study, package).valid
    assert export_study(oracle_study, oracle).valid
    return study, package, oracle


def test_the_small_region_is_suppressed_and_its_round_total_with_it(small_region):
    _, package, _ = small_region
    mine = _as_figures(read_key_figures(package), ROUND)
    dordrecht = mine["regions"]["dordrecht"]["personal"]["rating_mean"]
    assert dordrecht["suppressed"] and dordrecht["n"] == 4 and dordrecht["value"] is None


def test_the_attacker_would_find_a_region_hidden_without_its_total(small_region):
    """The check has teeth: the oracle's rows with Dordrecht blanked but the round's total
    kept give Dordrecht's rating away."""
    _, _, oracle = small_region
    truth = _as_figures(read_key_figures(oracle), ROUND)
    leaks = _round_report_leaks(_blank(truth, "dordrecht"), truth)
    assert "personal.rating_mean" in {leak.figure for leak in leaks}


def test_no_suppressed_figure_can_be_derived_from_the_package(small_region):
    _, package, oracle = small_region
    rows, truth_rows = read_key_figures(package), read_key_figures(oracle)
    mine, truth = _as_figures(rows, ROUND), _as_figures(truth_rows, ROUND)
    leaks = _round_report_leaks(mine, truth)
    # the study's total beside its rounds and their regions
    study = {}
    for row in rows:
        if row["scope"] == "study" and not row["value_text"]:
            level, name = row["figure"].split(".", 1)
            study.setdefault(level, {})[name] = {
                "value": _value(row["value"]), "n": int(row["n"] or 0),
                "suppressed": row["suppressed"] == "true"}
    for level, name, total in _records(study):
        leaves = {g: mine["regions"][g][level][name] for g in mine["regions"]}
        found = _subtract(total, leaves)
        if found and found[1] < MIN_N:
            leaks.append(f"study total {level}.{name} gives {found[0]} away")
    assert not leaks, "\n".join(map(str, leaks))


@pytest.mark.slow
def test_the_figures_equal_those_of_the_round_report(small_region, tmp_path):
    """The round report's figures.json (rendered) holds the same records as the package."""
    from mss_eval.render.plan import plan_reports
    from mss_eval.render.worker import render_report
    from mss_eval.study import load_config

    study, package, _ = small_region
    job = next(j for j in plan_reports(load_config(study), study, tmp_path, formats=["html"])
               if j.kind == "round")
    result = render_report(job)
    assert result.ok, result.error
    figures = json.loads(job.output("figures").read_text(encoding="utf-8"))
    rows = {(r["figure"], r["scope"], r["region"]): r for r in read_key_figures(package)
            if r["round"] == job.round}
    compared = 0
    blocks = [("round", "", figures["round"])] + [
        ("region", g, levels) for g, levels in figures["regions"].items()]
    for scope, region, levels in blocks:
        for level, records in levels.items():
            for name, record in records.items():
                row = rows[(f"{level}.{name}", scope, region)]
                assert row["suppressed"] == ("true" if record["suppressed"] else "false")
                assert int(row["n"] or 0) == (record["n"] or 0)
                if isinstance(record["value"], str):
                    assert row["value_text"] == record["value"]
                elif record["value"] is not None and not record["suppressed"]:
                    assert float(row["value"]) == pytest.approx(float(record["value"]),
                                                                abs=0), (level, name)
                    for bound in ("ci_low", "ci_high"):
                        if record.get(bound) is not None:
                            assert float(row[bound]) == record[bound]
                compared += 1
    assert compared == len(rows)
