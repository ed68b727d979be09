"""One render at a time per output folder: a lock file that names the render holding it.

Two renders writing the same reports at the same time would overwrite each other's files and
each other's ``render-status.json``. :class:`RenderLock` takes an exclusive ``flock`` on
``.mss-render.lock`` in the output folder; the operating system releases it when the process
ends, however it ends (a crash or ``kill -9`` leaves no stale lock). The file holds the process
id, start time and command of the render holding it, so a second render can say which run is
in the way::

    with RenderLock(out_dir, wait=False):   # RenderLocked if another render holds it
        ...

The lock file itself is never removed: removing it while another process waits on the same file
would let a third process lock a new file beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
import time
from pathlib import Path

from ..problems import MESSAGES, Problem, StudyError, message

LOCK_FILE = ".mss-render.lock"

MESSAGES.update({
    "render_locked": {
        "nl": "In de uitvoermap {folder} wordt al gerenderd door een andere run ({holder}). "
              "Wacht tot die klaar is, of start opnieuw met --wait om op die run te wachten.",
        "en": "Another render is already writing to the output folder {folder} ({holder}). "
              "Wait until it has finished, or start again with --wait to wait for it.",
    },
    "render_lock_timeout": {
        "nl": "Na {seconds} s wachten is de uitvoermap {folder} nog steeds in gebruik door een "
              "andere run ({holder}).",
        "en": "After waiting {seconds} s the output folder {folder} is still in use by another "
              "render ({holder}).",
    },
    "render_waiting": {
        "nl": "Wachten tot de andere run in {folder} klaar is ({holder}) ...",
        "en": "Waiting for the other render in {folder} to finish ({holder}) ...",
    },
})

_HOLDER = {
    "nl": ("proces {pid}{host}, gestart {started}{command}", " op {host}", ", opdracht: {command}",
           "een ander proces"),
    "en": ("process {pid}{host}, started {started}{command}", " on {host}", ", command: {command}",
           "another process"),
}

try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


class RenderLocked(StudyError):
    """Another render holds the output folder; ``holder`` is what its lock file says."""

    def __init__(self, text: str, holder: dict, code: str = "render_locked"):
        super().__init__([Problem(code, text, value=str(holder.get("pid", "")))], summary=text)
        self.holder = holder

    def __str__(self) -> str:
        return self.summary


def describe_holder(holder: dict, language: str = "nl") -> str:
    """``proces 4711, gestart 2010-03-04 14:05:09, opdracht: mss-eval render ...``."""
    words = _HOLDER.get(language, _HOLDER["nl"])
    if not holder.get("pid"):
        return words[3]
    host = holder.get("host") or ""
    started = str(holder.get("started") or "?").replace("T", " ")[:19]
    command = holder.get("command") or ""
    return words[0].format(
        pid=holder["pid"], started=started,
        host=words[1].format(host=host) if host and host != socket.gethostname() else "",
        command=words[2].format(command=command) if command else "")


class RenderLock:
    """An exclusive lock on an output folder for the duration of one render.

    Parameters
    ----------
    folder : path
        The output folder (created when missing).
    wait : bool or float
        ``False``: raise :class:`RenderLocked` at once when another render holds the folder;
        ``True``: wait until it is free; a number: wait at most that many seconds.
    language : {"nl", "en"}
        Language of the messages.
    command : str, optional
        The command written into the lock file for others to read (default: ``sys.argv``).
    on_wait : callable, optional
        Called once with a sentence when this render starts waiting.
    """

    def __init__(self, folder: Path | str, *, wait: bool | float = False, language: str = "nl",
                 command: str | None = None, on_wait=None):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.wait = wait
        self.language = language
        self.command = command if command is not None else " ".join(sys.argv)
        self.on_wait = on_wait
        self._fd: int | None = None

    def holder(self) -> dict:
        """What the lock file says about the render holding (or last holding) the lock."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def acquire(self) -> RenderLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            started = time.monotonic()
            told = False
            while not _try_lock(fd):
                holder = self.holder()
                who = describe_holder(holder, self.language)
                if self.wait is False:
                    raise RenderLocked(message("render_locked", self.language,
                                               folder=self.folder, holder=who), holder)
                waited = time.monotonic() - started
                if self.wait is not True and waited >= float(self.wait):
                    raise RenderLocked(message("render_lock_timeout", self.language,
                                               seconds=f"{float(self.wait):.0f}",
                                               folder=self.folder, holder=who), holder,
                                       code="render_lock_timeout")
                if not told and self.on_wait is not None:
                    self.on_wait(message("render_waiting", self.language, folder=self.folder,
                                         holder=who))
                    told = True
                # polling (not a blocking flock) keeps Ctrl-C and time limits working
                time.sleep(0.2)
            info = {"pid": os.getpid(), "host": socket.gethostname(),
                    "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "command": self.command}
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, (json.dumps(info, ensure_ascii=False) + "\n").encode("utf-8"))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> RenderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
