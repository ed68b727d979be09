"""Authors' texts: where they live, placeholders filled from key figures, errors with file and line."""

import pytest

from mss_eval.problems import StudyError
from mss_eval.report.style import SUPPRESSED_MARKER
from mss_eval.report.text import (
    PlaceholderError,
    author_text,
    fill_placeholders,
    markdown_to_html,
    render_author_text,
    texts_folder,
)

FIGURES = {
    "region": {
        "personal": {
            "rating_mean": {"value": 7.6667, "n": 12, "suppressed": False, "unit": "rating"},
            "spv": {"value": 0.7142, "n": 14, "suppressed": False, "unit": "share"},
            "housing_support": {"value": None, "n": 3, "suppressed": True, "unit": "share"},
        },
        "collection": {"client_interview": {"value": 1234, "n": 1234, "suppressed": False,
                                            "unit": "count"}},
    },
    "plain": 7.25,
}


def test_placeholders_are_filled_with_dutch_numbers():
    text = ("In Dordrecht gaven {{ region.collection.client_interview }} cliënten gemiddeld "
            "een {{region.personal.rating_mean}}; {{ region.personal.spv }} heeft een SPV.")
    filled, suppressed = fill_placeholders(text, FIGURES, language="nl")
    assert filled == ("In Dordrecht gaven 1.234 cliënten gemiddeld een 7,7; 71% heeft een SPV.")
    assert suppressed is False


def test_formats_after_a_bar():
    filled, _ = fill_placeholders("{{ region.personal.rating_mean | 2 }} / {{ plain | int }} / "
                                  "{{ region.personal.spv | percent(1) }}", FIGURES,
                                  language="en")
    assert filled == "7.67 / 7 / 71.4%"


def test_a_suppressed_figure_is_written_as_the_marker_never_its_value():
    filled, suppressed = fill_placeholders("woonbegeleider: {{ region.personal.housing_support }}",
                                           FIGURES)
    assert filled == f"woonbegeleider: {SUPPRESSED_MARKER}"
    assert suppressed is True


def test_an_unknown_placeholder_names_the_file_and_the_line():
    text = "Eerste regel.\n\nHet cijfer is {{ region.personal.rating_maen }}.\n"
    with pytest.raises(PlaceholderError) as info:
        fill_placeholders(text, FIGURES, source="texts/2010-1/dordrecht/personal.md")
    problem = info.value.problems[0]
    assert problem.file == "texts/2010-1/dordrecht/personal.md"
    assert problem.line == 3
    message = str(info.value)
    assert "texts/2010-1/dordrecht/personal.md, regel 3" in message
    assert "region.personal.rating_maen" in message
    assert "region.personal.rating_mean" in message  # the likely intended figure is suggested
    assert isinstance(info.value, StudyError)


def test_a_group_instead_of_a_figure_and_an_unclosed_brace_are_errors_too():
    text = "{{ region.personal }}\nen {{ region.personal.spv\n"
    with pytest.raises(PlaceholderError) as info:
        fill_placeholders(text, FIGURES, source="t.md", language="en")
    assert [(p.code, p.line) for p in info.value.problems] == [
        ("placeholder_not_a_number", 1), ("placeholder_unclosed", 2)]
    assert "t.md, line 1" in str(info.value)


def test_an_unknown_format_is_an_error():
    with pytest.raises(PlaceholderError, match="opmaak 'euro'"):
        fill_placeholders("{{ plain | euro }}", FIGURES)


def test_texts_are_found_per_report_in_english_or_dutch_file_names(tmp_path):
    (tmp_path / "texts" / "2010-1" / "den_haag").mkdir(parents=True)
    (tmp_path / "texts" / "final").mkdir(parents=True)
    (tmp_path / "texts" / "2010-1" / "den_haag" / "persoonlijk.md").write_text("Regio.")
    (tmp_path / "texts" / "2010-1" / "personal.md").write_text("Ronde.")
    (tmp_path / "texts" / "final" / "conclusies.md").write_text("Eind.")
    assert author_text(tmp_path, "personal", "2010-1", "den_haag").text == "Regio."
    assert author_text(tmp_path, "personal", "2010-1").text == "Ronde."
    assert author_text(tmp_path, "conclusions").relative == "texts/final/conclusies.md"
    assert author_text(tmp_path, "executive", "2010-1", "den_haag") is None
    assert texts_folder(tmp_path, "2010-1") == tmp_path / "texts" / "2010-1"


def test_the_same_chapter_twice_is_an_error(tmp_path):
    folder = tmp_path / "texts" / "final"
    folder.mkdir(parents=True)
    (folder / "personal.md").write_text("a")
    (folder / "persoonlijk.md").write_text("b")
    with pytest.raises(StudyError, match="twee keer"):
        author_text(tmp_path, "personal")


def test_author_markdown_is_rendered_with_raw_html_escaped():
    html = markdown_to_html("# Kop\n\nTekst <img src=x onerror=alert(1)> en **vet**.")
    assert "<h3>Kop</h3>" in html
    assert "<img" not in html and "&lt;img" in html
    assert "<strong>vet</strong>" in html


def test_rendered_author_text_carries_the_footnote_when_a_figure_is_suppressed(tmp_path):
    folder = tmp_path / "texts" / "2010-1" / "de_bilt"
    folder.mkdir(parents=True)
    (folder / "personal.md").write_text("Woonbegeleiding: {{ region.personal.housing_support }}.")
    text = author_text(tmp_path, "personal", "2010-1", "de_bilt")
    html = render_author_text(text, FIGURES, language="nl", min_respondents=5).html
    assert f"Woonbegeleiding: {SUPPRESSED_MARKER}." in html
    assert "minder dan 5 respondenten" in html
