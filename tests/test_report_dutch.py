"""The Dutch of the generated sentences: every chapter of the example study's interim reports
(one per round) and of its final report, read as sentences.

Each rule names a defect a reader found in the reports: verb order in subordinate clauses
("het aandeel cliënten dat heeft een SPV"), counts as digits where Dutch writes words ("alle 2
regio's"), a capital after a colon ("In Ronde 2, najaar 2010: Na correctie"), one sentence
repeated for every region ("Structureel bestuurlijk overleg is er niet." seven times), and
sentences of the final report that do not say which round they are about.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest

from mss_eval.report import chapters
from mss_eval.report.notebook import Report

CHAPTERS = (chapters.summary, chapters.introduction, chapters.mss_profile,
            chapters.administrative, chapters.executive, chapters.personal,
            chapters.conclusions, chapters.appendix)

#: Finite verbs the generated sentences use. In a Dutch subordinate clause the finite verb goes
#: to the end ("dat een SPV heeft"); directly after the relative pronoun and followed by more
#: words ("dat heeft een SPV") it stands where a main clause has it.
FINITE_VERBS = ("heeft", "hebben", "neemt", "nemen", "is", "zijn", "doet", "doen", "volgt",
                "volgen", "wordt", "worden", "krijgt", "krijgen", "ligt", "liggen", "valt",
                "vallen", "gaat", "gaan", "komt", "komen", "staat", "staan", "kan", "kunnen",
                "moet", "moeten", "leidt", "leiden", "geeft", "geven", "scoort", "scoren",
                "woont", "wonen", "werkt", "werken", "heeft", "antwoordt", "antwoorden")
_MAIN_CLAUSE_ORDER = re.compile(
    r"(?<=\w[ ,])\b(?:dat|die)\s+(?:" + "|".join(FINITE_VERBS) + r")\s+(?=[\w'])", re.I)


@pytest.fixture(scope="module")
def study(example_study):
    return example_study


def _text(fragment: str) -> str:
    text = re.sub(r"<img[^>]*>", " ", fragment)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))).strip()


def _sentences(block_html: str) -> list[str]:
    """The generated paragraphs and list items (not tables, captions or notes) as sentences."""
    parts = re.findall(r'<(p|li)(?: class="generated-text")?>(.*?)</\1>', block_html, flags=re.S)
    return [s for _, p in parts for s in re.split(r"(?<=[.!?])\s+", _text(p)) if s]


@pytest.fixture(scope="module")
def reports(study):
    """Per report (each round's interim report, the final report) and chapter: its sentences."""
    out = {}
    for rnd in [r.id for r in study.config.rounds] + [None]:
        report = Report(study, round=rnd, language="nl")
        for chapter in CHAPTERS:
            out[(rnd or "final", chapter.__name__)] = _sentences(chapter(report).html)
    return out


def _all(reports):
    return [(key, s) for key, sentences in reports.items() for s in sentences]


def test_the_rule_for_subordinate_clauses_finds_the_quoted_sentences():
    assert _MAIN_CLAUSE_ORDER.search("Het aandeel cliënten dat heeft een SPV loopt uiteen.")
    assert _MAIN_CLAUSE_ORDER.search("Het aandeel cliënten dat neemt deel aan dagbesteding.")
    assert not _MAIN_CLAUSE_ORDER.search("Het aandeel cliënten dat een SPV heeft loopt uiteen.")
    assert not _MAIN_CLAUSE_ORDER.search("Het aandeel cliënten dat deelneemt aan dagbesteding.")
    assert not _MAIN_CLAUSE_ORDER.search("Dat is het aandeel.")  # a main clause, not a relative


def test_the_finite_verb_of_a_subordinate_clause_stands_at_its_end(reports):
    wrong = [(key, s) for key, s in _all(reports) if _MAIN_CLAUSE_ORDER.search(s)]
    assert not wrong, wrong[:5]
    involvement = [s for key, s in _all(reports) if s.startswith("Het aandeel cliënten")]
    assert any("dat een SPV heeft" in s for s in involvement), involvement
    assert any("dat deelneemt aan georganiseerde dagbesteding" in s for s in involvement)


def test_small_counts_of_regions_are_words_and_two_regions_are_both(reports):
    digits = [(key, s) for key, s in _all(reports)
              if re.search(r"\b(alle|geen van de) \d+ (vergeleken )?regio's", s)
              or re.search(r"\balle (2|twee) regio's|geen van de (2|twee)\b", s)]
    assert not digits, digits[:5]
    sentences = [s for _, s in _all(reports)]
    assert any("beide regio's" in s or "geen van beide vergeleken regio's" in s
               for s in sentences)
    assert any(re.search(r"alle (drie|vier|vijf) regio's", s) for s in sentences)


def test_no_capital_after_a_colon_but_for_a_name(study, reports):
    names = {r.name for r in study.config.regions}
    found = []
    for key, s in _all(reports):
        for m in re.finditer(r":\s+([A-Z]\S*(?:\s+\S+)?)", s):
            if not any(m.group(1).startswith(n) for n in names):
                found.append((key, s))
    assert not found, found[:5]
    rounds = [s for key, s in _all(reports) if key[0] == "final" and s.startswith("In Ronde 2")]
    assert rounds and all(": na correctie" in s or ": te weinig" in s or
                          any(f": {n}" in s for n in names) for s in rounds), rounds


def test_no_structural_consultation_is_said_once_for_the_regions_it_applies_to(reports):
    for key, sentences in reports.items():
        if key[1] != "administrative":
            continue
        said = [s for s in sentences if "structureel bestuurlijk overleg" in s.lower()]
        assert len(said) <= 1, (key, said)
    assert not any(s == "Structureel bestuurlijk overleg is er niet."
                   for key, s in _all(reports) if key[1] == "administrative")


def test_the_final_report_says_each_sentence_on_a_region_once_per_section(study):
    names = [r.name for r in study.config.regions]
    report = Report(study, language="nl")
    for chapter in (chapters.administrative, chapters.executive, chapters.personal):
        for section in re.split(r"<h[2-4]\b", chapter(report).html):
            # a missing delivery is said in each section it leaves out, with its round
            seen = [s for s in _sentences(section)
                    if any(n in s for n in names) and "niet aangeleverd" not in s]
            repeated = {s for s in seen if seen.count(s) > 1}
            assert not repeated, (chapter.__name__, repeated)


def test_the_final_reports_sentences_on_too_small_regions_name_their_round(study, reports):
    labels = [r.label for r in study.config.rounds]
    small = [s for key, s in _all(reports) if key[0] == "final" and "te weinig" in s
             and "om mee te vergelijken" in s]
    assert small and all(any(s.startswith(f"In {label}: ") for label in labels) for s in small)


def test_the_final_reports_sentences_on_a_year_of_the_register_name_their_round(study, reports):
    labels = [r.label for r in study.config.rounds]
    per_year = [s for key, s in _all(reports)
                if key == ("final", "administrative") and "leidde elke werktafel" in s]
    assert per_year
    assert all(any(f"({label})" in s for label in labels) for s in per_year), per_year
