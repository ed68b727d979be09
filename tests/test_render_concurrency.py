"""Two renders of the same study at the same time: the second names the first and stops (exit 1),
or waits for it with ``--wait``; a lock of a killed render is no lock.

The renders are real ``mss-eval render`` processes on the tiny notebooks of ``helpers_render``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers_render import (all_gone, clear_faults, complete_html, descendants,
                            make_fault_study, make_notebooks, report, set_fault, start_render,
                            started, temporaries, wait_for)
from mss_eval.render.lock import LOCK_FILE, RenderLock, RenderLocked, describe_holder

REGIONS = ["a", "b"]


# -- the lock itself (fast) -------------------------------------------------------------------------
def test_a_second_lock_on_the_same_folder_names_the_holder(tmp_path):
    with RenderLock(tmp_path, command="mss-eval render studie") as first:
        assert first.held
        with pytest.raises(RenderLocked) as caught:
            RenderLock(tmp_path).acquire()
    text = str(caught.value)
    assert f"proces {os.getpid()}, gestart " in text
    assert "opdracht: mss-eval render studie" in text
    assert "--wait" in text
    # released: the next one gets it, and the file says who has it now
    with RenderLock(tmp_path, command="tweede") as second:
        assert json.loads((tmp_path / LOCK_FILE).read_text())["command"] == "tweede"
        assert second.held


def test_waiting_for_a_lock_gives_up_after_the_time_allowed(tmp_path):
    told = []
    with RenderLock(tmp_path, language="en"):
        started_at = time.monotonic()
        with pytest.raises(RenderLocked, match=r"After waiting 1 s the output folder .* is still "
                                               r"in use by another render \(process \d+"):
            RenderLock(tmp_path, wait=1.0, language="en", on_wait=told.append).acquire()
        assert 0.9 <= time.monotonic() - started_at < 5
    assert len(told) == 1 and told[0].startswith("Waiting for the other render")


def test_a_lock_dies_with_its_process(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from mss_eval.render.lock import RenderLock\n"
         f"RenderLock({str(tmp_path)!r}, command='holder').acquire()\n"
         "print('held', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RenderLocked, match=f"proces {holder.pid}"):
            RenderLock(tmp_path).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        # the kernel released the lock: no stale lock file to clean up by hand
        with RenderLock(tmp_path) as lock:
            assert lock.held
    finally:
        if holder.poll() is None:
            holder.kill()


def test_a_holder_without_details_is_described_in_plain_words():
    assert describe_holder({}) == "een ander proces"
    assert describe_holder({"pid": 12, "started": "2010-03-04T14:05:09+01:00"}, "en") == \
        "process 12, started 2010-03-04 14:05:09"


# -- two renders ---------------------------------------------------------------------------------
@pytest.fixture
def setup(tmp_path):
    study = make_fault_study(tmp_path / "study", regions=tuple(REGIONS))
    notebooks = make_notebooks(tmp_path / "notebooks")
    return study, notebooks, tmp_path / "reports"


def _files(out):
    return {p.relative_to(out): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_a_second_render_stops_and_names_the_first_and_one_with_wait_follows(setup):
    study, notebooks, out = setup
    set_fault(study, "b", "hold")
    first = start_render(study, out, notebooks, "--region", *REGIONS, "--jobs", "1")
    waiting = None
    try:
        wait_for(lambda: "b" in started(study), 90, "the first render to be busy")
        before = _files(out)

        second = subprocess.run(
            [sys.executable, "-m", "mss_eval.cli", "render", str(study), "--out", str(out),
             "--notebooks", str(notebooks), "--format", "html"],
            capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert f"wordt al gerenderd door een andere run (proces {first.pid}, gestart " in \
            second.stderr
        assert "--wait" in second.stderr and "Traceback" not in second.stderr
        assert _files(out) == before  # the second render wrote nothing

        waiting = start_render(study, out, notebooks, "--region", *REGIONS, "--jobs", "1",
                               "--wait")
        time.sleep(2)
        assert waiting.poll() is None  # still waiting for the first

        clear_faults(study)
        _, err_first = first.communicate(timeout=90)
        assert first.returncode == 0, err_first
        _, err_waiting = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err_waiting
        assert "Wachten tot de andere run" in err_waiting
    finally:
        for proc in (first, waiting):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    for g in REGIONS:
        assert complete_html(report(out, g))
    assert temporaries(out) == []
    status = json.loads((out / "render-status.json").read_text())["reports"]
    assert {k: v["status"] for k, v in status.items()} == {"r1/a": "ok", "r1/b": "ok"}


@pytest.mark.slow
def test_a_killed_render_leaves_no_lock_and_its_leftovers_are_cleared(setup):
    study, notebooks, out = setup
    set_fault(study, "b", "hold")
    killed = start_render(study, out, notebooks, "--region", *REGIONS, "--jobs", "1")
    try:
        wait_for(lambda: "b" in started(study), 90, "the render to be busy")
        below = descendants(killed.pid)
        # kill -9 of the whole job: no handler runs, the lock goes with the process
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(30)
    finally:
        if killed.poll() is None:
            killed.kill()
    # the kernel notices its parent is gone and ends itself
    assert all_gone(below, timeout=20) == []
    leftover = out / "r1" / "b" / ".mss_r1_b.tmp-999999999-dead.html"
    leftover.write_text("<html>half")

    clear_faults(study)
    again = subprocess.run(
        [sys.executable, "-m", "mss_eval.cli", "render", str(study), "--out", str(out),
         "--notebooks", str(notebooks), "--format", "html", "--region", *REGIONS,
         "--jobs", "1"], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert temporaries(out) == []
    for g in REGIONS:
        assert complete_html(report(out, g))
