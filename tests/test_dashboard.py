"""``index.html`` as the study's dashboard: key figures per region and round, over the rounds,
the reports and the open data; self-contained and accessible (axe-core in headless Chromium)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from helpers_browser import check_page, describe, missing_tool
from mss_eval.render.index import write_index
from mss_eval.render.plan import plan_reports
from mss_eval.study import load_config

STUDY = {
    "name": "Dashboardstudie",
    "synthetic": True,
    "rounds": [
        {"id": "r1", "label": "Ronde 1", "regions": ["noord", "zuid"],
         "period": {"start": "2010-02-01", "end": "2010-07-31"}},
        {"id": "r2", "label": "Ronde 2", "regions": ["noord", "zuid", "west"]},
    ],
    "regions": [{"id": "noord", "name": "Noord"}, {"id": "zuid", "name": "Zuid"},
                {"id": "west", "name": "West"}],
}


def _rec(value, n, unit="rating", ci=None, suppressed=False, figure="personal.rating_mean"):
    record = {"value": None if suppressed else value, "n": n, "suppressed": suppressed,
              "definition": figure, "unit": unit}
    if ci is not None:
        record["ci_low"], record["ci_high"] = (None, None) if suppressed else ci
    return record


def _levels(rating, n, share, suppressed=False):
    return {"personal": {
        "rating_mean": _rec(rating, n, ci=None if suppressed else (rating - 0.5, rating + 0.5),
                            suppressed=suppressed),
        "informal_share": _rec(share, n, unit="share", figure="personal.informal_share",
                               suppressed=suppressed)},
        "collection": {"client_interview": _rec(n, n, unit="count",
                                                figure="collection.client_interview")}}


@pytest.fixture
def out(tmp_path) -> tuple[Path, object]:
    """An output folder with the two round reports' figures.json (West too small in r2)."""
    study = tmp_path / "study"
    study.mkdir()
    (study / "study.yaml").write_text(yaml.safe_dump(STUDY), encoding="utf-8")
    out = tmp_path / "reports"
    figures = {
        "r1": {"round": _levels(7.5, 20, 0.4), "regions": {"noord": _levels(7.2, 12, 0.3),
                                                          "zuid": _levels(8.0, 8, 0.55)}},
        "r2": {"round": _levels(7.9, 30, 0.45), "regions": {
            "noord": _levels(7.6, 14, 0.35), "zuid": _levels(8.3, 13, 0.5),
            "west": _levels(None, 3, None, suppressed=True)}},
    }
    meanings = {"personal.rating_mean": {"text": "Gemiddeld rapportcijfer", "unit": "rating"},
                "personal.informal_share": {"text": "Informeel aandeel", "unit": "share"}}
    for rnd, data in figures.items():
        data["definitions"] = meanings  # client_interview has none: named by its id
        (out / rnd).mkdir(parents=True)
        (out / rnd / "figures.json").write_text(json.dumps(data), encoding="utf-8")
    config = load_config(study)
    jobs = plan_reports(config, study, out, formats=["html"])
    index = write_index(out, config, jobs, [], language="nl")
    return index, config


def _panel(page: str, figure: str, round_label: str) -> str:
    section = page.split(f">{round_label}</h3>", 1)[1].split("</section>", 1)[0]
    return section.split(f'data-figure="{figure}"', 1)[1].split("</figure>", 1)[0]


def test_the_dashboard_is_one_file_without_anything_from_outside(out):
    page = out[0].read_text(encoding="utf-8")
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', page)
    assert "<link" not in page and "@import" not in page and "<script src" not in page


def test_each_round_shows_each_region_with_its_value_and_interval(out):
    page = out[0].read_text(encoding="utf-8")
    panel = _panel(page, "personal.rating_mean", "Ronde 1")
    assert ">Noord</text>" in panel and ">Zuid</text>" in panel and "Alle regio" in panel
    assert ">7,2</text>" in panel and ">8,0</text>" in panel and ">7,5</text>" in panel
    assert "<td>6,7–7,7</td>" in panel  # Noord's interval in the table
    assert panel.count("<circle") == 2 and panel.count('class="ci"') == 3


def test_a_suppressed_region_is_an_x_without_a_dot(out):
    panel = _panel(out[0].read_text(encoding="utf-8"), "personal.rating_mean", "Ronde 2")
    west = panel.split('class="rg rg-west"', 1)[1].split("</g>", 1)[0]
    assert ">x</text>" in west and "<circle" not in west
    assert panel.count("<circle") == 2


def test_shares_are_percentages_and_the_region_names_are_in_the_description(out):
    panel = _panel(out[0].read_text(encoding="utf-8"), "personal.informal_share", "Ronde 2")
    assert ">35%</text>" in panel
    assert re.search(r"<desc [^>]*>[^<]*Noord 35%; Zuid 50%; West x; Alle regio&#x27;s samen 45%",
                     panel)


