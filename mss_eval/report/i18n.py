"""The report's language: gettext catalogs through Babel, and numbers, lists and dates in CLDR's
conventions for the report's locale.

Generated sentences are written in English in the code (the gettext convention: the message id is
the source text) and translated through the catalog ``mss_eval/locale/<lang>/LC_MESSAGES/
messages.po``. Plural forms come from the catalog (:func:`ngettext`), never from appending letters
to a word, so Dutch gets "1 werktafel" and "2 werktafels", "terugkoppelingsbijeenkomsten".

The ``.po`` files are committed and are the only form of the catalog in the repository: they are
compiled in memory the first time a language is used in a process (Babel's ``read_po`` and
``write_mo``, a few milliseconds), so a fresh clone, an editable install and a wheel all work
without a build step and no binary ``.mo`` file can fall out of step with its ``.po``.

Update the catalog after changing a sentence::

    python -m mss_eval.report.i18n          # extract, merge into every .po, report untranslated

and translate the new entries (``msgstr``) by hand; ``tests/test_i18n.py`` fails on a message
without a Dutch translation.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.support import NullTranslations, Translations

#: report language -> Babel locale
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
#: the language the message ids are written in
SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: keywords of the extraction: function name -> positions of the message arguments (1-based)
KEYWORDS = {"_t": (2,), "say": (2,), "_n": (2, 3), "say_n": (2, 3), "gettext": (2,),
            "ngettext": (2, 3), "N_": (1,), "_numbered": (1,)}
#: Dutch typography writes a negative number with a true minus sign
MINUS = "\u2212"


def locale_of(language: str) -> str:
    """The Babel locale of a report language (``nl`` → ``nl_NL``)."""
    try:
        return LOCALES[language]
    except KeyError:
        raise ValueError(f"language must be one of {tuple(LOCALES)}, not {language!r}") from None


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    """The compiled catalog of a language (compiled in memory from its ``.po`` once per
    process); the source language has none and gets :class:`NullTranslations`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    locale_of(language)
    path = po_path(language)
    if language == SOURCE_LANGUAGE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale_of(language), domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(language: str, message: str) -> str:
    """``message`` (English) in the report's language."""
    return translations(language).gettext(message)


def ngettext(language: str, singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the report's language (the catalog's plural
    rule), e.g. ``ngettext("nl", "There is {n} case table.", "There are {n} case tables.", 1)``
    → ``"Er is {n} werktafel."``."""
    return translations(language).ngettext(singular, plural, int(n))


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; translate it where it is used."""
    return message


# -- numbers, lists and dates ------------------------------------------------------------------
def round_half_away(value: float, decimals: int) -> Decimal:
    """``value`` rounded half away from zero, as in print statistics (not banker's rounding);
    through Decimal, so 2.675 does not become 2.67."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def decimal_text(value: float, decimals: int, language: str, *, minus: str = "-") -> str:
    """A number with CLDR's separators for the language (Babel ``format_decimal``): ``1.234,5``
    in Dutch, ``1,234.5`` in English. A value that rounds to zero has no sign."""
    from babel.numbers import format_decimal

    decimals = max(int(decimals), 0)
    if math.isinf(value):
        return "∞" if value > 0 else minus + "∞"
    rounded = round_half_away(value, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(abs(rounded), format=pattern, locale=locale_of(language),
                          decimal_quantization=True)
    return (minus if rounded < 0 and rounded != 0 else "") + text


def list_text(words: Sequence[str], language: str, style: str = "standard") -> str:
    """``["a", "b", "c"]`` → ``"a, b en c"`` (Babel ``format_list``; ``style="or"`` gives
    "a, b of c")."""
    from babel.lists import format_list

    words = [w for w in words if w]
    if not words:
        return ""
    return format_list(words, style=style, locale=locale_of(language))


def date_text(day: _dt.date | str, language: str, format: str = "long") -> str:
    """A date the way the language writes it: ``1 februari 2010`` / ``1 February 2010``."""
    from babel.dates import format_date

    if isinstance(day, str):
        day = _dt.date.fromisoformat(day[:10])
    return format_date(day, format=format, locale=locale_of(language))


# -- catalog maintenance ------------------------------------------------------------------------
def extract():
    """The messages of the package's report code as a Babel catalog (the ``.pot``)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    catalog = Catalog(domain=DOMAIN, project="mss-eval", charset="utf-8")
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):  # with the chapters package
        for _lineno, message, _comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
            catalog.add(message, context=context)
    return catalog


def _translated(message) -> bool:
    if isinstance(message.string, str):
        return bool(message.string)
    return bool(message.string) and all(message.string)


def update_catalogs() -> dict[str, list[str]]:
    """Merge the extracted messages into every language's ``.po``; returns the untranslated
    message ids per language."""
    from babel.messages.pofile import read_po, write_po

    template = extract()
    missing = {}
    for language in LOCALES:
        if language == SOURCE_LANGUAGE:
            continue
        path = po_path(language)
        with path.open("rb") as f:
            catalog = read_po(f, locale=locale_of(language), domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as f:
            write_po(f, catalog, width=100, no_location=True, omit_header=False,
                     sort_output=False)
        missing[language] = [m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                             if m.id and not _translated(m)]
    return missing


if __name__ == "__main__":  # pragma: no cover
    for lang, ids in update_catalogs().items():
        print(f"{lang}: {len(ids)} untranslated")
        for i in ids:
            print("   ", i)
