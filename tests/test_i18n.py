"""The report's language: the gettext catalog, plural forms and Babel's formats."""

from __future__ import annotations

import re

import pytest

from mss_eval.report import i18n
from mss_eval.report.style import format_number, format_percent, format_signed, join_words
from mss_eval.report.text import say, say_n

_FIELD = re.compile(r"\{(\w*)")


def _fields(text: str) -> set[str]:
    # {Where} and {where} are the same value, capitalised at the start of a sentence
    return {f.lower() for f in _FIELD.findall(text)}


def test_every_message_of_the_report_code_has_a_dutch_translation_with_the_same_fields():
    from babel.messages.pofile import read_po

    extracted = i18n.extract()
    with i18n.po_path("nl").open("rb") as f:
        catalog = read_po(f, locale="nl_NL")
    missing, fields = [], []
    for message in extracted:
        if not message.id:
            continue
        entry = catalog.get(message.id)
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [] if entry is None else (
            [entry.string] if isinstance(entry.string, str) else list(entry.string))
        if not strings or not all(strings):
            missing.append(ids[0])
            continue
        for s in strings:
            if _fields(s) != _fields(ids[0]):
                fields.append((ids[0], s))
    assert not missing, f"untranslated (run python -m mss_eval.report.i18n): {missing[:5]}"
    assert not fields, f"a translation with other placeholders than its message: {fields[:3]}"


def test_the_catalog_compiles_from_the_po_file_without_a_build_step():
    assert not list(i18n.LOCALE_DIR.rglob("*.mo")), "no compiled catalog is committed"
    assert i18n.gettext("nl", "Total") == "Totaal"
    assert i18n.gettext("en", "Total") == "Total"


@pytest.mark.parametrize(("n", "nl", "en"), [
    (1, "Er is 1 werktafel.", "There is 1 case table."),
    (2, "Er zijn 2 werktafels.", "There are 2 case tables."),
])
def test_case_tables_one_and_two(n, nl, en):
    for lang, expected in (("nl", nl), ("en", en)):
        assert say_n(lang, "There is {n} case table.", "There are {n} case tables.", n) == expected


@pytest.mark.parametrize(("names", "nl"), [
    (["Zeist"], "Aan Zeist is niet gevraagd om de vragenlijsten aan te leveren."),
    (["Zeist", "Breda"], "Aan Zeist en Breda is niet gevraagd om de vragenlijsten aan te leveren."),
])
def test_not_asked_one_and_two_regions(names, nl):
    args = ("{names} was not asked to deliver {what}.", "{names} were not asked to deliver {what}.",
            len(names))
    assert say_n("nl", *args, names=join_words(names, "nl"), what="de vragenlijsten") == nl
    en = say_n("en", *args, names=join_words(names, "en"), what="the questionnaires")
    assert en.split(" not ")[0].endswith("was" if len(names) == 1 else "were")


def test_feedback_meetings_are_a_compound_from_the_catalog_not_an_appended_letter():
    one = say("nl", "{f} people attended the feedback meeting where the findings were checked.",
              f="12")
    many = say("nl", "{f} people attended the feedback meetings where the findings were "
                     "checked.", f="40")
    assert "terugkoppelingsbijeenkomst " in one and "terugkoppelingsbijeenkomsten " in many
    text = i18n.po_path("nl").read_text(encoding="utf-8")
    assert "bijeenkomsts" not in text and "Er zijn 1 " not in text


def test_numbers_keep_their_dutch_and_english_form():
    assert format_number(7.66, 1, "nl") == "7,7"
    assert format_number(12345.5, 1, "en") == "12,345.5"
    assert format_number(1234, 0, "nl") == "1.234"
    assert format_number(2.675, 2, "nl") == "2,68"  # half away from zero, not banker's
    assert format_number(-0.04, 1, "nl") == "0,0"   # no sign that rounding hid
    assert format_number(-1.25, 1, "nl") == "-1,3"  # tables keep the hyphen-minus
    assert format_percent(0.125, 1, "nl") == "12,5%"
    assert join_words(["a", "b", "c"], "nl") == "a, b en c"
    assert join_words(["a", "b", "c"], "en") == "a, b and c"


def test_a_change_has_a_true_minus_sign_and_percentage_points_are_named():
    assert format_signed(-17, 0, "nl", unit="pp") == "\u221217 procentpunten"
    assert format_signed(1, 0, "nl", unit="pp") == "+1 procentpunt"
    assert format_signed(0.666, 1, "en") == "+0.7"
    assert format_signed(0.0, 1, "nl") == "0,0"


def test_dates_from_babel():
    import datetime as dt

    assert i18n.date_text(dt.date(2010, 2, 1), "nl") == "1 februari 2010"
    assert i18n.date_text(dt.date(2010, 2, 1), "en") == "1 February 2010"