def test_every_figure_has_its_series_over_the_rounds_and_one_is_shown(out):
    page = out[0].read_text(encoding="utf-8")
    series = re.findall(r'<div class="series" data-series="([^"]+)"( hidden)?>', page)
    assert {s for s, _ in series} == {"personal.rating_mean", "personal.informal_share",
                                      "collection.client_interview"}
    assert [s for s, hidden in series if not hidden] == ["personal.rating_mean"]
    rating = page.split('data-series="personal.rating_mean"', 1)[1].split("</table>", 1)[0]
    total = rating.split('<tr class="total">', 1)[1].split("</tr>", 1)[0]
    assert "7,5" in total and "7,9" in total
    west = rating.split('<tr class="rg rg-west">', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)", west) == ["", "x"]  # not in round 1; suppressed in 2


def test_the_selectors_name_the_figures_and_regions(out):
    page = out[0].read_text(encoding="utf-8")
    assert '<label for="figure-select">' in page and '<label for="region-select">' in page
    assert '<option value="personal.rating_mean" selected>' in page
    for region in ("noord", "zuid", "west"):
        assert f'<option value="{region}">' in page
        assert f'main[data-highlight="{region}"] .rg-{region} .mark' in page


def test_reports_and_the_open_data_package_are_linked(out, tmp_path):
    index, config = out
    page = index.read_text(encoding="utf-8")
    assert 'id="reports"' in page and "nog niet gemaakt" in page
    assert "mss-eval export" in page  # no package yet: how to make one
    package = index.parent / "open_data"
    package.mkdir()
    (package / "datapackage.json").write_text(json.dumps({"resources": [
        {"path": "key_figures.csv", "description_nl": "De kerncijfers"}]}), encoding="utf-8")
    study = tmp_path / "study"
    write_index(index.parent, config, plan_reports(config, study, index.parent), [],
                language="nl")
    page = index.read_text(encoding="utf-8")
    assert 'href="open_data/datapackage.json"' in page
    assert 'href="open_data/key_figures.csv"' in page


# -- in the browser -----------------------------------------------------------------------------
@pytest.fixture
def browser():
    reason = missing_tool()
    if reason:
        pytest.skip(reason)


@pytest.mark.slow
def test_axe_finds_no_violation_and_the_keyboard_reaches_the_selectors(out, browser, tmp_path):
    shot = tmp_path / "dashboard.png"
    page = check_page(out[0], screenshot=shot, tabs=8)
    assert page.violations == [], describe(page.violations)
    assert page.external_requests == []
    assert shot.stat().st_size > 10_000
    focused = [f["id"] for f in page.focus if f]
    assert "figure-select" in focused and "region-select" in focused
    assert page.focus[0]["text"] == "Naar de inhoud"  # the skip link comes first


@pytest.mark.slow
def test_choosing_a_figure_and_a_region_shows_and_marks_them(out, browser):
    page = check_page(out[0], select={"figure-select": "personal.informal_share",
                                      "region-select": "zuid"},
                      evaluate="[[...document.querySelectorAll('[data-series]')]"
                               ".filter(e => !e.hidden).map(e => e.dataset.series),"
                               " document.getElementById('main').dataset.highlight,"
                               " document.getElementById('live').textContent]")
    shown, highlight, announced = page.evaluated
    assert shown == ["personal.informal_share"]
    assert highlight == "zuid"
    assert "Zuid" in announced
    assert page.violations == [], describe(page.violations)


def test_a_round_of_many_regions_shows_its_five_highest_and_lowest():
    from mss_eval.render.dashboard import RoundFigures, panel

    regions = {f"g{i:02d}": f"Regio {i:02d}" for i in range(30)}
    figures = {"round": {"personal": {"rating_mean": _rec(6.5, 300)}},
               "regions": {g: {"personal": {"rating_mean": _rec(5.0 + i / 10, 10)}}
                           for i, g in enumerate(regions)}}
    figures["regions"]["g29"]["personal"]["rating_mean"] = _rec(None, 2, suppressed=True)
    from html import unescape

    html = unescape(panel("personal.rating_mean", {"text": "Rapportcijfer", "unit": "rating"},
                          RoundFigures("r", "Ronde", figures), regions, "nl", "x"))
    shown = re.findall(r'class="label">([^<]+)</text>', html)
    # 28 is the highest shown (29 is suppressed), 00 the lowest
    assert shown == [f"Regio {i:02d}" for i in (28, 27, 26, 25, 24, 4, 3, 2, 1, 0)] + \
        ["Alle regio's samen"]
    assert "de 5 hoogste en 5 laagste van 30 regio's" in html
