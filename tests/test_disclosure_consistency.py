"""Disclosure control end to end: nothing suppressed can be derived back from what a report shows.

A study with a region too small for its round is rendered twice from the same data: as it must be
(``min_respondents: 5``) and as an oracle with nothing suppressed (``min_respondents: 1``). The
tests play the attacker on the first: from its tables (totals beside regions, bases ``n``),
``figures.json``, sentences and figure descriptions they derive every suppressed figure they can,
and fail when a derivation lands on the oracle's value for a figure that rests on fewer than five
respondents. The derivations:

* a total minus the regions shown gives the suppressed regions together (means and shares are
  weighted by their bases; ``figures.json`` has six decimals, so this is exact);
* percentages in a table with known bases give whole counts back exactly (for bases up to 100 a
  rounded percentage admits one count), so a hidden share follows from a total's;
* a sentence of the oracle that states a figure the report suppresses must not be in the report.

The study: the example study's first round with Dordrecht cut to 4 client interviews, 3
questionnaires and 3 partner-survey respondents, and Eindhoven to 6 client interviews.
"""

from __future__ import annotations

import html as html_lib
import json
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from mss_eval.render import render_study
from mss_eval.render.plan import plan_reports
from mss_eval.render.worker import render_report
from mss_eval.study import load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"
MIN_N = 5
ROUND = "2010-1"

pytestmark = pytest.mark.slow


# -- the study -----------------------------------------------------------------------------------
def _keep_rows(path: Path, n: int, where=None) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    body = [line for line in lines[1:] if where is None or where(line)]
    path.write_bytes(b"".join([lines[0], *body[:n]]))


def _small_region_study(target: Path, min_respondents: int) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".mss-secret", "reports",
                                                                     ".mss-cache"))
    config = yaml.safe_load((target / "study.yaml").read_text(encoding="utf-8"))
    first = config["rounds"][0]
    assert first["id"] == ROUND
    config["rounds"] = [first]
    config["regions"] = [r for r in config["regions"] if r["id"] in first["regions"]]
    config["settings"]["min_respondents"] = min_respondents
    (target / "study.yaml").write_text(yaml.safe_dump(config, allow_unicode=True,
                                                      sort_keys=False), encoding="utf-8")
    for other in (target / "data").iterdir():
        if other.name != ROUND:
            shutil.rmtree(other)
    data = target / "data" / ROUND
    _keep_rows(data / "dordrecht" / "client_interview.csv", 4)
    _keep_rows(data / "dordrecht" / "client_questionnaire.csv", 3)
    _keep_rows(data / "dordrecht" / "partner_survey.csv", 3)
    kept = (b"DO-S01", b"DO-S02", b"DO-S03")
    _keep_rows(data / "dordrecht" / "partner_ties.csv", 10_000,
               where=lambda line: line.split(b";")[0] in kept)
    _keep_rows(data / "eindhoven" / "client_interview.csv", 6)
    return target


