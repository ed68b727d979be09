"""Every key figure's ``n`` is its documented base, and suppression shows one marker everywhere.

Small hand-made studies: the expected numbers are worked out in the comments.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from helpers_tidy import StandInStudy, config, empty_tables, stack, tidy
from mss_eval.analysis.key_figures import DEFINITIONS, key_figures

DOCS = Path(__file__).resolve().parents[1] / "docs"
#: Answer keys of the experience items by code (1 strongly disagree ... 5 strongly agree).
KEY = {1: "strongly_disagree", 2: "disagree", 3: "neutral", 4: "agree", 5: "strongly_agree"}


def _experience(rows: list[dict]) -> pd.DataFrame:
    return tidy("client_interview", [{item: (None if code is None else KEY[code])
                                      for item, code in row.items()} for row in rows])


# -- 1. a response figure rests on the number approached -----------------------------------------
def _response_study() -> StandInStudy:
    # region a: 14 of 20 approached clients interviewed, 2 of 3 approached partners interviewed;
    # region b: 3 clients interviewed, nobody's number approached recorded
    cfg = config({"r1": ["a", "b"]},
                 approached={"r1": {"a": {"client_interview": 20, "partner_interview": 3,
                                          "general_interview": 4}}})
    tables = empty_tables()
    tables["client_interview"] = stack(
        tidy("client_interview", mss_rating=[7] * 14, region=["a"] * 14),
        tidy("client_interview", mss_rating=[8] * 3, region=["b"] * 3))
    tables["interview_register"] = tidy(
        "interview_register", kind=["partner", "partner", "general", "general", "general"],
        region=["a"] * 5)
    return StandInStudy(cfg, tables)


def test_response_n_is_the_number_approached_not_the_respondents():
    figures = key_figures(_response_study(), "r1", "a")["region"]["collection"]
    clients = figures["client_interview_response"]
    assert clients["value"] == pytest.approx(14 / 20)
    assert clients["n"] == 20                          # the base: 20 approached
    assert figures["client_interview"]["n"] == 14       # the count: 14 respondents


def test_response_of_general_and_partner_interviews_is_computed():
    figures = key_figures(_response_study(), "r1", "a")["region"]["collection"]
    assert figures["partner_interview_response"]["value"] == pytest.approx(2 / 3)
    assert figures["partner_interview_response"]["n"] == 3
    assert figures["general_interview_response"]["value"] == pytest.approx(3 / 4)
    assert figures["general_interview_response"]["n"] == 4


def test_response_without_a_number_approached_has_base_zero_and_no_value():
    figures = key_figures(_response_study(), "r1", "b")["region"]["collection"]
    response = figures["client_interview_response"]
    assert (response["value"], response["n"], response["suppressed"]) == (None, 0, False)
    # the round's total needs every region's number: b's is missing, so no round response
    round_response = key_figures(_response_study(), "r1")["round"]["collection"][
        "client_interview_response"]
    assert (round_response["value"], round_response["n"]) == (None, 0)


# -- 2. a client registered in two rounds is one client at study level --------------------------
def _register_study() -> StandInStudy:
    cfg = config({"r1": ["a"], "r2": ["a"]})
    tables = empty_tables()
    # p1: 2010-01-01 in r1 and 2010-12-01 in r2 -> one contact of 334 days = 10.97 months;
    # p2..p6 once each in r1 (0 months); p7 twice in r2 (2010-10-01, 2010-11-01: 31 days);
    # p8..p11 once each in r2. 11 clients; r1 has 6 of them, r2 6 (p1, p7..p11).
    ids = ["p1", "p2", "p3", "p4", "p5", "p6", "p1", "p7", "p7", "p8", "p9", "p10", "p11"]
    dates = ["2010-01-01"] * 6 + ["2010-12-01", "2010-10-01", "2010-11-01"] + ["2010-10-01"] * 4
    rounds = ["r1"] * 6 + ["r2"] * 7
    tables["monitor_register"] = tidy(
        "monitor_register", registration_number=list(range(1, 14)), client_id=ids, date=dates,
        life_domain=["work"] * 13, round=rounds, region=["a"] * 13)
    return StandInStudy(cfg, tables)


def test_contact_duration_over_rounds_counts_a_client_once_from_first_to_last_contact():
    study = key_figures(_register_study())["study"]["indicators"]
    assert study["unique_clients"]["value"] == 11
    duration_max = study["contact_duration_max"]
    assert duration_max["n"] == 11                     # 11 clients, not 12 client-rounds
    months_per_day = 12 / 365.25
    assert duration_max["value"] == pytest.approx(334 * months_per_day, abs=1e-6)
    # durations 10.97, 1.02 and nine times 0: the median is 0
    assert study["contact_duration_median"]["value"] == pytest.approx(0.0)
    # within one round a client is measured within that round: p1 has 0 months in r2
    r2 = key_figures(_register_study(), "r2", "a")["region"]["indicators"]
    assert r2["contact_duration_max"]["n"] == 6
    assert r2["contact_duration_max"]["value"] == pytest.approx(31 * months_per_day, abs=1e-6)


# -- 3. study.yaml's approached keys: every method accepted, nothing that feeds nothing ---------
@pytest.mark.parametrize("key, code", [
    ("general_interview", None), ("partner_interview", None), ("feedback_meeting", None),
    ("partner_survey", "approached_feeds_nothing"),
    ("interview_register", "approached_feeds_nothing"),
    ("client_interviews", "approached_unknown"),
])
def test_approached_accepts_each_method_and_refuses_a_key_that_feeds_no_figure(tmp_path, key,
                                                                                code):
    from helpers_input import make_study
    from mss_eval.input.validate import validate_study

    text = _study_yaml(f"    approached: {{den_haag: {{{key}: 12}}}}\n")
    report = validate_study(make_study(tmp_path / "study", yaml_text=text))
    problems = [p for p in report.problems if p.code.startswith("approached")]
    if code is None:
        assert problems == []
    else:
        (problem,) = problems
        assert (problem.code, problem.value, problem.file, problem.line) == (
            code, key, "study.yaml", 8)
        assert "general_interview" in problem.message and not report.valid


def _study_yaml(approached_line: str) -> str:
    from test_study_yaml import BASE

    return BASE.replace("    regions: [den_haag, dordrecht]\n",
                        "    regions: [den_haag, dordrecht]\n" + approached_line)


# -- 4. a suppressed alpha is the marker, with the footnote -------------------------------------
def test_a_suppressed_alpha_shows_the_marker_and_the_footnote():
    from mss_eval.analysis.personal import experience_scale
    from mss_eval.report.style import SUPPRESSED_MARKER
    from mss_eval.report.tables import Col, report_table

    # 6 clients score the scale, only 4 answered every item: the mean is shown, alpha is not
    full = dict(exp_heard=4, exp_time=4, exp_staff_change=2, exp_wishes=3, exp_reachable=4,
                exp_know_where=5)
    rows = [full, full, {**full, "exp_heard": 2}, {**full, "exp_time": 5},
            {**full, "exp_wishes": None}, {**full, "exp_reachable": None}]
    scale = experience_scale(_experience(rows), min_n=5)
    assert int(scale.loc[0, "n"]) == 6 and int(scale.loc[0, "n_alpha"]) == 4
    assert bool(scale.loc[0, "alpha_suppressed"]) and not bool(scale.loc[0, "suppressed"])
    table = report_table(scale, [Col("n", "n", kind="count", base=True), Col("mean", "Gem."),
                                 Col("alpha", "alfa", decimals=2,
                                     suppressed_by="alpha_suppressed")])
    assert table.cells.loc[0, "alfa"] == SUPPRESSED_MARKER
    assert table.cells.loc[0, "Gem."] not in ("", SUPPRESSED_MARKER)
    html = table.to_html()
    assert f'<td class="num suppressed">{SUPPRESSED_MARKER}</td>' in html
    assert any(SUPPRESSED_MARKER in note and "5" in note for note in table.notes)


def test_an_alpha_undefined_on_enough_clients_is_missing_not_suppressed():
    from mss_eval.analysis.personal import experience_scale

    same = dict(exp_heard=4, exp_time=4, exp_staff_change=2, exp_wishes=4, exp_reachable=4,
                exp_know_where=4)
    scale = experience_scale(_experience([same] * 6), min_n=5).iloc[0]
    assert pd.isna(scale["alpha"]) and not bool(scale["alpha_suppressed"])


# -- 5. alpha intervals keep their precision -----------------------------------------------------
def test_alpha_interval_in_the_key_figures_has_more_than_three_decimals():
    answers = {"exp_heard": [5, 4, 2, 3, 5, 1, 4], "exp_time": [4, 4, 3, 3, 5, 2, 3],
               "exp_staff_change": [1, 2, 4, 3, 1, 5, 2], "exp_wishes": [4, 4, 2, 3, 5, 2, 4],
               "exp_reachable": [4, 3, 2, 3, 4, 1, 4], "exp_know_where": [5, 4, 3, 3, 5, 2, 3]}
    tables = empty_tables()
    tables["client_interview"] = _experience(
        [dict(zip(answers, codes)) for codes in zip(*answers.values())])
    study = StandInStudy(config({"r1": ["a"]}), tables)
    alpha = key_figures(study, "r1", "a")["region"]["personal"]["experience_alpha"]
    assert alpha["n"] == 7
    decimals = [len(str(alpha[k]).split(".")[1]) for k in ("ci_low", "ci_high")]
    assert max(decimals) > 3


# -- every figure of a rendered figures.json follows its documented base rule -------------------
def _documented_bases() -> dict[str, str]:
    """figure id -> the base column of docs/figures-json.md."""
    text = (DOCS / "figures-json.md").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        m = re.match(r"\| `([a-z_]+\.[a-z0-9_]+)` \| [^|]+ \| ([^|]+) \|", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def test_docs_state_a_base_for_every_figure():
    bases = _documented_bases()
    assert set(bases) == set(DEFINITIONS)
    for id, base in bases.items():
        assert base == DEFINITIONS[id].base["en"], id


def _figure_records(node, path=()):
    if isinstance(node, dict) and "definition" in node and "value" in node:
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            if k != "definitions":
                yield from _figure_records(v, (*path, k))


def _scope_of(figures: dict, path: tuple) -> tuple[str, str | None, str | None]:
    """(kind, round, region) of the levels a record's path leads through."""
    meta = figures["meta"]
    head = path[0]
    if head == "region":
        return "region", meta["round"], meta["region"]
    if head == "round":
        return "round", meta["round"], None
    if head == "regions":
        return "region", meta["round"], path[1]
    if head == "study":
        return "study", None, None
    if head == "changes":  # a region's change between rounds: a difference, not a base
        return "change", None, path[1]
    if head == "rounds":
        return ("region", path[1], path[3]) if path[2] == "regions" else ("round", path[1], None)
    raise AssertionError(f"unknown scope at {path}")


