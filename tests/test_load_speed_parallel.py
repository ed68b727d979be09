"""Loading a study over worker processes and from the per-file cache gives the same study.

The tidy frames, the files table, the skipped regions and every problem (file, row, column,
value, message) must be identical whether the files were checked in this process or in worker
processes, read now or taken from ``.mss-cache/files/``; a bad file stays reported with its place
and value, and with ``on_error="skip"`` only its region is left out. Input files never change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas.testing as pdt
import pytest

from helpers_input import tree_hashes
from mss_eval import tidy_cache
from mss_eval.example.generator import generate_study
from mss_eval.input import file_cache, validate
from mss_eval.input.validate import validate_study
from mss_eval.problems import StudyError
from mss_eval.tidy import load_study

BAD_ROUND, BAD_REGION = "2010-1", None  # the region is the first one generated


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A small generated study (3 regions per round, CSV, XLSX and SAV files) with one bad file:
    an impossible rating and an answer code that does not exist, in one region's CSV."""
    study = tmp_path_factory.mktemp("load") / "studie"
    generate_study(study, regions_per_round=3, clients_per_region=6, size_factor=0.5)
    target = sorted((study / "data" / BAD_ROUND).glob("*/client_questionnaire.csv"))[0]
    raw = target.read_bytes()
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(newline)
    sep = b";" if lines[0].count(b";") > lines[0].count(b",") else b","
    cells = lines[1].split(sep)
    cells[1] = b"77"  # completed_by_role: no such answer code
    lines[1] = sep.join(cells)
    target.write_bytes(newline.join(lines))
    return study


@pytest.fixture
def study(source, tmp_path) -> Path:
    copy = tmp_path / "studie"
    shutil.copytree(source, copy)
    return copy


def _bad_file(study: Path) -> str:
    target = sorted((study / "data" / BAD_ROUND).glob("*/client_questionnaire.csv"))[0]
    return target.relative_to(study).as_posix()


def assert_same_study(a, b) -> None:
    assert list(a.tables) == list(b.tables)
    for name in a.tables:
        pdt.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    pdt.assert_frame_equal(a.files, b.files, check_exact=True)
    assert a.problems == b.problems
    assert a.skipped == b.skipped


def test_parallel_and_serial_loads_are_identical_and_the_bad_region_is_skipped(study):
    before = tree_hashes(study / "data")
    serial = load_study(study, on_error="skip", workers=1)
    parallel = load_study(study, on_error="skip", workers=2)
    assert_same_study(serial, parallel)
    bad = _bad_file(study)
    region = bad.split("/")[2]
    assert serial.skipped == [(BAD_ROUND, region)]
    errors = [p for p in parallel.problems if p.severity == "error"]
    assert errors and all(p.file == bad for p in errors)
    unknown = next(p for p in errors if p.code == "value_unknown_code")
    assert (unknown.row, unknown.column, unknown.value) == (2, "completed_by_role", "77")
    assert unknown.round == BAD_ROUND and unknown.region == region
    # the other regions are loaded
    loaded = set(zip(parallel.files["round"], parallel.files["region"]))
    assert (BAD_ROUND, region) not in loaded and len(loaded) == 5
    assert tree_hashes(study / "data") == before


def test_validation_reports_are_identical_serial_and_parallel(study):
    serial = validate_study(study, workers=1)
    parallel = validate_study(study, workers=2)
    assert serial.problems == parallel.problems
    assert [f.file for f in serial.files] == [f.file for f in parallel.files]
    for a, b in zip(serial.files, parallel.files):
        assert (a.sha256, a.sheet, a.encoding, a.delimiter) == (b.sha256, b.sheet, b.encoding,
                                                                b.delimiter)
        pdt.assert_frame_equal(a.frame, b.frame, check_exact=True)


def test_errors_raise_the_same_problems_in_parallel(study):
    with pytest.raises(StudyError) as serial:
        load_study(study, workers=1)
    with pytest.raises(StudyError) as parallel:
        load_study(study, workers=2)
    assert serial.value.problems == parallel.value.problems


def test_per_file_cache_gives_the_same_study_and_reads_only_the_edited_file(study):
    tidy_cache.forget()
    before = tree_hashes(study / "data")
    uncached = load_study(study, on_error="skip", workers=1)
    first = tidy_cache.load_study_cached(study, on_error="skip")
    assert_same_study(uncached, first)
    entries = list(file_cache.files_dir(study).glob("*/*.json"))
    data_files = [p for p in (study / "data").rglob("*") if p.is_file()]
    assert len(entries) == len(data_files)  # every file, also those of the skipped region

    # edit one good file: only that file is read again
    good = sorted((study / "data" / "2010-2").glob("*/*.csv"))[0]
    raw = good.read_bytes()
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    good.write_bytes(raw.rstrip(newline) + b" (bewerkt)" + newline)
    tidy_cache.forget()
    after = tidy_cache.load_study_cached(study, on_error="skip")
    assert validate.last_check["files"] == 1
    assert_same_study(load_study(study, on_error="skip", workers=2), after)
    # the bad file keeps its problems from the cache
    assert any(p.code == "value_unknown_code" and p.file == _bad_file(study)
               for p in after.problems)
    changed = {k for k, v in tree_hashes(study / "data").items() if before.get(k) != v}
    assert changed == {good.relative_to(study / "data").as_posix()}
    tidy_cache.forget()


