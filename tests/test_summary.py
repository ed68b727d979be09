"""The Samenvatting, the conclusions from the data and the rounds compared (issue 18)."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest

from mss_eval.report import chapters
from mss_eval.report.conclusions import (informal_band, rating_band, reliability_word,
                                         scale_usable)
from mss_eval.report.notebook import Report
from mss_eval.report.summary import MAX_FINDINGS, findings

@pytest.fixture(scope="module")
def study(example_study):
    return example_study


def _scopes(study):
    return ([dict(round=r.id, region=g) for r in study.config.rounds for g in r.regions]
            + [dict(round=r.id) for r in study.config.rounds] + [dict()])


def _lookup(figures, path):
    node = figures
    for part in path.split("."):
        node = node[part]
    return node


def test_every_report_opens_with_a_summary_whose_numbers_are_its_key_figures(study):
    for scope in _scopes(study):
        report = Report(study, **scope)
        block = chapters.summary(report)
        assert block.nodes[0].text == "Samenvatting"
        found = findings(report)
        assert 1 <= len(found) <= MAX_FINDINGS, scope
        figures = report.key_figures  # what the renderer writes as figures.json
        for f in found:
            # every number of a finding is the key figure at its path, and the sections exist
            for path, value in f.figures.items():
                stored = _lookup(figures, path)
                stored = stored["value"] if isinstance(stored, dict) else stored
                assert stored == value or (isinstance(value, float) and math.isclose(
                    stored, value)), (scope, path)
            assert re.fullmatch(r"\d(\.\d)?", f.section)
        html = block.html
        assert all(f'href="#{f.anchor}"' in html for f in found)


def test_the_summary_states_counts_with_their_base(study):
    report = Report(study, round="2010-2")
    reach = next(f for f in findings(report) if f.rule == "reach")
    clients = report.key_figures["round"]["collection"]["client_interview"]["value"]
    approached = report.key_figures["round"]["collection"]["client_interview_response"]["n"]
    assert f"{clients} cliënten" in reach.text and f"van de {approached} benaderde" in reach.text


def test_separable_differences_come_from_the_multilevel_groups_not_a_ranking(study):
    report = Report(study, round="2010-2")
    separable = [f for f in findings(report) if f.rule == "separable"]
    groups = {r["group"] for r in report.key_figures["comparison"]["rating_mean"]["multilevel"]
              ["regions"].values() if r["group"]}
    assert separable
    if groups == {"average"}:
        assert "rangschikt ze niet" in separable[0].text


def test_the_final_report_and_a_region_in_two_rounds_show_the_change(study):
    final = Report(study)
    changes = final.key_figures["changes"]
    assert changes, "changes in figures.json is filled"
    record = changes["den_haag"]["2010-1_2011"]["rating_mean"]
    assert record["ci_low"] < record["value"] < record["ci_high"]
    assert 0 <= record["p"] <= 1 and record["test"] == "welch_t"
    region = Report(study, round="2011", region="den_haag")
    assert region.key_figures["changes"]["den_haag"]["2010-1_2011"]["rating_mean"] == record
    for report in (final, region):
        html = chapters.personal(report).html
        assert "Rondes vergeleken" in html and "Verandering tussen rondes per regio" in html
        assert "Kerncijfers over de rondes" in html
    first = Report(study, round="2010-1", region="den_haag")
    assert "changes" not in first.key_figures
    assert "Rondes vergeleken" not in chapters.personal(first).html


def test_conclusions_differ_between_regions_whose_figures_differ(study):
    for rnd in study.config.rounds:
        reports = {g: Report(study, round=rnd.id, region=g) for g in rnd.regions}
        text = {g: chapters._conclusion_sentences(r) for g, r in reports.items()}
        for a, b in itertools.combinations(reports, 2):
            fa = reports[a].key_figures["region"]["personal"]
            fb = reports[b].key_figures["region"]["personal"]
            keys = ("rating_mean", "informal_share")
            if any(fa[k]["value"] != fb[k]["value"] for k in keys):
                # no sentence shared: every conclusion carries its own figures
                assert not set(text[a]) & set(text[b]), (rnd.id, a, b)


def test_no_conclusion_holds_regardless_of_the_data():
    half = informal_band("nl", 0.49)
    low = informal_band("nl", 0.20)
    high = informal_band("nl", 0.60)
    assert len({half, low, high}) == 3
    assert "aandacht" in low and "aandacht" not in half and "aandacht" not in high
    assert rating_band("nl", 8.2) != rating_band("nl", 5.5)
    assert "kritisch" in rating_band("nl", 5.5)


@pytest.mark.parametrize(("alpha", "word"), [(0.85, "goed"), (0.75, "acceptabel"),
                                             (0.65, "twijfelachtig"), (0.4, "onvoldoende"),
                                             (-0.74, None)])
def test_reliability_bands(alpha, word):
    assert reliability_word("nl", alpha) == word
    assert scale_usable(alpha) is (alpha >= 0.6)


def test_an_author_replaces_or_extends_the_summary(study):
    folder = Path(study.path) / "texts" / "2010-1" / "den_haag"
    folder.mkdir(parents=True, exist_ok=True)
    text = folder / "samenvatting.md"
    text.write_text("Den Haag in het kort: een {{ region.personal.rating_mean }}.\n\n"
                    "{{ findings }}\n", encoding="utf-8")
    try:
        report = Report(study, round="2010-1", region="den_haag")
        html = chapters.summary(report).html
        mean = report.key_figures["region"]["personal"]["rating_mean"]["value"]
        assert f"een {str(round(mean, 1)).replace('.', ',')}." in html
        found = findings(report)
        assert html.count("<li>") == len(found)
        assert all(f'href="#{f.anchor}"' in html for f in found)
    finally:
        text.unlink()
