"""``check_report`` / ``mss-eval check-report``: clean reports pass, every planted leak is found.

The reports here are written by the tests themselves (HTML, DOCX, PDF made by WeasyPrint,
figures.json, executed notebooks) around a small study whose ids, pseudonyms, open answers and
excerpts are known. A finding must name the file and the place, and must never repeat the value
that leaked.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import mss_eval
from helpers_input import clients, data_dir, make_study, tree_hashes, write_csv
from mss_eval.cli import main
from mss_eval.privacy import Screen, check_report
from mss_eval.pseudonym import pseudonymise

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"

# WeasyPrint 70 announces a future system-library requirement on every PDF it writes
pytestmark = pytest.mark.filterwarnings(
    "ignore:HarfBuzz-Subset will be required:DeprecationWarning")

OPEN_ANSWERS = [
    "Mijn buurvrouw helpt me elke week met de boodschappen.",
    "Sinds ik naar de inloop ga heb ik weer ritme in mijn dag.",
    "De ervaringsdeskundige begrijpt wat ik doormaak.",
    "Ik zou graag vaker met iemand willen wandelen in het park.",
    "Hulp bij het openen van mijn post en rekeningen.",
    "Kort.",  # too short to search: a two-word answer occurs in any text
]
APPROVED = "De wijkteams weten elkaar nu veel sneller te vinden dan een paar jaar geleden."
UNAPPROVED = ("Sinds de werktafel bestaat krijg ik eindelijk antwoord op mijn vragen over geld "
              "en over mijn woning.")
BSN = "111222333"          # passes the eleven-test
EMAIL = "a.deauteur@onderzoeksbureau.nl"
NUMERIC_ID = "104233"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


# -- the study -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def study_dir(tmp_path_factory) -> Path:
    root = make_study(tmp_path_factory.mktemp("check") / "studie")
    rows = clients(6)
    for row, answer in zip(rows, OPEN_ANSWERS):
        row["open_support"] = answer
    write_csv(data_dir(root) / "client_interview.csv", rows)
    numeric = clients(5)
    for row, rid in zip(numeric, ["12", "13", NUMERIC_ID, "14", "15"]):
        row["respondent_id"] = rid
    write_csv(data_dir(root, "dordrecht") / "client_interview.csv", numeric)
    segment = {"source_id": "DH-A01", "source_kind": "1", "coder": "c1"}
    write_csv(data_dir(root) / "coded_segments.csv", [
        {"segment_id": "S1", "code": "executive/shorter_lines", "excerpt": APPROVED, **segment},
        {"segment_id": "S2", "code": "personal/low_threshold", "excerpt": UNAPPROVED, **segment},
    ])
    (root / "texts").mkdir()
    (root / "texts" / "approved_quotes.yaml").write_text(
        "approved_by: A. de Auteur\nquotes:\n  - segment: S1\n", encoding="utf-8")
    mss_eval.load_study(root)  # makes the study's secret, as a first render would
    return root


@pytest.fixture(scope="module")
def loaded(study_dir):
    return mss_eval.load_study(study_dir)


@pytest.fixture(scope="module")
def screen(study_dir) -> Screen:
    return Screen.from_study(study_dir)


@pytest.fixture(scope="module")
def pseudonym(study_dir) -> str:
    key = bytes.fromhex((study_dir / ".mss-secret").read_text().strip())
    return pseudonymise("DH-002", "den_haag", key)


# -- writing reports -------------------------------------------------------------------------
CLEAN_BODY = f"""
<header><h1>Rapportage Den Haag</h1>
<p class="authors">A. de Auteur en B. Onderzoeker (Onderzoeksbureau), 23 november 2025</p></header>
<h2>1 Inleiding</h2>
<p>In ronde 2010-1 zijn 12 cliënten geïnterviewd; 95% was ooit in behandeling bij de ggz.
Het steunsysteem werkt sinds 1-2-2004 met vijf werktafels in postcodegebied 2514.</p>
<table class="table"><caption>Tabel 1.1 Rapportcijfer per regio</caption>
<thead><tr><th>Regio</th><th>n</th><th>Gemiddeld</th></tr></thead>
<tbody><tr><td>Den Haag</td><td>12</td><td>8,0</td></tr>
<tr><td>Dordrecht</td><td>13</td><td>7,7</td></tr></tbody></table>
<figure><img src="data:image/png;base64,iVBORw0KGgo111222333AAAA" alt="Figuur 2.1: rapportcijfer
per regio"><figcaption>Figuur 2.1 Bron: cliëntinterviews (n = 25).</figcaption></figure>
<blockquote>"{APPROVED}" (Den Haag, algemeen interview)</blockquote>
<h2>Bijlage: herkomst</h2>
<p>client_interview.csv, sha256 {SHA}, 6 rijen; gemaakt met mss-eval 0.1.0.</p>
"""


def html_page(body: str, *, narrow: bool = False) -> str:
    style = ("<style>@page { size: 9cm 20cm; margin: 1cm } body { hyphens: auto; "
             "font-size: 11pt }</style>" if narrow else "<style>p { color: #333 }</style>")
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Rapport</title>'
            f"{style}</head><body>{body}</body></html>")


def write_html(path: Path, body: str) -> Path:
    path.write_text(html_page(body), encoding="utf-8")
    return path


def write_pdf(path: Path, body: str, *, narrow: bool = False) -> Path:
    from weasyprint import HTML

    HTML(string=html_page(body, narrow=narrow)).write_pdf(path)
    return path


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None,
               author: str = "A. de Auteur") -> Path:
    import docx

    document = docx.Document()
    document.core_properties.author = author
    document.add_heading("Rapportage Den Haag", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(path)
    return path


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def frame_output(frame: pd.DataFrame):
    """An execute_result as Jupyter shows a DataFrame: HTML and the plain-text repr."""
    return new_output("execute_result", data={"text/html": frame.to_html(),
                                              "text/plain": repr(frame)}, execution_count=1)


def write_notebook(path: Path, outputs: list) -> Path:
    nb = new_notebook(cells=[
        new_markdown_cell("# Regiorapport"),
        new_code_cell('study = "studie"\nround = "2010-1"\nregion = "den_haag"'),
        new_code_cell("chapters.key_figures(report)", outputs=outputs, execution_count=1),
    ])
    nbformat.write(nb, str(path))
    return path


def aggregated_frame() -> pd.DataFrame:
    regions = ["den_haag", "dordrecht", "eindhoven", "alkmaar"] * 4
    return pd.DataFrame({"round": ["2010-1"] * 16, "region": regions,
                         "variable": ["mss_rating"] * 16, "n": range(10, 26),
                         "mean": [7.5 + i / 10 for i in range(16)]})


CLEAN_FIGURES = {
    "meta": {"study": "Teststudie", "round": "2010-1", "region": "den_haag",
             "rendered": "2025-11-23T10:00:00", "input_sha256": SHA},
    "key_figures": [{"key": "client_rating", "text": "Gemiddeld rapportcijfer", "n": 12,
                     "value": 8.0, "suppressed": False},
                    {"key": "clients_interviewed", "n": 104, "value": 104}],
}


@pytest.fixture(scope="module")
def clean_reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clean") / "reports" / "2010-1" / "den_haag"
    folder.mkdir(parents=True)
    write_html(folder / "rapport.html", CLEAN_BODY)
    write_pdf(folder / "rapport.pdf", CLEAN_BODY)
    write_docx(folder / "rapport.docx", [
        "In ronde 2010-1 zijn 12 cliënten geïnterviewd (23 november 2025).",
        f'"{APPROVED}" (Den Haag, algemeen interview)'],
        table=[["Regio", "n", "Gemiddeld"], ["Den Haag", "12", "8,0"]])
    write_json(folder / "figures.json", CLEAN_FIGURES)
    agg = aggregated_frame()
    write_notebook(folder / "rapport.ipynb", [
        frame_output(agg),
        new_output("display_data", data={"application/json": CLEAN_FIGURES,
                                         "text/plain": "<figures>"}),
        new_output("stream", name="stdout", text="12 cliënten, 13 partners\n"),
    ])
    return folder.parent.parent


# -- clean reports ---------------------------------------------------------------------------
def test_clean_reports_of_every_format_have_no_findings(clean_reports, screen):
    assert check_report(clean_reports, screen=screen) == []


def test_clean_reports_have_no_findings_without_a_study_either(clean_reports):
    assert check_report(clean_reports) == []


def test_the_cli_exits_0_on_clean_reports_and_says_so(clean_reports, study_dir, capsys):
    assert main(["check-report", str(clean_reports), "--study", str(study_dir)]) == 0
    out = capsys.readouterr().out
    assert "Geen lekken gevonden in 5 bestand(en)." in out


# -- planted leaks ---------------------------------------------------------------------------
def _only(findings, kind):
    hits = [f for f in findings if f.kind == kind]
    assert hits, f"no {kind} among {[f.describe() for f in findings]}"
    return hits


def _never_shows(findings, *secrets):
    text = "\n".join(f.describe() + json.dumps(f.to_dict(), ensure_ascii=False)
                     for f in findings)
    for secret in secrets:
        assert secret not in text
        assert secret.casefold() not in text.casefold()


def test_a_respondent_id_in_an_html_table_is_found_with_its_line(tmp_path, screen):
    body = CLEAN_BODY + ("<table><thead><tr><th>Wie</th><th>Cijfer</th></tr></thead>\n"
                         "<tbody>\n<tr><td>DH-003</td><td>9</td></tr></tbody></table>")
    page = write_html(tmp_path / "rapport.html", body)
    findings = check_report(page, screen=screen)
    hit, = _only(findings, "respondent_id")
    line = next(i for i, text in enumerate(page.read_text().splitlines(), 1) if "DH-003" in text)
    assert hit.file == "rapport.html" and hit.where.line == line
    assert hit.value == "DH…" and "client_interview.respondent_id" in hit.message
    assert [f.kind for f in findings] == ["respondent_id"]
    _never_shows(findings, "DH-003")


def test_an_id_written_another_way_is_still_the_id(tmp_path, screen):
    page = write_html(tmp_path / "r.html", "<p>Zie dh-003 en respondent 00104233.</p>")
    findings = check_report(page, screen=screen)
    assert [f.kind for f in findings] == ["respondent_id", "respondent_id"]


def test_short_ids_and_ids_inside_longer_tokens_are_not_findings(tmp_path, screen):
    # '12' and '13' are ids of Dordrecht, but also just numbers; DH-0031 is another token
    page = write_html(tmp_path / "r.html", "<p>12 cliënten, 13 partners, code DH-0031, "
                                           "versie 104233.5.1</p>")
    assert check_report(page, screen=screen) == []


def test_a_pseudonym_in_a_docx_table_is_found_with_its_cell(tmp_path, screen, pseudonym):
    doc = write_docx(tmp_path / "rapport.docx", ["Tabel 3.1 Steun per cliënt"],
                     table=[["Cliënt", "Steun"], [pseudonym, "ja"]])
    findings = check_report(doc, screen=screen)
    hit, = _only(findings, "pseudonym")
    assert hit.where.part == "tabel 1, rij 2, kolom 1"
    assert hit.value == pseudonym[:2] + "…"
    _never_shows(findings, pseudonym)


def test_a_pseudonym_in_an_alt_text_is_found(tmp_path, screen, pseudonym):
    page = write_html(tmp_path / "r.html", f'<img src="x.png" alt="Netwerk van {pseudonym}">')
    hit, = _only(check_report(page, screen=screen), "pseudonym")
    assert hit.where.part == "attribuut alt"


def test_an_email_in_the_authors_text_of_a_pdf_is_found_on_its_page(tmp_path, screen):
    body = (CLEAN_BODY + '<p style="break-before: page">Colofon. Vragen over dit rapport: '
            f"A. de Auteur, {EMAIL}.</p>")
    pdf = write_pdf(tmp_path / "rapport.pdf", body)
    findings = check_report(pdf, screen=screen)
    hit, = _only(findings, "email")
    assert hit.where.page == 2
    assert [f.kind for f in findings] == ["email"]
    _never_shows(findings, EMAIL, "deauteur")


def test_an_email_as_docx_author_is_found_in_the_properties(tmp_path):
    doc = write_docx(tmp_path / "r.docx", ["Rapport"], author=EMAIL)
    hit, = _only(check_report(doc), "email")
    assert hit.where.part == "documenteigenschappen (author)"


def test_a_bsn_in_a_docx_paragraph_is_found_and_an_invalid_one_is_not(tmp_path):
    doc = write_docx(tmp_path / "r.docx", [
        "Rapport", f"De cliënt met BSN {BSN[:4]}.{BSN[4:6]}.{BSN[6:]} werd doorverwezen.",
        "Zaaknummer 111222334 is geen BSN."])
    findings = check_report(doc)
    hit, = _only(findings, "bsn")
    assert hit.where.part == "alinea 3"  # the heading is paragraph 1
    assert [f.kind for f in findings] == ["bsn"]
    _never_shows(findings, BSN, "1112")


@pytest.mark.parametrize("text, kind", [
    ("Bel 06-12345678 voor een afspraak.", "phone"),
    ("Bel +31 70 123 45 67.", "phone"),
    ("Het adres is 2514 GL 12.", "address"),
    ("Kerkstraat 12, 2514 GL Den Haag", "address"),
    ("geboren op 3 april 1970", "birth_date"),
    ("Geboortedatum: 03-04-1970", "birth_date"),
])
def test_direct_identifiers_in_text_are_found(tmp_path, text, kind):
    page = write_html(tmp_path / "r.html", f"<p>{text}</p>")
    findings = check_report(page)
    assert [f.kind for f in findings] == [kind]


def test_an_unapproved_excerpt_is_found_also_across_markup(tmp_path, screen):
    split = (UNAPPROVED.replace("eindelijk", "<em>eindelijk</em>\n")
             .replace("over geld", "over\ngeld"))
    page = write_html(tmp_path / "r.html", CLEAN_BODY + f"<p>Een cliënt: {split}</p>")
    findings = check_report(page, screen=screen)
    hit, = _only(findings, "excerpt")
    assert "2010-1/den_haag/S2" in hit.message and hit.where.line is not None
    assert [f.kind for f in findings] == ["excerpt"]  # the approved quote is no finding
    _never_shows(findings, UNAPPROVED[:30], "werktafel bestaat")


def test_an_unapproved_excerpt_hyphenated_across_pdf_lines_is_found(tmp_path, screen):
    pdf = write_pdf(tmp_path / "r.pdf", f"<p>Een cliënt vertelde: {UNAPPROVED}</p>", narrow=True)
    from pypdf import PdfReader

    text = PdfReader(pdf).pages[0].extract_text()
    assert UNAPPROVED not in text  # the line breaks really split it
    hit, = _only(check_report(pdf, screen=screen), "excerpt")
    assert hit.where.page == 1


def test_a_free_text_answer_in_figures_json_is_found_with_its_path(tmp_path, screen):
    figures = dict(CLEAN_FIGURES, quotes=[{"region": "den_haag", "text": OPEN_ANSWERS[1]}])
    path = write_json(tmp_path / "figures.json", figures)
    findings = check_report(path, screen=screen)
    hit, = _only(findings, "free_text")
    assert hit.where.part == "pad /quotes/0/text"
    assert "client_interview.open_support" in hit.message
    _never_shows(findings, OPEN_ANSWERS[1], "ritme in mijn dag")


def test_a_free_text_answer_in_other_case_and_spacing_is_found(tmp_path, screen):
    page = write_html(tmp_path / "r.html",
                      "<p>MIJN BUURVROUW helpt me\n   elke week met de boodschappen</p>")
    _only(check_report(page, screen=screen), "free_text")


def test_a_dataframe_with_ids_in_a_notebook_is_row_level_data(tmp_path, screen):
    frame = pd.DataFrame({"respondent_id": ["DH-001", "DH-002", "DH-004"],
                          "mss_rating": [8, 7, 9]})
    nb = write_notebook(tmp_path / "rapport.ipynb", [frame_output(frame)])
    findings = check_report(nb, screen=screen)
    kinds = {f.kind for f in findings}
    assert kinds == {"row_level_ids", "respondent_id"}
    table = _only(findings, "row_level_ids")[0]
    assert table.where.cell == 3 and table.where.output == 1 and table.where.mime == "text/html"
    ids = _only(findings, "respondent_id")
    assert {f.where.mime for f in ids} == {"text/html", "text/plain"}
    _never_shows(findings, "DH-001", "DH-002", "DH-004")


def test_a_long_tidy_frame_without_ids_in_a_notebook_is_row_level_data(tmp_path, screen):
    frame = pd.DataFrame({"round": ["2010-1"] * 12, "region": ["den_haag"] * 12,
                          "gender": ["woman", "man"] * 6, "age_band": ["25_39"] * 12,
                          "mss_rating": list(range(1, 11)) + [8, 9]})
    data = json.loads(frame.to_json(orient="records"))
    nb = write_notebook(tmp_path / "rapport.ipynb", [
        new_output("display_data", data={"application/json": data, "text/plain": "<data>"})])
    hit, = _only(check_report(nb, screen=screen), "row_level_rows")
    assert hit.value == "12" and "client_interview" in hit.message
    # a few rows are an aggregate, not a data dump
    short = write_notebook(tmp_path / "kort.ipynb", [frame_output(frame.head(4))])
    assert check_report(short, screen=screen) == []


def test_a_printed_dataframe_or_series_of_ids_is_row_level_data_even_without_a_study(tmp_path):
    frame = pd.DataFrame({"region": ["den_haag"] * 3, "client_id": ["Q1", "Q2", "Q3"],
                          "remarks": ["a", "b", "c"]})
    nb = write_notebook(tmp_path / "r.ipynb", [
        new_output("stream", name="stdout", text=frame.to_string() + "\n"),
        new_output("execute_result", data={"text/plain": repr(frame["client_id"])},
                   execution_count=2)])
    findings = check_report(nb)
    assert [(f.kind, f.value, f.where.output) for f in findings] == [
        ("row_level_ids", "client_id", 1), ("row_level_ids", "client_id", 2)]


def test_a_csv_export_with_an_id_column_is_row_level_data(tmp_path):
    (tmp_path / "tabel.csv").write_text("respondent_id;mss_rating\nx1;8\nx2;7\n",
                                        encoding="utf-8")
    hit, = check_report(tmp_path)
    assert (hit.file, hit.kind, hit.where.line) == ("tabel.csv", "row_level_ids", 1)


def test_a_traceback_in_a_notebook_is_checked_too(tmp_path, screen):
    error = new_output("error", ename="KeyError", evalue="'DH-005'",
                       traceback=["\x1b[0;31mKeyError\x1b[0m: 'DH-005'"])
    nb = write_notebook(tmp_path / "r.ipynb", [error])
    assert {f.where.mime for f in _only(check_report(nb, screen=screen), "respondent_id")} \
        == {"error"}


def test_without_a_study_pseudonym_shaped_tokens_are_found(tmp_path, pseudonym):
    page = write_html(tmp_path / "r.html", f"<p>Cliënt {pseudonym} kreeg steun.</p>")
    hit, = _only(check_report(page), "pseudonym_like")
    assert hit.value == pseudonym[:2] + "…"


def test_the_study_key_in_a_report_is_found(tmp_path, study_dir, screen):
    secret = (study_dir / ".mss-secret").read_text().strip()
    nb = write_notebook(tmp_path / "r.ipynb", [
        new_output("stream", name="stdout", text=f"sleutel: {secret}\n")])
    findings = check_report(nb, screen=screen)
    assert [(f.kind, f.value) for f in findings] == [("secret", secret[:2] + "…")]
    _never_shows(findings, secret, secret[:12])
    assert secret not in repr(screen.__getstate__())


def test_a_damaged_file_is_a_finding_not_a_crash(tmp_path):
    (tmp_path / "rapport.pdf").write_bytes(b"%PDF-1.7 this is not a pdf")
    (tmp_path / "figures.json").write_text("{not json", encoding="utf-8")
    findings = check_report(tmp_path)
    assert [(f.file, f.kind) for f in findings] == [("figures.json", "unreadable"),
                                                    ("rapport.pdf", "unreadable")]


@pytest.mark.parametrize("suffix", ["html", "pdf", "docx", "json", "ipynb", "csv"])
def test_any_bytes_as_a_report_file_give_findings_not_an_exception(tmp_path, suffix):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    target = tmp_path / f"rapport.{suffix}"
    starts = {"html": b"<p>", "pdf": b"%PDF-1.7\n", "docx": b"PK\x03\x04",
              "json": b'{"a": [', "ipynb": b'{"cells": [{"outputs": [', "csv": b"a;b\n"}

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=200).map(lambda b: starts[suffix] + b) | st.binary(max_size=200))
    def check(content):
        target.write_bytes(content)
        findings = check_report(target)
        assert all(f.file == target.name and f.message for f in findings)
        assert target.read_bytes() == content

    check()


def test_many_leaks_of_one_kind_are_counted_after_twenty(tmp_path):
    rows = "".join(f"<p>e-mail: persoon{i}@voorbeeld.nl</p>" for i in range(25))
    findings = check_report(write_html(tmp_path / "r.html", rows))
    assert [f.kind for f in findings].count("email") == 20
    assert findings[-1].kind == "more" and findings[-1].value == "5"


def test_findings_in_a_folder_name_each_file_relative_to_it(tmp_path, clean_reports, screen):
    reports = tmp_path / "reports"
    shutil.copytree(clean_reports, reports)
    region = reports / "2010-1" / "den_haag"
    write_html(region / "rapport.html", CLEAN_BODY + "<p>DH-006</p>")
    findings = check_report(reports, screen=screen)
    assert [(f.file, f.kind) for f in findings] == [
        ("2010-1/den_haag/rapport.html", "respondent_id")]


# -- the command -----------------------------------------------------------------------------
def test_the_cli_exits_1_and_lists_leaks_without_their_values(tmp_path, study_dir, capsys):
    write_html(tmp_path / "rapport.html", f"<p>{EMAIL}</p><p>DH-003</p>")
    assert main(["check-report", str(tmp_path), "--study", str(study_dir)]) == 1
    out = capsys.readouterr().out
    assert "LEK: rapport.html, regel 1: 'a.…' lijkt een e-mailadres" in out
    assert "2 mogelijk(e) lek(ken) in 1 van 1 bestand(en)" in out
    assert EMAIL not in out and "DH-003" not in out


def test_the_cli_writes_json_in_english_when_asked(tmp_path, capsys):
    write_html(tmp_path / "rapport.html", f"<p>BSN {BSN}</p>")
    assert main(["check-report", str(tmp_path), "--format", "json", "--language", "en"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["clean"] is False and payload["files"] == 1
    finding, = payload["findings"]
    assert finding["kind"] == "bsn" and finding["file"] == "rapport.html"
    assert finding["line"] == 1 and finding["value"] == "11…"
    assert "citizen service number" in finding["message"]


def test_the_cli_usage_errors_exit_2(tmp_path, capsys):
    assert main(["check-report", str(tmp_path / "nergens")]) == 2
    assert main(["check-report", str(tmp_path), "--study", str(tmp_path)]) == 2
    assert "study.yaml" in capsys.readouterr().err


# -- the screen ------------------------------------------------------------------------------
def test_the_screen_knows_the_pseudonyms_that_load_study_makes(screen, loaded):
    made = set(loaded["client_interview"]["respondent_id"]) | set(
        loaded["coded_segments"]["source_id"])
    assert made == set(screen.pseudonyms)
    # a screen built on the loaded study gives the same
    assert set(Screen.from_study(loaded).pseudonyms) == made


def test_the_screen_searches_only_ids_of_a_meaningful_length(screen):
    assert {"dh-001", "dh-a01", NUMERIC_ID} <= set(screen.ids)
    assert not {"12", "13", "14", "15"} & set(screen.ids)
    assert "kort" not in " ".join(screen.free_text)


def test_the_screen_travels_to_a_worker_process_intact(tmp_path, screen):
    page = write_html(tmp_path / "r.html", f"<p>DH-003 en {UNAPPROVED}</p>")
    copy = pickle.loads(pickle.dumps(screen))
    assert [f.kind for f in check_report(page, screen=copy)] == [
        f.kind for f in check_report(page, screen=screen)] == ["respondent_id", "excerpt"]


def test_checking_with_a_study_without_a_secret_creates_none(tmp_path, study_dir):
    copy = tmp_path / "studie"
    shutil.copytree(study_dir, copy, ignore=shutil.ignore_patterns(".mss-secret"))
    before = tree_hashes(copy)
    page = write_html(tmp_path / "r.html", "<p>DH-003</p>")
    assert [f.kind for f in check_report(page, copy)] == ["respondent_id"]
    assert tree_hashes(copy) == before and not (copy / ".mss-secret").exists()


# -- a real report of the example study ------------------------------------------------------
@pytest.mark.slow
def test_a_rendered_region_report_of_the_example_study_is_clean(tmp_path):
    try:
        from mss_eval.render import render_study
    except ImportError:  # pragma: no cover - rendering not part of this installation
        pytest.skip("rendering is not available")
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    study = tmp_path / "example_study"
    shutil.copytree(EXAMPLE, study, ignore=shutil.ignore_patterns("reports"))
    # the inputs; .mss-cache/ is the workbench's own (a render may add and prune its entries)
    before = {f: h for f, h in tree_hashes(study).items() if not f.startswith(".mss-cache/")}
    out = tmp_path / "reports"
    summary = render_study(study, rounds=["2010-1"], regions=["den_haag"], formats=["html"],
                           out_dir=out, jobs=1, progress=False)
    assert summary.exit_code == 0, summary.describe()
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert any(p.endswith(".html") for p in written) and any(p.endswith(".ipynb")
                                                             for p in written)
    findings = check_report(out, study)
    assert findings == [], "\n".join(f.describe() for f in findings)
    secret = (study / ".mss-secret").read_text().strip()
    assert all(secret not in p.read_text(errors="replace") for p in out.rglob("*")
               if p.is_file())
    after = tree_hashes(study)
    assert {f: after.get(f) for f in before} == before  # inputs unchanged
    assert all(f.startswith(".mss-cache/") for f in set(after) - set(before))


def test_identifiers_the_workbench_makes_in_json_are_not_mistaken_for_addresses(tmp_path):
    """A provenance crate's run id or a file's SHA-256 can look like a postcode with a house
    number ('9731ab12'); they are machine-made and skipped, a real address beside them is not."""
    from mss_eval.privacy.sources import json_text

    data = {"@graph": [{"identifier": "urn:uuid:9731ab12-3c4d-4e5f-8a9b-0c1d2e3f4a5b"},
                       {"sha256": "9731ab12" + "0" * 56},
                       {"name": "Kerkstraat 12, 9731 AB Groningen"}]}
    texts = [unit.text for unit in json_text(data).units]
    assert not any("9731ab12" in t for t in texts)
    assert any("9731 AB" in t for t in texts)
