"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every file is first written to a hidden temporary file in the same folder (same file system, so
the final ``os.replace`` is atomic) and renamed over its target only when it is complete. A
failure or interruption leaves at most a temporary file named ``.<name>.tmp-*``, which
:func:`remove_temporaries` clears on the next run.

Reports are written durably (flushed to disk before the rename). Caches, which can always be
made again, pass ``durable=False`` and skip the flush: thousands of cache entries would otherwise
wait for the disk one by one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TMP_MARK = ".tmp-"


def temporary_path(target: Path | str) -> Path:
    """A fresh hidden temporary path beside ``target`` that keeps its suffix (tools look at it)."""
    target = Path(target)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return target.with_name(f".{target.stem}{TMP_MARK}{token}{target.suffix}")


@contextlib.contextmanager
def atomic_path(target: Path | str, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``target``, on error it is removed.

    Use it for tools that write to a path themselves (WeasyPrint, pandoc)::

        with atomic_path(out / "report.pdf") as tmp:
            weasyprint.HTML(string=html).write_pdf(tmp)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(target)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to {tmp}")
        if durable:
            _fsync(tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write(target: Path | str, data: bytes | str, encoding: str = "utf-8", *,
                 durable: bool = True) -> Path:
    """Write ``data`` to ``target`` atomically and return the target path."""
    target = Path(target)
    with atomic_path(target, durable=durable) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
    return target


def commit(pairs: list[tuple[Path, Path]]) -> None:
    """Rename finished temporary files over their targets (``[(tmp, target), ...]``).

    Each rename is atomic; they run back to back once everything of a report is written, so
    the outputs of one report appear together.
    """
    for tmp, target in pairs:
        _fsync(tmp)
    for tmp, target in pairs:
        os.replace(tmp, target)


def remove_temporaries(folder: Path | str) -> list[Path]:
    """Remove temporary files left in ``folder`` by an interrupted run of another process.

    Only files of processes that no longer exist are removed, so two renders of the same study
    at the same time do not remove each other's files in progress.
    """
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for path in folder.glob(f".*{TMP_MARK}*"):
        pid = _pid_of(path.name)
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _pid_of(name: str) -> int | None:
    try:
        return int(name.split(TMP_MARK, 1)[1].split("-", 1)[0])
    except (IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
