"""Every report of the example study as a public body may publish it: every HTML report and the
index pass axe-core (WCAG 2.0/2.1 A and AA and axe's best practices) in headless Chromium, every
PDF passes the PDF/UA-1 checker (page-validation) and poppler reads it without a syntax error,
and the interim report's Word file, printed by LibreOffice, shows its contents with page
numbers. The study is rendered once, for all formats (a few minutes); tools that are missing
make their test skip with a sentence naming them (.ci/install-tools installs them)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers_browser import axe_violations, describe, missing_tool

EXAMPLE = Path(__file__).resolve().parents[1] / "data_templates" / "example_study"
OFFICE_SCRIPT = Path(__file__).resolve().parent / "office" / "docx_to_pdf.py"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("example_study_all_formats")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    from mss_eval.render import render_study

    out = tmp_path_factory.mktemp("accessible") / "reports"
    summary = render_study(EXAMPLE, out_dir=out, jobs=2, progress=False)
    assert summary.exit_code == 0, summary.describe()
    return out


def test_every_pdf_is_pdf_ua_1_and_reads_without_a_syntax_error(rendered):
    page = pytest.importorskip("page", reason="page-validation (the PDF/UA checker) is missing")
    pdfs = sorted(rendered.rglob("*.pdf"))
    assert len(pdfs) == 15
    failures = {}
    for pdf in pdfs:
        report = page.validate_pdf(pdf, profile="ua1")
        if not report.is_compliant:
            failures[pdf.name] = [(f.rule_id, f.message) for f in report.failures]
    assert not failures
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    for pdf in pdfs:
        done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        assert done.stderr == "", (pdf.name, done.stderr)


def test_every_html_report_and_the_index_pass_axe(rendered):
    reason = missing_tool()
    if reason:
        pytest.skip(reason)
    pages = sorted(rendered.rglob("*.html"))
    assert len(pages) == 16  # 15 reports and the index
    found = {page.name: describe(v) for page in pages if (v := axe_violations(page))}
    assert not found, found


def test_the_interim_reports_word_file_prints_its_contents_with_page_numbers(rendered):
    from test_word_authors import _office_missing

    reason = _office_missing()
    if reason:
        pytest.skip(reason)
    pdf = rendered / "interim-docx.pdf"
    subprocess.run(["/usr/bin/python3", str(OFFICE_SCRIPT),
                    str(rendered / "2010-1" / "mss_2010-1.docx"), str(pdf)],
                   check=True, timeout=300)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    contents = next(p for p in pages if "Inhoud" in p)
    entries = re.findall(r"^\s*(\d+(?:\.\d+)?) .*?\.{3,}\s*(\d+)\s*$", contents, re.M)
    assert len(entries) >= 10, contents
    assert [int(p) for _, p in entries] == sorted(int(p) for _, p in entries)
    assert re.search(r"^\s*5\s*$", pages[4], re.M)  # the footer's page number
