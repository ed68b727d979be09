"""What a report says where data never arrived: 'niet aangeleverd', and '.' in a table, while
'x' keeps meaning 'too few respondents' only."""

from __future__ import annotations

import pandas as pd
import pytest

from mss_eval.report.style import NO_DATA_MARKER, SUPPRESSED_MARKER
from mss_eval.report.tables import Col, report_table

PARTIAL = "hilversum"  # the example study's region that sent three instruments


@pytest.fixture(scope="module")
def study():
    import mss_eval
    from mss_eval.example.generator import default_example_dir

    if not (default_example_dir() / "study.yaml").is_file():
        pytest.skip("the example study has not been generated")
    return mss_eval.load_study(default_example_dir(), on_error="skip")


def _html(block) -> str:
    return block.html if hasattr(block, "html") else str(block)


def test_a_row_resting_on_nobody_shows_no_data_not_the_suppression_marker():
    frame = pd.DataFrame({"region": ["a", "b", "c"], "n": [6, 3, 0], "mean": [7.5, None, None],
                          "suppressed": [False, True, True]})
    table = report_table(frame, [Col("region", "Regio"), Col("n", "n", kind="count", base=True),
                                 Col("mean", "Gemiddelde")])
    assert table.cells["Gemiddelde"].tolist() == ["7,5", SUPPRESSED_MARKER, NO_DATA_MARKER]
    assert table.cells["n"].tolist() == ["6", "3", "0"]
    assert any(note.startswith(f"{SUPPRESSED_MARKER} = ") for note in table.notes)
    assert any(note.startswith(f"{NO_DATA_MARKER} = geen gegevens: niet aangeleverd")
               for note in table.notes)


def test_missing_deliveries_name_the_region_and_its_instruments(study):
    from mss_eval.report.notebook import Report

    report = Report(study, round="2010-2")
    assert report.missing_deliveries("partner_survey") == (["Hilversum"], [])
    assert report.missing_deliveries("client_interview") == ([], [])
    region = Report(study, round="2010-2", region=PARTIAL)
    assert not region.delivered_any("partner_survey") and region.delivered_any("client_interview")


def test_a_region_report_says_what_was_not_delivered_instead_of_empty_tables(study):
    from mss_eval.report import chapters
    from mss_eval.report.notebook import Report

    report = Report(study, round="2010-2", region=PARTIAL)
    executive = _html(chapters.executive(report))
    assert executive.count("Hilversum heeft de enquête onder samenwerkingspartners niet "
                           "aangeleverd; daarom ontbreken hier cijfers.") == 2
    assert "presentielijst van de terugkoppelingsbijeenkomst niet aangeleverd" in executive
    assert "<table" not in executive and "<figure" not in executive
    assert f">{SUPPRESSED_MARKER}<" not in executive
    administrative = _html(chapters.administrative(report))
    assert "het bestuurlijk profiel niet aangeleverd" in administrative
    assert "<table" not in administrative
    intro = _html(chapters.introduction(report))
    sentence = intro[intro.index("Niet aangeleverd zijn "):]
    sentence = sentence[:sentence.index("ontbreken in dit rapport.")]
    for what in ("het bestuurlijk profiel", "de enquête onder samenwerkingspartners",
                 "de sociale kaart", "de registratie van het MSS"):
        assert what in sentence
    assert "de cliëntinterviews" not in sentence
    # what did arrive but rests on too few people (3 clients, 3 questionnaires) is one sentence
    # each, not tables of x or figures saying 'not shown' (issue 18)
    personal = _html(chapters.personal(report))
    assert "niet aangeleverd" not in personal
    assert "de cliëntinterviews aan met 3 respondenten" in personal
    assert "<table" not in personal and "<figure" not in personal


def test_a_round_report_names_the_region_that_did_not_deliver_and_leaves_it_out(study):
    from mss_eval.report import chapters
    from mss_eval.report.notebook import Report

    report = Report(study, round="2010-2")
    executive = _html(chapters.executive(report))
    assert ("Hilversum heeft de enquête onder samenwerkingspartners niet aangeleverd en "
            "ontbreekt daarom in dit onderdeel.") in executive
    assert "<table" in executive  # the other regions' figures are there
    intro = _html(chapters.introduction(report))
    sentence = intro[intro.index("Hilversum leverde "):]
    assert "het bestuurlijk profiel" in sentence[:sentence.index("niet aan.")]
    assert "Deze regio ontbreekt in de onderdelen die op die gegevens steunen." in intro
    # round 2010-1 delivered everything: nothing is said
    assert "niet aangeleverd" not in _html(chapters.executive(Report(study, round="2010-1")))


def test_an_instrument_not_expected_of_a_region_is_said_differently(study, monkeypatch):
    from mss_eval.report import chapters
    from mss_eval.report.notebook import Report

    report = Report(study, round="2010-2", region=PARTIAL)
    monkeypatch.setattr(report.config.__class__, "not_expected",
                        lambda self, r, g: {"partner_survey"} if g == PARTIAL else set())
    executive = _html(chapters.executive(report))
    assert "Aan Hilversum is niet gevraagd om de enquête onder samenwerkingspartners aan te " \
           "leveren; dit onderdeel vervalt daarom." in executive
