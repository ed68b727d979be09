"""Results that every report of a round shares, remembered for the life of the process.

A warm report kernel (:mod:`mss_eval.render.engine`) renders the region reports of a round one
after the other. Some of what a region report shows is a property of the whole round: the
round's key figures beside the region's, the themes the round's regions share. This module keeps
such results between reports, keyed by what they depend on:

* the study's data, by the SHA-256 of every input file (:func:`content_key`); a study whose
  files are unknown (a study built in memory) remembers nothing;
* the name of the result and its arguments (round, language, minimum base, ...).

Results are handed out as they were stored; callers give out copies (a report must not change
what the next one gets). At most :data:`MAX_ENTRIES` results are kept, the oldest dropped first.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

#: How many results one process keeps (a few per round of a study).
MAX_ENTRIES = 16

_MEMO: dict[tuple, Any] = {}
_SEEN: set[tuple] = set()


def content_key(study: Any) -> tuple | None:
    """What the study's data are: the SHA-256 of its input files (``None`` when unknown)."""
    files = getattr(study, "files", None)
    if files is None or "sha256" not in getattr(files, "columns", ()) or files.empty:
        return None
    return tuple(sorted(map(str, files["sha256"].tolist())))


def key_of(study: Any, name: str, *arguments: Hashable) -> tuple | None:
    """The memo key of result ``name`` with ``arguments`` for ``study`` (None: not kept)."""
    content = content_key(study)
    if content is None:
        return None
    return (name, str(getattr(study, "path", "")), content, *arguments)


def remembered(key: tuple | None, compute: Callable[[], T]) -> T:
    """The result stored under ``key``, computed by ``compute()`` the first time."""
    if key is None:
        return compute()
    if key not in _MEMO:
        while len(_MEMO) >= MAX_ENTRIES:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = compute()
    return _MEMO[key]


def has(key: tuple | None) -> bool:
    """Whether a result is stored under ``key``."""
    return key is not None and key in _MEMO


def seen_before(key: tuple | None) -> bool:
    """Whether ``key`` was asked for before in this process (and note that it is now).

    Lets a caller do the cheap thing for one report alone and the shared thing from the second
    report of a round on.
    """
    if key is None:
        return False
    if key in _SEEN:
        return True
    if len(_SEEN) >= 4 * MAX_ENTRIES:
        _SEEN.clear()
    _SEEN.add(key)
    return False


def forget() -> None:
    """Drop everything remembered (tests; a process that loads other data)."""
    _MEMO.clear()
    _SEEN.clear()


__all__ = ["MAX_ENTRIES", "content_key", "forget", "has", "key_of", "remembered",
           "seen_before"]
