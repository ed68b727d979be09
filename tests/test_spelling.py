"""Every generated sentence of every example report, in Dutch and in English, is spelled right.

The reports' chapters are built in this process (no notebook) for every region, round and the
final report of the example study; every text a reader sees that the workbench wrote (headings,
sentences, captions, table headers and notes, alt texts) goes through Debian's hunspell
dictionary of the language (read with spylls) plus the workbench's vocabulary in
tests/spelling/. Names that come from the study's own data (regions, municipalities, round
labels, organisations, codebook themes) are allowed; everything else unknown fails the test,
which also catches English words in a Dutch report and Dutch words in an English one.
"""

from __future__ import annotations


import pytest

from spelling_helpers import NOT_GENERATED, missing_reason, unknown_words, words

@pytest.fixture(scope="module")
def study(example_study):
    return example_study


def _data_names(study) -> frozenset[str]:
    """Words of names and labels the study itself supplies (not written by the workbench)."""
    texts = [study.config.name, str(study.config.commissioned_by or "")]
    for rnd in study.config.rounds:
        texts.append(rnd.label)
    for region in study.config.regions_all() if hasattr(study.config, "regions_all") else []:
        texts.append(region.name)
    for rnd in study.config.rounds:
        for g in rnd.regions:
            region = study.config.region(g)
            texts += [region.name, str(getattr(region, "municipalities", "") or "")]
    for table, columns in {"partner_survey": ("organisation",),
                           "partner_ties": ("partner_organisation",),
                           "feedback_findings": ("theme",),
                           "social_map": ("service_name",)}.items():
        frame = study.tables.get(table)
        for column in columns:
            if frame is not None and column in frame:
                texts += [str(v) for v in frame[column].dropna().unique()]
    try:
        from mss_eval.qualitative import codebook_themes  # type: ignore[attr-defined]
        texts += list(codebook_themes(study))
    except Exception:  # noqa: BLE001 - no codebook helper: its labels are checked like others
        pass
    return frozenset(w for t in texts for w in words(t))


def _scopes(study):
    return ([dict(round=r.id, region=g) for r in study.config.rounds for g in r.regions]
            + [dict(round=r.id) for r in study.config.rounds] + [dict()])


def generated_texts(report) -> list[str]:
    """The texts a reader sees that the workbench generated, of every chapter of a report."""
    import matplotlib.pyplot as plt

    from mss_eval.report import chapters

    out = [t for _, t in report.title_page().texts()] if hasattr(report.title_page(),
                                                                  "texts") else []
    for chapter in (chapters.introduction, chapters.mss_profile, chapters.administrative,
                    chapters.executive, chapters.personal, chapters.conclusions,
                    chapters.appendix):
        for node in chapter(report):
            if getattr(node, "role", None) in NOT_GENERATED or node.kind in (
                    "quote", "author_text"):
                continue
            out += [t for role, t in node.texts() if role not in NOT_GENERATED]
    plt.close("all")
    return out


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_generated_sentence_of_every_example_report_is_spelled_right(study, language):
    from mss_eval.report.notebook import Report

    reason = missing_reason(language)
    if reason:
        pytest.skip(reason)
    names = _data_names(study)
    unknown: dict[str, str] = {}
    for scope in _scopes(study):
        report = Report(study, language=language, **scope)
        found = unknown_words(generated_texts(report), language, names)
        for word, text in found.items():
            unknown.setdefault(word, f"{scope or 'final'}: {text[:120]}")
    assert not unknown, "unknown words (fix the text or add to tests/spelling/):\n" + "\n".join(
        f"  {w!r} in {t}" for w, t in sorted(unknown.items()))


def test_a_misspelled_or_english_word_in_a_dutch_sentence_is_found():
    if missing_reason("nl"):
        pytest.skip(missing_reason("nl"))
    found = unknown_words(["Op de terugkoppelingsbijeenkomsts waren 12 mensen.",
                           "Er zijn 2 werktafels; de share is 40%."], "nl")
    assert set(found) == {"terugkoppelingsbijeenkomsts", "share"}
    assert not unknown_words(["Op de terugkoppelingsbijeenkomsten waren 12 mensen."], "nl")
