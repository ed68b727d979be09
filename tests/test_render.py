"""Rendering: atomic writes, the plan, export without code, failures that stop nothing.

The slow tests render three reports of the shipped example study (the Den Haag report in every
format, the interim report of round 2010-1 as HTML, and a failing Eindhoven report) and run the
three notebooks under nbval in lax mode.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mss_eval.problems import StudyError
from mss_eval.atomic import atomic_path, atomic_write, remove_temporaries, temporary_path
from mss_eval.render.export import (figures_json, notebook_to_html, prepare_for_export,
                                    report_nodes)
from mss_eval.render.plan import plan_reports
from mss_eval.study import load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    """A private copy of the shipped example study (loading writes a local secret into it)."""
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    target = tmp_path_factory.mktemp("render") / "example_study"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".mss-secret", "reports"))
    return target


# -- atomic writes -------------------------------------------------------------------------------
def test_atomic_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "report.html"
    atomic_write(target, "oud")
    atomic_write(target, "nieuw")
    assert target.read_text() == "nieuw"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_failing_write_leaves_the_old_file_and_no_partial_file(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"%PDF half")
            raise RuntimeError("printer caught fire")
    assert target.read_bytes() == b"%PDF old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_leftover_temporaries_are_cleared_but_not_those_of_another_live_render(tmp_path):
    dead = tmp_path / ".a.tmp-999999999-abcd.html"
    dead.write_text("left over by a render that was killed")
    mine = temporary_path(tmp_path / "b.html")  # an earlier, failed report of this process
    mine.write_text("left over")
    other_live = tmp_path / f".c.tmp-{os.getppid()}-abcd.html"
    other_live.write_text("another render at work")
    removed = remove_temporaries(tmp_path)
    assert set(removed) == {dead, mine}
    assert other_live.exists()


# -- the plan --------------------------------------------------------------------------------------
def test_the_example_study_plans_a_report_per_region_and_round_and_one_final_report(study, tmp_path):
    jobs = plan_reports(load_config(study), study, tmp_path)
    kinds = [j.kind for j in jobs]
    assert kinds.count("region") == len(load_config(study).round_regions())
    assert kinds.count("round") == len(load_config(study).rounds) and kinds.count("final") == 1
    keys = [j.key for j in jobs]
    assert "2010-1/den_haag" in keys and "2010-2/de_bilt" in keys and keys[-1] == "final"
    region = jobs[0]
    assert region.output("pdf") == tmp_path.resolve() / "2010-1" / "den_haag" / \
        "mss_2010-1_den_haag.pdf"
    assert region.output("figures").name == "figures.json"
    round_job = next(j for j in jobs if j.kind == "round")
    assert "region" not in round_job.parameters  # the round notebook declares no region
    assert round_job.output("html").parent == tmp_path.resolve() / "2010-1"


def test_filters_choose_reports(study, tmp_path):
    config = load_config(study)
    only_round = plan_reports(config, study, tmp_path, rounds=["2010-2"])
    assert [j.key for j in only_round] == ["2010-2/bos_en_lommer", "2010-2/alkmaar",
                                           "2010-2/breda", "2010-2/de_bilt", "2010-2/zeist",
                                           "2010-2/hilversum", "2010-2"]
    only_region = plan_reports(config, study, tmp_path, regions=["breda"], formats=["html"])
    assert [j.key for j in only_region] == ["2010-2/breda"]
    assert only_region[0].formats == ("html",)


def test_an_unknown_region_or_format_is_a_sentence_listing_what_exists(study, tmp_path):
    with pytest.raises(StudyError, match="regio 'utrecht' staat niet in study.yaml; bekende "
                                         "regio's: den_haag"):
        plan_reports(load_config(study), study, tmp_path, regions=["utrecht"])
    with pytest.raises(StudyError, match="onbekend formaat 'odt'"):
        plan_reports(load_config(study), study, tmp_path, formats=["odt"])
    with pytest.raises(StudyError, match="doet niet mee"):
        plan_reports(load_config(study), study, tmp_path, rounds=["2010-1"], regions=["breda"])
    with pytest.raises(StudyError, match="onbekende PDF-machine 'latex'; kies typst of weasyprint"):
        plan_reports(load_config(study), study, tmp_path, pdf_engine="latex")


# -- export -----------------------------------------------------------------------------------------
def _executed_notebook():
    nb = new_notebook()
    params = new_code_cell("study = 'x'", metadata={"tags": ["parameters"]})
    note = new_markdown_cell("## notebook-only heading", metadata={"tags": ["notebook-only"]})
    from mss_eval.report.document import Block, Heading, Paragraph, TitlePage, bundle

    title = new_code_cell("report", execution_count=2)
    title.outputs = [new_output("execute_result", execution_count=2,
                                data=bundle([TitlePage(title="Rapportage Den Haag")]),
                                metadata={"mss_eval": {"role": "title_page",
                                                       "title": "Rapportage Den Haag · Studie"}})]
    chapter = new_code_cell("chapters.personal(report)", execution_count=3)
    chapter.outputs = [
        new_output("stream", name="stderr", text="FutureWarning: something is deprecated\n"),
        new_output("display_data", data=Block([
            Heading("Persoonlijk niveau", level=1, number="5", anchor="h-5"),
            Paragraph.of("Tekst.")])._repr_mimebundle_()),
        new_output("display_data", data={"text/html": '<table class="dataframe"><tr><td>p1'
                                                      '</td></tr></table>', "text/plain": "df"}),
        new_output("execute_result", execution_count=3, data={"text/plain": "<Figure 640x480>"}),
    ]
    figures = new_code_cell("report.publish_key_figures()", execution_count=4)
    figures.outputs = [new_output("display_data", data={
        "application/json": {"region": {"personal": {"rating_mean": {"value": 8.0}}}},
        "text/plain": "Kerncijfers"}, metadata={"mss_eval": {"role": "key_figures"}})]
    nb.cells = [params, note, title, chapter, figures]
    return nb


def test_export_keeps_report_content_and_nothing_else():
    nb, figures, title, notes = prepare_for_export(_executed_notebook())
    assert figures == {"region": {"personal": {"rating_mean": {"value": 8.0}}}}
    assert title["title"] == "Rapportage Den Haag · Studie"
    assert any("FutureWarning" in n for n in notes)       # logged, not shown
    assert any("DataFrame" in n for n in notes)
    html = notebook_to_html(nb, title=title["title"], language="nl")
    assert "<title>Rapportage Den Haag · Studie</title>" in html
    assert "5 Persoonlijk niveau" in html and "Tekst." in html
    for absent in ("Warning", "chapters.personal", "study = ", "notebook-only", "dataframe",
                   "<Figure", "In&nbsp;[", "jp-InputArea", "Kerncijfers"):
        assert absent not in html, absent
    # the contents list links the chapter and sits after the title page
    assert re.search(r'</header>\s*<nav[^>]*class="toc".*href="#h-5">5 Persoonlijk niveau</a>',
                     html, re.S)
    # PDF and Word get the same content as nodes, the contents after the title page
    nodes, missing = report_nodes(nb, "nl")
    assert [n.kind for n in nodes] == ["title_page", "contents", "heading", "paragraph"]
    assert [h.label for h in nodes[1].entries] == ["5 Persoonlijk niveau"] and missing == []


def test_figures_json_is_stable_text():
    a = figures_json({"b": 1, "a": {"y": float("nan"), "x": 0.1}})
    b = figures_json({"a": {"x": 0.1, "y": None}, "b": 1})
    assert a == b
    assert json.loads(a) == {"a": {"x": 0.1, "y": None}, "b": 1}


# -- rendering (slow) ---------------------------------------------------------------------------------
def _text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_failing_region_leaves_the_others_complete_and_exits_1(study, tmp_path, capsys):
    from mss_eval.cli import main

    broken = tmp_path / "broken_study"
    shutil.copytree(study, broken, ignore=shutil.ignore_patterns(".mss-secret"))
    folder = broken / "data" / "2010-1" / "eindhoven"
    for old in folder.glob("client_interview.*"):
        old.unlink()
    (folder / "client_interview.csv").write_text("respondent_id,mss_rating\nEI-C01,11\n")
    out = tmp_path / "reports"
    stale = out / "2010-1" / "eindhoven" / "mss_2010-1_eindhoven.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("<html>last week's report</html>")

    code = main(["render", str(broken), "--round", "2010-1", "--region", "den_haag",
                 "eindhoven", "--format", "html", "--jobs", "2", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert (out / "2010-1" / "den_haag" / "mss_2010-1_den_haag.html").is_file()
    assert (out / "2010-1" / "den_haag" / "figures.json").is_file()
    # the failed report names region, cell and error, and leaves no older file looking current
    assert "1 van 2 rapporten gemaakt" in captured.err
    assert re.search(r"Eindhoven, Ronde 1.*\[2010-1/eindhoven\]: fout in cel \d+ "
                     r"\(report = setup_notebook.*StudyError: De gegevens van Eindhoven", captured.err)
    assert not stale.exists()
    assert (out / "2010-1" / "eindhoven" / "mss_2010-1_eindhoven.failed.ipynb").is_file()
    status = json.loads(_text_of(out / "render-status.json"))["reports"]
    assert status["2010-1/eindhoven"]["status"] == "failed"
    assert status["2010-1/den_haag"]["status"] == "ok"
    index = _text_of(out / "index.html")
    assert "mislukt: fout in cel" in index and 'href="2010-1/den_haag/mss_2010-1_den_haag.html"' \
        in index
    assert not list(out.rglob(".*.tmp-*"))


@pytest.fixture(scope="module")
def den_haag(study, tmp_path_factory):
    from mss_eval.render import render_study

    out = tmp_path_factory.mktemp("den_haag")
    summary = render_study(study, rounds=["2010-1"], regions=["den_haag"], jobs=1, out_dir=out,
                           progress=False)
    assert summary.exit_code == 0, summary.describe()
    return out / "2010-1" / "den_haag"


@pytest.mark.slow
def test_a_region_report_exists_in_every_format(den_haag):
    stem = "mss_2010-1_den_haag"
    assert (den_haag / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(den_haag / f"{stem}.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "Persoonlijk niveau" in body and "Den Haag" in body
    executed = nbformat.read(den_haag / f"{stem}.ipynb", as_version=4)
    assert all(not o.get("output_type") == "error" for c in executed.cells
               for o in c.get("outputs", []))
    figures = json.loads(_text_of(den_haag / "figures.json"))
    assert figures["meta"]["region"] == "den_haag"
    assert 7.7 <= figures["region"]["personal"]["rating_mean"]["value"] <= 8.3


@pytest.mark.slow
def test_a_region_too_small_shows_the_marker_and_its_footnote_in_every_format(study, tmp_path):
    """Zeist (4 clients, minimum 5): in round 2010-2's interim report its client figures are x,
    explained under the table, in the HTML, the PDF and the Word file alike (its own region
    report leaves those sections out with one sentence instead)."""
    import pypdfium2

    from mss_eval.render.worker import render_report
    from mss_eval.report.style import SUPPRESSED_MARKER, suppression_note

    job = next(j for j in plan_reports(load_config(study), study, tmp_path, rounds=["2010-2"])
               if j.kind == "round")
    result = render_report(job)
    assert result.ok, result.error
    note = suppression_note("nl", 5)
    html = _text_of(job.output("html"))
    rating = html[html.index("Rapportcijfer voor het MSS"):]
    zeist = rating[rating.index(">Zeist<"):]
    zeist = zeist[:zeist.index("</tr>")]
    assert zeist.count(f">{SUPPRESSED_MARKER}</td>") >= 5
    assert note in html
    pdf = pypdfium2.PdfDocument(job.output("pdf"))
    text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
    assert " ".join(note.split()) in text.replace("- ", "")
    assert re.search(rf"Zeist 4 {SUPPRESSED_MARKER} {SUPPRESSED_MARKER}", text)
    with zipfile.ZipFile(job.output("docx")) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert f">{SUPPRESSED_MARKER}</w:t>" in body and note in body
    figures = json.loads(_text_of(job.output("figures")))
    rating_mean = figures["regions"]["zeist"]["personal"]["rating_mean"]
    assert (rating_mean["value"], rating_mean["n"], rating_mean["suppressed"]) == (None, 4, True)


@pytest.mark.slow
def test_a_region_report_shows_no_code_no_warnings_no_ids_and_no_free_text(study, den_haag):
    import mss_eval

    html = _text_of(den_haag / "mss_2010-1_den_haag.html")
    assert "<h1>Rapportage Den Haag</h1>" in html and re.search(r'<nav[^>]*class="toc"', html)
    assert "Warning" not in html and "Traceback" not in html
    assert "setup_notebook" not in html and "chapters." not in html
    assert 'class="dataframe"' not in html
    loaded = mss_eval.load_study(study)
    clients = loaded["client_interview"]
    clients = clients[clients["region"] == "den_haag"]
    pseudonyms = set(clients["respondent_id"].dropna())
    free_text = {t for c in ("open_support", "open_improvement")
                 for t in clients[c].dropna() if len(t) > 12}
    assert pseudonyms and free_text
    for value in pseudonyms | free_text:
        assert value not in html
    raw_ids = re.findall(r"\bDH-[A-Z]\d+\b", html)
    assert raw_ids == []


@pytest.mark.slow
def test_the_round_report_holds_table_1_and_figures_json_is_reproducible(study, tmp_path):
    import mss_eval
    from mss_eval.render.export import figures_json as as_json
    from mss_eval.render.worker import render_report
    from mss_eval.report.notebook import Report

    config = load_config(study)
    job = next(j for j in plan_reports(config, study, tmp_path, rounds=["2010-1"],
                                       formats=["html"]) if j.kind == "round")
    result = render_report(job)
    assert result.ok, result.error
    html = _text_of(job.output("html"))
    table = html[html.index("Tabel 1.1"):]
    table = table[:table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>",
                                                                    table)]
    rows = [cells[i:i + 5] for i in range(0, len(cells), 5)]
    assert rows[0] == ["Methode", "Den Haag", "Eindhoven", "Dordrecht", "Totaal"]
    by_method = {r[0].lower(): r[1:] for r in rows[1:]}
    assert by_method["algemeen interview"] == ["5", "10", "4", "19"]
    assert by_method["interview samenwerkingspartner"] == ["8", "9", "5", "22"]
    assert by_method["vragenlijst over een cliënt"] == ["7", "10", "9", "26"]
    assert by_method["cliëntinterview"] == ["14", "13", "12", "39"]
    assert by_method["terugkoppelingsbijeenkomst"] == ["12", "12", "10", "34"]
    assert "Warning" not in html
    # the same key figures computed again, in this process, give the same bytes
    again = Report(mss_eval.load_study(study, on_error="skip"), round="2010-1").key_figures
    assert _text_of(job.output("figures")) == as_json(again)


@pytest.mark.slow
def test_the_notebooks_run_as_they_are_under_nbval_lax(study, tmp_path):
    """nbval in lax mode: every cell of every notebook runs without error.

    The notebooks are committed without outputs, so there is nothing to compare (and nothing to
    sanitise); lax mode checks that they run in a fresh kernel as a researcher would run them.
    Copies are pointed at the private example study, the only change to the notebooks.
    """
    copies = []
    for name in ("region_report", "round_report", "final_report", "verkenning"):
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert '"../data_templates/example_study"' in params.source
        params.source = params.source.replace('"../data_templates/example_study"',
                                              repr(str(study)))
        # the guided notebook renders one report: into the test's folder
        params.source = params.source.replace('"../reports/verkenning"',
                                              repr(str(tmp_path / "reports")))
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(nb, path)
        copies.append(str(path))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), *copies],
        cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r"\d+ passed", proc.stdout)
