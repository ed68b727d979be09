"""The chapters of a report built in one process on the example study (no notebook, no kernel)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import mss_eval
from mss_eval.report import chapters
from mss_eval.report.notebook import Report, quiet_known_warnings
from mss_eval.report.style import SUPPRESSED_MARKER
from mss_eval.report.text import PlaceholderError
from mss_eval.study import Settings

EXAMPLE = Path(__file__).resolve().parent.parent / "data_templates" / "example_study"
CHAPTERS = (chapters.introduction, chapters.mss_profile, chapters.administrative,
            chapters.executive, chapters.personal, chapters.conclusions, chapters.appendix)


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory) -> Path:
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    target = tmp_path_factory.mktemp("chapters") / "example_study"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".mss-secret", "reports"))
    return target


@pytest.fixture(scope="module")
def study(study_dir):
    quiet_known_warnings()
    return mss_eval.load_study(study_dir, on_error="skip")


def whole(report: Report) -> str:
    return "\n".join([report.title_page().html] + [f(report).html for f in CHAPTERS])


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", "", html))


def test_a_region_report_has_every_chapter_numbered_with_numbered_tables(study):
    html = whole(Report(study, round="2010-1", region="den_haag"))
    headings = re.findall(r'<h2 class="chapter" id="[^"]+">([^<]+)</h2>', html)
    assert headings == ["1 Inleiding en verantwoording", "2 Het maatschappelijk steunsysteem",
                        "3 Bestuurlijk niveau", "4 Uitvoerend niveau", "5 Persoonlijk niveau",
                        "6 Conclusies", "Bijlage A: methode en herkomst"]
    assert "Tabel 1.1</span>" in html and "Tabel 5.1</span>" in html
    assert "Figuur 5.1</span>" in html and 'alt="' in html
    assert 'class="dataframe"' not in html
    # Den Haag: 14 clients, a mean of 8,0 written the Dutch way, in a sentence of its own making
    assert "In Den Haag gaven 14 cliënten het MSS gemiddeld een 8,0" in html


def test_no_pseudonym_or_free_text_reaches_a_report(study):
    html = "\n".join(whole(Report(study, **scope)) for scope in
                     ({"round": "2010-1", "region": "den_haag"}, {"round": "2010-1"}))
    clients = study["client_interview"]
    partners = study["partner_survey"]
    secrets = set(clients["respondent_id"].dropna()) | set(partners["respondent_id"].dropna())
    secrets |= {t for c in ("open_support", "open_improvement") for t in clients[c].dropna()
                if len(t) > 12}
    secrets |= {t for c in ("open_strengths", "open_bottlenecks") for t in partners[c].dropna()
                if len(t) > 12}
    leaked = [s for s in secrets if s in html]
    assert leaked == []


def test_a_round_report_puts_regions_side_by_side_with_a_total(study):
    html = whole(Report(study, round="2010-1"))
    header = re.search(r"Tabel 1\.1</span>.*?<thead><tr>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r">([^<]+)</th>", header) == ["Methode", "Den Haag", "Eindhoven",
                                                     "Dordrecht", "Totaal"]
    assert "Figuur 5.1</span>" in html  # the rating per region as a dot plot


def test_a_region_below_the_minimum_shows_the_marker_and_no_number_in_text(study):
    strict = study.config.model_copy(update={"settings": Settings(min_respondents=7)})
    small = type(study)(path=study.path, config=strict, tables=study.tables, files=study.files,
                        problems=study.problems, skipped=study.skipped)
    report = Report(small, round="2010-2", region="de_bilt")  # six clients interviewed
    html = chapters.personal(report).html
    text = _text(html)
    # every client figure would be suppressed: one sentence instead of tables of x (issue 18)
    assert ("De Bilt leverde de cliëntinterviews aan met 6 respondenten, minder dan de 7 die "
            "een cijfer nodig heeft") in text
    assert "Rapportcijfer" not in text and "Oordeel over het MSS" not in text
    assert "gemiddeld een 7" not in text and "gaven 6 cliënten" not in text
    # a comparative report keeps the region's row, shown as suppressed
    round_html = chapters.personal(Report(small, round="2010-2")).html
    assert f'<td class="num suppressed">{SUPPRESSED_MARKER}</td>' in round_html
    assert "minder dan 7 respondenten" in round_html


def test_an_english_report_writes_english_words_and_decimal_points(study):
    html = chapters.personal(Report(study, round="2010-1", region="den_haag",
                                    language="en")).html
    assert '<h2 class="chapter" id="h-5">5 Personal level</h2>' in html
    assert "In Den Haag, 14 clients gave the MSS an average rating of 8.0" in html
    assert "Table 5.1</span>" in html


def test_author_text_replaces_generated_text_with_figures_filled_in(study_dir, study):
    folder = study_dir / "texts" / "2010-1" / "dordrecht"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "persoonlijk.md").write_text(
        "## Wat cliënten zeggen\n\nCliënten in Dordrecht geven het MSS een "
        "{{ region.personal.rating_mean }}, in de hele ronde is dat "
        "{{ round.personal.rating_mean }}.\n", encoding="utf-8")
    try:
        html = chapters.personal(Report(study, round="2010-1", region="dordrecht")).html
    finally:
        shutil.rmtree(study_dir / "texts")
    assert "<h4>Wat cliënten zeggen</h4>" in html
    assert "Cliënten in Dordrecht geven het MSS een 7,7, in de hele ronde is dat 7,9." in html
    assert "Dit hoofdstuk gaat over wat cliënten" not in html  # the generated lead is replaced


def test_an_unknown_figure_in_an_author_text_stops_the_report_naming_file_and_line(study_dir,
                                                                                 study):
    folder = study_dir / "texts" / "2010-1"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "conclusions.md").write_text("Eerst tekst.\n\nHet cijfer {{ round.rating }}.\n")
    try:
        with pytest.raises(PlaceholderError) as info:
            chapters.conclusions(Report(study, round="2010-1"))
    finally:
        shutil.rmtree(study_dir / "texts")
    assert str(info.value).startswith("texts/2010-1/conclusions.md, regel 3: onbekend cijfer")


def test_key_figures_are_the_same_every_time(study):
    from mss_eval.render.export import figures_json

    a = Report(study, round="2010-1", region="eindhoven").key_figures
    b = Report(study, round="2010-1", region="eindhoven").key_figures
    assert figures_json(a) == figures_json(b)
    assert a["meta"]["region"] == "eindhoven"
