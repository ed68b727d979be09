"""A cache of the study's tidy data: load and validate once, read Parquet afterwards.

:func:`load_study_cached` returns what :func:`mss_eval.tidy.load_study` returns, but keeps the
result in the study's ``.mss-cache/`` folder as one Parquet file per instrument (pyarrow), under a
key made of

* the SHA-256 of every input file: ``study.yaml``, every file under ``data/`` and the local secret
  (pseudonyms depend on it; only a hash of it enters the key, and the secret never leaves the
  folder);
* the code that reads them (:func:`code_fingerprint`: the mss-eval version, the SHA-256 of the
  package's source and of ``questionnaires/``);
* the options of the load (``on_error``, ``language``).

Any change to any of these gives a new key, so a cached study is never older than its files. The
SHA-256 of a file is recomputed only when its size or modification time changed (a manifest,
``.mss-cache/hashes.json``, remembers them), so checking a study of a few thousand files costs a
few milliseconds. Within one process the last study loaded is also kept in memory, so a warm
report kernel loads a study once for all the reports it renders; every caller gets its own
shallow copy of the frames (copy-on-write), so one report cannot change another's data.

The cache holds pseudonymised rows (the same as the tidy frames, open answers and coded excerpts
included) and stays inside the study folder, next to the raw data and the secret, with the
secret's protection: folders 0700, files 0600. ``mss-eval clear-cache`` removes ``.mss-cache/``
at any time; ``MSS_EVAL_NO_CACHE=1`` bypasses it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

# the keys of every cache live in one leaf module; these names stay importable from here
from .cache_keys import (CACHE_DIR, FILE_MODE, HASHES_FILE, NO_CACHE_ENV, cache_dir,
                         cache_disabled, code_fingerprint, digest, file_hashes, private_folder)
from .study import DATA_DIR, SECRET_FILE, STUDY_FILE

TIDY_DIR = "tidy"
#: Tidy entries kept per study (older ones are removed when a new one is written).
KEEP_ENTRIES = 2
_SCHEMA = 1

_memo_lock = threading.Lock()
_memo: dict[tuple[str, str], object] = {}


def tidy_key(hashes: Mapping[str, str], *, on_error: str, language: str | None) -> str:
    """The key of a tidy cache entry: the input files, the code and the options of the load."""
    inputs = {k: v for k, v in hashes.items()
              if k in (STUDY_FILE, SECRET_FILE) or k.startswith(DATA_DIR + "/")}
    return digest({"inputs": inputs, "code": code_fingerprint(), "on_error": on_error,
                   "language": language, "schema": _SCHEMA})


def _copy(study):
    """A private view of a study: shallow frame copies (pandas copy-on-write keeps them apart)."""
    from .tidy import Study

    return Study(path=study.path, config=study.config,
                 tables={k: v.copy(deep=False) for k, v in study.tables.items()},
                 files=study.files.copy(deep=False), problems=list(study.problems),
                 skipped=list(study.skipped))


def load_study_cached(path: Path | str, *, on_error: Literal["raise", "skip"] = "raise",
                      language: str | None = None, refresh: bool = False,
                      hashes: Mapping[str, str] | None = None):
    """:func:`mss_eval.tidy.load_study`, from the cache when nothing it reads has changed.

    Parameters
    ----------
    path, on_error, language
        As for :func:`~mss_eval.tidy.load_study`.
    refresh : bool
        Ignore any cached entry: load from the files and write a new entry (``--force``).
    hashes : mapping, optional
        The study's :func:`file_hashes`, when the caller has them already.

    Returns
    -------
    Study
        Equal to what ``load_study`` returns (same frames, dtypes, problems and skipped pairs).
        A study whose errors make ``load_study`` raise is never cached: the error is raised.
    """
    from .tidy import load_study

    if cache_disabled():
        return load_study(path, on_error=on_error, language=language)
    study_path = Path(path)
    if hashes is None:
        hashes = file_hashes(study_path)
    key = tidy_key(hashes, on_error=on_error, language=language)
    memo_key = (str(study_path.resolve()), key)
    if not refresh:
        with _memo_lock:
            found = _memo.get(memo_key)
        if found is not None:
            return _copy(found)
        loaded = _read_entry(study_path, key)
        if loaded is not None:
            _remember(memo_key, loaded)
            return _copy(loaded)
    had_secret = SECRET_FILE in hashes
    study = load_study(study_path, on_error=on_error, language=language, file_cache=True,
                       hashes=dict(hashes))
    if not had_secret and (study_path / SECRET_FILE).is_file():
        # loading created the secret: the entry belongs under the key that includes it
        key = tidy_key(file_hashes(study_path), on_error=on_error, language=language)
        memo_key = (memo_key[0], key)
    with contextlib.suppress(OSError):
        _write_entry(study_path, key, study, overwrite=refresh)
    _remember(memo_key, study)
    return _copy(study)


def _remember(memo_key: tuple[str, str], study) -> None:
    with _memo_lock:
        _memo.clear()  # one study per process: a kernel renders the reports of one study
        _memo[memo_key] = study


def forget() -> None:
    """Drop the study kept in memory (tests; a long-lived process between studies)."""
    with _memo_lock:
        _memo.clear()


def _entry_dir(study_path: Path, key: str) -> Path:
    return cache_dir(study_path) / TIDY_DIR / key


def _write_entry(study_path: Path, key: str, study, overwrite: bool = False) -> None:
    import pyarrow  # noqa: F401 - Parquet needs it; fail here, not halfway

    target = _entry_dir(study_path, key)
    if (target / "meta.json").is_file():
        if not overwrite:
            return
        # --force: the entry is replaced by what was just read from the files
        trash = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, trash)
        shutil.rmtree(trash, ignore_errors=True)
    private_folder(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}.", dir=target.parent))
    try:
        for instrument, frame in study.tables.items():
            frame.to_parquet(tmp / f"{instrument}.parquet", engine="pyarrow", index=False)
        study.files.to_parquet(tmp / "_files.parquet", engine="pyarrow", index=False)
        meta = {"schema": _SCHEMA, "key": key, "instruments": list(study.tables),
                "problems": [_problem_dict(p) for p in study.problems],
                "skipped": [list(pair) for pair in study.skipped]}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, default=str),
                                       encoding="utf-8")
        for written in tmp.iterdir():
            os.chmod(written, FILE_MODE)  # the folder is 0700 (mkdtemp); its files 0600
        try:
            os.rename(tmp, target)  # atomic: a reader sees a whole entry or none
        except OSError:
            if not (target / "meta.json").is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process wrote it first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(target.parent, keep=target.name)


def _prune(folder: Path, keep: str) -> None:
    others = [p for p in folder.iterdir()
              if p.is_dir() and not p.name.startswith(".") and p.name != keep]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for entry in others[KEEP_ENTRIES - 1:]:
        shutil.rmtree(entry, ignore_errors=True)
    for stale in folder.glob(".*"):
        # a temporary entry of a process that died while writing
        if stale.is_dir() and time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def _problem_dict(problem) -> dict:
    return dataclasses.asdict(problem)


def _read_entry(study_path: Path, key: str):
    import pandas as pd

    from .problems import Problem
    from .study import load_config
    from .tidy import Study

    entry = _entry_dir(study_path, key)
    try:
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        if meta.get("schema") != _SCHEMA or meta.get("key") != key:
            return None
        tables = {name: pd.read_parquet(entry / f"{name}.parquet", engine="pyarrow")
                  for name in meta["instruments"]}
        files = pd.read_parquet(entry / "_files.parquet", engine="pyarrow")
        problems = [Problem(**p) for p in meta["problems"]]
        skipped = [tuple(pair) for pair in meta["skipped"]]
        config = load_config(study_path)
    except Exception:  # noqa: BLE001 - a damaged or partial entry is a miss, never an error
        return None
    return Study(path=study_path, config=config, tables=tables, files=files,
                 problems=problems, skipped=skipped)


__all__ = ["CACHE_DIR", "NO_CACHE_ENV", "cache_dir", "cache_disabled", "code_fingerprint",
           "digest", "file_hashes", "forget", "load_study_cached", "tidy_key"]
