"""The readable codebook derived from the instrument definitions."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mss_eval import cli
from mss_eval.codebook_doc import codebook_html, codebook_markdown, github_slug
from mss_eval.instruments import codebook, get_instrument, instruments

ROOT = Path(__file__).resolve().parents[1]
IDS = sorted(instruments())


@pytest.fixture(scope="module")
def markdown_nl():
    return codebook_markdown("nl")


def _section(markdown: str, anchor: str) -> str:
    """The Markdown of one `## anchor` section."""
    match = re.search(rf"^## {re.escape(anchor)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert match, f"no section {anchor}"
    return match.group(1)


def _cells(line: str) -> list[str]:
    """Cells of a Markdown table row, honouring escaped pipes."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def test_committed_codebook_is_current(markdown_nl):
    committed = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert committed == markdown_nl, (
        "docs/codebook.md is out of date: run `mss-eval codebook --format md --out docs/codebook.md`")


@pytest.mark.parametrize("instrument_id", IDS)
def test_every_column_of_an_instrument_is_a_row_of_its_table(markdown_nl, instrument_id):
    section = _section(markdown_nl, instrument_id)
    table = [line for line in section.splitlines() if line.startswith("|")]
    header, rule, *rows = table
    assert set(rule) <= {"|", "-"}
    assert all(len(_cells(row)) == len(_cells(header)) for row in rows)
    assert [_cells(row)[0].strip("`") for row in rows] == [
        c.name for c in get_instrument(instrument_id).columns]


def test_a_coded_column_lists_its_codes_and_labels(markdown_nl):
    rows = {_cells(line)[0]: _cells(line)
            for line in _section(markdown_nl, "client_interview").splitlines()
            if line.startswith("| `")}
    gender = rows["`gender`"]
    assert "1 = man; 2 = vrouw; 3 = anders" in gender
    assert "97, 98, 99" in gender
    assert "indirect identificerend" in gender
    assert "1–10" in rows["`mss_rating`"]
    assert any("omgekeerd" in cell for cell in rows["`exp_staff_change`"])


def test_scales_and_missing_codes_are_explained(markdown_nl):
    section = _section(markdown_nl, "partner_survey")
    assert "97 = niet van toepassing; 98 = weet niet; 99 = geen antwoord" in section
    assert "`cq_task_coordination_2` (omgekeerd gescoord)" in section
    months = _section(markdown_nl, "client_questionnaire")
    assert "998 = weet niet" in months


def test_the_qualitative_codebook_lists_every_path(markdown_nl):
    section = _section(markdown_nl, "qualitative_codebook")
    for path in codebook().paths():
        assert f"| `{path}` |" in section


def test_table_of_contents_links_to_every_section(markdown_nl):
    anchors = {github_slug(h) for h in re.findall(r"^## (.+)$", markdown_nl, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", markdown_nl)
    assert set(IDS) | {"qualitative_codebook"} <= set(links)
    assert set(links) <= anchors


def test_heading_anchors_follow_github():
    assert github_slug("Privacy classes") == "privacy-classes"
    assert github_slug("client_interview") == "client_interview"
    assert github_slug("Overkoepelende conclusies (`conclusions`)") == (
        "overkoepelende-conclusies-conclusions")


def test_english_codebook_uses_english_labels():
    markdown = codebook_markdown("en")
    assert markdown.startswith("# Codebook of the instruments")
    assert "1 = man; 2 = woman; 3 = other" in markdown
    assert "vrouw" not in markdown


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.external, self.stack = set(), [], [], []
        self.tables = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in ("meta", "br", "img", "link"):
            self.stack.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag in ("link", "script", "img") or "src" in attrs:
            self.external.append(tag)
        self.tables += tag == "table"

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def test_html_codebook_is_self_contained_with_working_contents():
    page = codebook_html("nl")
    parser = _Collector()
    parser.feed(page)
    assert parser.stack == []  # every element closed, properly nested
    assert parser.external == []
    assert "<style>" in page
    assert {h[1:] for h in parser.hrefs} <= parser.ids
    assert set(IDS) <= parser.ids
    levels = len(codebook().levels)
    assert parser.tables == 1 + len(IDS) + levels  # privacy classes, instruments, code levels


def test_html_escapes_what_it_shows():
    page = codebook_html("en")
    assert "data/&lt;round&gt;/&lt;region&gt;/" in page
    assert "<round>" not in page


def test_codebook_command_prints_markdown_or_writes_html(tmp_path, capsys, markdown_nl):
    assert cli.main(["codebook"]) == 0
    assert capsys.readouterr().out == markdown_nl
    out = tmp_path / "docs" / "codeboek.html"
    assert cli.main(["codebook", "--format", "html", "--language", "en", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == codebook_html("en")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        codebook_markdown("de")
