"""Dates in coded excerpts: coded text, not data about a person; approved quotes are screened.

An interview that mentions a meeting date ("overleg van 12-03-2010") must not make a region's
coded segments invalid (the screen of data files took every full date in a free-text column for
a possible date of birth). What may reach a report, the approved quotes, is still screened by
``mss-eval validate``.
"""

from __future__ import annotations

import csv

import pytest
from qualitative_qdpx import Project, Selection, Source, span, write_qdpx, write_study

from mss_eval.cli import main
from mss_eval.input.validate import validate_study

TEXT = ("Het eerste overleg van 12-03-2010 was met alle partners. "
        "Mevrouw is geboren op 4 mei 1961 en woont alleen. "
        "Mail gerust naar j.jansen@example.nl voor de agenda.")
PHRASES = {
    "date": "Het eerste overleg van 12-03-2010 was met alle partners.",
    "birth": "Mevrouw is geboren op 4 mei 1961 en woont alleen.",
    "mail": "Mail gerust naar j.jansen@example.nl voor de agenda.",
}


@pytest.fixture
def study(tmp_path):
    project = Project(
        users=["ann"],
        codes={"executive": {"shorter_lines": {}}},
        sources=[Source("Interview coördinator", TEXT, variable="algemeen interview")],
        selections=[Selection("Interview coördinator", *span(TEXT, PHRASES[k]),
                              [("executive/shorter_lines", "ann")]) for k in ("date", "birth")],
    )
    study = write_study(tmp_path / "studie")
    assert main(["import-qda", str(write_qdpx(tmp_path / "p.qdpx", project)), "--study",
                 str(study), "--round", "2010-1", "--region", "den_haag"]) == 0
    return study


def _segment(study, phrase: str) -> str:
    with open(study / "data/2010-1/den_haag/coded_segments.csv", encoding="utf-8-sig") as fh:
        return next(r["segment_id"] for r in csv.DictReader(fh) if r["excerpt"] == phrase)


def test_a_date_in_a_coded_excerpt_does_not_make_the_data_invalid(study):
    report = validate_study(study, workers=1)
    on_segments = [p for p in report.problems if p.file and "coded_segments" in p.file]
    assert not [p for p in on_segments if p.code.startswith("identifier_")]
    assert report.valid


def test_an_approved_quote_with_a_date_is_a_warning_to_look_at(study):
    (study / "texts").mkdir()
    (study / "texts/approved_quotes.yaml").write_text(
        f"approved_by: A. Auteur\nquotes:\n  - {_segment(study, PHRASES['date'])}\n",
        encoding="utf-8")
    found = [p for p in validate_study(study, workers=1).problems if p.file and "quotes" in p.file]
    assert [(p.code, p.severity, p.line) for p in found] == [("quotes_full_date", "warning", 3)]
    assert "12-03-2010" not in found[0].message  # masked: the quote's text stays out of messages


def test_an_approved_quote_with_a_birth_date_is_named_as_one(study):
    (study / "texts").mkdir()
    (study / "texts/approved_quotes.yaml").write_text(
        f"approved_by: A. Auteur\nquotes:\n  - {_segment(study, PHRASES['birth'])}\n",
        encoding="utf-8")
    found = [p for p in validate_study(study, workers=1).problems if p.file and "quotes" in p.file]
    assert [p.code for p in found] == ["quotes_identifier"]
    assert "een geboortedatum" in found[0].message and "1961" not in found[0].message


def test_an_email_address_in_coded_text_is_still_refused_as_data(tmp_path):
    project = Project(
        users=["ann"], codes={"executive": {"shorter_lines": {}}},
        sources=[Source("Interview coördinator", TEXT, variable="algemeen interview")],
        selections=[Selection("Interview coördinator", *span(TEXT, PHRASES["mail"]),
                              [("executive/shorter_lines", "ann")])])
    study = write_study(tmp_path / "studie")
    assert main(["import-qda", str(write_qdpx(tmp_path / "p.qdpx", project)), "--study",
                 str(study), "--round", "2010-1", "--region", "den_haag"]) == 0
    codes = [p.code for p in validate_study(study, workers=1).problems]
    assert "identifier_email" in codes
