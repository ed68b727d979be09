"""SHA-256 of files: one helper for the input fingerprints, the tidy-data cache and QDA imports.

A leaf module (standard library only), so any stage can use it without importing another.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["sha256_of"]


def sha256_of(path: Path | str) -> str:
    """The SHA-256 of a file's bytes as 64 hexadecimal characters (the file is only read).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "a.csv"
    ...     _ = p.write_bytes(b"abc")
    ...     sha256_of(p)[:16]
    'ba7816bf8f01cfea'
    """
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
