"""The provenance crate beside each report, and ``mss-eval reproduce``."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

from mss_eval.cli import main
from mss_eval.provenance import (CRATE_FILE, Environment, ReportRun, build_crate, read_crate,
                                 write_crate)
from mss_eval.render.reproduce import compare_figures, compare_tables, html_tables

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"

ENV = Environment(workbench_version="9.9.9", git_commit="a" * 40, git_dirty=False,
                  python="3.11.7", packages={"pandas": "3.0.1", "numpy": "2.3.0"},
                  lock_sha256="b" * 64)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def small_run(tmp_path) -> ReportRun:
    folder = tmp_path / "2010-1" / "north"
    folder.mkdir(parents=True)
    (folder / "mss_2010-1_north.html").write_text("<html>report</html>", encoding="utf-8")
    (folder / "figures.json").write_text('{"a": 1}\n', encoding="utf-8")
    notebook = tmp_path / "region_report.ipynb"
    notebook.write_text('{"cells": []}', encoding="utf-8")
    return ReportRun(
        title="North, round 1", kind="region", key="2010-1/north", folder=folder,
        notebook=notebook,
        parameters={"study": "/studies/s", "round": "2010-1", "region": "north",
                    "language": "nl", "rendered_by": "mss-eval render s"},
        outputs={"html": folder / "mss_2010-1_north.html", "pdf": folder / "missing.pdf",
                 "figures": folder / "figures.json"},
        inputs={"data/2010-1/north/client_interview.csv": "c" * 64, "study.yaml": "d" * 64},
        study_name="Study", min_respondents=5, formats=("html",), pdf_engine="typst",
        command="mss-eval render s", started="2026-01-02T10:00:00+01:00",
        ended="2026-01-02T10:00:30+01:00")


def _graph(crate: dict) -> dict:
    return {e["@id"]: e for e in crate["@graph"]}


# -- the crate ----------------------------------------------------------------------------------
def test_the_crate_declares_the_workflow_run_profiles_and_its_main_workflow(small_run):
    graph = _graph(build_crate(small_run, ENV))
    root = graph["./"]
    assert {p["@id"] for p in root["conformsTo"]} == {
        "https://w3id.org/ro/wfrun/process/0.5", "https://w3id.org/ro/wfrun/workflow/0.5",
        "https://w3id.org/workflowhub/workflow-ro-crate/1.0"}
    workflow = graph[root["mainEntity"]["@id"]]
    assert workflow["@type"] == ["File", "SoftwareSourceCode", "ComputationalWorkflow"]
    assert workflow["sha256"] == _sha(small_run.notebook)
    action = graph[root["mentions"][0]["@id"]]
    assert action["@type"] == "CreateAction"
    assert action["instrument"] == {"@id": workflow["@id"]}
    assert (action["startTime"], action["endTime"]) == (small_run.started, small_run.ended)
    assert action["description"] == "mss-eval render s"


def test_outputs_are_listed_with_their_sha256_and_missing_ones_left_out(small_run):
    graph = _graph(build_crate(small_run, ENV))
    results = [r["@id"] for r in graph["#render"]["result"]]
    assert results == ["mss_2010-1_north.html", "figures.json"]
    for name in results:
        assert graph[name]["sha256"] == _sha(small_run.folder / name)
    assert [p["@id"] for p in graph["./"]["hasPart"]] == results


def test_inputs_are_names_and_hashes_only(small_run):
    graph = _graph(build_crate(small_run, ENV))
    entity = graph["#input/data/2010-1/north/client_interview.csv"]
    assert entity["sha256"] == "c" * 64
    assert set(entity) == {"@id", "@type", "name", "sha256", "encodingFormat"}


def test_parameters_settings_and_environment_are_recorded(small_run):
    graph = _graph(build_crate(small_run, ENV))
    values = {e["name"]: e["value"] for e in graph.values()
              if e["@type"] == "PropertyValue" and e["@id"].startswith("#value/")}
    assert values == {"study": "/studies/s", "round": "2010-1", "region": "north",
                      "language": "nl", "rendered_by": "mss-eval render s", "formats": "html",
                      "pdf_engine": ""}
    for pid in (f"#value/{name}" for name in values):
        assert graph[graph[pid]["exampleOfWork"]["@id"]]["@type"] == "FormalParameter"
    assert graph["#setting/min_respondents"]["value"] == "5"
    assert graph["#mss-eval"]["softwareVersion"] == "9.9.9"
    assert graph["#git-commit"]["value"] == "a" * 40
    assert graph["https://pypi.org/project/pandas/3.0.1/"]["softwareVersion"] == "3.0.1"
    assert "every locked package" in graph["#lock"]["description"]


def test_the_rocrate_library_reads_the_crate(small_run):
    from rocrate.rocrate import ROCrate

    write_crate(small_run, ENV)
    crate = ROCrate(small_run.folder)
    assert crate.mainEntity.id == "#notebook/region_report.ipynb"
    action = crate.get("#render")
    assert action.type == "CreateAction"
    assert {e.id for e in action["result"]} == {"mss_2010-1_north.html", "figures.json"}


def test_read_crate_gives_back_what_reproduce_needs(small_run):
    write_crate(small_run, ENV)
    summary = read_crate(small_run.folder)
    assert summary.parameters["region"] == "north"
    assert summary.parameters["pdf_engine"] is None
    assert summary.inputs["study.yaml"] == "d" * 64
    assert summary.outputs["figures.json"] == _sha(small_run.folder / "figures.json")
    assert summary.packages == {"pandas": "3.0.1", "numpy": "2.3.0"}
    assert summary.git_commit == "a" * 40


# -- comparing ----------------------------------------------------------------------------------
def _record(value, n=10):
    return {"value": value, "n": n, "suppressed": False, "definition": "personal.rating_mean"}


def test_compare_figures_names_the_records_that_moved():
    old = {"meta": {"scope": "round"}, "round": {"personal": {"rating_mean": _record(7.5),
                                                             "clients": _record(10)}},
           "regions": {"a": {"personal": {"rating_mean": _record(7.0)}}}}
    new = json.loads(json.dumps(old))
    new["regions"]["a"]["personal"]["rating_mean"]["value"] = 6.8
    new["round"]["personal"]["rating_mean"]["n"] = 11
    assert compare_figures(old, new) == ["regions.a.personal.rating_mean",
                                         "round.personal.rating_mean"]
    assert compare_figures(old, old) == []


def test_compare_tables_names_the_tables_by_caption():
    old = ("<table><caption>Tabel 1. Rating</caption><tr><th>Regio</th><td>7,5</td></tr></table>"
           "<table><tr><td>1</td></tr></table>")
    new = old.replace("7,5", "7,4")
    assert html_tables(old)[0] == ("Tabel 1. Rating", [["Regio", "7,5"]])
    assert compare_tables(old, new) == ["Tabel 1. Rating"]
    assert compare_tables(old, old) == []
    assert compare_tables(old, old + "<table><caption>Extra</caption></table>") == ["Extra"]


# -- rendering and reproducing ------------------------------------------------------------------
def _region_with_csv_interviews(study: Path) -> tuple[str, str, Path]:
    """The first (round, region) of study.yaml whose client interviews are a CSV file."""
    config = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    for rnd in config["rounds"]:
        for region in rnd["regions"]:
            path = study / "data" / rnd["id"] / region / "client_interview.csv"
            if path.is_file():
                return rnd["id"], region, path
    pytest.skip("the example study has no client interviews as CSV")


def _change_one_rating(path: Path) -> None:
    """Set the first rating of 2 or more to 1 (a valid answer)."""
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    rows = list(csv.reader(io.StringIO(text), dialect))
    column = rows[0].index("mss_rating")
    row = next(r for r in rows[1:] if r[column].isdigit() and 2 <= int(r[column]) <= 10)
    row[column] = "1"
    out = io.StringIO()
    csv.writer(out, dialect, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.mark.slow
def test_a_rendered_report_has_a_crate_and_reproduces_until_an_input_changes(tmp_path, capsys):
    from mss_eval.render import render_study

    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study, ignore=shutil.ignore_patterns("reports", ".mss-cache"))
    round_id, region, interviews = _region_with_csv_interviews(study)
    out = tmp_path / "reports"
    summary = render_study(study, rounds=[round_id], regions=[region], out_dir=out,
                           formats=("html",), jobs=1, progress=False)
    assert summary.exit_code == 0, summary.describe()
    folder = out / round_id / region
    crate = read_crate(folder)
    assert crate.outputs == {p.name: _sha(p) for p in folder.iterdir()
                             if p.name in crate.outputs}
    assert set(crate.outputs) == {f"mss_{round_id}_{region}.html",
                                  f"mss_{round_id}_{region}.ipynb", "figures.json"}
    relative = interviews.relative_to(study).as_posix()
    assert crate.inputs[relative] == _sha(interviews)
    assert crate.started <= crate.ended

    assert main(["reproduce", str(folder)]) == 0
    assert "gelijk" in capsys.readouterr().out

    _change_one_rating(interviews)
    assert main(["reproduce", str(folder)]) == 1
    said = capsys.readouterr().err
    assert "region.personal.rating_mean" in said
    assert "round.personal.rating_mean" in said
    assert relative in said
    # only what rests on the rating moved: the number of clients did not
    assert "region.personal.clients" not in said


def test_reproduce_without_a_crate_is_a_usage_error(tmp_path, capsys):
    assert main(["reproduce", str(tmp_path)]) == 2
    assert CRATE_FILE in capsys.readouterr().err