@dataclass
class Rendered:
    study: Path          # the study (min_respondents 5)
    out: Path            # reports of the study as it must be rendered
    oracle: Path         # the same data with nothing suppressed (round and final report only)
    summary: object

    def round_html(self, oracle: bool = False) -> str:
        base = self.oracle if oracle else self.out
        return (base / ROUND / f"mss_{ROUND}.html").read_text(encoding="utf-8")

    def figures(self, *parts: str, oracle: bool = False) -> dict:
        base = self.oracle if oracle else self.out
        return json.loads((base.joinpath(*parts) / "figures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Rendered:
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    root = tmp_path_factory.mktemp("disclosure")
    study = _small_region_study(root / "study", MIN_N)
    oracle_study = _small_region_study(root / "oracle_study", 1)
    out, oracle = root / "reports", root / "oracle"
    summary = render_study(study, formats=["html"], out_dir=out, jobs=2, progress=False)
    jobs = plan_reports(load_config(oracle_study), oracle_study, oracle, formats=["html"])
    for job in jobs:
        if job.kind != "region":
            result = render_report(job)
            assert result.ok, result.error
    return Rendered(study=study, out=out, oracle=oracle, summary=summary)


def test_the_study_renders_and_really_has_suppressed_figures(rendered):
    assert rendered.summary.exit_code == 0, rendered.summary.describe()
    figures = rendered.figures(ROUND)
    dordrecht = figures["regions"]["dordrecht"]["personal"]["rating_mean"]
    assert dordrecht["suppressed"] and dordrecht["n"] == 4
    assert figures["regions"]["den_haag"]["personal"]["rating_mean"]["value"] is not None
    truth = rendered.figures(ROUND, oracle=True)["regions"]["dordrecht"]["personal"]
    assert truth["rating_mean"]["value"] is not None  # the oracle shows what is hidden


# -- figures.json ----------------------------------------------------------------------------------
#: Figures that are means or shares over the figure's base ``n`` (so a total is the base-weighted
#: sum of its parts); other figures (medians, extremes, text) are checked in the tables and text.
def _additive(level: str, name: str) -> bool:
    if level == "personal":
        return (name in ("rating_mean", "experience_mean", "informal_persons",
                         "professional_persons") or name.startswith("share_"))
    if level == "executive":
        return name == "results_rating_mean" or (name.startswith("collaboration_")
                                                 and name.endswith("_mean")) \
            or name == "share_findings_recognised"
    return False


def _records(levels: dict):
    for level, figures in levels.items():
        for name, record in figures.items():
            if _additive(level, name):
                yield level, name, record


@dataclass
class Leak:
    where: str
    figure: str
    hidden: tuple[str, ...]
    base: float
    derived: float
    truth: float | str | None

    def __str__(self) -> str:
        return (f"{self.where}: {self.figure} of {'+'.join(self.hidden)} (n={self.base:g}) "
                f"derived as {self.derived:.4f}, truly {self.truth}")


def _subtract(total: dict, parts: dict[str, dict]) -> tuple[tuple[str, ...], float, float] | None:
    """(hidden parts, their base, their pooled value) from a shown total and shown parts."""
    if total["value"] is None or total["suppressed"]:
        return None
    hidden = tuple(g for g, r in parts.items() if r["value"] is None and r["n"] > 0)
    if not hidden:
        return None
    base = sum(parts[g]["n"] for g in hidden)
    rest = total["n"] * total["value"] - sum(r["n"] * r["value"] for g, r in parts.items()
                                             if g not in hidden and r["value"] is not None)
    return hidden, base, rest / base


def _weighted(records: list[dict]) -> float | None:
    if any(r["value"] is None for r in records):
        return None
    base = sum(r["n"] for r in records)
    return sum(r["n"] * r["value"] for r in records) / base if base else None


def _round_report_leaks(mine: dict, truth: dict) -> list[Leak]:
    """The round report's total minus its shown regions, checked against the oracle."""
    leaks = []
    for level, name, total in _records(mine["round"]):
        parts = {g: mine["regions"][g][level][name] for g in mine["regions"]}
        found = _subtract(total, parts)
        if found is None:
            continue
        hidden, base, value = found
        real = _weighted([truth["regions"][g][level][name] for g in hidden])
        if base < MIN_N and real is not None and math.isclose(value, real, abs_tol=1e-4):
            leaks.append(Leak("round report", f"{level}.{name}", hidden, base, value, real))
    return leaks


def _blank(figures: dict, region: str) -> dict:
    """The oracle's figures with one region's statistics hidden and its round total kept: what
    a report without rule 4 of the suppression policy would show."""
    out = json.loads(json.dumps(figures))
    for level in out["regions"][region].values():
        for record in level.values():
            if record.get("value") is not None and record["unit"] not in ("count", "yes_no"):
                record.update(value=None, suppressed=True)
    return out


def test_the_attacker_finds_what_a_total_alone_would_give_away(rendered):
    truth = rendered.figures(ROUND, oracle=True)
    leaks = _round_report_leaks(_blank(truth, "dordrecht"), truth)
    found = {leak.figure for leak in leaks}
    assert {"personal.rating_mean", "personal.share_has_spv", "executive.results_rating_mean"} \
        <= found


def test_figures_json_gives_no_suppressed_figure_away(rendered):
    mine, truth = rendered.figures(ROUND), rendered.figures(ROUND, oracle=True)
    # the round report: the round's total beside its regions
    leaks = _round_report_leaks(mine, truth)
    # each region report: the round's total minus the region gives the round's other regions
    for region in mine["regions"]:
        own = rendered.figures(ROUND, region)
        for level, name, total in _records(own["round"]):
            record = own["region"][level][name]
            if total["value"] is None or record["value"] is None:
                continue
            base = total["n"] - record["n"]
            if not 0 < base < MIN_N:
                continue
            value = (total["n"] * total["value"] - record["n"] * record["value"]) / base
            others = [truth["regions"][g][level][name] for g in truth["regions"] if g != region]
            real = _weighted(others)
            if real is not None and math.isclose(value, real, abs_tol=1e-4):
                leaks.append(Leak(f"report {region}", f"{level}.{name}", ("others",), base,
                                  value, real))
    # the final report: the study beside its rounds beside their regions
    final = rendered.figures()
    for level, name, total in _records(final["study"]):
        rounds = {r: final["rounds"][r]["round"][level][name] for r in final["rounds"]}
        leaves = {f"{r}/{g}": final["rounds"][r]["regions"][g][level][name]
                  for r in final["rounds"] for g in final["rounds"][r]["regions"]}
        for parts in (rounds, leaves):
            found = _subtract(total, parts)
            if found and found[1] < MIN_N:
                leaks.append(Leak("final report", f"{level}.{name}", found[0], found[1],
                                  found[2], "hidden"))
    assert not leaks, "\n".join(map(str, leaks))


def test_the_same_total_is_hidden_in_every_report(rendered):
    """A total hidden in one report but shown in another is as good as shown."""
    round_figures = rendered.figures(ROUND)["round"]
    hidden = {(level, name) for level, figures in round_figures.items()
              for name, r in figures.items() if r["suppressed"]}
    assert ("personal", "rating_mean") in hidden
    for region in ("den_haag", "eindhoven", "dordrecht"):
        own = rendered.figures(ROUND, region)["round"]
        assert {(level, name) for level, figures in own.items() for name, r in figures.items()
                if r["suppressed"]} == hidden, region
    final = rendered.figures()["rounds"][ROUND]["round"]
    assert {(level, name) for level, figures in final.items() for name, r in figures.items()
            if r["suppressed"]} == hidden


# -- tables ------------------------------------------------------------------------------------------
def _tables(document: str) -> dict[str, list[list[str]]]:
    out = {}
    for block in re.findall(r'<div class="mss-table[^"]*"[^>]*>(.*?)</div>', document, re.S):
        caption = re.search(r"<caption>(.*?)</caption>", block, re.S)
        name = html_lib.unescape(re.sub(r"<[^>]+>", "", caption.group(1))).strip() \
            if caption else ""
        rows = [[html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
                for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S)]
        out[name] = rows
    return out


def _number(text: str) -> tuple[float, float, bool] | None:
    """(value, half of the last shown digit, is a percentage) of a cell such as ``7,8`` or
    ``43%``; None for anything else (ranges, words, the suppression mark)."""
    m = re.fullmatch(r"(-?\d{1,3}(?:\.\d{3})*|-?\d+)(?:,(\d+))?(%?)", text)
    if not m:
        return None
    decimals = len(m.group(2) or "")
    value = float(m.group(1).replace(".", "") + ("." + m.group(2) if m.group(2) else ""))
    half = 0.5 * 10 ** -decimals
    if m.group(3):
        return value / 100, half / 100, True
    return value, half, False


def _possible_sums(value: float, half: float, base: int, whole: bool) -> tuple[float, float]:
    """The range of a total ``base * value`` when ``value`` was rounded to ``half``; for shares
    the whole counts in it."""
    low, high = base * (value - half), base * (value + half)
    if whole:
        return math.ceil(low - 1e-9), math.floor(high + 1e-9)
    return low, high


def _hidden_value_range(total, parts, bases, total_base):
    """Range of the pooled value of the hidden parts: the total's sum minus the shown parts'."""
    t = _number(total)
    whole = t[2]
    low, high = _possible_sums(t[0], t[1], total_base, whole)
    hidden_base = 0
    for cell, base in zip(parts, bases):
        if cell == "x":
            hidden_base += base
            continue
        v = _number(cell)
        lo, hi = _possible_sums(v[0], v[1], base, whole)
        low, high = low - hi, high - lo
    if hidden_base == 0:
        return None
    low, high = max(low, 0) if whole else low, min(high, hidden_base) if whole else high
    return hidden_base, low / hidden_base, high / hidden_base, t[1]


def _derivations(tables: dict[str, list[list[str]]]):
    """Every suppressed cell beside a shown total, with the range it is derived to.

    Two shapes: regions as rows with a base column ``n`` and a ``Totaal`` row; regions as columns
    with a ``Totaal`` column, their bases the client or partner counts the report shows elsewhere.
    """
    counts = {}
    collection = next((rows for name, rows in tables.items() if "Respondenten per methode"
                       in name), None)
    if collection:
        header = collection[0]
        for row in collection[1:]:
            counts[row[0].lower()] = dict(zip(header[1:], row[1:]))
    network = next((rows for name, rows in tables.items() if "samenwerkingsnetwerk" in name
                    and rows and "Respondenten" in rows[0]), None)
    partners = {row[0]: row[1] for row in network[1:]} if network else {}
    for name, rows in tables.items():
        if not rows or len(rows) < 2:
            continue
        header, body = rows[0], rows[1:]
        if "n" in header and body[-1][0] == "Totaal":
            n_at = header.index("n")
            try:
                bases = [int(r[n_at].replace(".", "")) for r in body]
            except ValueError:
                continue
            for col in range(n_at + 1, len(header)):
                total, cells = body[-1][col], [r[col] for r in body[:-1]]
                if "x" not in cells or _number(total) is None or any(
                        c != "x" and _number(c) is None for c in cells):
                    continue
                found = _hidden_value_range(total, cells, bases[:-1], bases[-1])
                if found:
                    hidden = tuple(r[0] for r in body[:-1] if r[col] == "x")
                    yield name, header[col], hidden, found
        elif header[-1] == "Totaal" and "%" in name:
            regions = header[1:-1]
            source = counts.get("cliëntinterview", {}) if "cliënt" in name.lower() else partners
            try:
                bases = [int(source[g]) for g in regions]
            except (KeyError, ValueError):
                continue
            for row in body:
                total, cells = row[-1], row[1:-1]
                if "x" not in cells or _number(total) is None or any(
                        c != "x" and _number(c) is None for c in cells):
                    continue
                found = _hidden_value_range(total, cells, bases, sum(bases))
                if found:
                    hidden = tuple(g for g, c in zip(regions, cells) if c == "x")
                    yield name, row[0], hidden, found


def _oracle_cell(oracle_tables, name, column, hidden):
    rows = oracle_tables.get(name)
    if not rows or len(hidden) != 1:
        return None
    header = rows[0]
    if column in header:  # regions as rows
        row = next((r for r in rows[1:] if r[0] == hidden[0]), None)
        return row[header.index(column)] if row else None
    row = next((r for r in rows[1:] if r[0] == column), None)  # regions as columns
    return row[header.index(hidden[0])] if row and hidden[0] in header else None


def test_no_table_gives_a_suppressed_cell_away(rendered):
    mine, oracle = _tables(rendered.round_html()), _tables(rendered.round_html(oracle=True))
    assert any("x" in row for rows in mine.values() for row in rows)  # there is something hidden
    leaks = []
    for name, column, hidden, (base, low, high, half) in _derivations(mine):
        if base >= MIN_N:
            continue  # what is derived rests on enough respondents
        pinned = high - low <= 2 * half + 1e-9
        truth = _oracle_cell(oracle, name, column, hidden)
        real = _number(truth) if truth else None
        if pinned and (real is None or low - 1e-9 <= real[0] <= high + 1e-9):
            leaks.append(f"{name} / {column}: {'+'.join(hidden)} (n={base}) derived to "
                         f"{low:.3f}–{high:.3f}, truly {truth}")
    assert not leaks, "\n".join(leaks)


def test_a_totals_row_with_a_small_hidden_region_is_derivable_in_the_oracle_sense():
    """The derivation itself works: a share beside a shown total is recovered exactly."""
    tables = {"Tabel 1 Respondenten per methode": [["Methode", "A", "B", "Totaal"],
                                                    ["Cliëntinterview", "14", "4", "18"]],
              "Tabel 2 Cliënten met werk (% van de cliënten)": [
                  ["Kenmerk", "A", "B", "Totaal"], ["Heeft werk", "43%", "x", "50%"]]}
    (found,) = list(_derivations(tables))
    name, column, hidden, (base, low, high, half) = found
    assert hidden == ("B",) and base == 4
    assert low == pytest.approx(0.75) and high == pytest.approx(0.75)  # 3 of 4, exactly


# -- text -----------------------------------------------------------------------------------------------
def _fragments(document: str) -> list[str]:
    """Sentences of the narrative and the parts of the figures' descriptions (alt texts, one part
    per region), tables left out."""
    body = re.sub(r'<div class="mss-table.*?</div>', " ", document, flags=re.S)
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S)
    alts = " ; ".join(html_lib.unescape(a) for a in re.findall(r'alt="([^"]*)"', body))
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", body)) + " " + alts
    text = re.sub(r"\s+", " ", text)
    return [f.strip() for f in re.split(r"(?<=[.;])\s+", text) if re.search(r"\d", f)]


_NUMBER = re.compile(r"\d+(?:,\d+)?%?")
#: How the text names the subject of a figure: a region, or all regions of the round together.
_SUBJECTS = {"dordrecht": ("Dordrecht",), "eindhoven": ("Eindhoven",),
             "den_haag": ("Den Haag",), "round": ("alle regio's samen", "Totaal")}


def _hidden_values(mine: dict, truth: dict) -> dict[str, set[str]]:
    """Per subject, how the oracle writes each figure the report suppresses (``7,8``, ``75%``)."""
    out: dict[str, set[str]] = {}
    scopes = [("round", mine["round"], truth["round"])] + [
        (g, mine["regions"][g], truth["regions"][g]) for g in truth["regions"]]
    for subject, own, real in scopes:
        for level, figures in own.items():
            for name, record in figures.items():
                value = real[level][name]["value"]
                if record["suppressed"] and isinstance(value, float):
                    text = f"{value * 100:.0f}%" if record["unit"] == "share" else \
                        f"{value:.1f}".replace(".", ",")
                    out.setdefault(subject, set()).add(text)
    return out


def _stated(fragments: list[str], hidden: dict[str, set[str]]) -> list[str]:
    found = []
    for subject, values in hidden.items():
        for fragment in fragments:
            if any(name in fragment for name in _SUBJECTS[subject]) and \
                    set(_NUMBER.findall(fragment)) & values:
                found.append(f"{subject}: {fragment}")
    return found


def test_no_sentence_or_figure_description_states_a_suppressed_figure(rendered):
    hidden = _hidden_values(rendered.figures(ROUND), rendered.figures(ROUND, oracle=True))
    assert hidden.get("dordrecht")  # Dordrecht's figures, and with them the round's totals
    # the oracle states them (so this check can see a statement) ...
    assert _stated(_fragments(rendered.round_html(oracle=True)), hidden)
    # ... the report does not, and says why a figure is missing
    mine = _fragments(rendered.round_html())
    assert not _stated(mine, hidden), _stated(mine, hidden)
    assert any("niet getoond" in f or "te weinig" in f for f in mine)


# -- the leak check of the render -------------------------------------------------------------------
def test_an_authors_text_with_an_e_mail_address_fails_its_report(rendered, tmp_path):
    """The render checks what it wrote (as ``mss-eval check-report`` does) before putting it in
    place: an author who pasted a contact address into a chapter gets a failed report, not a
    report that leaks."""
    texts = rendered.study / "texts" / ROUND / "eindhoven"
    texts.mkdir(parents=True)
    address = "@".join(["p.de.vries", "zorgregio-voorbeeld.nl"])
    (texts / "conclusions.md").write_text(
        f"De regio werkt goed samen. Vragen over deze rapportage: {address}.\n", encoding="utf-8")
    try:
        out = tmp_path / "reports"
        summary = render_study(rendered.study, regions=["eindhoven"], formats=["html"],
                               out_dir=out, jobs=1, progress=False, force=True)
    finally:
        shutil.rmtree(rendered.study / "texts")
    assert summary.exit_code == 1
    (failed,) = summary.failed
    assert failed.key == f"{ROUND}/eindhoven"
    assert "mogelijk lek (email)" in failed.error and "mss_2010-1_eindhoven.html" in failed.error
    described = summary.describe()
    assert address not in described and "p.de.vries" not in described
    folder = out / ROUND / "eindhoven"
    assert not folder.exists() or not any(folder.iterdir())
