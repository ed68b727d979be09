"""Round and final reports with many regions: totals and extremes in the chapters, every region
in appendix B, and no pairwise tests above the documented number of regions."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mss_eval
from mss_eval.analysis.comparisons import PAIRWISE_MAX_REGIONS, compare_regions
from mss_eval.report import chapters
from mss_eval.report.notebook import Report, quiet_known_warnings

EXAMPLE = Path(__file__).resolve().parent.parent / "data_templates" / "example_study"
CHAPTERS = (chapters.introduction, chapters.mss_profile, chapters.administrative,
            chapters.executive, chapters.personal, chapters.conclusions, chapters.appendix)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    target = tmp_path_factory.mktemp("many") / "example_study"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".mss-secret", "reports",
                                                                   ".mss-cache"))
    quiet_known_warnings()
    return mss_eval.load_study(target, on_error="skip")


def _round_with_regions(study) -> tuple[str, int]:
    rnd = study.config.rounds[0]
    return rnd.id, len(rnd.regions)


def _whole(report: Report) -> str:
    return "\n".join(f(report).html for f in CHAPTERS)


def _captions(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<caption>(.*?)</caption>", html,
                                                            flags=re.S)]


def test_the_layout_switches_just_above_the_documented_number_of_regions(study, monkeypatch):
    rnd, regions = _round_with_regions(study)
    monkeypatch.setattr(chapters, "MANY_REGIONS", regions)
    assert not chapters.many_regions(Report(study, round=rnd))
    monkeypatch.setattr(chapters, "MANY_REGIONS", regions - 1)
    assert chapters.many_regions(Report(study, round=rnd))
    # a region report is never laid out for many regions
    assert not chapters.many_regions(Report(study, round=rnd,
                                            region=study.config.rounds[0].regions[0]))


def test_with_many_regions_every_region_moves_to_appendix_b_with_the_same_numbers(study,
                                                                                  monkeypatch):
    rnd, regions = _round_with_regions(study)
    few = _whole(Report(study, round=rnd))
    monkeypatch.setattr(chapters, "MANY_REGIONS", regions - 1)
    report = Report(study, round=rnd)
    many = _whole(report)
    assert report.appendix_tables == []  # handed to appendix B and cleared
    assert "Bijlage B: cijfers per regio" in many and "Bijlage B" not in few
    captions = _captions(many)
    b_tables = [c for c in captions if c.startswith("Tabel B.")]
    assert any("Rapportcijfer voor het MSS" in c for c in b_tables)
    # every region's rating row of the small layout is in appendix B, numbers unchanged
    rating = re.search(r"Rapportcijfer voor het MSS \(1–10\)</caption>(.*?)</table>", few, re.S)
    appendix = many[many.index("Bijlage B"):]
    rating_b = re.search(r"Rapportcijfer voor het MSS \(1–10\)</caption>(.*?)</table>",
                         appendix, re.S)
    for name in (study.config.region(g).name for g in study.config.round(rnd).regions):
        row_few = re.search(rf"<th[^>]*>{re.escape(name)}</th>(.*?)</tr>", rating.group(1), re.S)
        row_many = re.search(rf"<th[^>]*>{re.escape(name)}</th>(.*?)</tr>", rating_b.group(1),
                             re.S)
        assert row_few and row_many and row_few.group(1) == row_many.group(1)
    # the chapter's table keeps the total only and points to the appendix
    chapter_rating = re.search(r"Rapportcijfer voor het MSS \(1–10\)</caption>(.*?)</table>",
                               many[:many.index("Bijlage B")], re.S).group(1)
    first = study.config.region(study.config.round(rnd).regions[0]).name
    assert first not in chapter_rating and "Totaal" in chapter_rating
    assert "bijlage B" in many[:many.index("Bijlage B")]
    # side-by-side tables show the total with the lowest and highest region
    assert "Laagste regio" in many and "Hoogste regio" in many
    # no network panel per region
    assert "Een lijn is een samenwerkingsrelatie" in few
    assert "Een lijn is een samenwerkingsrelatie" not in many


def test_the_lowest_and_highest_region_leave_out_suppressed_regions(study, monkeypatch):
    rnd, regions = _round_with_regions(study)
    monkeypatch.setattr(chapters, "MANY_REGIONS", regions - 1)
    report = Report(study, round=rnd)
    frame = pd.DataFrame({"label": ["a", "a", "a", "a"],
                          "col": [f"{rnd}|x", f"{rnd}|y", f"{rnd}|z", f"{rnd}|_total"],
                          "share": [0.1, 0.9, 0.5, 0.4],
                          "suppressed": [False, True, False, False]})
    order = [f"{rnd}|x", f"{rnd}|y", f"{rnd}|z", f"{rnd}|_total"]
    out, keys, labels = chapters._extremes_frame(report, frame, ("col", "share"), "label", order)
    values = dict(zip(out["col"], out["share"]))
    assert values[f"{rnd}|_lowest"] == 0.1 and values[f"{rnd}|_highest"] == 0.5
    assert keys[0] == f"{rnd}|_total" and labels[f"{rnd}|_highest"] == "Hoogste regio"


def test_dot_plots_show_the_extremes_around_each_total(study, monkeypatch):
    rnd, regions = _round_with_regions(study)
    monkeypatch.setattr(chapters, "MANY_REGIONS", 1)
    monkeypatch.setattr(chapters, "EXTREME_REGIONS", 1)
    report = Report(study, round=rnd)
    keys = [f"{rnd}|a", f"{rnd}|b", f"{rnd}|c", f"{rnd}|_total"]
    frame = pd.DataFrame({"col": keys, "mean": [6.0, 8.0, 7.0, 7.0],
                          "suppressed": [False, False, True, False]})
    monkeypatch.setattr(chapters, "group_order", lambda r: keys)
    assert chapters._dot_order(report, frame, keys) == [f"{rnd}|b", f"{rnd}|_total", f"{rnd}|a"]


def _regions_frame(k: int, per: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"round": "r1", "region": np.repeat([f"g{i:02d}" for i in range(k)], per),
                         "y": rng.integers(1, 11, k * per).astype(float)})


def test_pairwise_tests_stop_above_the_documented_number_of_regions():
    at = compare_regions(_regions_frame(PAIRWISE_MAX_REGIONS), "y", min_n=5)
    pairs = PAIRWISE_MAX_REGIONS * (PAIRWISE_MAX_REGIONS - 1) // 2
    assert (at["test"] == "pairwise_t").sum() == pairs
    assert not at["pairwise_omitted"].any()
    above = compare_regions(_regions_frame(PAIRWISE_MAX_REGIONS + 1), "y", min_n=5)
    assert set(above["test"]) == {"kruskal", "anova"}
    assert above["pairwise_omitted"].all()
    # the omnibus test is the same with or without the pairwise tests
    forced = compare_regions(_regions_frame(PAIRWISE_MAX_REGIONS + 1), "y", min_n=5,
                             max_pairwise=None)
    assert (forced["test"] == "pairwise_mwu").sum() == 78
    pd.testing.assert_series_equal(forced.loc[forced["test"] == "kruskal", "p_value"],
                                   above.loc[above["test"] == "kruskal", "p_value"])


def test_the_method_says_pairwise_tests_are_left_out_only_above_the_limit(study, monkeypatch):
    import mss_eval.analysis.comparisons as comparisons

    rnd, regions = _round_with_regions(study)
    text = " ".join(chapters._method_sentences(Report(study, round=rnd)))
    assert "paarsgewijze vergelijkingen van zo veel regio's" not in text
    monkeypatch.setattr(comparisons, "PAIRWISE_MAX_REGIONS", regions - 1)
    text = " ".join(chapters._method_sentences(Report(study, round=rnd)))
    assert "paarsgewijze vergelijkingen van zo veel regio's" in text
    region = Report(study, round=rnd, region=study.config.round(rnd).regions[0])
    assert "zo veel regio's" not in " ".join(chapters._method_sentences(region))


def test_a_region_reports_themes_per_level_are_those_of_theme_table(study):
    from mss_eval.qualitative.tables import theme_table

    rnd = study.config.rounds[0]
    report = Report(study, round=rnd.id, region=rnd.regions[0])
    found = 0
    for level in ("administrative", "executive", "personal", "conclusions"):
        once = chapters._themes_of_level(report, level)
        alone = theme_table(study, rnd.id, region=rnd.regions[0], level=level,
                            language=report.language)
        pd.testing.assert_frame_equal(once, alone)
        found += len(once)
    assert found > 0


def test_with_many_regions_the_input_files_are_listed_per_instrument_with_one_fingerprint(
        study, monkeypatch):
    import hashlib

    rnd, regions = _round_with_regions(study)
    few = chapters.appendix(Report(study, round=rnd)).html
    monkeypatch.setattr(chapters, "MANY_REGIONS", regions - 1)
    many = chapters.appendix(Report(study, round=rnd)).html
    files = study.files[study.files["round"] == rnd]
    # one row per file in the small layout, one per instrument in the large one
    assert all(f in few for f in files["file"])
    assert not any(f in many for f in files["file"])
    for instrument, group in files.groupby("instrument"):
        # the combined fingerprint is what sha256sum's lines, sorted by file, hash to
        import subprocess

        names = sorted(group["file"])
        listing = subprocess.run(["sha256sum", *names], cwd=study.path, capture_output=True,
                                 check=True).stdout
        digest = hashlib.sha256(listing).hexdigest()[:16]
        row = re.search(rf"<th[^>]*>{re.escape(rnd)}</th>\s*<td[^>]*>{re.escape(instrument)}"
                        rf"</td>(.*?)</tr>", many, re.S) or re.search(
            rf"{re.escape(instrument)}</t[dh]>(.*?)</tr>", many, re.S)
        assert row is not None, instrument
        assert digest in row.group(1)
        assert f">{len(group)}<" in row.group(1)


def test_a_final_report_with_many_regions_points_to_the_interim_reports_appendix_b(
        study, monkeypatch):
    rnd, regions = _round_with_regions(study)
    few_final = _whole(Report(study))
    monkeypatch.setattr(chapters, "MANY_REGIONS", regions - 1)
    round_report = _whole(Report(study, round=rnd))
    final = _whole(Report(study))
    # the interim report carries every region's tables ...
    assert "Bijlage B: cijfers per regio" in round_report
    assert any(c.startswith("Tabel B.") for c in _captions(round_report))
    # ... the final report does not repeat them, and says where they are
    assert "Bijlage B: cijfers per regio" not in final
    assert not any(c.startswith("Tabel B.") for c in _captions(final))
    assert "bijlage B van de tussenrapportage" in final
    assert "in tabel B." not in final
    # with few regions the final report shows every region in its chapters
    names = [study.config.region(g).name for g in study.config.round(rnd).regions]
    assert all(name in few_final for name in names)


def test_a_region_report_in_a_large_round_counts_the_other_regions_instead_of_naming_them(
        study, monkeypatch):
    rnd = study.config.rounds[0]
    region = rnd.regions[0]
    others = [study.config.region(g).name for g in rnd.regions[1:]]
    few = chapters.executive(Report(study, round=rnd.id, region=region)).html
    assert any(name in few for name in others)
    monkeypatch.setattr(chapters, "MANY_REGIONS", len(rnd.regions) - 2)
    many = chapters.executive(Report(study, round=rnd.id, region=region)).html
    many = html.unescape(many)
    assert f"van de {len(rnd.regions) - 1} andere regio's" in many
    table = re.search(r"Thema's uit de interviews</caption>(.*?)</table>", many, re.S).group(1)
    assert not any(name in table for name in others)


def test_a_title_page_names_a_national_rounds_regions_by_number_and_the_first_few(
        study, monkeypatch):
    from mss_eval.report import notebook

    rnd = study.config.rounds[0]
    names = [study.config.region(g).name for g in rnd.regions]
    subtitle = re.compile(r'<p class="report-subtitle">(.*?)</p>')
    few = html.unescape(subtitle.search(Report(study, round=rnd.id).title_page().html).group(1))
    assert few == ", ".join(names)
    monkeypatch.setattr(notebook, "TITLE_PAGE_REGIONS", 2)
    many = html.unescape(subtitle.search(Report(study, round=rnd.id).title_page().html).group(1))
    assert many == (f"{len(names)} regio's: {names[0]}, {names[1]} en {len(names) - 2} andere")
    final = html.unescape(Report(study, language="en").title_page().html)
    assert f"{len(study.config.regions)} regions: " in final
    assert f"and {len(study.config.regions) - 2} more" in final


def test_a_title_page_names_the_first_regions_left_out_and_counts_the_rest(study, monkeypatch):
    from mss_eval.report import notebook

    rounds = study.config.rounds
    left_out = [(r.id, g) for r in rounds for g in r.regions[1:]]
    broken = type(study)(path=study.path, config=study.config, tables=study.tables,
                         files=study.files, problems=study.problems, skipped=left_out)
    monkeypatch.setattr(notebook, "TITLE_PAGE_REGIONS", 2)
    page = html.unescape(Report(broken).title_page().html)
    notice = re.search(r"Niet opgenomen wegens fouten in de gegevens: (.*?)\.</p>", page).group(1)
    first = [f"{study.config.region(g).name} ({r})" for r, g in left_out[:2]]
    assert notice == f"{first[0]}, {first[1]} en {len(left_out) - 2} andere"