def test_validate_study_with_cache_equals_without_and_survives_damaged_entries(study):
    plain = validate_study(study, workers=1)
    cached = validate_study(study, workers=1, cache=True)
    again = validate_study(study, workers=1, cache=True)
    folder = file_cache.files_dir(study)
    for entry in [*folder.rglob("*.json"), *folder.rglob("*.parquet")]:
        entry.write_bytes(b"not json, not parquet")
    damaged = validate_study(study, workers=1, cache=True)
    for report in (cached, again, damaged):
        assert report.problems == plain.problems
        for a, b in zip(plain.files, report.files):
            assert a.sha256 == b.sha256
            pdt.assert_frame_equal(a.frame, b.frame, check_exact=True)


def test_no_cache_setting_bypasses_the_per_file_cache(study, monkeypatch):
    monkeypatch.setenv("MSS_EVAL_NO_CACHE", "1")
    tidy_cache.forget()
    tidy_cache.load_study_cached(study, on_error="skip")
    validate_study(study, cache=True)
    assert not (study / ".mss-cache").exists()


def test_a_file_in_another_language_or_place_is_not_taken_from_the_cache(study):
    nl = validate_study(study, workers=1, cache=True, language="nl")
    en = validate_study(study, workers=1, cache=True, language="en")
    assert [p.message for p in en.problems] == [
        p.message for p in validate_study(study, workers=1, language="en").problems]
    assert [p.message for p in nl.problems] != [p.message for p in en.problems]


class _Planted:
    """A pickle that, when loaded, creates a file: what a planted cache entry could try."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_the_cache_holds_only_data_and_never_runs_a_planted_pickle(study, tmp_path):
    import pickle

    plain = validate_study(study, workers=1)
    validate_study(study, workers=1, cache=True)
    folder = file_cache.files_dir(study)
    entries = [p for p in folder.rglob("*") if p.is_file()]
    assert entries and {p.suffix for p in entries} <= {".json", ".parquet"}
    marker = tmp_path / "planted-code-ran"
    for entry in entries:
        entry.write_bytes(pickle.dumps(_Planted(marker)))
    again = validate_study(study, workers=1, cache=True)
    loaded = load_study(study, on_error="skip")
    assert not marker.exists()
    assert again.problems == plain.problems
    assert loaded.tables
    for a, b in zip(plain.files, again.files):
        pdt.assert_frame_equal(a.frame, b.frame, check_exact=True)


def test_a_file_entry_keeps_its_frame_dtypes_and_problems_without_the_bundle(study):
    plain = validate_study(study, workers=1)
    validate_study(study, workers=1, cache=True)
    (file_cache.files_dir(study) / file_cache.BUNDLE_FILE).unlink()
    from_entries = validate_study(study, workers=1, cache=True)
    assert validate.last_check["files"] == 0       # every file from its own entry
    assert from_entries.problems == plain.problems
    for a, b in zip(plain.files, from_entries.files):
        if a.frame is None:
            assert b.frame is None
            continue
        pdt.assert_frame_equal(a.frame, b.frame, check_exact=True)
        assert list(a.frame.dtypes) == list(b.frame.dtypes)


@pytest.mark.slow
@pytest.mark.parametrize("guarded", [True, False])
def test_a_script_loads_once_with_workers_and_without_the_main_guard_is_told_why(tmp_path,
                                                                                guarded):
    """Workers import the caller's script again (multiprocessing's documented behaviour): with
    the guard nothing is repeated; without it the workers stop at Python's own explanation and
    the files are read in the script's process, with a warning that says what to do."""
    import subprocess
    import sys

    from mss_eval.example.generator import generate_study

    study = generate_study(tmp_path / "study", regions_per_round=2, size_factor=0.3)
    body = (f"study = mss_eval.load_study({str(study)!r}, workers=2, on_error='skip')\n"
            "print('loaded', len(study['client_interview']))\n")
    script = "import mss_eval\n" + (
        "if __name__ == '__main__':\n" + "".join(f"    {line}\n" for line in body.splitlines())
        if guarded else body)
    path = tmp_path / "script.py"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("loaded") == 1
    assert ("if __name__ == \"__main__\":" in done.stderr) is not guarded
