"""The warm-kernel papermill engine: registered, reused, and no state from one report to the next.

The slow tests execute small notebooks on a warm kernel and on fresh kernels and compare what a
notebook finds (a variable, a pandas option, a matplotlib rcParam, a warning filter, an
environment variable, a helper module) and what reports come out (``figures.json`` and HTML).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mss_eval.render import RenderOptions, render_study
from mss_eval.render import engine
from mss_eval.render.engine import ENGINE_NAME, WarmKernelEngine

ROOT = Path(__file__).resolve().parent.parent


def test_the_warm_engine_is_in_papermills_registry_and_declared_as_entry_point():
    from papermill.engines import papermill_engines

    assert papermill_engines.get_engine(ENGINE_NAME) is WarmKernelEngine
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    entry = project["entry-points"]["papermill.engine"][ENGINE_NAME]
    # the entry point is a module that imports nothing, so that importing mss_eval.render.engine
    # before papermill does not make papermill load that module half-way
    assert entry == "mss_eval.render.engine_entry:WarmKernelEngine"


def test_reports_use_the_warm_engine_by_default():
    assert RenderOptions().engine_name == ENGINE_NAME


# -- no state leaks --------------------------------------------------------------------------------
POLLUTE = [
    "leaked = 42",
    "import pandas as pd\npd.set_option('display.max_rows', 7)",
    "import matplotlib as mpl\nmpl.rcParams['lines.linewidth'] = 9.5",
    "import warnings\nwarnings.simplefilter('error')",
    "import helper_module\nhelper_module.VALUE = 'changed'",
    "import sys\nsys.path.insert(0, '/nowhere')",
    "import os\nos.environ['MSS_LEAK'] = 'yes'\nos.chdir('/')",
]

PROBE = """\
import json, os, sys, warnings
import pandas as pd
import matplotlib as mpl
import helper_module
state = {
    "variable": "leaked" in globals(),
    "max_rows": pd.get_option("display.max_rows"),
    "linewidth": float(mpl.rcParams["lines.linewidth"]),
    "error_filter": any(f[0] == "error" and f[2] is Warning for f in warnings.filters),
    "environ": os.environ.get("MSS_LEAK"),
    "cwd": os.getcwd(),
    "path": "/nowhere" in sys.path,
    "helper": helper_module.VALUE,
    "execution_count": get_ipython().execution_count,
}
print(json.dumps(state))
print(json.dumps({"pid": os.getpid()}))
"""


def _write_notebook(path: Path, sources: list[str]) -> Path:
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), str(path))
    return path


def _run(notebook: Path, out: Path, engine_name: str | None) -> list[dict]:
    nb = papermill.execute_notebook(str(notebook), str(out), engine_name=engine_name,
                                    kernel_name="python3", progress_bar=False,
                                    cwd=str(notebook.parent))
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_nothing_of_one_notebook_reaches_the_next_on_a_warm_kernel(tmp_path):
    (tmp_path / "helper_module.py").write_text("VALUE = 'original'\n")
    polluter = _write_notebook(tmp_path / "polluter.ipynb", POLLUTE)
    probe = _write_notebook(tmp_path / "probe.ipynb", [PROBE])
    try:
        fresh_state, _ = _run(probe, tmp_path / "fresh.ipynb", None)
        polluted = _run(polluter, tmp_path / "polluted.ipynb", ENGINE_NAME)
        assert polluted == []
        warm_state, warm_pid = _run(probe, tmp_path / "warm.ipynb", ENGINE_NAME)
        _, again_pid = _run(probe, tmp_path / "again.ipynb", ENGINE_NAME)
    finally:
        engine.shutdown_all()
    # the same kernel ran all three notebooks ...
    assert warm_pid == again_pid
    # ... and the probe found it exactly as a fresh kernel
    assert warm_state == fresh_state
    assert warm_state["variable"] is False
    assert warm_state["max_rows"] == 60
    assert warm_state["linewidth"] == 1.5
    assert warm_state["error_filter"] is False
    assert warm_state["environ"] is None
    assert warm_state["cwd"] == str(tmp_path)
    assert warm_state["path"] is False
    assert warm_state["helper"] == "original"
    # cells are numbered from 1 again, so errors name the same cells as with a fresh kernel
    warm_nb = nbformat.read(tmp_path / "warm.ipynb", as_version=4)
    assert warm_nb.cells[0].execution_count == 1


@pytest.mark.slow
def test_a_kernel_that_died_is_replaced_for_the_next_notebook(tmp_path):
    killer = _write_notebook(tmp_path / "killer.ipynb", ["import os\nos._exit(1)"])
    probe = _write_notebook(tmp_path / "probe.ipynb",
                            ["import os, json\nprint(json.dumps({'pid': os.getpid()}))"])
    try:
        (first,) = _run(probe, tmp_path / "p1.ipynb", ENGINE_NAME)
        with pytest.raises(Exception, match="(?i)dead|died"):
            _run(killer, tmp_path / "k.ipynb", ENGINE_NAME)
        (second,) = _run(probe, tmp_path / "p2.ipynb", ENGINE_NAME)
        assert len(engine.current_kernels()) == 1
    finally:
        engine.shutdown_all()
    assert first["pid"] != second["pid"]


# -- the same reports from warm and fresh kernels ------------------------------------------------
@pytest.fixture(scope="module")
def small_study(tmp_path_factory) -> Path:
    from mss_eval.example.generator import generate_study

    return generate_study(tmp_path_factory.mktemp("engine") / "study", regions_per_round=2,
                          clients_per_region=12)


def _render(study: Path, out: Path, engine_name: str | None):
    return render_study(study, rounds=["2010-1"], formats=["html"], out_dir=out, force=True,
                        jobs=1, progress=False, rendered_by="test",
                        options=RenderOptions(engine_name=engine_name))


@pytest.mark.slow
def test_figures_and_html_are_the_same_with_warm_and_fresh_kernels(small_study, tmp_path):
    try:
        warm = _render(small_study, tmp_path / "warm", ENGINE_NAME)
    finally:
        engine.shutdown_all()
    fresh = _render(small_study, tmp_path / "fresh", "nbclient")
    assert warm.exit_code == 0 and fresh.exit_code == 0, (warm.describe(), fresh.describe())
    keys = [r.key for r in warm.results]
    assert keys == ["2010-1/den_haag", "2010-1/eindhoven", "2010-1"]
    for result in warm.results:
        w = Path(result.files["figures"])
        f = tmp_path / "fresh" / w.relative_to(tmp_path / "warm")
        assert w.read_bytes() == f.read_bytes(), result.key
        html_w = Path(result.files["html"])
        html_f = tmp_path / "fresh" / html_w.relative_to(tmp_path / "warm")
        assert html_w.read_text() == html_f.read_text(), result.key


# -- a Dask cluster instead of the local pool ------------------------------------------------------
@pytest.mark.slow
def test_a_report_renders_on_a_dask_cluster(small_study, tmp_path):
    distributed = pytest.importorskip("distributed")
    from mss_eval.render.dask_executor import dask_executor_factory

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        summary = render_study(small_study, regions=["den_haag"], formats=["html"],
                               out_dir=tmp_path / "out", progress=False, rendered_by="test",
                               executor_factory=dask_executor_factory(cluster.scheduler_address))
        worker_pids = {w.process.pid for w in cluster.workers.values()}
    assert summary.exit_code == 0, summary.describe()
    (result,) = summary.results
    assert result.key == "2010-1/den_haag" and not result.cached
    assert Path(result.files["html"]).read_text().startswith("<!DOCTYPE html>")
    assert json.loads(Path(result.files["figures"]).read_text())["meta"]["region"] == "den_haag"
    assert os.getpid() not in worker_pids  # rendered in the cluster's worker process


def test_an_unreachable_scheduler_is_a_sentence():
    pytest.importorskip("distributed")
    from mss_eval.render.dask_executor import SchedulerError, dask_executor_factory

    factory = dask_executor_factory("tcp://127.0.0.1:1", language="en", timeout=1)
    with pytest.raises(SchedulerError, match="the Dask scheduler at tcp://127.0.0.1:1 cannot be "
                                             "reached"):
        factory(1)
