"""What went wrong with a report, in plain words, and the leak check before it is put in place.

* :func:`describe_os_error`: a full disk, a folder without write permission, a read-only disk or
  a file in the way of a folder, said as such (never a temporary file name).
* :func:`interrupted_result`: a report stopped by Ctrl-C or SIGTERM.
* :func:`check_for_leaks`: every file of a report, still under its temporary name, is read by
  :func:`mss_eval.privacy.check_report` with the study's own ids, pseudonyms and open answers; a
  report with a finding raises :class:`ReportLeaks` and is never put in place.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import signal
import threading
from pathlib import Path

from ..atomic import TMP_MARK

_OS_WORDS = {
    "nl": {
        "full": "de schijf is vol: geen ruimte om te schrijven in {folder}",
        "denied": "geen toestemming om te schrijven in {folder}",
        "read_only": "de map {folder} staat op een schijf die alleen gelezen kan worden",
        "in_the_way": "de map {folder} kan niet worden gemaakt: er staat een bestand met die "
                      "naam in de weg",
        "other": "kon niet schrijven in {folder}: {reason}",
    },
    "en": {
        "full": "the disk is full: no space to write in {folder}",
        "denied": "no permission to write in {folder}",
        "read_only": "the folder {folder} is on a read-only disk",
        "in_the_way": "the folder {folder} cannot be made: a file of that name is in the way",
        "other": "could not write in {folder}: {reason}",
    },
}

_INTERRUPTED = {
    "nl": {"started": "{signal} kwam voordat het klaar was; de vorige versie (als die er is) is "
                      "niet aangeraakt",
           "not_started": "niet begonnen ({signal})"},
    "en": {"started": "{signal} came before it was finished; the previous version (if any) was "
                      "left as it was",
           "not_started": "not started ({signal})"},
}


def _folder_of(exc: OSError) -> str:
    """The folder a failed write was about (a temporary file stands for its folder)."""
    name = exc.filename or exc.filename2
    if not name:
        return "?"
    path = Path(os.fsdecode(name))
    if TMP_MARK in path.name or path.suffix:
        return str(path.parent)
    return str(path)


def _in_the_way(exc: OSError) -> str:
    """The file that stands where a folder should be (an ancestor of the path written)."""
    name = exc.filename
    if not name:
        return "?"
    path = Path(os.fsdecode(name))
    for candidate in (path, *path.parents):
        if candidate.exists() and not candidate.is_dir():
            return str(candidate)
    return str(path)


def describe_os_error(exc: OSError, language: str = "nl") -> str:
    """A failed write in the words a researcher uses: disk full, no permission, file in the way."""
    words = _OS_WORDS.get(language, _OS_WORDS["nl"])
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        key = "full"
    elif code == errno.EROFS:
        key = "read_only"
    elif code in (errno.EACCES, errno.EPERM):
        key = "denied"
    elif code in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, (NotADirectoryError,
                                                                      FileExistsError)):
        return words["in_the_way"].format(folder=_in_the_way(exc))
    else:
        key = "other"
    return words[key].format(folder=_folder_of(exc), reason=exc.strerror or exc)


def interrupted_result(result, exc: BaseException, *, started: bool, language: str = "nl"):
    """Mark ``result`` (a ReportResult) as interrupted by the signal behind ``exc``."""
    from .interrupt import NAMES, received

    signum = getattr(exc, "signum", None) or received() or signal.SIGINT
    words = _INTERRUPTED.get(language, _INTERRUPTED["nl"])
    result.status = "interrupted"
    result.error = words["started" if started else "not_started"].format(
        signal=NAMES.get(signum, f"signal {signum}"))
    result.error_detail = {"signal": int(signum), "started": started, "language": language}
    result.files = {}
    return result


# -- leaks ---------------------------------------------------------------------------------------
class ReportLeaks(Exception):
    """The report's files hold something that points to a person; it is not put in place."""

    def __init__(self, findings: list):
        super().__init__(f"{len(findings)} possible leak(s)")
        self.findings = findings

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(f.kind for f in self.findings))

    def describe(self, language: str = "nl") -> str:
        first = self.findings[0].describe()
        more = len(self.findings) - 1
        if language == "nl":
            text = (f"niet geplaatst wegens mogelijk lek ({', '.join(self.kinds)}): {first}"
                    + (f"; en nog {more} vondst(en)" if more else "")
                    + " (mss-eval check-report toont alles)")
        else:
            text = (f"not put in place because of a possible leak ({', '.join(self.kinds)}): "
                    f"{first}" + (f"; and {more} more finding(s)" if more else "")
                    + " (mss-eval check-report shows them all)")
        return text


_screens: dict[tuple, object] = {}
_screens_lock = threading.Lock()


def _signature(study: Path) -> tuple:
    """Changes whenever a file of the study (not its reports) changes: the screen's cache key."""
    from ..study import REPORTS_DIR

    entries = []
    for root, dirs, files in os.walk(study):
        dirs[:] = sorted(d for d in dirs if d != REPORTS_DIR and not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") and name != ".mss-secret":
                continue
            with_path = Path(root) / name
            try:
                st = with_path.stat()
            except OSError:
                continue
            entries.append((str(with_path), st.st_mtime_ns, st.st_size))
    return tuple(entries)


def leak_screen(study: Path | str, language: str = "nl"):
    """The check's view of a study (its ids, pseudonyms, open answers), built once per process
    and rebuilt when a file of the study changes. It reads the files through the study's
    per-file check cache, which the render keeps up to date anyway."""
    from ..privacy import Screen

    study = Path(study).resolve()
    key = (str(study), language, _signature(study))
    with _screens_lock:
        screen = _screens.get(key)
        if screen is None:
            for old in [k for k in _screens if k[:2] == key[:2]]:
                del _screens[old]
            screen = Screen.from_study(study, language=language, cache=True)
            _screens[key] = screen
    return screen


def screens_now() -> dict:
    """The screens this process has built, to hand to worker processes (see :func:`adopt`)."""
    with _screens_lock:
        return dict(_screens)


def adopt(screens: dict | None) -> None:
    """Take over screens built by the parent process, so a worker does not read the whole study
    again before its first check (their keys still say which study state they belong to)."""
    if screens:
        with _screens_lock:
            _screens.update(screens)


def check_for_leaks(job, pending: list[tuple[Path, Path]]) -> None:
    """Check each file of a report before it is renamed into place.

    Raises
    ------
    ReportLeaks
        With the findings, their file names those of the report (not the temporary ones).
    """
    try:
        from ..privacy import check_report
    except ImportError:  # pragma: no cover - the privacy package is part of mss-eval
        return
    screen = leak_screen(job.parameters["study"], job.language)
    findings = []
    # the report itself first (that is what a reader sees), its notebook last
    order = {".html": 0, ".pdf": 1, ".docx": 2, ".json": 3, ".ipynb": 4}
    for tmp, target in sorted(pending, key=lambda pair: order.get(pair[1].suffix, 5)):
        for finding in check_report(tmp, screen=screen, language=job.language):
            findings.append(dataclasses.replace(finding, file=target.name))
    if findings:
        raise ReportLeaks(findings)
