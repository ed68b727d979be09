"""The direct-identifier screen: BSN eleven-test, e-mail, phone, address, names, dates of birth."""

from __future__ import annotations

import pandas as pd
import pytest

from mss_eval.input.identifiers import ColumnKind, bsn_valid, mask, screen_table, screen_values

# Eleven-test by hand: 9*d1 + 8*d2 + 7*d3 + 6*d4 + 5*d5 + 4*d6 + 3*d7 + 2*d8 - 1*d9
#   111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6*11            -> valid
#   123456782: 9+16+21+24+25+24+21+16-2 = 154 = 14*11      -> valid
#   012345672: 0+8+14+18+20+20+18+14-2 = 110 = 10*11       -> valid (8 digits: 12345672)
#   123456789: 9+16+21+24+25+24+21+16-9 = 147 = 13*11 + 4  -> invalid
#   111222334: 66 - 1 = 65 = 5*11 + 10                     -> invalid
#   100000009: 9 - 9 = 0 = 0*11                              -> valid
#   023456784: 0+16+21+24+25+24+21+16-4 = 143 = 13*11      -> valid (8 digits: 23456784)
VALID = ["111222333", "123456782", "12345672", "1234.56.782", "100000009", "23456784"]
INVALID = ["123456789", "111222334", "000000000", "12345678", "1234567", "1234567890", "abc"]


@pytest.mark.parametrize("number", VALID)
def test_numbers_passing_the_eleven_test_are_bsn(number):
    assert bsn_valid(number)


@pytest.mark.parametrize("number", INVALID)
def test_numbers_failing_the_eleven_test_or_of_wrong_length_are_not_bsn(number):
    assert not bsn_valid(number)


def kinds_of(values, **kind):
    s = pd.Series(values, index=range(2, 2 + len(values)), dtype="string")
    found = screen_values(s, ColumnKind(name=kind.pop("name", "x"), **kind))
    return {row: what for row, (what, _) in found.items()}


FREE = dict(name="open_support", is_free_text=True)


@pytest.mark.parametrize("text", [
    "mail naar j.de.vries@gemeente.nl", "A.B@example.com",
])
def test_email_addresses_are_found_anywhere(text):
    assert kinds_of([text]) == {2: "email"}


@pytest.mark.parametrize("text", [
    "06-12345678", "0612345678", "bel 06 1234 5678", "+31 6 12345678", "+31612345678",
    "0031 6 12345678", "010-1234567", "070 123 45 67", "(070) 1234567",
])
def test_dutch_phone_numbers_are_found(text):
    assert kinds_of([text], **FREE) == {2: "phone"}


@pytest.mark.parametrize("text", [
    "2514 GL 12", "2514GL 12", "2514gl 12", "Kerkstraat 12, 2514 GL",
])
def test_postcode_with_house_number_is_found(text):
    assert kinds_of([text], **FREE) == {2: "address"}


@pytest.mark.parametrize("text", [
    "tussen 2010 en 12 maanden", "1234", "rating 8", "2010-03-04", "DH-001", "5 van de 10",
    "ongeveer 20 contacten per week", "code 2514 is geen postcode",
])
def test_ordinary_values_are_not_identifiers(text):
    assert kinds_of([text]) == {}


@pytest.mark.parametrize("value", ["Jan de Vries", "Piet Jansen", "J. Bakker", "Anna van der Berg"])
def test_person_names_in_identifier_columns_are_found(value):
    assert kinds_of([value], is_identifier=True) == {2: "name"}


@pytest.mark.parametrize("value", ["DH-001", "R1 12", "p0012", "client 12", "onbekend"])
def test_ids_are_not_names(value):
    assert kinds_of([value], is_identifier=True) == {}


def test_names_are_only_looked_for_in_identifier_columns():
    assert kinds_of(["Den Haag"], name="organisation") == {}


def test_a_full_date_in_a_birth_column_is_a_date_of_birth():
    assert kinds_of(["12-05-1961", "1961"], name="geb_datum") == {2: "birth_date"}
    assert kinds_of(["1961-05-12"], name="x", labels=("Date of birth",)) == {2: "birth_date"}


def test_a_full_date_in_free_text_is_flagged_but_not_in_a_date_column():
    assert kinds_of(["geboren 3 maart 1970"], **FREE) == {2: "full_date"}
    assert kinds_of(["2010-03-04"], name="interview_date", is_date=True) == {}


