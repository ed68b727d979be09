"""The round dashboard of ``index.html``: key figures per region and round, and over the rounds.

Everything here is drawn in Python as inline SVG from the ``figures.json`` of the interim (round)
reports, so the dashboard shows exactly the numbers (and the suppression) of the reports and needs
no server, no script library and no network: one HTML file. A few lines of script only switch the
figure shown over the rounds and highlight a region; without script the first figure is shown.

Accessibility (WCAG 2.1 AA): every chart is an ``img`` with a title and a one-sentence
description, followed by a table with the same numbers (in a ``details`` element); the selectors
are labelled native ``select`` elements; a change is announced in a polite live region; colours
are the Okabe-Ito palette with text contrast of at least 4.5:1; nothing depends on colour alone
(the round total is a diamond, a highlighted region a larger, ringed dot and bold label).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: The figures of the small multiples, in this order (those a study has).
HEADLINE = (
    "personal.rating_mean",
    "personal.experience_mean",
    "personal.informal_share",
    "personal.share_contact_professional",
    "personal.share_day_activities",
    "personal.share_brought_to_case_table",
    "executive.results_rating_mean",
    "collection.client_interview",
)
#: Above this many regions in a round, a panel shows the 5 highest and 5 lowest regions.
MANY_REGIONS = 25
EXTREMES = 5
#: Units drawn on a fixed scale.
SCALES = {"share": (0.0, 1.0), "rating": (1.0, 10.0), "score": (1.0, 5.0), "alpha": (0.0, 1.0)}
NUMERIC_UNITS = ("count", "share", "rating", "score", "alpha", "persons", "months", "per_1000",
                 "per_week", "ratio")

TEXT = "#1d2430"
MUTED = "#5b6472"
GRID = "#d5dae1"
REGION = "#0072B2"     # Okabe-Ito blue
TOTAL = "#1d2430"
HIGHLIGHT = "#D55E00"  # Okabe-Ito vermillion

_W = {
    "nl": {"total": "Alle regio's samen", "suppressed": "x (te weinig respondenten)",
           "no_data": "geen gegevens", "region": "Regio", "value": "Waarde",
           "interval": "95%-interval", "n": "n", "round": "Ronde",
           "table": "De cijfers in een tabel", "extremes": "de {k} hoogste en {k} laagste van "
           "{n} regio's", "desc_panel": "{figure} per regio in {round}: {shown}.",
           "desc_series": "{figure} over de rondes, alle regio's samen: {shown}.",
           "none": "nog geen cijfers"},
    "en": {"total": "All regions together", "suppressed": "x (too few respondents)",
           "no_data": "no data", "region": "Region", "value": "Value",
           "interval": "95% interval", "n": "n", "round": "Round",
           "table": "The figures as a table", "extremes": "the {k} highest and {k} lowest of "
           "{n} regions", "desc_panel": "{figure} per region in {round}: {shown}.",
           "desc_series": "{figure} over the rounds, all regions together: {shown}.",
           "none": "no figures yet"},
}


@dataclass(frozen=True)
class RoundFigures:
    """The key figures of one round as its interim report published them."""

    id: str
    label: str
    #: figures.json of the round report, or None when it has not been rendered (or failed)
    figures: dict | None


def load_round_figures(out_dir: Path, config) -> list[RoundFigures]:
    """``<out>/<round>/figures.json`` of every round of the study (None where missing)."""
    rounds = []
    for rnd in config.rounds:
        path = Path(out_dir) / rnd.id / "figures.json"
        try:
            figures = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            figures = None
        rounds.append(RoundFigures(rnd.id, rnd.label, figures))
    return rounds


def record(block: dict | None, figure: str) -> dict | None:
    """The record of ``level.name`` in a block of levels, or None."""
    if not block:
        return None
    level, name = figure.split(".", 1)
    found = (block.get(level) or {}).get(name)
    return found if isinstance(found, dict) else None


def definitions(rounds: Sequence[RoundFigures]) -> dict[str, dict]:
    """Text and unit of every figure the round reports have (their ``definitions``, in the
    report language; a figure without one is named by its id, with its record's unit)."""
    found: dict[str, dict] = {}
    for rnd in rounds:
        if not rnd.figures:
            continue
        for level, figures in (rnd.figures.get("round") or {}).items():
            for name, rec in figures.items():
                if isinstance(rec, dict):
                    found.setdefault(f"{level}.{name}", {"text": f"{level}.{name}",
                                                         "unit": rec.get("unit", "")})
        for figure, meaning in (rnd.figures.get("definitions") or {}).items():
            if figure in found and isinstance(meaning, dict):
                found[figure] = {"text": meaning.get("text") or figure,
                                 "unit": meaning.get("unit") or found[figure]["unit"]}
    return found


def numeric_figures(meanings: dict[str, dict]) -> list[str]:
    """The figures with a numeric unit, by level in the order of the evaluation's chapters."""
    levels = ("collection", "personal", "executive", "administrative", "indicators")
    numeric = [f for f, m in meanings.items() if m["unit"] in NUMERIC_UNITS]
    return sorted(numeric, key=lambda f: (levels.index(f.split(".")[0])
                                          if f.split(".")[0] in levels else len(levels), f))


# -- formatting -----------------------------------------------------------------------------------
def fmt(value, unit: str, language: str) -> str:
    """A value as the reports write it (decimal comma in Dutch, shares as percentages)."""
    from ..report.style import format_count, format_number, format_percent

    if value is None:
        return ""
    if unit == "share":
        return format_percent(value, 0, language)
    if unit == "count":
        return format_count(value, language)
    if unit == "alpha":
        return format_number(value, 2, language)
    return format_number(value, 1, language)


def cell(rec: dict | None, unit: str, language: str) -> str:
    """What a table cell shows: the value, ``x`` when suppressed, ``–`` without data."""
    if rec is None or (rec.get("value") is None and not rec.get("suppressed")):
        return "–"
    if rec.get("suppressed"):
        return "x"
    return fmt(rec["value"], unit, language)


def interval(rec: dict | None, unit: str, language: str) -> str:
    if not rec or rec.get("suppressed") or rec.get("ci_low") is None or rec.get("ci_high") is None:
        return ""
    return f"{fmt(rec['ci_low'], unit, language)}–{fmt(rec['ci_high'], unit, language)}"


def _scale(values: list[float], unit: str) -> tuple[float, float]:
    """The axis: fixed for shares, ratings, scores and alpha; else from 0 to a round number
    of :func:`_step` above the largest value."""
    if unit in SCALES:
        return SCALES[unit]
    high = max([v for v in values if v is not None and math.isfinite(v)] or [1.0])
    high = high if high > 0 else 1.0
    step = _step(high)
    return 0.0, step * math.ceil(high * 1.05 / step)


def _nice(x: float) -> float:
    exponent = math.floor(math.log10(x))
    for step in (1, 2, 5, 10):
        if step * 10 ** exponent >= x:
            return step * 10 ** exponent
    return 10 ** (exponent + 1)


def _step(high: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving three to five ticks up to high."""
    return _nice(high / 4)


def _ticks(low: float, high: float, unit: str) -> list[float]:
    if unit == "rating":
        return [1, 4, 7, 10]
    if unit == "score":
        return [1, 2, 3, 4, 5]
    if unit in SCALES:
        return [low + (high - low) * i / 4 for i in range(5)]
    # the smallest round step that divides the axis into at most six parts
    exponent = math.floor(math.log10(high / 6))
    for power in (exponent, exponent + 1, exponent + 2):
        for base in (1, 2, 5):
            step = base * 10.0 ** power
            parts = high / step
            if parts <= 6 and abs(parts - round(parts)) < 1e-9:
                return [step * i for i in range(int(round(parts)) + 1)]
    return [low, high]


def tick_label(value: float, unit: str, language: str) -> str:
    """An axis label: whole numbers without decimals, shares as percentages."""
    from ..report.style import format_number

    if unit != "share" and float(value).is_integer():
        return format_number(value, 0, language)
    return fmt(value, unit, language)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text)


# -- a panel: one figure per region in one round ------------------------------------------------
def panel(figure: str, meaning: dict, rnd: RoundFigures, regions: dict[str, str],
          language: str, uid: str) -> str:
    """A dot plot of one figure per region of a round, with the round total and 95% intervals,
    followed by its table."""
    w = _W[language]
    unit, title = meaning["unit"], meaning["text"]
    block = rnd.figures or {}
    region_records = {g: record(levels, figure) for g, levels in
                      (block.get("regions") or {}).items()}
    total = record(block.get("round"), figure)
    order = list(region_records)
    note = ""
    if len(order) > MANY_REGIONS:
        shown = [g for g in order if region_records[g] and not region_records[g].get("suppressed")
                 and region_records[g].get("value") is not None]
        shown.sort(key=lambda g: region_records[g]["value"], reverse=True)
        order = shown[:EXTREMES] + shown[-EXTREMES:] if len(shown) > 2 * EXTREMES else shown
        note = w["extremes"].format(k=EXTREMES, n=len(region_records))
    rows = [(g, regions.get(g, g), region_records.get(g)) for g in order]
    rows.append(("", w["total"], total))
    values = [r.get(k) for _, _, r in rows if r and not r.get("suppressed")
              for k in ("value", "ci_low", "ci_high") if isinstance(r.get(k), (int, float))]
    low, high = _scale(values, unit)
    label_w, plot_w, value_w, row_h, top = 170, 180, 60, 20, 8
    width = label_w + plot_w + value_w
    height = top + row_h * len(rows) + 26

    def x(v: float) -> float:
        v = min(max(v, low), high)
        return label_w + (v - low) / (high - low or 1) * plot_w

    parts = []
    for tick in _ticks(low, high, unit):
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" '
                     f'y2="{height - 22}" stroke="{GRID}" stroke-width="1"/>'
                     f'<text x="{tx:.1f}" y="{height - 8}" text-anchor="middle" '
                     f'class="tick">{html.escape(tick_label(tick, unit, language))}</text>')
    for i, (gid, name, rec) in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        is_total = gid == ""
        cls = "total" if is_total else f"rg rg-{_slug(gid)}"
        mark = ""
        value_text = cell(rec, unit, language)
        if rec and not rec.get("suppressed") and isinstance(rec.get("value"), (int, float)):
            cx = x(rec["value"])
            if rec.get("ci_low") is not None and rec.get("ci_high") is not None:
                mark += (f'<line x1="{x(rec["ci_low"]):.1f}" y1="{cy:.1f}" '
                         f'x2="{x(rec["ci_high"]):.1f}" y2="{cy:.1f}" class="ci"/>')
            if is_total:
                mark += (f'<path d="M{cx:.1f} {cy - 6:.1f} L{cx + 6:.1f} {cy:.1f} L{cx:.1f} '
                         f'{cy + 6:.1f} L{cx - 6:.1f} {cy:.1f} Z" class="mark"/>')
            else:
                mark += f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" class="mark"/>'
        parts.append(
            f'<g class="{cls}"><text x="{label_w - 8}" y="{cy + 4:.1f}" text-anchor="end" '
            f'class="label">{html.escape(_short(name))}</text>{mark}'
            f'<text x="{width - 4}" y="{cy + 4:.1f}" text-anchor="end" class="value">'
            f'{html.escape(value_text)}</text></g>')
    shown = "; ".join(f"{name} {cell(rec, unit, language)}" for _, name, rec in rows)
    description = w["desc_panel"].format(figure=title, round=rnd.label, shown=shown)
    svg = (f'<svg role="img" aria-labelledby="{uid}-t {uid}-d" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" class="chart">'
           f'<title id="{uid}-t">{html.escape(title)} ({html.escape(rnd.label)})</title>'
           f'<desc id="{uid}-d">{html.escape(description)}</desc>{"".join(parts)}</svg>')
    table_rows = "".join(
        f'<tr class="{"total" if not gid else "rg rg-" + _slug(gid)}"><th scope="row">'
        f'{html.escape(name)}</th><td>{html.escape(cell(rec, unit, language))}</td>'
        f'<td>{html.escape(interval(rec, unit, language))}</td>'
        f'<td>{"" if not rec else rec.get("n") if rec.get("n") is not None else ""}</td></tr>'
        for gid, name, rec in rows)
    table = (f'<details><summary>{w["table"]}</summary><table><caption class="sr-only">'
             f'{html.escape(title)}, {html.escape(rnd.label)}</caption><thead><tr>'
             f'<th scope="col">{w["region"]}</th><th scope="col">{w["value"]}</th>'
             f'<th scope="col">{w["interval"]}</th><th scope="col">{w["n"]}</th></tr></thead>'
             f'<tbody>{table_rows}</tbody></table></details>')
    note_html = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (f'<figure class="panel" data-figure="{figure}"><figcaption><h4>{html.escape(title)}'
            f'</h4></figcaption>{svg}{note_html}{table}</figure>')


def _short(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


# -- a time series: one figure over the rounds --------------------------------------------------
def series(figure: str, meaning: dict, rounds: Sequence[RoundFigures],
           regions: dict[str, str], language: str, uid: str) -> str:
    """One figure over the rounds: the rounds' totals (diamonds, with intervals) and each
    region's value (dots joined by a line), followed by its table."""
    w = _W[language]
    unit, title = meaning["unit"], meaning["text"]
    with_data = [r for r in rounds if r.figures]
    many = any(len((r.figures or {}).get("regions") or {}) > MANY_REGIONS for r in with_data)
    region_ids = [] if many else [g for g in regions if any(
        g in ((r.figures or {}).get("regions") or {}) for r in with_data)]
    values = []
    for rnd in with_data:
        for rec in [record(rnd.figures.get("round"), figure)] + [
                record((rnd.figures.get("regions") or {}).get(g), figure) for g in region_ids]:
            if rec and not rec.get("suppressed"):
                values += [rec.get(k) for k in ("value", "ci_low", "ci_high")
                           if isinstance(rec.get(k), (int, float))]
    low, high = _scale(values, unit)
    left, plot_w, plot_h, top, bottom = 64, max(360, 160 * len(rounds)), 220, 12, 34
    width, height = left + plot_w + 24, top + plot_h + bottom

    def x(i: int) -> float:
        return left + (i + 0.5) * plot_w / max(len(rounds), 1)

    def y(v: float) -> float:
        v = min(max(v, low), high)
        return top + plot_h - (v - low) / (high - low or 1) * plot_h

    parts = []
    for tick in _ticks(low, high, unit):
        ty = y(tick)
        parts.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" '
                     f'stroke="{GRID}"/><text x="{left - 6}" y="{ty + 4:.1f}" '
                     f'text-anchor="end" class="tick">'
                     f'{html.escape(tick_label(tick, unit, language))}</text>')
    for i, rnd in enumerate(rounds):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                     f'class="tick">{html.escape(rnd.id)}</text>')
    index = {r.id: i for i, r in enumerate(rounds)}
    for g in region_ids:
        points = []
        for rnd in with_data:
            rec = record(((rnd.figures or {}).get("regions") or {}).get(g), figure)
            if rec and not rec.get("suppressed") and isinstance(rec.get("value"), (int, float)):
                points.append((x(index[rnd.id]), y(rec["value"])))
        if not points:
            continue
        path = " ".join(f"{'M' if k == 0 else 'L'}{px:.1f} {py:.1f}"
                        for k, (px, py) in enumerate(points))
        dots = "".join(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" class="mark"/>'
                       for px, py in points)
        parts.append(f'<g class="rg rg-{_slug(g)}"><path d="{path}" class="line"/>{dots}</g>')
    total_points = []
    for rnd in with_data:
        rec = record(rnd.figures.get("round"), figure)
        if rec and not rec.get("suppressed") and isinstance(rec.get("value"), (int, float)):
            cx, cy = x(index[rnd.id]), y(rec["value"])
            total_points.append((cx, cy))
            if rec.get("ci_low") is not None and rec.get("ci_high") is not None:
                parts.append(f'<line x1="{cx:.1f}" y1="{y(rec["ci_low"]):.1f}" x2="{cx:.1f}" '
                             f'y2="{y(rec["ci_high"]):.1f}" class="ci total-ci"/>')
    if total_points:
        path = " ".join(f"{'M' if k == 0 else 'L'}{px:.1f} {py:.1f}"
                        for k, (px, py) in enumerate(total_points))
        diamonds = "".join(f'<path d="M{px:.1f} {py - 7:.1f} L{px + 7:.1f} {py:.1f} L{px:.1f} '
                           f'{py + 7:.1f} L{px - 7:.1f} {py:.1f} Z" class="mark"/>'
                           for px, py in total_points)
        parts.append(f'<g class="total"><path d="{path}" class="line"/>{diamonds}</g>')
    shown = "; ".join(f"{rnd.label} {cell(record((rnd.figures or {}).get('round'), figure), unit, language)}"
                      for rnd in rounds)
    description = w["desc_series"].format(figure=title, shown=shown)
    svg = (f'<svg role="img" aria-labelledby="{uid}-t {uid}-d" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" class="chart">'
           f'<title id="{uid}-t">{html.escape(title)}</title>'
           f'<desc id="{uid}-d">{html.escape(description)}</desc>{"".join(parts)}</svg>')
    head = "".join(f'<th scope="col">{html.escape(r.label)}</th>' for r in rounds)
    body = []
    for gid, name in [("", w["total"])] + [(g, regions[g]) for g in region_ids]:
        cells = []
        for rnd in rounds:
            block = rnd.figures or {}
            rec = record(block.get("round") if not gid else
                         (block.get("regions") or {}).get(gid), figure)
            in_round = not gid or gid in (block.get("regions") or {})
            text = cell(rec, unit, language) if in_round and rnd.figures else ""
            ci = interval(rec, unit, language) if in_round else ""
            cells.append(f'<td>{html.escape(text)}'
                         + (f' <span class="ci-text">({html.escape(ci)})</span>' if ci else "")
                         + "</td>")
        cls = "total" if not gid else f"rg rg-{_slug(gid)}"
        body.append(f'<tr class="{cls}"><th scope="row">{html.escape(name)}</th>'
                    f'{"".join(cells)}</tr>')
    table = (f'<details open><summary>{w["table"]}</summary><table><caption class="sr-only">'
             f'{html.escape(title)}</caption><thead><tr><th scope="col">{w["region"]}</th>'
             f'{head}</tr></thead><tbody>{"".join(body)}</tbody></table></details>')
    return svg + table


__all__ = ["HEADLINE", "RoundFigures", "definitions", "load_round_figures", "numeric_figures",
           "panel", "series"]
