"""The instrument definitions in questionnaires/ as a specification of their content."""

from __future__ import annotations

import pytest
import yaml

from mss_eval.instruments import (
    CODEBOOK_ID,
    SHARED_FILE,
    InstrumentDefinitionError,
    Text,
    codebook,
    instruments,
    load_instrument,
    questionnaires_dir,
)

INSTRUMENTS = instruments()
IDS = sorted(INSTRUMENTS)

#: The instruments the foundation issue asks for (partner ties and feedback findings are the
#: edge list of the partner survey and the findings of the feedback meeting).
REQUIRED_INSTRUMENTS = {
    "client_interview", "client_questionnaire", "partner_survey", "interview_register",
    "feedback_meeting", "governance_profile", "monitor_register", "social_map", "coded_segments",
}


def _texts(instrument):
    """Every Text of an instrument with where it sits, for the language checks."""
    yield "title", instrument.title
    yield "unit", instrument.unit
    if instrument.description is not None:
        yield "description", instrument.description
    for code, text in instrument.missing_codes.items():
        yield f"missing_codes.{code}", text
    for key, scale in instrument.scales.items():
        yield f"scales.{key}", scale.label
    for column in instrument.columns:
        yield f"{column.name}.label", column.label
        if column.description is not None:
            yield f"{column.name}.description", column.description
        for code, text in column.missing.items():
            yield f"{column.name}.missing.{code}", text
        if column.answers is not None:
            for answer in column.answers.answers:
                yield f"{column.name}.answer.{answer.key}", answer.label


def test_every_instrument_file_loads_and_its_id_is_the_file_name():
    folder = questionnaires_dir()
    files = sorted(p.stem for p in folder.glob("*.yaml")
                   if p.name != SHARED_FILE and p.stem != CODEBOOK_ID)
    assert files == IDS
    for instrument_id, instrument in INSTRUMENTS.items():
        assert instrument.id == instrument_id


def test_the_instruments_of_the_study_exist():
    assert REQUIRED_INSTRUMENTS <= set(IDS)


def test_an_id_that_differs_from_the_file_name_is_refused(tmp_path):
    source = (questionnaires_dir() / "feedback_meeting.yaml").read_text(encoding="utf-8")
    wrong = tmp_path / "meeting.yaml"
    wrong.write_text(source, encoding="utf-8")
    shared = yaml.safe_load((questionnaires_dir() / SHARED_FILE).read_text(encoding="utf-8"))
    with pytest.raises(InstrumentDefinitionError, match="must equal the file name"):
        load_instrument(wrong, shared)


@pytest.mark.parametrize("instrument_id", IDS)
def test_every_instrument_has_a_required_column(instrument_id):
    assert any(c.required for c in INSTRUMENTS[instrument_id].columns)


@pytest.mark.parametrize("instrument_id", IDS)
def test_every_text_exists_in_dutch_and_english(instrument_id):
    for where, text in _texts(INSTRUMENTS[instrument_id]):
        assert isinstance(text, Text), where
        assert text.nl.strip() and text.en.strip(), f"{instrument_id}: {where} lacks a language"


@pytest.mark.parametrize("instrument_id", IDS)
def test_answer_labels_are_unambiguous_in_each_language(instrument_id):
    """Dropdowns offer labels and the reader maps them back to codes: no two answers of a column
    may share a label, a key or an alias, whatever the case or language."""
    for column in INSTRUMENTS[instrument_id].columns:
        if column.answers is None:
            continue
        owner: dict[str, str] = {}
        for answer in column.answers.answers:
            spellings = {answer.key, answer.label.nl, answer.label.en, *answer.aliases}
            for spelling in {s.casefold() for s in spellings}:
                assert owner.setdefault(spelling, answer.key) == answer.key, (
                    f"{instrument_id}.{column.name}: '{spelling}' names both "
                    f"{owner[spelling]} and {answer.key}")
            assert not answer.label.nl.strip().lstrip("-").isdigit(), (
                f"{instrument_id}.{column.name}: a label that is a number reads as a code")


@pytest.mark.parametrize("instrument_id", IDS)
def test_privacy_class_identifier_is_exactly_the_identifier_items(instrument_id):
    for item in INSTRUMENTS[instrument_id].items:
        assert (item.privacy == "identifier") == (item.type == "identifier"), item.name


@pytest.mark.parametrize("instrument_id", IDS)
def test_free_text_items_are_privacy_free_text(instrument_id):
    for item in INSTRUMENTS[instrument_id].items:
        open_answer = item.name.startswith("open_") or item.label.en.startswith("Open answer")
        if open_answer:
            assert item.privacy == "free_text", item.name
        if item.privacy == "free_text":
            assert item.type == "text", item.name
            assert not item.required, f"{item.name}: an open answer cannot be required"
            assert item.vocabulary is None, item.name


@pytest.mark.parametrize("instrument_id", IDS)
def test_id_column_is_an_identifier_item(instrument_id):
    instrument = INSTRUMENTS[instrument_id]
    if instrument.id_column is not None:
        assert instrument.item(instrument.id_column).type == "identifier"


@pytest.mark.parametrize("instrument_id", IDS)
def test_references_name_an_instrument_with_that_id_column(instrument_id):
    for item in INSTRUMENTS[instrument_id].items:
        if item.references is None:
            continue
        assert item.type == "identifier", item.name
        target = INSTRUMENTS[item.references]
        assert target.id_column == item.name, (
            f"{instrument_id}.{item.name} refers to {item.references}, whose id column is "
            f"{target.id_column}")


@pytest.mark.parametrize("instrument_id", IDS)
def test_scales_have_enough_items_and_ordered_answers(instrument_id):
    instrument = INSTRUMENTS[instrument_id]
    for key, scale in instrument.scales.items():
        columns = instrument.scale_columns(key)
        assert len(columns) >= scale.min_items, key
        for column in columns:
            assert column.answers is not None and column.answers.ordered, column.name


def test_multiple_choice_and_per_items_expand_into_one_column_per_answer():
    client = INSTRUMENTS["client_interview"]
    needs = client.columns_of("participation_needs")
    assert [c.name for c in needs] == [
        f"participation_needs_{k}" for k in client.answer_sets["participation_need"].keys()]
    assert all(c.type == "yes_no" and not c.missing for c in needs)
    received = client.columns_of("support_received")
    assert [c.option for c in received] == client.answer_sets["life_domain"].keys()


def test_codebook_paths_are_unique_and_labelled():
    book = codebook()
    paths = book.paths()
    assert len(paths) == len(set(paths))
    assert len(paths) >= 20
    for path in paths:
        level, key = path.split("/")
        assert book.label(path, "nl").strip() and book.label(path, "en").strip()
    for level in book.levels.values():
        assert level.label.nl.strip() and level.label.en.strip()
