"""Faults while rendering: each leaves the other reports intact, no half-written file, a summary in
plain words and a non-zero exit code, and a second run finishes what is missing.

The faults: a kernel that dies mid-report, a cell that raises, a file standing where a report's
folder should be, a full disk and a refused write (injected: the tests run as root, whom file
permissions do not stop), a report that leaks an e-mail address, and Ctrl-C / SIGTERM sent to a
running ``mss-eval render``. The notebooks are the tiny ones of ``helpers_render`` (no analyses),
so each report costs about one kernel start.
"""

from __future__ import annotations

import errno
import json
import os
import signal
from pathlib import Path

import pytest

from helpers_render import (all_gone, clear_faults, complete_html, descendants, kernels_below,
                            make_fault_study, make_notebooks, report, set_fault, start_render,
                            started, temporaries, wait_for)
from mss_eval.render import render_study

psutil = pytest.importorskip("psutil")

pytestmark = pytest.mark.slow
REGIONS = ["a", "b", "c"]


@pytest.fixture
def setup(tmp_path):
    study = make_fault_study(tmp_path / "study")
    notebooks = make_notebooks(tmp_path / "notebooks")
    return study, notebooks, tmp_path / "reports"


def _render(study, notebooks, out, **kwargs):
    kwargs.setdefault("jobs", 1)
    return render_study(study, regions=REGIONS, formats=["html"], out_dir=out,
                        notebook_dir=notebooks, progress=False, **kwargs)


def _status(out: Path) -> dict:
    return json.loads((out / "render-status.json").read_text(encoding="utf-8"))["reports"]


def _assert_only_complete_files(out: Path, ok: list[str], failed: list[str]) -> None:
    assert temporaries(out) == []
    for region in ok:
        assert complete_html(report(out, region)), region
        assert (out / "r1" / region / "figures.json").is_file()
    for region in failed:
        assert not report(out, region).exists(), region
        assert not (out / "r1" / region / "figures.json").exists(), region


# -- a kernel that dies, a cell that raises ---------------------------------------------------------
def test_a_dying_kernel_and_a_raising_cell_fail_only_their_reports(setup):
    study, notebooks, out = setup
    set_fault(study, "b", "kill")
    set_fault(study, "c", "raise")

    summary = _render(study, notebooks, out)

    assert summary.exit_code == 1
    assert [r.key for r in summary.succeeded] == ["r1/a"]
    _assert_only_complete_files(out, ok=["a"], failed=["b", "c"])
    text = summary.describe()
    assert "1 van 3 rapporten gemaakt" in text
    assert "Regio B, Ronde 1 [r1/b]: de Python-kernel stopte onverwacht" in text
    assert "Regio C, Ronde 1 [r1/c]: fout in cel" in text
    assert "ValueError: kapotte cel in regio c" in text
    assert "Traceback" not in text
    # the cell's error is kept for whoever fixes it; the dead kernel left nothing behind (at
    # most the one warm kernel this process keeps for its next report runs on)
    assert (out / "r1" / "c" / "mss_r1_c.failed.ipynb").is_file()
    assert len(kernels_below(os.getpid())) <= 1
    status = _status(out)
    assert {k: v["status"] for k, v in status.items()} == {
        "r1/a": "ok", "r1/b": "failed", "r1/c": "failed"}

    clear_faults(study)
    again = _render(study, notebooks, out)
    assert again.exit_code == 0, again.describe()
    _assert_only_complete_files(out, ok=REGIONS, failed=[])
    assert not (out / "r1" / "c" / "mss_r1_c.failed.ipynb").exists()


# -- the output folder ---------------------------------------------------------------------------------
def test_a_file_where_a_report_folder_belongs_fails_that_report_in_plain_words(setup):
    study, notebooks, out = setup
    blocker = out / "r1" / "b"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder")

    summary = _render(study, notebooks, out)

    assert summary.exit_code == 1
    assert [r.key for r in summary.failed] == ["r1/b"]
    assert blocker.read_text() == "not a folder"  # nothing of the researcher's is touched
    (failed,) = summary.failed
    assert failed.error == (f"de map {blocker} kan niet worden gemaakt: er staat een bestand met "
                            "die naam in de weg")
    assert complete_html(report(out, "a")) and complete_html(report(out, "c"))
    assert temporaries(out) == []

    blocker.unlink()
    again = _render(study, notebooks, out)
    assert again.exit_code == 0, again.describe()
    assert complete_html(report(out, "b"))


