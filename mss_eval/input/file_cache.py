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
A damaged, partial or foreign entry is a miss, never an error. Every entry is sealed with an
HMAC-SHA256 under a key derived from the study's local secret (``.mss-secret``) and unpickled only
when the seal holds, so a file planted in ``.mss-cache/`` by someone without the secret is a miss,
never code that runs; a study without a secret yet is not cached. Entries are written atomically
(a temporary file renamed into place), so processes loading the same study at once do not see
half an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import pickle
import time
from pathlib import Path

from ..atomic import atomic_path

FILES_DIR = "files"
_SCHEMA = 1
#: Entries not used by a load for this long (seconds) are removed after a load that wrote any.
STALE_SECONDS = 14 * 24 * 3600


def files_dir(study_path: Path | str) -> Path:
    """``<study>/.mss-cache/files``."""
    from ..tidy_cache import cache_dir

    return cache_dir(study_path) / FILES_DIR


def file_key(*, sha256: str, file: str, instrument: str | None, round: str | None,
             region: str | None, format: str, language: str, mapping: str | None = None) -> str:
    """The key of one file's entry: its bytes, where it is, the language, the code and the
    SHA-256 of the column mapping that applies to it (if any)."""
    from ..tidy_cache import code_fingerprint, digest

    parts = {"schema": _SCHEMA, "sha256": sha256, "file": file, "instrument": instrument,
             "round": round, "region": region, "format": format, "language": language,
             "code": code_fingerprint()}
    if mapping:
        parts["mapping"] = mapping
    return digest(parts)


def _seal_key(folder: Path) -> bytes | None:
    """The key that seals this study's entries: derived from its local secret, or ``None``."""
    from ..study import SECRET_FILE

    try:
        secret = (folder.parent.parent / SECRET_FILE).read_bytes()
    except OSError:
        return None
    if not secret.strip():
        return None
    return hashlib.sha256(b"mss-eval file cache seal\0" + secret).digest()


def _dump(folder: Path, obj, fh) -> bool:
    """Pickle ``obj`` into ``fh`` behind its seal; False (nothing written) without a key."""
    key = _seal_key(folder)
    if key is None:
        return False
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(hmac.new(key, data, hashlib.sha256).digest())
    fh.write(data)
    return True


def _load(folder: Path, path: Path):
    """Unpickle a sealed file; ``None`` when it is missing or its seal does not hold."""
    key = _seal_key(folder)
    if key is None:
        return None
    with open(path, "rb") as fh:
        blob = fh.read()
    seal, data = blob[:32], blob[32:]
    if len(seal) < 32 or not hmac.compare_digest(seal, hmac.new(key, data, hashlib.sha256)
                                                 .digest()):
        return None
    return pickle.loads(data)  # noqa: S301 - sealed with the study's secret, see above


def _entry_path(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.pkl"


def load(folder: Path, key: str) -> dict | None:
    """The cached result of one file, or ``None`` (missing, damaged or from other code)."""
    try:
        entry = _load(folder, _entry_path(folder, key))
    except Exception:  # noqa: BLE001 - a damaged or partial entry is a miss, never an error
        return None
    if not isinstance(entry, dict) or entry.get("schema") != _SCHEMA or entry.get("key") != key:
        return None
    return entry


def store(folder: Path, key: str, result: dict) -> None:
    """Write one file's result atomically; an unwritable cache is silently left out."""
    path = _entry_path(folder, key)
    if _seal_key(folder) is None:
        return
    with contextlib.suppress(OSError), atomic_path(path, durable=False) as tmp, \
            open(tmp, "wb") as fh:
        _dump(folder, {**result, "schema": _SCHEMA, "key": key}, fh)


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




# -- the bundle: every entry of the last load in a few objects ---------------------------------
#: One pickle with the results of the last load: per instrument one frame holding the rows of
#: all its files, and per file key its metadata, problems and row span. Reading it costs a few
#: tenths of a second where thousands of entries cost seconds; the entries stay the source of
#: truth (a missing or damaged bundle is a miss).
BUNDLE_FILE = "bundle.pkl"


def load_bundle(folder: Path) -> dict | None:
    """The bundle of the last load, or ``None``."""
    from ..tidy_cache import code_fingerprint

    try:
        bundle = _load(folder, folder / BUNDLE_FILE)
    except Exception:  # noqa: BLE001 - a damaged or partial bundle is a miss, never an error
        return None
    if (not isinstance(bundle, dict) or bundle.get("schema") != _SCHEMA
            or bundle.get("code") != code_fingerprint()):
        return None
    return bundle


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
    import pandas as pd

    from ..tidy_cache import code_fingerprint

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
            entries[key] = {"meta": _meta(results[key]), "span": (instrument, at, at + b - a)}
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
            span = (instrument, at, at + len(frame))
        entries[key] = {"meta": _meta(result), "span": span}
    frames = {name: pd.concat(parts) if len(parts) > 1 else parts[0]
              for name, parts in pieces.items()}
    store_path = folder / BUNDLE_FILE
    if _seal_key(folder) is None:
        return
    with contextlib.suppress(OSError), atomic_path(store_path, durable=False) as tmp, \
            open(tmp, "wb") as fh:
        _dump(folder, {"schema": _SCHEMA, "code": code_fingerprint(),
                       "entries": entries, "frames": frames}, fh)


def _meta(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "frame"}


__all__ = ["BUNDLE_FILE", "FILES_DIR", "file_key", "files_dir", "from_bundle", "load",
           "load_bundle", "prune", "save_bundle", "store"]
