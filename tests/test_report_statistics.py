"""Statistics only where they inform, on the example study's reports.

In the example study the clients' rating of round 2010-2 (four regions) and of the follow-up
2011 (two regions) has no variance between regions (τ² = 0): every region reads the total's
estimate. The partners' rating of round 2010-2 is compared over five regions, that of round
2010-1 over three.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest

from mss_eval.analysis.multilevel import multilevel_comparison
from mss_eval.report import chapters
from mss_eval.report.chapters._comparison import MIN_REGIONS_FOR_RELIABILITY
from mss_eval.report.notebook import Report

BODY = (chapters.summary, chapters.introduction, chapters.mss_profile, chapters.administrative,
        chapters.executive, chapters.personal, chapters.conclusions)
METHOD_TERMS = ("ICC", "τ", "φ", "additieve correctie", "study.yaml", "settings.case_mix",
                "multilevelmodel")


@pytest.fixture(scope="module")
def study(example_study):
    return example_study


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _paragraphs(block_html: str) -> list[str]:
    return [_text(p) for p in re.findall(r'<p class="generated-text">(.*?)</p>', block_html,
                                         flags=re.S)]


def _tables(block_html: str) -> dict[str, str]:
    """Caption → the table's html."""
    return {_text(c): t for t, c in
            ((t, re.search(r"<caption>(.*?)</caption>", t, re.S).group(1))
             for t in re.findall(r"<table.*?</table>", block_html, flags=re.S)
             if "<caption>" in t)}


def _tau2(study, rnd: str, column: str, instrument: str, report: Report) -> float:
    frame = study[instrument]
    result = multilevel_comparison(frame, column, covariates=chapters._case_mix_of(report),
                                   min_n=5)
    rows = result[(result["round"].astype(str) == rnd) & ~result["suppressed"]]
    return float(rows["tau2"].iloc[0])


def test_at_tau2_zero_no_model_table_but_one_sentence(study):
    report = Report(study, round="2010-2", language="nl")
    assert _tau2(study, "2010-2", "mss_rating", "client_interview", report) == 0.0  # premise
    html = chapters.personal(report).html
    captions = [c for c in _tables(html) if "Regio's vergeleken: het rapportcijfer," in c]
    assert captions == []
    text = " ".join(_paragraphs(html))
    assert ("Het model vindt tussen de regio's geen verschil boven het toeval: elke regio krijgt "
            "de schatting van het geheel, dus een tabel per regio ontbreekt hier.") in text


def test_where_the_regions_differ_the_model_table_stays(study):
    report = Report(study, round="2010-1", language="nl")
    assert _tau2(study, "2010-1", "mss_rating", "client_interview", report) > 0  # premise
    html = chapters.personal(report).html
    assert any("Regio's vergeleken: het rapportcijfer," in c for c in _tables(html))


def test_no_table_shows_every_region_with_one_estimate_and_a_zero_width_interval(study):
    for rnd in ("2010-1", "2010-2", "2011", None):
        report = Report(study, round=rnd, language="nl")
        for chapter in (chapters.executive, chapters.personal):
            for caption, table in _tables(chapter(report).html).items():
                if "vergeleken" not in caption:
                    continue
                cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
                         for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
                ranges = [c for row in cells for c in row if re.fullmatch(r"\d+,\d–\d+,\d", c)]
                flat = [r for r in ranges if r.split("–")[0] == r.split("–")[1]]
                assert not ranges or len(flat) < len(ranges), (rnd, caption, ranges)


@pytest.mark.parametrize("rnd, regions", [("2010-1", 3), ("2011", 2)])
def test_no_icc_or_clients_needed_below_the_documented_number_of_regions(study, rnd, regions):
    assert regions < MIN_REGIONS_FOR_RELIABILITY
    report = Report(study, round=rnd, language="nl")
    text = " ".join(_paragraphs(chapters.executive(report).html)
                    + _paragraphs(chapters.personal(report).html))
    assert not re.search(r"hoort \d+% bij de regio", text), text
    assert not re.search(r"zijn per regio ongeveer \d+ (cliënten|partners) nodig", text), text