class _FailingWrites:
    """``open`` for mss_eval.atomic that, for HTML files in one folder, writes half of
    the data and then fails like a full disk (or refuses the file, like a read-only folder)."""

    def __init__(self, folder: Path, code: int):
        self.folder, self.code, self.calls = folder.resolve(), code, 0

    def __call__(self, path, mode="r", *args, **kwargs):
        path = Path(path)
        if path.resolve().parent != self.folder or ".html" not in path.name:
            return open(path, mode, *args, **kwargs)
        self.calls += 1
        if self.code != errno.ENOSPC:
            raise OSError(self.code, os.strerror(self.code), str(path))
        real = open(path, mode, *args, **kwargs)
        code = self.code

        class HalfWriter:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                real.close()
                return False

            def write(self, data):
                real.write(data[: len(data) // 2])
                real.flush()
                raise OSError(code, os.strerror(code), str(path))

        return HalfWriter()


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "de schijf is vol: geen ruimte om te schrijven in {folder}"),
    (errno.EACCES, "geen toestemming om te schrijven in {folder}"),
])
def test_a_full_disk_or_refused_write_leaves_no_half_file(setup, monkeypatch, code, words):
    import mss_eval.atomic as atomic

    study, notebooks, out = setup
    first = _render(study, notebooks, out)
    assert first.exit_code == 0, first.describe()

    failing = _FailingWrites(out / "r1" / "b", code)
    monkeypatch.setattr(atomic, "open", failing, raising=False)
    summary = _render(study, notebooks, out, force=True)
    monkeypatch.undo()

    assert failing.calls >= 1
    assert summary.exit_code == 1
    (failed,) = summary.failed
    assert failed.key == "r1/b"
    assert failed.error == words.format(folder=out.resolve() / "r1" / "b")
    # the other reports are whole; of b nothing half written is left, and no older b passes
    # for the current one
    assert temporaries(out) == []
    for g in ("a", "c"):
        assert complete_html(report(out, g))
    assert not report(out, "b").exists()
    assert not (out / "r1" / "b" / "figures.json").exists()

    again = _render(study, notebooks, out)
    assert again.exit_code == 0, again.describe()
    assert complete_html(report(out, "b"))


# -- leaks ---------------------------------------------------------------------------------------------
def test_a_report_that_leaks_is_failed_and_not_put_in_place(setup):
    study, notebooks, out = setup
    set_fault(study, "b", "email")

    summary = _render(study, notebooks, out)

    assert summary.exit_code == 1
    (failed,) = summary.failed
    assert failed.key == "r1/b"
    assert "mogelijk lek (email)" in failed.error
    assert "mss_r1_b.html" in failed.error or "mss_r1_b.ipynb" in failed.error
    assert "jansen@example" not in summary.describe()  # the summary never repeats the leak
    # nothing of b is in the reports folder, not even the executed notebook
    assert list((out / "r1" / "b").iterdir()) == []
    assert complete_html(report(out, "a")) and complete_html(report(out, "c"))
    assert temporaries(out) == []

    clear_faults(study)
    assert _render(study, notebooks, out).exit_code == 0
    assert complete_html(report(out, "b"))


# -- interruptions -----------------------------------------------------------------------------------
@pytest.mark.parametrize("how, jobs, code", [
    ("ctrl-c", "2", 130),   # SIGINT to the whole process group, as a terminal sends it
    ("sigterm", "1", 143),  # SIGTERM to the render process only, as a scheduler sends it
])
def test_an_interrupted_render_stops_cleanly_and_a_rerun_finishes_it(setup, how, jobs, code):
    study, notebooks, out = setup
    set_fault(study, "b", "hold")
    set_fault(study, "c", "hold")
    proc = start_render(study, out, notebooks, "--region", *REGIONS, "--jobs", jobs)
    try:
        busy = {"b", "c"} if jobs == "2" else {"b"}
        wait_for(lambda: busy <= started(study) and report(out, "a").exists(), 90,
                 "the render to be busy")
        below = descendants(proc.pid)
        assert kernels_below(proc.pid)
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == code, stderr
    name = "Ctrl-C (SIGINT)" if how == "ctrl-c" else "SIGTERM"
    assert f"Onderbroken ({name})" in stderr
    assert "1 rapport(en) gemaakt" in stderr
    assert "Start dezelfde opdracht opnieuw om de rest te maken" in stderr
    assert "Traceback" not in stderr
    # workers and kernels are gone with the render: nothing runs on
    assert all_gone(below, timeout=15) == []
    assert complete_html(report(out, "a"))
    assert not report(out, "b").exists() and not report(out, "c").exists()
    assert temporaries(out) == []
    assert set(_status(out)) == {"r1/a"}

    clear_faults(study)
    rerun = _render(study, notebooks, out)
    assert rerun.exit_code == 0, rerun.describe()
    for g in REGIONS:
        assert complete_html(report(out, g))
    assert temporaries(out) == []
