"""A cache of each data file's validation: read and check a file once, until it changes.

Reading and checking one data file (:func:`mss_eval.input.validate._read_and_check`) gives its
tidy frame (ids as entered, before pseudonyms), its problems and how it was read (SHA-256, sheet,
encoding, separator). This module keeps that result per file in ``<study>/.mss-cache/files/``
under a key made of

* the file's SHA-256 (its bytes), its path in the study, its round, region, instrument and format
  (they appear in the frame and in the messages), and the column mapping that applies to it;
* the language of the messages;
* the code that reads and checks it (:func:`mss_eval.cache_keys.code_fingerprint`: the package's
  source, ``questionnaires/`` and the versions of pandas, numpy and pyarrow).

So after a region sends a corrected file, the next load reads only that file again and takes the
other files' results from the cache. The checks across files (references between a region's
files) are always made anew, on the frames. The local secret does not enter the key: pseudonyms
are made later, over the whole study, and never stored here.

An entry is data only, like the tidy-data cache: the frame as Parquet (``<key>.parquet``, pyarrow
keeps the pandas dtypes) and the rest as JSON (``<key>.json``: how the file was read and its
problems). Nothing in the cache is code that could run when read, so an entry planted in
``.mss-cache/`` can at most claim rows that the data files beside it could claim as well; a
damaged, partial or foreign entry is a miss, never an error. Entries are written atomically
(temporary files renamed into place, the JSON last), so processes loading the same study at once
do not see half an entry. The entries hold the same rows as the data files next to them
(respondent numbers as entered), in the study folder, readable by the owner only (folders 0700,
files 0600, as the study's secret); ``mss-eval clear-cache`` removes ``.mss-cache/`` at any time,
``MSS_EVAL_NO_CACHE=1`` bypasses it.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import time
from pathlib import Path

import pandas as pd

from ..cache_keys import private_atomic_path, private_folder
from ..problems import Problem

FILES_DIR = "files"
_SCHEMA = 2
#: Entries not used by a load for this long (seconds) are removed after a load that wrote any.
STALE_SECONDS = 14 * 24 * 3600


def files_dir(study_path: Path | str) -> Path:
    """``<study>/.mss-cache/files``."""
    from ..cache_keys import cache_dir

    return cache_dir(study_path) / FILES_DIR


def file_key(*, sha256: str, file: str, instrument: str | None, round: str | None,
             region: str | None, format: str, language: str, mapping: str | None = None) -> str:
    """The key of one file's entry: its bytes, where it is, the language, the code and the
    SHA-256 of the column mapping that applies to it (if any)."""
    from ..cache_keys import code_fingerprint, digest

    parts = {"schema": _SCHEMA, "sha256": sha256, "file": file, "instrument": instrument,
             "round": round, "region": region, "format": format, "language": language,
             "code": code_fingerprint()}
    if mapping:
        parts["mapping"] = mapping
    return digest(parts)


def _problem_json(problem: Problem) -> dict:
    return {**problem.to_dict(), "extra": problem.extra}


def _meta_json(result: dict) -> dict:
    """What a file's result holds besides its frame, as JSON values."""
    meta = {k: v for k, v in result.items() if k != "frame"}
    meta["problems"] = [_problem_json(p) for p in result.get("problems", [])]
    return meta


def _meta_from_json(meta: dict) -> dict:
    return {**meta, "problems": [Problem(**p) for p in meta.get("problems", [])]}


def _write_json(path: Path, data: dict) -> None:
    with private_atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_frame(path: Path, frame: pd.DataFrame) -> None:
    with private_atomic_path(path) as tmp:
        frame.to_parquet(tmp, engine="pyarrow")


def _entry_path(folder: Path, key: str, suffix: str) -> Path:
    return folder / key[:2] / f"{key}{suffix}"


def load(folder: Path, key: str) -> dict | None:
    """The cached result of one file, or ``None`` (missing, damaged or from other code)."""
    meta = _read_json(_entry_path(folder, key, ".json"))
    if meta is None or meta.get("schema") != _SCHEMA or meta.get("key") != key:
        return None
    try:
        result = _meta_from_json(meta)
        result["frame"] = (pd.read_parquet(_entry_path(folder, key, ".parquet"))
                           if meta.get("has_frame") else None)
    except Exception:  # noqa: BLE001 - a damaged or partial entry is a miss, never an error
        return None
    for k in ("schema", "key", "has_frame"):
        result.pop(k, None)
    return result


def store(folder: Path, key: str, result: dict) -> None:
    """Write one file's result atomically (frame first, JSON last); an unwritable cache is
    silently left out."""
    frame = result.get("frame")
    with contextlib.suppress(OSError, ValueError, TypeError):
        if frame is not None:
            _write_frame(_entry_path(folder, key, ".parquet"), frame)
        _write_json(_entry_path(folder, key, ".json"),
                    {**_meta_json(result), "schema": _SCHEMA, "key": key,
                     "has_frame": frame is not None})