def test_the_icc_is_said_in_plain_words_from_the_documented_number_of_regions(study):
    report = Report(study, round="2010-2", language="nl")  # the partners: five regions
    text = " ".join(_paragraphs(chapters.executive(report).html))
    assert re.search(r"Van de verschillen tussen de antwoorden van partners hoort \d+% bij de "
                     r"regio\. Om regio's betrouwbaar", text), text
    assert "ICC" not in text


def test_method_terms_stay_out_of_the_body_and_are_explained_in_the_appendix(study):
    for rnd in ("2010-1", "2010-2", "2011", None):
        report = Report(study, round=rnd, language="nl")
        for chapter in BODY:
            for paragraph in _paragraphs(chapter(report).html):
                assert not [t for t in METHOD_TERMS if t in paragraph], (rnd, paragraph)
    appendix = " ".join(_paragraphs(chapters.appendix(Report(study, round="2010-1",
                                                              language="nl")).html))
    assert "(τ²)" in appendix and "(de ICC)" in appendix and "minstens vijf regio's" in appendix


def test_a_method_a_region_did_not_deliver_is_empty_in_table_1_1_not_zero(study):
    report = Report(study, round="2010-2", language="nl")
    assert "Hilversum" in " ".join(report.missing_deliveries("feedback_meeting")[0])  # premise
    html = chapters.data_collection(report).html
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    rows = {_text(re.search(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S).group(1)):
            [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)[1:]]
            for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)}
    hilversum = rows["Methode"].index("Hilversum")
    assert rows["Terugkoppelingsbijeenkomst"][hilversum] == ""
    assert rows["Cliëntinterview"][hilversum] == "3"  # delivered: counted as before
    assert "Een lege cel: de regio leverde de gegevens van die methode niet aan." in _text(html)


def test_the_model_table_shows_the_adjusted_mean_the_funnel_plot_draws(study):
    from mss_eval.analysis.multilevel import funnel_data
    from mss_eval.report.style import format_number

    report = Report(study, round="2010-1", language="nl")
    partners = report.frame("partner_survey")
    result = chapters._multilevel(report, partners, "results_rating", who="partners")
    rows = result[result["round"].astype(str) == "2010-1"]
    fitted = rows[~rows["suppressed"] & rows["tau2"].notna()]
    drawn = funnel_data(rows.assign(sd=float(fitted["sigma2"].iloc[0]) ** 0.5), "adjusted_mean",
                        target="overall", sd="sd", adjustment="additive", min_n=5)
    html = chapters.executive(report).html
    [table] = [t for c, t in _tables(html).items() if "Regio's vergeleken: het rapportcijfer" in c]
    header = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table.split("</tr>")[0], re.S)]
    column = header.index("Gecorrigeerd gemiddelde")
    shown = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        shown[cells[0]] = cells[column]
    drawn = drawn[~drawn["suppressed"].astype(bool)]
    assert len(drawn) == 3  # premise: the three regions of round 2010-1
    for region, y in zip(drawn["region"].astype(str), drawn["value"]):
        assert shown[report.region_label(region)] == format_number(y, 1, "nl"), region


@pytest.mark.parametrize("rnd", ["2010-1", "2010-2", "2011"])
def test_the_text_names_the_most_connected_organisations_the_network_figure_names(study, rnd):
    report = Report(study, round=rnd, language="nl")
    html = html_lib.unescape(chapters.executive(report).html)
    [alt] = [a for a in re.findall(r'alt="([^"]*)"', html) if "meest verbonden" in a]
    in_figure = dict(re.findall(r"(?:; |\. )([^;:.]+?): \d+ organisaties, [^;]*; meest "
                                r"verbonden: (.+?)(?=; [^;:]+: \d+ organisaties|\.$)", alt))
    sentences = re.split(r"(?<=\.) (?=[A-Z])", " ".join(_paragraphs(html)))
    in_text = dict(m.groups() for m in (re.fullmatch(r"In (.+?) zijn (.+) het sterkst "
                                                     r"verbonden\.", s) for s in sentences) if m)
    assert in_figure and in_text == in_figure