def base_violations(figures: dict, cfg) -> list[str]:
    """The records of a ``figures.json`` whose ``n`` breaks the documented base rule.

    Response: the number approached in study.yaml for the scope's regions (their sum, when every
    region records it; otherwise 0). Counts of respondents: the count itself. Every other figure
    of a region: suppressed exactly when its base is below the minimum (pooled figures may also
    be suppressed on a larger base, by rule 4 of the policy).
    """
    min_n = figures["meta"]["min_respondents"]
    wrong = []
    for path, rec in _figure_records(figures):
        d = DEFINITIONS[rec["definition"]]
        kind, rnd, region = _scope_of(figures, path)
        where = ".".join(path)
        if kind == "change":
            continue
        if d.level == "collection" and d.name.endswith("_response"):
            method = d.name.removesuffix("_response")
            pairs = ([(rnd, region)] if kind == "region" else
                     [(rnd, g) for g in cfg.round(rnd).regions] if kind == "round" else
                     cfg.round_regions())
            counts = [cfg.round(r).approached.get(g, {}).get(method) for r, g in pairs]
            expected = sum(counts) if counts and None not in counts else 0
            if rec["n"] != expected:
                wrong.append(f"{where}: n={rec['n']}, approached={expected}")
        elif d.unit == "count" and d.level == "collection":
            if rec["n"] != rec["value"]:
                wrong.append(f"{where}: count with n={rec['n']} and value={rec['value']}")
        elif kind == "region" and rec["value"] is not None and rec["n"] < min_n \
                and d.unit not in ("count", "yes_no", "year", "text") \
                and d.level != "administrative":
            wrong.append(f"{where}: shown on a base of {rec['n']}")
        elif kind == "region" and rec["suppressed"] and rec["n"] >= min_n:
            wrong.append(f"{where}: suppressed on a base of {rec['n']}")
    return wrong


