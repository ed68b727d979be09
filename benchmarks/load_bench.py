"""How long loading and validating a study takes: cold, parallel, cached, after editing one file.

Usage::

    .venv/bin/python benchmarks/load_bench.py /tmp/prof/s350 [--serial] [--workers N]

The study is copied to a scratch folder first (the caches are written there, the original is
never touched). For each step the script prints how many files were read (not taken
from the cache), the CPU seconds of this process, those of the worker processes that read files
(reported by the workers themselves) and the wall seconds; on a shared machine the CPU seconds are
the number to compare (wall seconds of the parallel step are at best the CPU seconds divided over
the cores).

Steps:

* ``cold serial`` (with ``--serial``): :func:`mss_eval.tidy.load_study` with ``workers=1`` and no
  cache: the old way;
* ``cold parallel``: ``load_study`` over worker processes, no cache;
* ``cached, first``: :func:`mss_eval.tidy_cache.load_study_cached` on an empty cache (reads every
  file, writes the per-file entries and the whole-study entry);
* ``cached, unchanged``: the same study again in a new process state (the in-memory study
  forgotten), from the whole-study entry;
* ``cached, one file edited``: one region's CSV file rewritten with a changed remark; only that
  file is read again, the rest comes from the per-file entries.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path


def measure(label: str, fn):
    from mss_eval.input import validate

    validate.last_check.update(files=0, workers=0, cpu_seconds=0.0)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = fn()
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    check = validate.last_check
    workers = check["workers"]
    # with worker processes, this process only waits while they read; their CPU is added
    extra = check["cpu_seconds"] if workers > 1 else 0.0
    print(f"{label:<26} files read {int(check['files']):5d}  workers {int(workers)}  "
          f"cpu here {cpu:7.2f} s  + workers {extra:7.2f} s  = {cpu + extra:7.2f} CPU s  "
          f"(wall {wall:7.2f} s)", flush=True)
    return result


def _edit_one_file(study: Path) -> Path:
    """Rewrite one region's client_questionnaire.csv with its first data row's remark changed
    (the last column is free text): new bytes, a new SHA-256, still a valid file."""
    target = sorted(study.glob("data/*/*/client_questionnaire.csv"))[0]
    raw = target.read_bytes()
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(newline)
    lines[1] = lines[1] + b" (bewerkt)"
    target.write_bytes(newline.join(lines))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", type=Path)
    parser.add_argument("--serial", action="store_true", help="also time the serial cold load")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)

    import pandas.testing as pdt

    from mss_eval import tidy_cache
    from mss_eval.tidy import load_study

    tidy_cache.code_fingerprint()  # once per process, not part of any step
    scratch = Path(tempfile.mkdtemp(prefix="load-bench-"))
    study = scratch / args.study.name
    shutil.copytree(args.study, study, ignore=shutil.ignore_patterns(".mss-cache"))
    n_files = sum(1 for p in (study / "data").rglob("*") if p.is_file())
    print(f"study {args.study} ({n_files} files), copied to {study}")
    try:
        serial = None
        if args.serial:
            serial = measure("cold serial", lambda: load_study(study, on_error="skip",
                                                               workers=1))
        parallel = measure("cold parallel", lambda: load_study(study, on_error="skip",
                                                               workers=args.workers))
        if serial is not None:
            for name in serial.tables:
                pdt.assert_frame_equal(serial.tables[name], parallel.tables[name])
            assert serial.problems == parallel.problems
            print("serial and parallel loads are identical")
        first = measure("cached, first", lambda: tidy_cache.load_study_cached(
            study, on_error="skip"))
        tidy_cache.forget()
        again = measure("cached, unchanged", lambda: tidy_cache.load_study_cached(
            study, on_error="skip"))
        for name in first.tables:
            pdt.assert_frame_equal(first.tables[name], parallel.tables[name])
            pdt.assert_frame_equal(again.tables[name], parallel.tables[name])
        edited = _edit_one_file(study)
        time.sleep(2.1)  # past the "racy" window of the hash manifest
        tidy_cache.forget()
        after = measure("cached, one file edited", lambda: tidy_cache.load_study_cached(
            study, on_error="skip"))
        fresh = load_study(study, on_error="skip", workers=args.workers)
        for name in fresh.tables:
            pdt.assert_frame_equal(after.tables[name], fresh.tables[name])
        assert after.problems == fresh.problems
        print(f"edited {edited.relative_to(study)}; cached load equals a fresh load")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
