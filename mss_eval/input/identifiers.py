"""Screening data files for direct identifiers (namen, BSN, e-mail, telefoon, adres, geboortedatum).

The evaluation works with pseudonymised respondent numbers only. A region that sends names,
citizen service numbers (burgerservicenummers, BSN), e-mail addresses, phone numbers, addresses or
dates of birth sends data that must not be in the study. Every column of a file is screened, also
columns the instrument does not know, unless the instrument marks it ``identifiers_allowed``.

What counts as a direct identifier:

* **name** — in an identifier column (a respondent or client number is expected), a value without
  digits made of two or more words whose first and last word are capitalised ("Jan de Vries",
  "J. Jansen");
* **BSN** — nine digits (dots or spaces allowed as ``1234.56.782``) passing the eleven-test
  ``9*d1 + 8*d2 + ... + 2*d8 - 1*d9`` divisible by 11. Eight digits are a BSN whose leading zero
  was lost (Excel drops it); because one in eleven arbitrary eight-digit numbers passes the test,
  eight-digit values are only flagged when at least two of them, and at least half of a column's
  eight- and nine-digit values, pass;
* **e-mail address** — ``name@domain.tld``;
* **phone number** — Dutch numbers: ten digits starting with 0 (``06-12345678``,
  ``010-1234567``), or ``+31``/``0031`` followed by nine digits;
* **postcode with house number** — ``1234 AB 12`` (or a house number followed by a postcode);
* **date of birth** — a full date in a column whose name or label speaks of birth
  (``geboorte``, ``birth``, ``dob``), or any full date in a free-text column.

Values are masked in messages (first two characters and an ellipsis), because messages are shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..problems import MESSAGES, Problem, message

_KINDS = {
    "name": {"nl": "een persoonsnaam", "en": "a person's name"},
    "bsn": {"nl": "een burgerservicenummer (BSN)", "en": "a citizen service number (BSN)"},
    "email": {"nl": "een e-mailadres", "en": "an e-mail address"},
    "phone": {"nl": "een telefoonnummer", "en": "a phone number"},
    "address": {"nl": "een postcode met huisnummer", "en": "a postcode with house number"},
    "birth_date": {"nl": "een geboortedatum", "en": "a date of birth"},
    "full_date": {"nl": "een volledige datum (mogelijk een geboortedatum)",
                  "en": "a full date (possibly a date of birth)"},
}

MESSAGES.update({
    "more_problems": {
        "nl": "en nog {count} rij(en) met hetzelfde probleem ({what}) in deze kolom",
        "en": "and {count} more row(s) with the same problem ({what}) in this column",
    },
})
MESSAGES.update({
    f"identifier_{kind}": {
        "nl": f"de waarde '{{value}}' lijkt {words['nl']}; direct identificerende gegevens horen "
              "niet in de studie: verwijder ze uit het bestand"
              + (" en gebruik een respondentnummer" if kind == "name" else "")
              + " (of markeer de kolom in het instrument als identifiers_allowed als dit een "
              "vergissing is)",
        "en": f"the value '{{value}}' looks like {words['en']}; direct identifiers do not belong "
              "in the study: remove them from the file"
              + (" and use a respondent number" if kind == "name" else "")
              + " (or mark the column identifiers_allowed in the instrument if this is a mistake)",
    }
    for kind, words in _KINDS.items()
})


def mask(value: object) -> str:
    """Show only the first two characters of a value: ``'Jan de Vries'`` -> ``'Ja…'``."""
    text = str(value)
    return text[:2] + "…"


def bsn_valid(number: str | int) -> bool:
    """The eleven-test (elfproef) for a citizen service number.

    ``number`` may have 9 digits, or 8 when a leading zero was dropped; dots and spaces are
    ignored. Valid when ``9*d1 + 8*d2 + 7*d3 + 6*d4 + 5*d5 + 4*d6 + 3*d7 + 2*d8 - 1*d9`` is
    divisible by 11 and the number is not all zeros.
    """
    digits = re.sub(r"[.\s]", "", str(number))
    if not digits.isdigit() or len(digits) not in (8, 9):
        return False
    digits = digits.zfill(9)
    if int(digits) == 0:
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(w * int(d) for w, d in zip(weights, digits)) % 11 == 0


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+31|0031)[\s\-]?(?:\(0\)[\s\-]?)?[1-9](?:[\s\-]?\d){8}"
    r"|\(?0[1-9](?:\)?[\s\-]?\d){8})(?!\d)"
)
_BSN9 = re.compile(r"(?<![\d.,\-/])(\d{4}[.\s]?\d{2}[.\s]?\d{3})(?![\d.,\-/])")
_BSN8 = re.compile(r"(?<![\d.,\-/])(\d{8})(?![\d.,\-/])")
_POSTCODE_HOUSE = re.compile(
    r"(?<!\d)[1-9]\d{3}\s?(?:[A-Z]{2}(?![A-Za-z])|[a-z]{2}(?![A-Za-z])(?<=\d[a-z]{2}))"
    r"[\s,]*\d{1,5}(?!\d)"
    r"|(?<![\d\w])\d{1,5}[a-zA-Z]?,?\s+[1-9]\d{3}\s?[A-Z]{2}(?![A-Za-z])"
)
_MONTHS = (r"jan(?:uari|uary)?|feb(?:ruari|ruary)?|maart|mrt|mar(?:ch)?|apr(?:il)?|mei|may"
           r"|jun[ie]?|jul[iy]?|aug(?:ustus|ust)?|sep(?:tember|t)?|o[ck]t(?:ober)?"
           r"|nov(?:ember)?|dec(?:ember)?")
_FULL_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[\-/.]\d{1,2}[\-/.](?:1[89]|20)\d{2}"
    r"|(?:1[89]|20)\d{2}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\.?\s+(?:1[89]|20)\d{{2}})(?!\d)",
    re.IGNORECASE,
)
_NAME_TOKEN_CAP = r"(?:[A-ZÀ-ÖØ-Þ]\.|[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’\-]+)"
_NAME = re.compile(
    rf"^{_NAME_TOKEN_CAP}(?:\s+(?:{_NAME_TOKEN_CAP}|[a-z']{{1,4}}))*\s+"
    r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’\-]+$"
)
_BIRTH_WORDS = re.compile(r"geboort|birth|\bdob\b|geb[._ ]?dat|^dob|_dob", re.IGNORECASE)

#: A cell can only hold one of the patterns when it has an '@' or enough digits; most cells
#: (codes, short numbers, plain text) are passed over without running the full patterns.
_PREFILTER = re.compile(r"@|\d(?:\D?\d){5}|\d{4}")


@dataclass(frozen=True)
class ColumnKind:
    """How a column is screened: its name and labels, and what the instrument says of it."""

    name: str
    labels: tuple[str, ...] = ()
    is_identifier: bool = False
    is_free_text: bool = False
    is_date: bool = False
    allowed: bool = False


def _flag_values(values: list[str], kind: ColumnKind) -> dict[str, tuple[str, str]]:
    """value -> (identifier kind, the part that looks like one), for the distinct values of one
    column that hold a direct identifier."""
    found: dict[str, tuple[str, str]] = {}
    birth_column = any(_BIRTH_WORDS.search(t) for t in (kind.name, *kind.labels))
    eight_digit: list[str] = []
    eight_nine_total = 0
    for v in values:
        if kind.is_identifier and not any(ch.isdigit() for ch in v) and _NAME.match(v):
            found[v] = ("name", v)
            continue
        if not _PREFILTER.search(v):
            continue
        if m := _EMAIL.search(v):
            found[v] = ("email", m.group(0))
            continue
        if birth_column and (m := _FULL_DATE.search(v)):
            found[v] = ("birth_date", m.group(0))
            continue
        if m := _POSTCODE_HOUSE.search(v):
            found[v] = ("address", m.group(0))
            continue
        nine = _BSN9.findall(v)
        if nine:
            eight_nine_total += 1
            valid = [n for n in nine if bsn_valid(n)]
            if valid:
                found[v] = ("bsn", valid[0])
                continue
        if m := _PHONE.search(v):
            found[v] = ("phone", m.group(0))
            continue
        if not kind.is_date:
            eights = _BSN8.findall(v)
            if eights:
                eight_nine_total += 1
                valid = [n for n in eights if bsn_valid(n)]
                if valid:
                    eight_digit.append((v, valid[0]))
                    continue
        if kind.is_free_text and (m := _FULL_DATE.search(v)):
            found[v] = ("full_date", m.group(0))
    if len(eight_digit) >= 2 and len(eight_digit) * 2 >= eight_nine_total:
        for v, number in eight_digit:
            found.setdefault(v, ("bsn", number))
    return found


def screen_values(values: pd.Series, kind: ColumnKind) -> dict[int, tuple[str, str]]:
    """The cells that look like a direct identifier: row -> (kind, the part that looks like one).

    Runs the patterns once per distinct value, so long columns of repeated codes are cheap.
    """
    if kind.allowed:
        return {}
    codes, uniques = pd.factorize(values)  # distinct values in order of appearance; NA -> -1
    if len(uniques) == 0:
        return {}
    texts = [str(v) for v in uniques]
    flagged = _flag_values(texts, kind)
    if not flagged:
        return {}
    hit = np.array([t in flagged for t in texts] + [False])[codes]
    rows = values.index.to_numpy()[hit]
    return {row: flagged[texts[code]] for row, code in zip(rows.tolist(), codes[hit].tolist())}


def screen_table(data: pd.DataFrame, kinds: dict[str, ColumnKind], *, file: str,
                 sheet: str | None = None, language: str = "nl",
                 limit_per_column: int | None = None) -> tuple[list[Problem], set[tuple[int, str]]]:
    """Screen every column of a raw table; return the problems and the flagged (row, column) cells.

    Parameters
    ----------
    data
        The raw cells (strings, index = spreadsheet row numbers).
    kinds
        Column name -> :class:`ColumnKind`; a column not in it is screened as unknown text.
    limit_per_column
        Report at most this many cells per column and kind (the rest are counted in the last one).
    """
    problems: list[Problem] = []
    flagged_cells: set[tuple[int, str]] = set()
    for column in data.columns:
        kind = kinds.get(column) or ColumnKind(name=column)
        hits = screen_values(data[column], kind)
        counts: dict[str, int] = {}
        for row, (what, part) in hits.items():
            flagged_cells.add((int(row), column))
            counts[what] = counts.get(what, 0) + 1
            if limit_per_column is not None and counts[what] > limit_per_column:
                continue
            masked = mask(part)
            problems.append(Problem(
                f"identifier_{what}", message(f"identifier_{what}", language, value=masked),
                file=file, sheet=sheet, row=int(row), column=column, value=masked,
            ))
        for what, count in counts.items():
            if limit_per_column is not None and count > limit_per_column:
                hidden = count - limit_per_column
                problems.append(Problem("more_problems", message(
                    "more_problems", language, count=hidden, what=f"identifier_{what}"),
                    file=file, sheet=sheet, column=column,
                    extra={"code": f"identifier_{what}", "count": hidden}))
    return problems, flagged_cells