def prune(folder: Path, used: set[str]) -> None:
    """Remove entries not in ``used`` that were last written long ago (:data:`STALE_SECONDS`),
    and temporary files of writers that died."""
    now = time.time()
    with contextlib.suppress(OSError):
        for sub in folder.iterdir():
            if not sub.is_dir() or sub.name.startswith(BUNDLE_FRAMES):
                continue
            for entry in sub.iterdir():
                with contextlib.suppress(OSError):
                    if entry.name.startswith("."):
                        if now - entry.stat().st_mtime > 3600:
                            entry.unlink()
                    elif entry.stem not in used and now - entry.stat().st_mtime > STALE_SECONDS:
                        entry.unlink()


# -- the bundle: every entry of the last load in a few files ------------------------------------
#: The results of the last load in a few files: ``bundle.json`` (per file key its metadata,
#: problems and row span) and, in the folder it names, one Parquet file per instrument holding
#: the rows of all its files. Reading it costs a few tenths of a second where thousands of
#: entries cost seconds; the entries stay the source of truth (a missing or damaged bundle is a
#: miss).
BUNDLE_FILE = "bundle.json"
BUNDLE_FRAMES = "bundle-"


def load_bundle(folder: Path) -> dict | None:
    """The bundle of the last load, or ``None``."""
    from ..cache_keys import code_fingerprint

    bundle = _read_json(folder / BUNDLE_FILE)
    if (bundle is None or bundle.get("schema") != _SCHEMA
            or bundle.get("code") != code_fingerprint()):
        return None
    frames_dir = folder / str(bundle.get("frames", ""))
    try:
        entries = {key: {"meta": _meta_from_json(entry["meta"]),
                         "span": tuple(entry["span"]) if entry["span"] else None}
                   for key, entry in bundle["entries"].items()}
        frames = {name: pd.read_parquet(frames_dir / f"{name}.parquet")
                  for name in bundle["instruments"]}
    except Exception:  # noqa: BLE001 - a damaged or partial bundle is a miss, never an error
        return None
    return {"schema": _SCHEMA, "code": bundle["code"], "entries": entries, "frames": frames}


def from_bundle(bundle: dict, key: str) -> dict | None:
    """One file's result from the bundle (its frame a slice of the instrument's frame)."""
    entry = bundle["entries"].get(key)
    if entry is None:
        return None
    result = dict(entry["meta"])
    span = entry.get("span")
    if span is not None:
        instrument, start, stop = span
        result["frame"] = bundle["frames"][instrument].iloc[start:stop]
    else:
        result["frame"] = None
    return result


def save_bundle(folder: Path, results: dict[str, dict], old: dict | None,
                reused: dict[str, tuple]) -> None:
    """Write the bundle of this load: ``results`` by key; ``reused`` names the keys whose frame
    is the span ``(instrument, start, stop)`` of the ``old`` bundle (taken over in one piece)."""
    import numpy as np

    from ..cache_keys import code_fingerprint

    entries: dict[str, dict] = {}
    pieces: dict[str, list[pd.DataFrame]] = {}
    length: dict[str, int] = {}
    # rows of the old bundle kept, per instrument, in one take
    keep: dict[str, list[tuple[str, int, int]]] = {}
    for key, span in reused.items():
        keep.setdefault(span[0], []).append((key, span[1], span[2]))
    for instrument, spans in keep.items():
        positions = np.concatenate([np.arange(a, b) for _, a, b in spans]) if spans else []
        pieces.setdefault(instrument, []).append(
            old["frames"][instrument].take(positions))
        at = 0
        for key, a, b in spans:
            entries[key] = {"meta": _meta_json(results[key]),
                            "span": [instrument, at, at + b - a]}
            at += b - a
        length[instrument] = at
    for key, result in results.items():
        if key in reused:
            continue
        frame = result.get("frame")
        span = None
        if frame is not None:
            instrument = f"{result['instrument']}"
            at = length.get(instrument, 0)
            pieces.setdefault(instrument, []).append(frame)
            length[instrument] = at + len(frame)
            span = [instrument, at, at + len(frame)]
        entries[key] = {"meta": _meta_json(result), "span": span}
    # the frames go to a fresh folder; bundle.json, written last, names it
    frames_name = f"{BUNDLE_FRAMES}{secrets.token_hex(6)}"
    frames_dir = folder / frames_name
    try:
        private_folder(frames_dir)
        for name, parts in pieces.items():
            frame = pd.concat(parts) if len(parts) > 1 else parts[0]
            _write_frame(frames_dir / f"{name}.parquet", frame)
        _write_json(folder / BUNDLE_FILE, {
            "schema": _SCHEMA, "code": code_fingerprint(), "frames": frames_name,
            "instruments": sorted(pieces), "entries": entries})
    except (OSError, ValueError, TypeError):
        shutil.rmtree(frames_dir, ignore_errors=True)
        return
    # earlier bundles' frames; one a concurrent load is reading stays for an hour
    now = time.time()
    for other in folder.glob(f"{BUNDLE_FRAMES}*"):
        with contextlib.suppress(OSError):
            if other.name != frames_name and now - other.stat().st_mtime > 3600:
                shutil.rmtree(other)
