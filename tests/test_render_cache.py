"""The render cache: nothing changed renders nothing; an edit renders only what it touches.

A small generated study (two rounds of two regions, seven reports) is rendered as HTML with
short notebooks that set up the report and publish its key figures, which is all the cache
logic needs: the keys of the real notebooks are made the same way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mss_eval.render import render_study
from mss_eval.render.cache import key_file
from mss_eval.render.plan import NOTEBOOKS, plan_reports
from mss_eval.study import load_config
from mss_eval.tidy_cache import code_fingerprint, file_hashes, load_study_cached, tidy_key

pytestmark = pytest.mark.slow

PARAMETERS = {
    "region": 'study = ""\nround = ""\nregion = ""\nlanguage = None\nrendered_by = None',
    "round": 'study = ""\nround = ""\nlanguage = None\nrendered_by = None',
    "final": 'study = ""\nlanguage = None\nrendered_by = None',
}
SETUP = {
    "region": "report = setup_notebook(study, round=round, region=region, language=language)",
    "round": "report = setup_notebook(study, round=round, language=language)",
    "final": "report = setup_notebook(study, language=language)",
}


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("notebooks")
    for kind, name in NOTEBOOKS.items():
        params = new_code_cell(PARAMETERS[kind], metadata={"tags": ["parameters"]})
        cells = [params, new_code_cell("from mss_eval.report import setup_notebook\n"
                                       + SETUP[kind] + "\nreport"),
                 new_code_cell("report.publish_key_figures()")]
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}})
        nbformat.write(nb, str(folder / name))
    return folder


@pytest.fixture
def study(tmp_path) -> Path:
    from mss_eval.example.generator import generate_study

    return generate_study(tmp_path / "study", regions_per_round=2, clients_per_region=12)


def _render(study: Path, notebooks: Path, out: Path, **kwargs):
    summary = render_study(study, formats=["html"], out_dir=out, jobs=1, progress=False,
                           notebook_dir=notebooks, rendered_by="test", **kwargs)
    assert summary.exit_code == 0, summary.describe()
    return summary


def _rendered(summary) -> set[str]:
    return {r.key for r in summary.results if not r.cached}


def _mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.name not in
            ("index.html", "render-status.json")}


ALL = {"2010-1/den_haag", "2010-1/eindhoven", "2010-1", "2010-2/bos_en_lommer",
       "2010-2/alkmaar", "2010-2", "final"}


def test_a_render_with_nothing_changed_renders_nothing_and_touches_no_report(
        study, notebooks, tmp_path):
    out = tmp_path / "out"
    first = _render(study, notebooks, out)
    assert _rendered(first) == ALL
    before = _mtimes(out)
    again = _render(study, notebooks, out)
    assert _rendered(again) == set()
    assert {r.key for r in again.results} == ALL and all(r.ok for r in again.results)
    assert _mtimes(out) == before
    assert "Alle 7 rapporten zijn actueel" in again.describe()
    # a report whose file went missing is made again, and only that one
    (out / "2010-2" / "alkmaar" / "mss_2010-2_alkmaar.html").unlink()
    assert _rendered(_render(study, notebooks, out)) == {"2010-2/alkmaar"}
    # --force renders everything
    assert _rendered(_render(study, notebooks, out, force=True)) == ALL


def _drop_last_row(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))


def test_editing_one_region_renders_its_report_its_round_and_the_final_report(
        study, notebooks, tmp_path):
    out = tmp_path / "out"
    _render(study, notebooks, out)
    neighbour = out / "2010-1" / "den_haag"
    html_before = (neighbour / "mss_2010-1_den_haag.html").stat().st_mtime_ns
    figures_before = json.loads((neighbour / "figures.json").read_text())
    other_round = _mtimes(out / "2010-2")

    _drop_last_row(study / "data" / "2010-1" / "eindhoven" / "feedback_meeting.csv")
    summary = _render(study, notebooks, out)

    assert _rendered(summary) == {"2010-1/eindhoven", "2010-1", "final"}
    assert _mtimes(out / "2010-2") == other_round
    # Den Haag's report is not made again; only the round's pooled figures in its
    # figures.json follow the edit, exactly as a full render would write them
    assert (neighbour / "mss_2010-1_den_haag.html").stat().st_mtime_ns == html_before
    figures_after = json.loads((neighbour / "figures.json").read_text())
    assert figures_after["region"] == figures_before["region"]
    assert figures_after["round"] != figures_before["round"]
    full = _render(study, notebooks, tmp_path / "full", regions=["den_haag"], force=True)
    assert _rendered(full) == {"2010-1/den_haag"}
    assert (neighbour / "figures.json").read_bytes() == \
        (tmp_path / "full" / "2010-1" / "den_haag" / "figures.json").read_bytes()
    nb = nbformat.read(neighbour / "mss_2010-1_den_haag.ipynb", as_version=4)
    published = [o["data"]["application/json"] for c in nb.cells for o in c.get("outputs", [])
                 if "application/json" in o.get("data", {})]
    assert published[0]["round"] == figures_after["round"]


def test_an_author_text_of_a_region_renders_only_that_region(study, notebooks, tmp_path):
    out = tmp_path / "out"
    _render(study, notebooks, out)
    texts = study / "texts" / "2010-2" / "alkmaar"
    texts.mkdir(parents=True)
    (texts / "conclusions.md").write_text("Alkmaar in eigen woorden.\n", encoding="utf-8")
    assert _rendered(_render(study, notebooks, out)) == {"2010-2/alkmaar"}


def test_the_key_of_a_report_ignores_the_command_that_rendered_it(study, notebooks, tmp_path):
    from mss_eval.render.cache import ReportCache

    config = load_config(study)
    a = plan_reports(config, study, tmp_path, notebook_dir=notebooks, rendered_by="mss-eval a")
    b = plan_reports(config, study, tmp_path, notebook_dir=notebooks, rendered_by="mss-eval b")
    assert ReportCache(study, a).keys == ReportCache(study, b).keys
    c = plan_reports(config, study, tmp_path, notebook_dir=notebooks, language="en")
    assert ReportCache(study, c).keys["final"] != ReportCache(study, a).keys["final"]
    assert key_file(a[0]).name == ".mss_2010-1_den_haag.render-key.json"


def test_another_pdf_engine_renders_the_pdfs_again(study, notebooks, tmp_path):
    from mss_eval.render.cache import ReportCache

    config = load_config(study)
    typst = plan_reports(config, study, tmp_path, notebook_dir=notebooks, formats=["html", "pdf"])
    weasy = plan_reports(config, study, tmp_path, notebook_dir=notebooks, formats=["html", "pdf"],
                         pdf_engine="weasyprint")
    html_a = plan_reports(config, study, tmp_path, notebook_dir=notebooks, formats=["html"])
    html_b = plan_reports(config, study, tmp_path, notebook_dir=notebooks, formats=["html"],
                          pdf_engine="weasyprint")
    keys = ReportCache(study, typst).keys
    assert all(keys[k] != v for k, v in ReportCache(study, weasy).keys.items())
    # without a PDF the engine does not matter
    assert ReportCache(study, html_a).keys == ReportCache(study, html_b).keys


# -- the tidy cache ----------------------------------------------------------------------------
def test_the_tidy_cache_gives_the_same_study_as_loading_the_files(study):
    import pandas as pd

    import mss_eval
    from mss_eval.tidy_cache import forget

    first = load_study_cached(study, on_error="skip")
    forget()  # not from memory: from the Parquet files
    cached = load_study_cached(study, on_error="skip")
    fresh = mss_eval.load_study(study, on_error="skip")
    assert list(cached.tables) == list(fresh.tables)
    for name, frame in fresh.tables.items():
        pd.testing.assert_frame_equal(cached.tables[name], frame, check_exact=True)
    pd.testing.assert_frame_equal(cached.files, fresh.files)
    assert cached.problems == fresh.problems and cached.skipped == fresh.skipped
    assert first.config == cached.config


def test_a_changed_file_changes_the_tidy_key_and_a_report_cannot_change_the_cached_frames(study):
    key = tidy_key(file_hashes(study), on_error="skip", language=None)
    one = load_study_cached(study, on_error="skip")
    one.tables["client_interview"]["mss_rating"] = 1  # a notebook overwriting a column
    two = load_study_cached(study, on_error="skip")
    assert (two.tables["client_interview"]["mss_rating"] != 1).any()
    target = study / "data" / "2010-2" / "alkmaar"
    edited = next(p for p in sorted(target.iterdir()) if p.suffix == ".csv")
    _drop_last_row(edited)
    os.utime(edited, ns=(1, 1))  # even with an old timestamp: the size changed
    assert tidy_key(file_hashes(study), on_error="skip", language=None) != key
    assert len(code_fingerprint()) == 64
