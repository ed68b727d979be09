"""Pseudonyms for respondent ids: a keyed hash with the study's local secret.

The raw respondent, client and source ids of a region never enter the tidy data. Each is replaced
by ``p`` + the first 12 hexadecimal characters of HMAC-SHA256(key, ``region`` + US + normalised
id), where the key is the study's own secret in ``.mss-secret`` (32 random bytes, written as hex,
readable by the owner only). Because the round is not part of the hash, a respondent interviewed in
both rounds keeps one pseudonym; because the region is, the same number in two regions gives two
pseudonyms. Without the secret the pseudonyms cannot be linked back to the ids, so the secret stays
in the study folder and out of git.

Ids are normalised before hashing so that the same respondent typed slightly differently in two
files still matches: surrounding white space removed, inner white space collapsed, case ignored, and
an all-digit id read as a number (``"0012"``, ``"12"`` and SPSS's ``12.0`` are the same id).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import MESSAGES, Problem, StudyError, message
from .study import SECRET_FILE

#: Length in bytes of a new secret.
SECRET_BYTES = 32

MESSAGES.update({
    "secret_invalid": {
        "nl": "het bestand {value} met de sleutel voor pseudoniemen is beschadigd (verwacht 64 "
              "hexadecimale tekens); zet de oorspronkelijke sleutel terug uit een reservekopie, "
              "anders krijgen respondenten andere pseudoniemen",
        "en": "the file {value} with the key for pseudonyms is damaged (expected 64 hexadecimal "
              "characters); restore the original key from a backup, otherwise respondents get "
              "different pseudonyms",
    },
    "secret_unwritable": {
        "nl": "kan de sleutel voor pseudoniemen niet aanmaken in {value}: {detail}",
        "en": "cannot create the key for pseudonyms in {value}: {detail}",
    },
})

_NUMERIC_ID = re.compile(r"^[+]?0*(\d+)(?:[.,]0+)?$")


def normalise_id(raw_id: object) -> str:
    """A respondent id in the form that is hashed: trimmed, inner spaces collapsed, lower case,
    and an all-digit id without leading zeros or a trailing ``.0``."""
    text = " ".join(str(raw_id).split()).casefold()
    m = _NUMERIC_ID.match(text)
    if m:
        return m.group(1).lstrip("0") or "0"
    return text


def normalise_ids(ids: pd.Series) -> pd.Series:
    """:func:`normalise_id` for a whole column (``NA`` stays ``NA``), computed per distinct id."""
    codes, uniques = pd.factorize(ids)
    normal = np.array([normalise_id(u) for u in uniques] + [None], dtype=object)
    return pd.Series(normal[codes], index=ids.index, dtype="string")


def ensure_secret(study_dir: Path | str, *, language: str = "nl") -> bytes:
    """The study's key for pseudonyms, creating ``.mss-secret`` when the study has none.

    A new secret is 32 random bytes written as 64 hexadecimal characters, with file mode 0600 (only
    the owner can read it). Returns the 32 key bytes.

    Raises
    ------
    StudyError
        When the secret file exists but is damaged, or cannot be created.
    """
    path = Path(study_dir) / SECRET_FILE
    if not path.exists():
        # written whole to a private temporary file, then linked into place: a link is atomic and
        # fails when the name exists, so a process loading the study at the same moment reads
        # either no secret or the whole one, never a half-written file
        tmp = path.with_name(f".{SECRET_FILE}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(SECRET_BYTES) + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made it in between: read theirs
        except OSError as exc:
            raise StudyError([Problem("secret_unwritable", message(
                "secret_unwritable", language, value=path.parent, detail=exc.strerror or exc),
                file=SECRET_FILE)]) from None
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise StudyError([Problem("secret_invalid",
                                  message("secret_invalid", language, value=path),
                                  file=SECRET_FILE)])
    return key


def pseudonymise(raw_id: str, region: str, key: bytes) -> str:
    """The pseudonym of one respondent: ``'p'`` + 12 hex characters of
    HMAC-SHA256(key, ``f"{region}\\x1f{normalise_id(raw_id)}"``)."""
    payload = f"{region}\x1f{normalise_id(raw_id)}".encode("utf-8")
    return "p" + hmac.new(key, payload, hashlib.sha256).hexdigest()[:12]


def pseudonymise_series(ids: pd.Series, region: str | pd.Series, key: bytes) -> pd.Series:
    """:func:`pseudonymise` for a column of ids; ``region`` is one region id or a column of them.

    Computed once per distinct (region, id) pair; ``NA`` stays ``NA``. Returns ``string`` dtype.
    """
    if isinstance(region, str):
        regions = [region] * len(ids)
    else:
        regions = region.astype("string").fillna("").tolist()
    made: dict[tuple, str | None] = {}
    out = []
    # a dictionary of the pairs seen (not a MultiIndex): a file of 40 rows costs microseconds
    for reg, raw in zip(regions, ids.astype("string").tolist()):
        pair = (reg, raw)
        if pair not in made:
            made[pair] = (None if raw is None or raw is pd.NA
                          or (isinstance(raw, float) and raw != raw)
                          else pseudonymise(raw, reg, key))
        out.append(made[pair])
    return pd.Series(np.array(out, dtype=object), index=ids.index, dtype="string")
