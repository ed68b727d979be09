"""Number formatting and the suppression marker: how every figure of a report is written."""

import math

import pandas as pd
import pytest

from mss_eval.report.style import (
    SUPPRESSED_MARKER,
    format_count,
    format_number,
    format_percent,
    format_range,
    join_words,
    region_colours,
    suppression_note,
)


@pytest.mark.parametrize(("value", "decimals", "nl", "en"), [
    (7.66, 1, "7,7", "7.7"),
    (7.0, 1, "7,0", "7.0"),
    (1234, 0, "1.234", "1,234"),
    (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
    (0.5, 0, "1", "1"),          # half away from zero, as printed statistics do
    (2.5, 0, "3", "3"),          # not banker's rounding (Python's round gives 2)
    (2.675, 2, "2,68", "2.68"),  # not the binary-float surprise 2.67
    (-1.25, 1, "-1,3", "-1.3"),
    (-0.04, 1, "0,0", "0.0"),    # no "-0,0"
])
def test_numbers_are_written_per_language(value, decimals, nl, en):
    assert format_number(value, decimals, "nl") == nl
    assert format_number(value, decimals, "en") == en


def test_missing_values_give_an_empty_string():
    for missing in (None, float("nan"), pd.NA):
        assert format_number(missing, 1, "nl") == ""
        assert format_percent(missing, 0, "nl") == ""


def test_booleans_and_text_are_refused():
    with pytest.raises(TypeError):
        format_number(True, 0, "nl")
    with pytest.raises(TypeError):
        format_number("7,7", 1, "nl")


def test_unknown_language_is_an_error():
    with pytest.raises(ValueError):
        format_number(1.0, 1, "de")


def test_percentages_counts_and_ranges():
    assert format_percent(0.9, 0, "nl") == "90%"
    assert format_percent(0.125, 1, "nl") == "12,5%"
    assert format_percent(0.125, 1, "en") == "12.5%"
    assert format_count(160000, "nl") == "160.000"
    assert format_range(7.215, 8.785, 1, "nl") == "7,2–8,8"
    assert format_range(None, 8.0, 1, "nl") == ""


def test_numpy_and_pandas_scalars_format_like_floats():
    import numpy as np

    assert format_number(np.float64(7.66), 1, "nl") == "7,7"
    assert format_number(pd.array([3], dtype="Int64")[0], 0, "nl") == "3"
    assert format_number(math.inf, 1, "nl") == "∞"


def test_words_are_joined_with_the_language_conjunction():
    assert join_words(["a", "b", "c"], "nl") == "a, b en c"
    assert join_words(["a", "b"], "en") == "a and b"
    assert join_words(["a"], "nl") == "a"
    assert join_words([], "nl") == ""


def test_suppression_note_explains_the_marker_and_the_minimum():
    nl = suppression_note("nl", 5)
    en = suppression_note("en", 10)
    assert nl.startswith(f"{SUPPRESSED_MARKER} = ") and "5 respondenten" in nl
    assert "10 respondents" in en


def test_regions_keep_their_colour_in_study_order():
    colours = region_colours(["den_haag", "eindhoven", "dordrecht"])
    assert len(set(colours.values())) == 3
    assert region_colours(["den_haag"])["den_haag"] == colours["den_haag"]


# -- contrast (WCAG 2.1 AA) ---------------------------------------------------------------------
def test_a_value_printed_on_any_colour_of_the_palette_reads_at_aa_contrast():
    from mss_eval.report.style import (LIKERT_COLOURS_5, NEUTRAL_GREY, PALETTE, RING_COLOURS,
                                       contrast_ratio, text_colour_on)

    for fill in {*PALETTE, *LIKERT_COLOURS_5, *RING_COLOURS, NEUTRAL_GREY}:
        assert contrast_ratio(text_colour_on(fill), fill) >= 4.5, fill
    # vermillion took white text before, at 3.9:1
    assert text_colour_on("#D55E00") == "black"


def test_every_text_colour_of_the_stylesheets_reads_at_aa_contrast_on_white():
    import re

    from mss_eval.render.export import TEMPLATES
    from mss_eval.report.style import contrast_ratio

    css = (TEMPLATES / "mss_report" / "report.css").read_text(encoding="utf-8")
    typ = (TEMPLATES / "mss_report" / "report.typ").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--(ink|muted|accent|suppressed):\s*(#[0-9A-Fa-f]{6})", css))
    colours.update({f"typst {k}": v for k, v in re.findall(
        r'#let (ink|muted|accent|suppressed-ink) = rgb\("(#[0-9A-Fa-f]{6})"\)', typ)})
    assert len(colours) == 8
    for name, colour in colours.items():
        assert contrast_ratio(colour, "white") >= 4.5, (name, colour)