def test_a_nine_digit_bsn_is_flagged_on_its_own():
    assert kinds_of(["111222333", "123456789"]) == {2: "bsn"}


def test_eight_digit_numbers_are_bsn_only_when_the_column_is_full_of_them():
    # one in eleven random eight-digit numbers passes; a registration number is not a BSN
    assert kinds_of(["12345672", "10000001", "10000002"]) == {}
    # two of three pass the test: a column of BSNs that lost their leading zero
    assert kinds_of(["12345672", "23456784", "10000001"]) == {2: "bsn", 3: "bsn"}


def test_allowed_columns_are_not_screened():
    assert kinds_of(["a@b.nl"], allowed=True) == {}


def test_masking_keeps_only_two_characters():
    assert mask("Jan de Vries") == "Ja…"
    assert mask(111222333) == "11…"


def test_screen_table_masks_values_and_names_row_and_column():
    data = pd.DataFrame({"respondent_id": ["DH-1", "Jan de Vries"],
                         "remark": ["geen", "mail a.b@example.nl"]}, index=[2, 3],
                        dtype="string")
    kinds = {"respondent_id": ColumnKind("respondent_id", is_identifier=True)}
    problems, cells = screen_table(data, kinds, file="f.csv", language="en")
    assert {(p.code, p.row, p.column) for p in problems} == {
        ("identifier_name", 3, "respondent_id"), ("identifier_email", 3, "remark")}
    assert cells == {(3, "respondent_id"), (3, "remark")}
    for p in problems:
        assert "Vries" not in p.message and "example" not in p.message
        assert "remove" in p.message


# -- whole values, column meaning, answer labels (real exports) -------------------------------
@pytest.mark.parametrize("value", [
    "62961bfdbe5f238d3225db72",            # Prolific participant id
    "03f59b48dacd4cd2b2406aa152a04c72",    # Qualtrics panel token
    "a816ab1246fb4be4",                    # Qualtrics payment code
    "5e8f0612345678ab90cdef12",            # a hex id holding a phone-like run
    "ab111222333cd",                       # and one holding an eleven-test number
])
def test_a_run_inside_a_hexadecimal_id_is_no_identifier(value):
    assert kinds_of([value], **FREE) == {}
    assert kinds_of([value], name="respondent_id", is_identifier=True) == {}


@pytest.mark.parametrize("value", ["Somewhat Satisfied", "Very Dissatisfied",
                                   "Helemaal Mee Eens", "Strongly Agree"])
def test_title_case_answer_labels_are_not_names(value):
    assert kinds_of([value], name="respondent_id", is_identifier=True) == {}


def test_names_with_particles_are_still_names():
    assert kinds_of(["Jan van de Vries"], name="respondent_id", is_identifier=True) == {
        2: "name"}


def _column_codes(frame):
    from mss_eval.input.identifiers import screen_unknown_columns

    return {p.column: p.code for p in screen_unknown_columns(frame, file="f.csv")}


def test_a_column_of_repeated_title_case_answers_is_not_a_column_of_names():
    frame = pd.DataFrame({"Q5": ["Somewhat Satisfied", "Extremely Satisfied"] * 4,
                          "Q6": ["Neutral Point", "Upper Bound"] * 4}, dtype="string")
    assert _column_codes(frame) == {}


def test_redcap_contact_columns_are_caught_by_their_names():
    frame = pd.DataFrame({
        "name_first": ["Nutmeg", "Tumtum"], "name_last": ["Nutmouse", "Nutmouse"],
        "telephone": ["(405) 321-1111", "(405) 321-2222"],
        "address": ["14 Rose Cottage St. Kenning UK, 323232", "243 Hill St. Guthrie OK"],
        "client_phone": ["x", "y"], "straat": ["Kerkstraat", "Dorpsweg"],
        "height": ["170", "180"],
    }, dtype="string")
    assert _column_codes(frame) == {
        "name_first": "identifier_name_column", "name_last": "identifier_name_column",
        "telephone": "identifier_phone_column", "address": "identifier_address_column",
        "client_phone": "identifier_phone_column", "straat": "identifier_address_column"}


@pytest.mark.parametrize("value", ["Jan de Man", "Doris Day", "Thomas More", "Anna van Heel"])
def test_surnames_that_are_also_words_are_still_names(value):
    assert kinds_of([value], name="respondent_id", is_identifier=True) == {2: "name"}
