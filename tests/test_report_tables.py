"""Report tables: formatted cells, suppression marker with footnote, regions side by side."""

import re

import pandas as pd
import pytest

from mss_eval.report.style import SUPPRESSED_MARKER
from mss_eval.report.tables import Col, report_table, show


@pytest.fixture
def rating():
    return pd.DataFrame({
        "region": pd.array(["den_haag", "de_bilt"], dtype="string"),
        "n": pd.array([14, 3], dtype="Int64"),
        "mean": pd.array([8.0, None], dtype="Float64"),
        "ci_low": pd.array([7.2155, None], dtype="Float64"),
        "ci_high": pd.array([8.7845, None], dtype="Float64"),
        "suppressed": [False, True],
    })


def test_a_suppressed_statistic_shows_the_marker_and_a_footnote(rating):
    table = report_table(rating, [Col("region", "Regio"), Col("n", "n", base=True),
                                  Col("mean", "Gemiddelde"), Col("ci_low|ci_high", "95%-BI")],
                         caption="Rapportcijfer", language="nl", min_respondents=5)
    assert table.cells["Gemiddelde"].tolist() == ["8,0", SUPPRESSED_MARKER]
    assert table.cells["95%-BI"].tolist() == ["7,2–8,8", SUPPRESSED_MARKER]
    assert table.cells["n"].tolist() == ["14", "3"]  # the base stays visible
    html = table.to_html()
    assert f'<td class="num suppressed">{SUPPRESSED_MARKER}</td>' in html
    assert "minder dan 5 respondenten" in html


def test_a_whole_number_mean_keeps_its_decimal(rating):
    table = report_table(rating, {"region": "Regio", "mean": "Gemiddelde"}, language="en")
    assert table.cells["Gemiddelde"].iloc[0] == "8.0"


def test_no_footnote_without_suppression(rating):
    table = report_table(rating.iloc[:1], {"region": "Regio", "mean": "Gemiddelde"})
    assert table.notes == []
    assert "niet getoond" not in table.to_html()


def test_regions_side_by_side_in_study_order_with_labels():
    frame = pd.DataFrame({
        "method": ["client_interview"] * 3 + ["feedback_meeting"] * 3,
        "label": ["Cliëntinterview"] * 3 + ["Terugkoppeling"] * 3,
        "region": ["eindhoven", "den_haag", "_total"] * 2,
        "n": pd.array([13, 14, 27, 12, 12, 24], dtype="Int64"),
        "suppressed": False,
    })
    table = report_table(frame, [Col("label", "Methode"), Col("region", "region"), Col("n", "n")],
                         pivot=("region", "n"), pivot_order=["den_haag", "eindhoven", "_total"],
                         pivot_labels={"den_haag": "Den Haag", "eindhoven": "Eindhoven",
                                       "_total": "Totaal"})
    assert list(table.cells.columns) == ["Methode", "Den Haag", "Eindhoven", "Totaal"]
    assert table.cells.iloc[0].tolist() == ["Cliëntinterview", "14", "13", "27"]
    assert table.cells.iloc[1].tolist() == ["Terugkoppeling", "12", "12", "24"]


def test_a_suppressed_count_in_a_pivot_is_hidden_too():
    frame = pd.DataFrame({"label": ["man", "man"], "region": ["a", "b"],
                          "n": pd.array([3, 7], dtype="Int64"), "suppressed": [True, False]})
    table = report_table(frame, [Col("label", "Geslacht"), Col("region", "r"), Col("n", "n")],
                         pivot=("region", "n"))
    assert table.cells.iloc[0].tolist() == ["man", SUPPRESSED_MARKER, "7"]
    assert table.has_suppressed


def test_shares_are_percentages_and_intervals_of_shares_too():
    frame = pd.DataFrame({"item": ["SPV"], "share": [0.7142], "ci_low": [0.4535],
                          "ci_high": [0.8828], "suppressed": [False]})
    table = report_table(frame, [Col("item", "Kenmerk"), Col("share", "%", kind="percent"),
                                 Col("ci_low|ci_high", "BI", kind="percent")], language="nl")
    assert table.cells.iloc[0].tolist() == ["SPV", "71%", "45–88%"]


def test_html_is_escaped_and_never_a_dataframe_repr():
    frame = pd.DataFrame({"name": ["<script>x</script>"], "n": [1]})
    html = report_table(frame, {"name": "Naam", "n": "n"}, caption="A & B").to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "A &amp; B" in html
    assert 'class="dataframe"' not in html
    assert not re.search(r"<th>\s*0\s*</th>", html)  # no index column


def test_total_rows_are_marked():
    frame = pd.DataFrame({"region": ["Den Haag", "Totaal"], "n": [14, 39]})
    table = report_table(frame, {"region": "Regio", "n": "n"}, total_label="Totaal")
    assert '<tr class="total">' in table.to_html()


def test_numbered_caption_in_english():
    frame = pd.DataFrame({"a": [1]})
    html = report_table(frame, {"a": "A"}, caption="Counts", number="1.1",
                        language="en").to_html()
    assert "Table 1.1</span> Counts" in html


def test_show_refuses_a_raw_dataframe(capsys):
    with pytest.raises(TypeError, match="report_table"):
        show(pd.DataFrame({"a": [1]}))
    show(report_table(pd.DataFrame({"a": [1]}), {"a": "A"}))  # outside IPython: prints HTML
    assert '<div class="mss-table' in capsys.readouterr().out


def test_a_suppressed_text_value_in_a_pivot_is_hidden_as_well():
    frame = pd.DataFrame({"label": ["contact", "contact"], "region": ["a", "b"],
                          "range": ["jaarlijks – wekelijks", "maandelijks – wekelijks"],
                          "suppressed": [False, True]})
    table = report_table(frame, [Col("label", "Kenmerk"), Col("region", "r"),
                                 Col("range", "van – tot", kind="text")], pivot=("region", "range"))
    assert table.cells.iloc[0].tolist() == ["contact", "jaarlijks – wekelijks", SUPPRESSED_MARKER]
