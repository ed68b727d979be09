"""The subtraction attack on a rendered study: can a suppressed figure be worked out?

Everything a study publishes about one figure -- each region's value and base in each round,
each round's total, the study's total -- ties the suppressed cells together: a round's total
times its base is the sum over its regions, the study's total the sum over its rounds. An
attacker with the published outputs alone (every ``figures.json`` and the open data's
``key_figures.csv``) can solve those relations for what is hidden, knowing also that a share
lies between 0 and 1 and a rating between 1 and 10 for every respondent.

:func:`audit` does exactly that, by linear programming (scipy's ``linprog``, HiGHS) over the
published relations of each figure:

* a suppressed region (or round total) whose value has one possible value is **exposed**
  (``exact``) -- for shares: one whole number of respondents fits, for means: the bounds lie
  within 0.001 of each other;
* a group of suppressed regions of one round whose combined value is fixed and rests on fewer
  than the minimum number of respondents is **exposed** (``small_group``);
* a combined share of 0% or 100% fixes every member, so it shows up as ``exact`` for each.

It also checks that the open data and the ``figures.json`` files agree on every record they
share (``inconsistent``). Only additive figures are audited: shares, and mean ratings and scores
with their base (a median, a spread, a maximum or a label cannot be summed over regions; rule 4
of the suppression policy covers those by suppressing every statistic of a total together).
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Record", "Finding", "published_records", "audit"]

#: Per unit: the lowest and highest value one respondent can have.
_RANGES = {"share": (0.0, 1.0), "rating": (1.0, 10.0), "score": (1.0, 5.0)}
#: Figures of those units that are not means or shares over respondents.
_NOT_ADDITIVE = ("_sd", "_median", "_max", "_min", "_lowest", "_highest", "_alpha", "_change")
#: How many suppressed regions of one round are tried in every combination.
_MAX_GROUP = 10


@dataclass(frozen=True)
class Record:
    """One published figure: ``scope`` is ``region``, ``round`` or ``study``."""

    figure: str
    scope: str
    round: str
    region: str
    value: float | str | None
    n: float | None
    suppressed: bool
    unit: str
    source: str


@dataclass
class Finding:
    """What an attacker can work out, in words a researcher reads."""

    kind: str  # exact, small_group, inconsistent
    figure: str
    round: str
    regions: tuple[str, ...]
    low: float | None = None
    high: float | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        where = ", ".join(self.regions) if self.regions else "totaal / total"
        if self.kind == "inconsistent":
            return (f"{self.figure} ({self.round or 'studie'}, {where}): de open data en "
                    f"figures.json geven dit cijfer verschillend weer ({'; '.join(self.sources)})"
                    f" / the open data and figures.json disagree on this figure")
        if self.kind == "small_group":
            return (f"{self.figure} ({self.round or 'studie'}): wat {where} samen hebben is af te "
                    f"leiden en rust op minder respondenten dan het minimum / what these "
                    f"suppressed regions hold together can be worked out and rests on fewer "
                    f"respondents than the minimum")
        return (f"{self.figure} ({self.round or 'studie'}, {where}): onderdrukt, maar uit de "
                f"gepubliceerde cijfers af te leiden ({self.low:.6g}) / suppressed, yet it "
                f"follows from the published figures")

    def to_dict(self) -> dict:
        return {"kind": self.kind, "figure": self.figure, "round": self.round,
                "regions": list(self.regions), "low": self.low, "high": self.high,
                "sources": list(self.sources)}


# -- what is published ------------------------------------------------------------------------
def _number(value) -> float | None:
    if value is None or value == "" or value == "x":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _from_levels(levels: dict, scope: str, rnd: str, region: str, source: str
                 ) -> Iterable[Record]:
    for level in (levels or {}).values():
        if not isinstance(level, dict):
            continue
        for rec in level.values():
            if not isinstance(rec, dict) or "definition" not in rec:
                continue
            value = rec.get("value")
            yield Record(rec["definition"], scope, rnd, region,
                         value if isinstance(value, str) else _number(value), _number(rec.get("n")),
                         bool(rec.get("suppressed")), str(rec.get("unit") or ""), source)


def _figures_json(path: Path) -> Iterable[Record]:
    data = json.loads(path.read_text(encoding="utf-8"))
    meta = data.get("meta") or {}
    scope, source = meta.get("scope"), str(path)
    if scope == "region":
        yield from _from_levels(data.get("region"), "region", str(meta.get("round") or ""),
                                str(meta.get("region") or ""), source)
    elif scope == "round":
        rnd = str(meta.get("round") or "")
        yield from _from_levels(data.get("round"), "round", rnd, "", source)
        for region, levels in (data.get("regions") or {}).items():
            yield from _from_levels(levels, "region", rnd, str(region), source)
    elif scope == "study":
        yield from _from_levels(data.get("study"), "study", "", "", source)
        for rnd, block in (data.get("rounds") or {}).items():
            yield from _from_levels(block.get("round"), "round", str(rnd), "", source)
            for region, levels in (block.get("regions") or {}).items():
                yield from _from_levels(levels, "region", str(rnd), str(region), source)


def _key_figures_csv(path: Path) -> Iterable[Record]:
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = row.get("value_text") or ""
            value = _number(row.get("value"))
            if value is None and text and text != "x":
                value = text.lstrip("'")
            yield Record(row["figure"], row["scope"], row.get("round") or "",
                         row.get("region") or "", value, _number(row.get("n")),
                         row.get("suppressed") == "true", row.get("unit") or "", str(path))


def published_records(folder: Path | str) -> list[Record]:
    """Every figure record of a rendered study: its ``figures.json`` files and open data."""
    folder = Path(folder)
    files = [folder] if folder.is_file() else sorted(folder.rglob("*"))
    records: list[Record] = []
    for path in files:
        if path.name == "figures.json":
            records += _figures_json(path)
        elif path.name == "key_figures.csv":
            records += _key_figures_csv(path)
    return records


# -- the attack --------------------------------------------------------------------------------
def _consistency(records: list[Record]) -> list[Finding]:
    seen: dict[tuple, Record] = {}
    out: list[Finding] = []
    reported: set[tuple] = set()
    for rec in records:
        key = (rec.figure, rec.scope, rec.round, rec.region)
        other = seen.setdefault(key, rec)
        if other is rec:
            continue
        same_value = (other.value == rec.value or (
            isinstance(other.value, float) and isinstance(rec.value, float)
            and abs(other.value - rec.value) <= 1e-6))
        if (other.suppressed != rec.suppressed or not same_value) and key not in reported:
            reported.add(key)
            out.append(Finding("inconsistent", rec.figure, rec.round,
                               (rec.region,) if rec.region else (),
                               sources=(other.source, rec.source)))
    return out


def _unique(records: list[Record]) -> dict[tuple, Record]:
    out: dict[tuple, Record] = {}
    for rec in records:
        key = (rec.figure, rec.scope, rec.round, rec.region)
        # a shown record anywhere is shown (the attacker takes the most informative)
        if key not in out or (out[key].suppressed and not rec.suppressed):
            out[key] = rec
    return out


def _additive(figure: str, unit: str) -> bool:
    return unit in _RANGES and not figure.endswith(_NOT_ADDITIVE)


def _audit_figure(figure: str, cells: dict[tuple, Record], min_n: int) -> list[Finding]:
    """The linear programme of one figure over its regions, rounds and study total."""
    from scipy import optimize

    unit = next(iter(cells.values())).unit
    lo_unit, hi_unit = _RANGES[unit]
    regions = {k: r for k, r in cells.items() if k[0] == "region"}
    rounds = sorted({k[1] for k in regions})
    # unknowns: the sum over respondents of every suppressed region cell and round total
    unknowns: list[tuple] = []
    bounds: list[tuple[float, float]] = []
    for key, rec in sorted(regions.items()):
        if rec.suppressed or rec.value is None:
            if not rec.n:
                continue
            unknowns.append(key)
            bounds.append((lo_unit * rec.n, hi_unit * rec.n))
    if not unknowns:
        return []
    index = {k: i for i, k in enumerate(unknowns)}
    round_unknowns: dict[str, int] = {}
    # each relation: (coefficients by unknown, constant, tolerance): Σ c·x = constant ± tolerance
    relations: list[tuple[dict[int, float], float, float]] = []
    totals: dict[str, tuple[dict[int, float], float]] = {}
    for rnd in rounds:
        coefs: dict[int, float] = {}
        known = 0.0
        for key, rec in regions.items():
            if key[1] != rnd:
                continue
            if key in index:
                coefs[index[key]] = 1.0
            elif isinstance(rec.value, float) and rec.n:
                known += rec.value * rec.n
        totals[rnd] = (coefs, known)
        total = cells.get(("round", rnd, ""))
        if total is None or not total.n:
            continue
        if not total.suppressed and isinstance(total.value, float):
            # published values carry six decimals: the sum is known to half a millionth per
            # respondent
            relations.append((coefs, total.value * total.n - known, 5e-7 * total.n + 1e-9))
        else:
            # a suppressed round total is an unknown of its own, tied to its regions
            round_unknowns[rnd] = len(bounds)
            bounds.append((lo_unit * total.n, hi_unit * total.n))
            unknowns.append(("round", rnd, ""))
            relations.append(({**coefs, round_unknowns[rnd]: -1.0}, -known, 1e-9))
    study = cells.get(("study", "", ""))
    if study is not None and not study.suppressed and isinstance(study.value, float) and study.n:
        coefs, known = {}, 0.0
        for rnd in rounds:
            total = cells.get(("round", rnd, ""))
            if rnd in round_unknowns:
                coefs[round_unknowns[rnd]] = 1.0
            elif total is not None and isinstance(total.value, float) and total.n:
                known += total.value * total.n
            else:  # no round total published: its regions stand in
                row_coefs, row_known = totals.get(rnd, ({}, 0.0))
                coefs.update(row_coefs)
                known += row_known
        relations.append((coefs, study.value * study.n - known, 5e-7 * study.n + 1e-9))
    width = len(bounds)
    rows, limits = [], []
    for coefs, constant, tolerance in relations:
        row = np.zeros(width)
        for i, c in coefs.items():
            row[i] = c
        rows += [row, -row]
        limits += [constant + tolerance, -(constant - tolerance)]
    a = np.array(rows) if rows else None
    b = np.array(limits) if limits else None

    def extent(c: np.ndarray) -> tuple[float, float] | None:
        low = optimize.linprog(c, A_ub=a, b_ub=b, bounds=bounds, method="highs")
        high = optimize.linprog(-c, A_ub=a, b_ub=b, bounds=bounds, method="highs")
        if low.status != 0 or high.status != 0:
            return None
        return float(low.fun), float(-high.fun)

    findings: list[Finding] = []
    exposed: set[tuple] = set()
    for key in unknowns:
        rec = cells[key]
        c = np.zeros(width)
        c[unknowns.index(key)] = 1.0
        span = extent(c)
        if span is None:
            continue
        low, high = span
        if _fixed(low, high, rec.n, unit):
            exposed.add(key)
            findings.append(Finding("exact", figure, key[1], (key[2],) if key[2] else (),
                                    low / rec.n, high / rec.n))
    # groups of suppressed regions of one round resting together on fewer than the minimum
    for rnd in rounds:
        hidden = [k for k in unknowns if k[0] == "region" and k[1] == rnd and k not in exposed]
        if len(hidden) < 2 or len(hidden) > _MAX_GROUP:
            continue
        for size in range(2, len(hidden) + 1):
            for group in itertools.combinations(hidden, size):
                n_group = sum(cells[k].n for k in group)
                if n_group >= min_n:
                    continue
                c = np.zeros(width)
                for k in group:
                    c[unknowns.index(k)] = 1.0
                span = extent(c)
                if span is not None and _fixed(*span, n_group, unit):
                    findings.append(Finding("small_group", figure, rnd,
                                            tuple(k[2] for k in group), span[0] / n_group,
                                            span[1] / n_group))
    return findings


def _fixed(low: float, high: float, n: float, unit: str) -> bool:
    """Whether a sum over ``n`` respondents between ``low`` and ``high`` has one value."""
    if unit == "share":
        # a count of respondents: whole numbers only
        return math.floor(high + 1e-6) - math.ceil(low - 1e-6) <= 0
    return (high - low) / n < 1e-3


def audit(folder: Path | str, *, min_n: int = 5) -> list[Finding]:
    """The subtraction attack on a rendered study's published figures (see the module)."""
    records = published_records(folder)
    findings = _consistency(records)
    unique = _unique(records)
    by_figure: dict[str, dict[tuple, Record]] = {}
    for (figure, scope, rnd, region), rec in unique.items():
        if _additive(figure, rec.unit):
            by_figure.setdefault(figure, {})[(scope, rnd, region)] = rec
    for figure in sorted(by_figure):
        cells = by_figure[figure]
        if not any(k[0] == "region" and (r.suppressed or r.value is None)
                   for k, r in cells.items()):
            continue
        findings += _audit_figure(figure, cells, min_n)
    return findings