@pytest.fixture(scope="module")
def example_study():
    import mss_eval
    from mss_eval.example.generator import default_example_dir

    if not (default_example_dir() / "study.yaml").is_file():
        pytest.skip("the example study has not been generated")
    return mss_eval.load_study(default_example_dir())


@pytest.mark.slow
def test_every_figure_of_the_example_study_follows_its_documented_base(example_study):
    import json

    from mss_eval.render.export import figures_json

    cfg = example_study.config
    reports = [(r, g) for r, g in cfg.round_regions()]
    reports += [(r.id, None) for r in cfg.rounds] + [(None, None)]
    checked = 0
    for rnd, region in reports:
        # the text the renderer writes as figures.json, read back
        figures = json.loads(figures_json(key_figures(example_study, rnd, region)))
        assert base_violations(figures, cfg) == [], (rnd, region)
        checked += sum(1 for _ in _figure_records(figures))
        if (rnd, region) == ("2010-1", "den_haag"):  # 14 of the 18 approached
            rec = figures["region"]["collection"]["client_interview_response"]
            assert (rec["n"], rec["value"]) == (18, round(14 / 18, 6))
    assert checked > 1000


def test_the_base_check_catches_a_response_resting_on_its_respondents():
    cfg = _response_study().config
    figures = key_figures(_response_study(), "r1", "a", definitions=False)
    assert base_violations(figures, cfg) == []
    figures["region"]["collection"]["client_interview_response"]["n"] = 14
    assert base_violations(figures, cfg) == [
        "region.collection.client_interview_response: n=14, approached=20"]


# -- the marker in figures: a chart whose data are all suppressed says so, not "no data" --------
def test_a_chart_with_only_suppressed_data_shows_the_marker_not_no_data():
    from mss_eval.report.figures import share_figure
    from mss_eval.report.style import SUPPRESSED_MARKER

    frame = pd.DataFrame({"item": ["has_spv", "paid_work"], "region": ["zeist", "zeist"],
                          "share": [None, None], "n": [4, 4], "suppressed": [True, True]})
    fig = share_figure(frame, category="item", hue="region", title="Hulpverleners",
                     language="nl", min_respondents=5)
    assert f"{SUPPRESSED_MARKER} = Niet getoond (te weinig respondenten)" in fig.alt
    assert "Geen gegevens" not in fig.alt
    assert any("minder dan 5 respondenten" in note for note in fig.notes)
    # without rows at all, the chart still says there is nothing to show
    empty = share_figure(frame.iloc[:0], category="item", hue="region", title="Hulpverleners",
                       language="nl", min_respondents=5)
    assert "Geen gegevens om te tonen" in empty.alt and SUPPRESSED_MARKER + " =" not in empty.alt
