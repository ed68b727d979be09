"""How the user runs mss-eval, so that a command a message prints works as printed.

``make demo`` installs the workbench into ``.venv/``, whose ``bin/`` is not on a new user's PATH:
a message saying "run ``mss-eval validate``" would give "command not found". :func:`command`
returns what the user typed to start this process (``.venv/bin/mss-eval``), ``mss-eval`` when
that is on PATH, or ``python -m mss_eval.cli`` with this interpreter's path.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

NAME = "mss-eval"


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def command() -> str:
    """The command that starts mss-eval from the user's shell, as they can type it."""
    argv0 = sys.argv[0] if sys.argv else ""
    on_path = shutil.which(NAME)
    if Path(argv0).stem == NAME:
        if on_path and _same(on_path, argv0):
            return NAME
        return argv0 if os.sep in argv0 or "/" in argv0 else str(Path(argv0).resolve())
    script = Path(sys.executable).parent / NAME
    if on_path and _same(on_path, script):
        return NAME
    if script.exists():
        try:
            relative = os.path.relpath(script)
        except ValueError:  # another drive on Windows
            relative = str(script)
        return relative if not relative.startswith("..") else str(script)
    return f"{sys.executable} -m mss_eval.cli"
