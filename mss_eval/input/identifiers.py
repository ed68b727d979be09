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
# The same for a column the instrument does not know: the advice that applies there.
MESSAGES.update({
    f"identifier_{kind}@unknown": {
        "nl": f"de waarde '{{value}}' lijkt {words['nl']}; deze kolom hoort niet bij het "
              "instrument en direct identificerende gegevens horen niet in de studie: verwijder "
              "de kolom uit het bestand, of zet hem onder 'drop' in de koppeling (mapping) zodat "
              "hij niet wordt gelezen",
        "en": f"the value '{{value}}' looks like {words['en']}; this column is not part of the "
              "instrument and direct identifiers do not belong in the study: delete the column "
              "from the file, or list it under 'drop' in the column mapping so that it is not "
              "read",
    }
    for kind, words in _KINDS.items()
})
_COLUMN_KINDS = {
    "name_column": {"nl": "persoonsnamen (de kolomnaam '{column}' zegt het)",
                    "en": "personal names (the column name '{column}' says so)"},
    "name_values": {"nl": "persoonsnamen ({count} van de {total} ingevulde waarden, zoals "
                          "'{value}')",
                    "en": "personal names ({count} of {total} filled values, such as "
                          "'{value}')"},
    "ip": {"nl": "IP-adressen ({count} rij(en), zoals '{value}')",
           "en": "IP addresses ({count} row(s), such as '{value}')"},
    "coordinates": {"nl": "geografische coördinaten ({count} rij(en), zoals '{value}')",
                    "en": "geographic coordinates ({count} row(s), such as '{value}')"},
    "phone_column": {"nl": "telefoonnummers (de kolomnaam '{column}' zegt het)",
                     "en": "phone numbers (the column name '{column}' says so)"},
    "address_column": {"nl": "adressen (de kolomnaam '{column}' zegt het)",
                       "en": "addresses (the column name '{column}' says so)"},
    "email_column": {"nl": "e-mailadressen (de kolomnaam '{column}' zegt het)",
                     "en": "e-mail addresses (the column name '{column}' says so)"},
    "address_columns": {"nl": "postcodes met huisnummers: samen met kolom '{other}' is dit "
                              "een adres ({count} rij(en))",
                        "en": "postcodes with house numbers: together with column '{other}' "
                              "this is an address ({count} row(s))"},
}
MESSAGES.update({
    f"identifier_{kind}": {
        "nl": f"de kolom '{{column}}' hoort niet bij het instrument en bevat {words['nl']}; "
              "direct identificerende gegevens horen niet in de studie: verwijder de kolom uit "
              "het bestand, of zet hem onder 'drop' in de koppeling (mapping) zodat hij niet "
              "wordt gelezen",
        "en": f"the column '{{column}}' is not part of the instrument and holds {words['en']}; "
              "direct identifiers do not belong in the study: delete the column from the file, "
              "or list it under 'drop' in the column mapping so that it is not read",
    }
    for kind, words in _COLUMN_KINDS.items()
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
# Every pattern is a whole value or a whole word of a text: never a run of characters inside a
# longer token ('62961bfdbe5f238d3225db72', a tool's hexadecimal id, holds '3225db72' and
# '0612345678'-like runs; it is neither an address nor a phone number).
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+31|0031)[\s\-]?(?:\(0\)[\s\-]?)?[1-9](?:[\s\-]?\d){8}"
    r"|\(?0[1-9](?:\)?[\s\-]?\d){8})(?!\w)"
)
_BSN9 = re.compile(r"(?<![\w.,\-/])(\d{4}[.\s]?\d{2}[.\s]?\d{3})(?![\w.,\-/])")
_BSN8 = re.compile(r"(?<![\w.,\-/])(\d{8})(?![\w.,\-/])")
_POSTCODE_HOUSE = re.compile(
    r"(?<!\w)[1-9]\d{3}\s?(?:[A-Z]{2}(?![A-Za-z])|[a-z]{2}(?![A-Za-z])(?<=\d[a-z]{2}))"
    r"[\s,]*\d{1,5}[a-zA-Z]?(?!\w)"
    r"|(?<!\w)\d{1,5}[a-zA-Z]?,?\s+[1-9]\d{3}\s?[A-Z]{2}(?![A-Za-z\d])"
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
#: Words of answer scales (Dutch and English): a value holding one of them is an answer label
#: in title case ("Somewhat Satisfied", "Helemaal Mee Eens"), not a person's name. Name
#: particles ('van', 'de') and words that are also surnames ('Man', 'Day', 'More', 'Heel',
#: 'Little') are left out.
_ANSWER_WORDS = frozenset("""
    very somewhat strongly extremely slightly quite not neither nor agree disagree satisfied
    dissatisfied unsatisfied likely unlikely poor excellent average always never often
    sometimes rarely usually yes no none all some much less important unimportant true false
    completely partly moderately fairly don't know applicable prefer say other week month year
    years months once twice times male female woman women better worse same medium
    zeer helemaal erg enigszins redelijk matig niet wel mee eens oneens neutraal tevreden
    ontevreden goed slecht soms vaak nooit altijd meestal zelden ja nee geen weet beetje
    belangrijk onbelangrijk waar onwaar eerder ander anders overig keer vrouw mannen vrouwen
    jaar maand beter slechter gemiddeld
""".split())


def _answer_like(value: str) -> bool:
    return any(w.casefold().strip(".,;:'’") in _ANSWER_WORDS for w in value.split())


def _name_like(value: str) -> bool:
    """Shaped like a person's name: no digits, two or more capitalised words, no answer word."""
    return (not any(ch.isdigit() for ch in value) and bool(_NAME.match(value))
            and not _answer_like(value))


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
    #: A column the instrument does not know (its messages advise dropping the column).
    unknown: bool = False


def _flag_values(values: list[str], kind: ColumnKind) -> dict[str, tuple[str, str]]:
    """value -> (identifier kind, the part that looks like one), for the distinct values of one
    column that hold a direct identifier."""
    found: dict[str, tuple[str, str]] = {}
    birth_column = any(_BIRTH_WORDS.search(t) for t in (kind.name, *kind.labels))
    eight_digit: list[str] = []
    eight_nine_total = 0
    for v in values:
        if kind.is_identifier and _name_like(v):
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
            text_code = f"identifier_{what}" + ("@unknown" if kind.unknown else "")
            problems.append(Problem(
                f"identifier_{what}", message(text_code, language, value=masked),
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


# -- whole columns the instrument does not know ----------------------------------------------
def _fold(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold().replace("ë", "e").replace("é", "e"))


#: Column names (letters only, lower case) that announce personal names.
_NAME_HEADERS = {
    "naam", "voornaam", "voornamen", "achternaam", "roepnaam", "familienaam", "meisjesnaam",
    "geboortenaam", "tussenvoegsel", "voorletters", "volledigenaam", "name", "firstname",
    "lastname", "surname", "fullname", "givenname", "familyname", "forename",
    # REDCap's demography template and the like: the kind of name after 'name'
    "namefirst", "namelast", "namemiddle", "namefull", "middlename", "firstnames", "initials",
}
#: Column names (letters only, lower case) that announce phone numbers, addresses, e-mail
#: addresses; with a prefix of whose they are (``client_phone``, ``patAddress``) as well.
_PHONE_HEADERS = {"telefoon", "telefoonnummer", "telnr", "telephone", "phone",
                  "phonenumber", "telephonenumber", "mobiel", "mobielnummer", "mobile",
                  "mobilenumber", "gsm", "cellphone", "mobilephone", "homephone", "workphone"}
_ADDRESS_HEADERS = {"adres", "woonadres", "huisadres", "postadres", "straat", "straatnaam",
                    "straatenhuisnummer", "address", "streetaddress", "homeaddress", "street",
                    "addressline", "mailingaddress", "postaladdress"}
_EMAIL_HEADERS = {"email", "emailadres", "mail", "emailaddress", "mailadres"}
_WHOSE = re.compile(r"^(?:client|respondent|deelnemer|patient|pat|bewoner|contactpersoon|"
                    r"contact|person|participant|recipient|home|prive|work|werk)")
_NAME_HEADER = re.compile(
    r"^(?:(?:client|respondent|deelnemer|patient|bewoner|contactpersoon|contact|person|"
    r"participant|recipient)(?:naam|name|voornaam|achternaam|firstname|lastname)"
    r"|(?:naam|name|voornaam|achternaam)(?:client|respondent|deelnemer|patient|bewoner))$")
_POSTCODE_ONLY = re.compile(r"^[1-9]\d{3}\s?[A-Za-z]{2}$")
_HOUSE_NUMBER = re.compile(r"^\d{1,5}\s*(?:[A-Za-z]{1,2}|-\s*\w{1,4}|\s+\w{1,4})?$")
_HOUSE_HEADERS = re.compile(r"^(?:huisnummer|huisnr|huisnummertoevoeging|nummer|nr|number|"
                            r"housenumber|housenr|streetnumber|huisn)$")
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
                   r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$")
_LAT_HEADERS = re.compile(r"(?:^|location|geo)(?:lat|latitude|breedtegraad)$")
_LON_HEADERS = re.compile(r"(?:^|location|geo)(?:lon|lng|long|longitude|lengtegraad)$")
_DECIMAL = re.compile(r"^[+-]?\d{1,3}[.,]\d{3,}$")
_PAIR = re.compile(r"^[+-]?\d{1,2}[.,]\d{3,}\s*[,;/ ]\s*[+-]?\d{1,3}[.,]\d{3,}$")


def _is_ip(text: str) -> bool:
    import ipaddress

    if _IPV4.match(text):
        return True
    if ":" in text and re.fullmatch(r"[0-9A-Fa-f:.]+", text):
        try:
            ipaddress.IPv6Address(text)
            return True
        except ValueError:
            return False
    return False


def _header_meaning(folded: str) -> str | None:
    """``phone_column``, ``address_column`` or ``email_column`` when a column's name (letters
    only, lower case) says it holds those, on its own or after whose they are."""
    rest = _WHOSE.sub("", folded)
    for kind, words in (("phone_column", _PHONE_HEADERS), ("address_column", _ADDRESS_HEADERS),
                        ("email_column", _EMAIL_HEADERS)):
        if folded in words or (rest != folded and rest in words):
            return kind
    return None


def _share(values: list[str], test) -> int:
    return sum(1 for v in values if test(v))


def screen_unknown_columns(data: pd.DataFrame, labels: dict[str, str] | None = None, *,
                           file: str, sheet: str | None = None, row: int | None = None,
                           language: str = "nl") -> list[Problem]:
    """Screen whole columns the instrument does not know, before they are ignored.

    Cell by cell (:func:`screen_table`) a column of first names, a postcode beside a house
    number, IP addresses or coordinates look harmless; taken as a column they identify people:

    * **names** — a header such as ``naam``, ``voornaam``, ``achternaam``, ``name`` (with data
      under it), or at least half of a column's filled values (two or more) shaped like a
      person's name (``Jan de Vries``, ``J. Bakker``) and none with digits;
    * **postcode + house number in two columns** — a column of full postcodes (``2514 GL``, at
      least half of its values) and another of house numbers (by its header, ``huisnummer``,
      ``nr``, or its values);
    * **IP addresses** — IPv4 or IPv6 values;
    * **coordinates** — latitude/longitude columns (by header, decimal values with at least three
      decimals) or ``52.0705, 4.3007`` pairs in one column.

    Each finding is one error naming the column; values are masked.
    """
    problems: list[Problem] = []
    labels = labels or {}
    filled: dict[str, list[str]] = {}
    for c in data.columns:
        values = [str(v) for v in data[c].dropna().tolist() if str(v).strip()]
        if values:
            filled[c] = values

    def add(kind: str, column: str, **params) -> None:
        if "value" in params:
            params["value"] = mask(params["value"])
        problems.append(Problem(f"identifier_{kind}", message(
            f"identifier_{kind}", language, column=column, **params), file=file, sheet=sheet,
            row=row, column=column, value=params.get("value")))

    postcodes, houses = [], []
    for c, values in filled.items():
        folded = _fold(c)
        distinct = list(dict.fromkeys(values))
        if folded in _NAME_HEADERS or _NAME_HEADER.match(folded):
            add("name_column", c)
            continue
        meaning = _header_meaning(folded)
        if meaning is not None:
            add(meaning, c)
            continue
        names = _share(distinct, _name_like)
        # answer labels repeat down a column; the names of respondents hardly do
        repeated = len(values) >= 6 and len(distinct) * 3 < len(values)
        if names >= 2 and names * 2 >= len(distinct) and not repeated \
                and not any(ch.isdigit() for v in distinct for ch in v):
            example = next(v for v in distinct if _name_like(v))
            add("name_values", c, count=names, total=len(distinct), value=example)
            continue
        ips = [v for v in values if _is_ip(v.strip())]
        if ips:
            add("ip", c, count=len(ips), value=ips[0])
            continue
        pairs = [v for v in values if _PAIR.match(v.strip())]
        if pairs and len(pairs) * 2 >= len(values):
            add("coordinates", c, count=len(pairs), value=pairs[0])
            continue
        if _share(values, lambda v: bool(_POSTCODE_ONLY.match(v.strip()))) * 2 >= len(values):
            postcodes.append(c)
        elif _HOUSE_HEADERS.match(folded) or (
                _share(values, lambda v: bool(_HOUSE_NUMBER.match(v.strip()))) == len(values)
                and re.search(r"huis|house|nr|nummer|number|adres|address", folded)):
            houses.append(c)
    for c in postcodes:
        if houses:
            add("address_columns", c, other=houses[0], count=len(filled[c]))
    # coordinates in two columns, told by their headers
    lat = [c for c in filled if _LAT_HEADERS.search(_fold(c))]
    lon = [c for c in filled if _LON_HEADERS.search(_fold(c))]
    for c in lat + lon:
        values = filled[c]
        decimals = [v for v in values if _DECIMAL.match(v.strip())]
        if decimals and len(decimals) * 2 >= len(values):
            add("coordinates", c, count=len(decimals), value=decimals[0])
    return problems
