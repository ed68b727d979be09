"""Chapter 5 of the interim and final reports: the three groups instead of a ranking.

The example study's rounds have regions whose intervals overlap (every region 'average') and,
in round 2010-2, Zeist with four clients (below the minimum of five). No sentence may order
regions the model cannot separate, and a small region is never placed above or below.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest

from mss_eval.analysis.multilevel import multilevel_comparison
from mss_eval.report import chapters
from mss_eval.report.notebook import Report

@pytest.fixture(scope="module")
def study(example_study):
    return example_study


def _text(block_html: str) -> str:
    text = re.sub(r"<img[^>]*>", " ", block_html)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def _sentences(block_html: str) -> list[str]:
    """The generated paragraphs (not tables or captions) as sentences."""
    paragraphs = re.findall(r"<p>(.*?)</p>", block_html, flags=re.S)
    return [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", _text(p))]


def test_overlapping_intervals_give_no_ranking_text(study):
    report = Report(study, round="2010-1")
    html = chapters.personal(report).html
    result = multilevel_comparison(study["client_interview"], "mss_rating",
                                   covariates=chapters._case_mix_of(report), min_n=5)
    first = result[result["round"] == "2010-1"]
    # the premise: every interval contains the overall mean, so the model cannot separate them
    assert (first["ci_low"] <= first["overall"]).all()
    assert (first["ci_high"] >= first["overall"]).all()
    assert set(first["group"]) == {"average"}
    names = [study.config.region(g).name for g in study.config.round("2010-1").regions]
    ranking = re.compile(r"hoogste|laagste|beste|slechtste|van .* \((%s)\) tot" % "|".join(names))
    for sentence in _sentences(html):
        assert not ranking.search(sentence), sentence
        # no sentence names a region beside another as higher or lower
        assert not (sum(n in sentence for n in names) >= 2 and re.search(
            r"hoger|lager|boven|onder", sentence)), sentence
    text = _text(html)
    assert "alle drie regio's voor het rapportcijfer in de groep 'gemiddeld'" in text
    assert "niet gerangschikt" in text
    assert "Trechterdiagram" in html  # the funnel plot's alt text


def test_a_small_region_is_never_placed_above_or_below(study):
    report = Report(study, round="2010-2")
    html = chapters.personal(report).html
    text = _text(html)
    assert "Zeist" in text and "te weinig cliënten (minder dan 5) om mee te vergelijken" in text
    for sentence in _sentences(html):
        if "Zeist" in sentence:
            assert "boven het gemiddelde" not in sentence
            assert "onder het gemiddelde" not in sentence
    # this round's rating has no variance between regions (τ² = 0): no table of groups, in
    # which every region would read the total's estimate (a small region's row in such a table:
    # test_a_region_with_too_few_partners_is_said_and_never_grouped)
    assert "Regio's vergeleken: het rapportcijfer," not in html_lib.unescape(html)


def test_a_small_region_with_extreme_answers_stays_out_of_the_groups():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"round": "r1", "region": np.repeat(["a", "b", "c"], 12),
                          "rating": rng.normal(7.5, 1.0, 36)})
    small = pd.DataFrame({"round": "r1", "region": ["tiny"] * 4, "rating": [1.0] * 4})
    out = multilevel_comparison(pd.concat([frame, small]), "rating", covariates=(), min_n=5)
    tiny = out[out["region"] == "tiny"].iloc[0]
    assert bool(tiny["suppressed"]) and pd.isna(tiny["group"])


def test_the_appendix_explains_the_method_in_plain_dutch(study):
    text = _text(chapters.appendix(Report(study, round="2010-1")).html)
    assert "multilevelmodel" in text and "trechterdiagram" in text.lower()
    assert "'gemiddeld' en worden niet gerangschikt" in text
    assert "Op uitvoerend niveau worden het rapportcijfer van de partners voor de resultaten en " \
           "de aspecten van de samenwerking op dezelfde manier vergeleken" in text


def test_the_final_report_shows_the_change_of_the_same_clients(study):
    report = Report(study)
    html = chapters.personal(report).html
    text = _text(html)
    assert "Cliënten gevolgd over rondes" in text
    assert "In Den Haag zijn 9 van de 14 cliënten uit Ronde 1, voorjaar 2010 in Vervolgmeting " \
           "2011 opnieuw geïnterviewd" in text
    assert "Bij deze zelfde cliënten veranderde het rapportcijfer" in text
    assert "Het gemiddelde van alle cliënten van de ronde veranderde" in text
    assert "Dezelfde cliënten in twee rondes" in text


# -- the executive level: partners compared between regions -----------------------------------
def test_the_partners_rating_of_the_results_is_compared_adjusted_for_organisation_group(study):
    report = Report(study, round="2010-2")
    html = chapters.executive(report).html
    text = _text(html)
    assert "Regio's vergeleken: het rapportcijfer van de partners voor de resultaten, " \
           "gecorrigeerd voor organisatiegroep (multilevelmodel)" in text
    assert "aantal partners dat antwoordde" in text  # the funnel's axis and caption
    # the table's estimates are the model's on the partners of the round, with the
    # organisation group as case mix (not the clients' age, gender, education ...)
    partners = study["partner_survey"]
    result = multilevel_comparison(partners[partners["round"] == "2010-2"], "results_rating",
                                   covariates=("organisation_group",), min_n=5)
    plain = multilevel_comparison(partners[partners["round"] == "2010-2"], "results_rating",
                                  covariates=(), min_n=5)
    table = re.search(r"Regio's vergeleken: het rapportcijfer van de partners.*?</table>",
                      html_lib.unescape(html), re.S).group(0)
    for _, row in result.iterrows():
        name = study.config.region(row["region"]).name
        cells = re.findall(r"<td[^>]*>(.*?)</td>",
                           re.search(rf"<th[^>]*>{re.escape(name)}[^<]*</th>(.*?)</tr>",
                                     table, re.S).group(1), re.S)
        assert cells[0] == str(row["n"])
        assert cells[3] == f"{row['estimate']:.1f}".replace(".", ",")
    assert not result["estimate"].round(6).equals(plain["estimate"].round(6))
    # Hilversum delivered no partner survey: not in the table, said once in the section
    assert "Hilversum" not in table
    assert set(result["group"]) == {"average"}
    assert "alle vijf regio's voor het rapportcijfer van de partners voor de resultaten in de " \
           "groep 'gemiddeld'" in text


def test_a_collaboration_aspect_names_only_the_regions_the_model_separates(study):
    import numpy as np

    report = Report(study, round="2010-2")
    partners = study["partner_survey"]
    partners = partners[partners["round"] == "2010-2"]
    # Zeist keeps three partners: too few to be placed, even with every answer at the top
    partners = partners.drop(partners.index[partners["region"] == "zeist"][3:])
    items = ["cq_short_lines_1", "cq_short_lines_2"]
    for region, answer in (("breda", "strongly_agree"), ("de_bilt", "strongly_disagree"),
                           ("zeist", "strongly_agree")):
        for item in items:
            partners = partners.assign(**{item: partners[item].where(
                partners["region"] != region, answer)})
    labels = {"short_lines": "Korte lijnen", "commitment": "Betrokkenheid"}
    sentences = chapters._scale_groups(report, partners, labels)
    # the scale scores by hand (1-5 on the answer order), then the model's groups
    codes = {c: i + 1 for i, c in enumerate(partners[items[0]].dtype.categories)}
    scores = partners[items].apply(lambda col: col.astype(str).map(codes)).mean(axis=1)
    assert np.allclose(scores[partners["region"] == "breda"], 5.0)
    assert np.allclose(scores[partners["region"] == "de_bilt"], 1.0)
    result = multilevel_comparison(partners.assign(score=scores), "score",
                                   covariates=("organisation_group",), min_n=5)
    groups = dict(zip(result["region"].astype(str), result["group"].astype(object)))
    assert groups["breda"] == "above" and groups["de_bilt"] == "below"
    assert pd_isna(groups["zeist"])  # three partners: never placed
    [sentence] = sentences
    assert sentence.endswith(" (na correctie voor de organisatiegroep van de partners); op de "
                             "andere aspecten zijn de regio's niet van elkaar te onderscheiden.")
    for region, group in groups.items():
        name = study.config.region(region).name
        if not pd_isna(group) and group in ("above", "below"):
            where = "boven" if group == "above" else "onder"
            assert re.search(rf"{name}( en [^;]*?)? sco(ort|ren) {where} het gemiddelde op "
                             r"'Korte lijnen'", sentence), (name, sentence)
        else:
            assert name not in sentence
    assert "Betrokkenheid" not in sentence
    untouched = chapters._scale_groups(report, report.frame("partner_survey"), labels)
    assert untouched == ["Na correctie voor de organisatiegroep van de partners zijn de regio's "
                         "op geen van de twee aspecten van de samenwerking van elkaar te "
                         "onderscheiden."]


def test_the_final_report_says_per_round_which_regions_an_aspect_separates(study):
    report = Report(study)
    labels = {"short_lines": "Korte lijnen"}
    sentences = chapters._scale_groups(report, report.frame("partner_survey"), labels)
    # one sentence per round, each led by its round, so that Den Haag of 2010 and of 2011
    # are not mixed up
    rounds = [study.config.round(r).label for r in report.rounds]
    assert [s.split(": ")[0] for s in sentences] == [f"In {label}" for label in rounds]
    partners = study["partner_survey"]
    codes = {c: i + 1 for i, c in
             enumerate(partners["cq_short_lines_1"].dtype.categories)}
    scores = partners[["cq_short_lines_1", "cq_short_lines_2"]].apply(
        lambda col: col.astype(str).map(codes)).mean(axis=1)
    result = multilevel_comparison(partners.assign(score=scores), "score",
                                   covariates=("organisation_group",), min_n=5)
    for rnd, sentence in zip(report.rounds, sentences):
        apart = result[(result["round"] == rnd) & result["group"].isin(["above", "below"])]
        names = [study.config.region(r).name for r in apart["region"]]
        if names:
            assert all(name in sentence for name in names), sentence
        else:
            assert "van elkaar te onderscheiden" in sentence and "op geen van" in sentence


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_a_region_with_too_few_partners_is_said_and_never_grouped(study):
    report = Report(study, round="2010-2")
    partners = report.frame("partner_survey")
    partners = partners.drop(partners.index[partners["region"] == "zeist"][3:])
    html = chapters._regions_compared(report, partners, "results_rating", what="het cijfer",
                                      axis="cijfer", who="partners").html
    text = _text(html)
    assert "In Zeist antwoordden te weinig partners (minder dan 5) voor een vergelijking." in text
    table = re.search(r"Regio's vergeleken: het cijfer.*?</table>", html_lib.unescape(html),
                      re.S).group(0)
    row = re.search(r"<th[^>]*>Zeist</th>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[0] == "3" and all(c in ("x", "") for c in cells[1:])
    assert "alle vier regio's voor het cijfer in de groep 'gemiddeld'" in text


def test_the_groups_sentence_fits_one_or_no_other_region(study):
    import numpy as np
    import pandas as pd

    report = Report(study)
    partners = report.frame("partner_survey")
    html = chapters.executive(report).html
    result = multilevel_comparison(partners, "results_rating",
                                   covariates=("organisation_group",), min_n=5)
    follow_up = dict(zip(result.loc[result["round"] == "2011", "region"].astype(str),
                         result.loc[result["round"] == "2011", "group"]))
    assert follow_up == {"den_haag": "above", "dordrecht": "average"}  # the premise
    assert ("In Vervolgmeting 2011: Den Haag ligt boven het gemiddelde voor het rapportcijfer "
            "van de partners voor de resultaten, na correctie voor organisatiegroep; de andere "
            "regio valt in de groep 'gemiddeld'.") in _text(html)
    # two regions far apart: both placed, so no sentence about 'the other regions'
    frame = pd.DataFrame({"round": "2011", "region": np.repeat(["den_haag", "dordrecht"], 10),
                          "y": np.r_[np.linspace(8.5, 9.5, 10), np.linspace(2.5, 3.5, 10)]})
    apart = multilevel_comparison(frame, "y", covariates=(), min_n=5)
    assert set(apart["group"]) == {"above", "below"}
    [sentence, *_] = chapters._group_sentences(report, apart, "2011", "het cijfer")
    assert sentence == ("In Vervolgmeting 2011: Den Haag ligt boven het gemiddelde en Dordrecht "
                        "ligt onder het gemiddelde voor het cijfer, na correctie voor leeftijd, "
                        "geslacht, opleiding en woonsituatie.")


def test_a_merged_case_mix_category_is_said_in_the_report(study):
    # a yes/no item on which every client aged 55 or over says yes: that category cannot be
    # adjusted for; the report says which one and where its clients went
    import numpy as np
    import pandas as pd

    report = Report(study, round="2010-1")
    rng = np.random.default_rng(11)
    n = 60
    age = np.where(rng.random(n) < 0.5, "age_25_39", "age_40_54").astype(object)
    age[:6] = "age_55_plus"
    yes = rng.random(n) < 0.5
    yes[:6] = True
    frame = pd.DataFrame({"round": "2010-1", "region": np.repeat(["alkmaar", "breda", "zeist"],
                                                                  20),
                          "age_band": age, "has_spv": yes})
    result = multilevel_comparison(frame, "has_spv", kind="binary", covariates=("age_band",),
                                   min_n=5)
    assert (result["note"] == "case_mix_merged:age_band=age_55_plus").all()  # the premise
    sentences = chapters._group_sentences(report, result, "2010-1", "een SPV")
    shares = chapters._share_groups(report, frame, "has_spv")
    expected = ("De correctie voor leeftijd is onvolledig: in een categorie gaven alle cliënten "
                "hetzelfde antwoord, en die cliënten tellen mee in de grootste categorie.")
    assert expected in sentences and expected in shares
    # without the merge no such sentence
    plain = multilevel_comparison(frame.iloc[6:], "has_spv", kind="binary",
                                  covariates=("age_band",), min_n=5)
    assert not any("onvolledig" in s for s in
                   chapters._group_sentences(report, plain, "2010-1", "een SPV"))


def test_a_between_region_spread_the_data_cannot_bound_is_not_reported_as_a_finding(study):
    # round 2010-1 of the example study: three regions, Dordrecht's 12 clients all in contact
    # with a professional, four case-mix characteristics: the likelihood rises without end as
    # the regions are set apart (glmer gives a standard deviation of 13 with a warning), so no
    # region may be placed above or below, and the report says why
    clients = study["client_interview"]
    first = clients[clients["round"].astype(str) == "2010-1"]
    shares = first.groupby("region", observed=True)["contact_professional"].mean()
    assert shares["dordrecht"] == 1.0  # the premise
    report = Report(study, round="2010-1")
    result = multilevel_comparison(clients, "contact_professional", kind="binary",
                                   covariates=chapters._case_mix_of(report), min_n=5)
    rows = result[(result["round"].astype(str) == "2010-1") & ~result["suppressed"]]
    assert (rows["note"] == "tau2_not_estimable").all()
    assert rows["tau2"].isna().all() and rows["group"].isna().all()
    [sentence] = chapters._share_groups(report, clients[clients["round"].astype(str) == "2010-1"],
                                        "contact_professional")
    assert sentence.startswith("Op dit punt zijn de regio's niet te vergelijken")


def test_the_final_report_names_the_round_of_each_yes_no_comparison(study):
    # the final report holds every round: a region above average on a yes/no item is so in a
    # round, and the sentence says which (it said "Den Haag ligt boven het gemiddelde" alone)
    report = Report(study)
    clients = report.frame("client_interview")
    result = multilevel_comparison(clients, "has_spv", kind="binary",
                                   covariates=chapters._case_mix_of(report), min_n=5)
    above = result[result["group"] == "above"]
    assert list(zip(above["round"].astype(str), above["region"].astype(str))) == [
        ("2010-1", "den_haag")]  # the premise
    sentences = chapters._share_groups(report, clients, "has_spv")
    rounds = [r.label for r in study.config.rounds]
    assert ("In Ronde 1, voorjaar 2010: Den Haag ligt boven het gemiddelde, na correctie voor de "
            "samenstelling van de cliënten; de andere regio's zijn gemiddeld.") in sentences
    # one sentence per round, each naming it, and none with a second colon
    firsts = [s for s in sentences if s.startswith("In ")]
    assert [next(r for r in rounds if s.startswith(f"In {r}:")) for s in firsts] == rounds
    assert all(s.count(":") == 1 for s in firsts), firsts
