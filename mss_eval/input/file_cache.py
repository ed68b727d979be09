"""A cache of each data file's validation: read and check a file once, until it changes.

Reading and checking one data file (:func:`mss_eval.input.validate._read_and_check`) gives its
tidy frame (ids as entered, before pseudonyms), its problems and how it was read (SHA-256, sheet,
encoding, separator). This module keeps that result per file in ``<study>/.mss-cache/files/`` as
one pickle, under a key made of

* the file's SHA-256 (its bytes), its path in the study, its round, region, instrument and format
  (they appear in the frame and in the messages);
* the language of the messages;
* the code that reads and checks it (:func:`mss_eval.tidy_cache.code_fingerprint`: the package's
  source, ``questionnaires/`` and the versions of pandas, numpy and pyarrow).

So after a region sends a corrected file, the next load reads only that file again and takes the
other files' results from the cache. The checks across files (references between a region's
files) are always made anew, on the frames. The local secret does not enter the key: pseudonyms
are made later, over the whole study, and never stored here.

The entries hold the same rows as the data files next to them (respondent numbers as entered), in
the study folder; delete ``.mss-cache/`` at any time, set ``MSS_EVAL_NO_CACHE=1`` to bypass it.
A damaged, partial or foreign entry is a miss, never an error. Entries are written atomically
(a temporary file renamed into place), so processes loading the same study at once do not see
half an entry.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import time
from pathlib import Path

FILES_DIR = "files"
_SCHEMA = 1
#: Entries not used by a load for this long (seconds) are removed after a load that wrote any.
STALE_SECONDS = 14 * 24 * 3600


def files_dir(study_path: Path | str) -> Path:
    """``<study>/.mss-cache/files``."""
    from ..tidy_cache import cache_dir

    return cache_dir(study_path) / FILES_DIR


def file_key(*, sha256: str, file: str, instrument: str | None, round: str | None,
             region: str | None, format: str, language: str) -> str:
    """The key of one file's entry: its bytes, where it is, the language and the code."""
    from ..tidy_cache import code_fingerprint, digest

    return digest({"schema": _SCHEMA, "sha256": sha256, "file": file, "instrument": instrument,
                   "round": round, "region": region, "format": format, "language": language,
                   "code": code_fingerprint()})


def _entry_path(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.pkl"


def load(folder: Path, key: str) -> dict | None:
    """The cached result of one file, or ``None`` (missing, damaged or from other code)."""
    try:
        with open(_entry_path(folder, key), "rb") as fh:
            entry = pickle.load(fh)
    except Exception:  # noqa: BLE001 - a damaged or partial entry is a miss, never an error
        return None
    if not isinstance(entry, dict) or entry.get("schema") != _SCHEMA or entry.get("key") != key:
        return None
    return entry


def store(folder: Path, key: str, result: dict) -> None:
    """Write one file's result atomically; an unwritable cache is silently left out."""
    path = _entry_path(folder, key)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:12]}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({**result, "schema": _SCHEMA, "key": key}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def prune(folder: Path, used: set[str]) -> None:
    """Remove entries not in ``used`` that were last written long ago (:data:`STALE_SECONDS`),
    and temporary files of writers that died."""
    now = time.time()
    with contextlib.suppress(OSError):
        for sub in folder.iterdir():
            if not sub.is_dir():
                continue
            for entry in sub.iterdir():
                with contextlib.suppress(OSError):
                    if entry.name.startswith("."):
                        if now - entry.stat().st_mtime > 3600:
                            entry.unlink()
                    elif entry.stem not in used and now - entry.stat().st_mtime > STALE_SECONDS:
                        entry.unlink()


__all__ = ["FILES_DIR", "file_key", "files_dir", "load", "prune", "store"]
