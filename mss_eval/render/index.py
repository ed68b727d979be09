"""``index.html``: the study's dashboard and every report with its formats and status.

The page is one self-contained file (no server, no network): per round small multiples of the
key figures per region with their intervals, each figure over the rounds with a selector for the
figure and a region to mark (:mod:`.dashboard` draws them from the interim reports'
``figures.json``), the reports with their formats, status and provenance crate, and the
open-data package when ``mss-eval export`` wrote one into ``<out>/open_data``.

The index is rebuilt after every render from ``render-status.json`` (kept beside it): reports
rendered now take their new status, reports not rendered this time keep the status of their last
render, and a report whose files have gone missing since is shown as such. Links are relative,
so the output folder can be moved or zipped as a whole.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from ..atomic import atomic_write
from ..provenance import CRATE_FILE
from ..study import StudyConfig
from .plan import FORMATS, ReportJob

STATUS_FILE = "render-status.json"
INDEX_FILE = "index.html"
#: The open-data package (``mss-eval export``) beside the reports, linked from the dashboard.
OPEN_DATA_DIR = "open_data"

_W = {
    "nl": {"title": "Rapporten", "report": "Rapport", "status": "Status", "formats": "Formaten",
           "rendered": "Gemaakt", "ok": "gereed", "failed": "mislukt", "never": "nog niet gemaakt",
           "missing": "bestanden ontbreken", "final": "Eindrapport", "round": "Ronde",
           "round_report": "Tussenrapportage (regio's naast elkaar)",
           "figures": "kerncijfers", "notebook": "notebook", "crate": "herkomst",
           "intro": "Kerncijfers per regio en ronde, hun verloop over de rondes, en alle "
           "rapporten van deze studie. Een mislukt rapport heeft geen bestanden: de fout staat "
           "erbij.", "updated": "Bijgewerkt", "skip": "Naar de inhoud",
           "sections": "Onderdelen", "per_round": "Kerncijfers per ronde",
           "per_round_intro": "Per ronde de belangrijkste kerncijfers per regio, met het "
           "95%-betrouwbaarheidsinterval en alle regio's samen (ruit). Een x betekent: "
           "onderdrukt omdat het op te weinig respondenten rust. Onder elke grafiek staan de "
           "cijfers in een tabel.",
           "over_rounds": "Kerncijfers over de rondes",
           "over_rounds_intro": "Kies een kerncijfer om het over de rondes te volgen: alle "
           "regio's samen (ruiten, met interval) en elke regio (punten met lijn). Kies een regio "
           "om die in alle grafieken en tabellen te markeren.",
           "figure": "Kerncijfer", "mark_region": "Regio markeren", "no_region": "geen",
           "no_figures": "Nog geen kerncijfers: de tussenrapportage van deze ronde is nog niet "
           "gemaakt.", "open_data": "Open data",
           "open_data_intro": "De kerncijfers als open data (Frictionless Data Package, CSV met "
           "beschrijving), met dezelfde onderdrukking als de rapporten:",
           "no_open_data": "Nog geen open-datapakket. Maak het met",
           "collection": "Gegevensverzameling", "personal": "Persoonlijk niveau",
           "executive": "Uitvoerend niveau", "administrative": "Bestuurlijk niveau",
           "indicators": "Indicatoren"},
    "en": {"title": "Reports", "report": "Report", "status": "Status", "formats": "Formats",
           "rendered": "Rendered", "ok": "ready", "failed": "failed", "never": "not rendered yet",
           "missing": "files missing", "final": "Final report", "round": "Round",
           "round_report": "Interim report (regions side by side)",
           "figures": "key figures", "notebook": "notebook", "crate": "provenance",
           "intro": "Key figures per region and round, their course over the rounds, and every "
           "report of this study. A failed report has no files: its error is shown.",
           "updated": "Updated", "skip": "Skip to content", "sections": "Sections",
           "per_round": "Key figures per round",
           "per_round_intro": "Per round the main key figures per region, with the 95% "
           "confidence interval and all regions together (diamond). An x means: suppressed "
           "because it rests on too few respondents. Each chart is followed by its table.",
           "over_rounds": "Key figures over the rounds",
           "over_rounds_intro": "Choose a key figure to follow it over the rounds: all regions "
           "together (diamonds, with interval) and each region (dots with a line). Choose a "
           "region to mark it in every chart and table.",
           "figure": "Key figure", "mark_region": "Mark a region", "no_region": "none",
           "no_figures": "No key figures yet: the interim report of this round has not been "
           "rendered.", "open_data": "Open data",
           "open_data_intro": "The key figures as open data (Frictionless Data Package, CSV "
           "with a description), suppressed as in the reports:",
           "no_open_data": "No open-data package yet. Make it with",
           "collection": "Data collection", "personal": "Personal level",
           "executive": "Executive level", "administrative": "Administrative level",
           "indicators": "Indicators"},
}


def _load_status(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_index(out_dir: Path, config: StudyConfig, jobs: list[ReportJob], results,
                language: str = "nl") -> Path:
    """Update ``render-status.json`` with ``results`` and rewrite ``index.html``; return its path."""
    out_dir = Path(out_dir)
    status_path = out_dir / STATUS_FILE
    status = _load_status(status_path).get("reports", {})
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    for r in results:
        status[r.key] = {
            "title": r.title, "kind": r.kind, "status": r.status, "rendered_at": now,
            "seconds": r.seconds, "error": r.error, "notes": list(r.notes),
            "files": {k: _rel(Path(v), out_dir) for k, v in r.files.items()},
        }
    keys = {j.key for j in jobs}
    status = {k: v for k, v in status.items() if k in keys}
    atomic_write(status_path, json.dumps({"reports": status}, indent=2, ensure_ascii=False,
                                         sort_keys=True) + "\n")
    index = out_dir / INDEX_FILE
    atomic_write(index, _index_html(out_dir, config, jobs, status, language))
    return index


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def _index_html(out_dir: Path, config: StudyConfig, jobs: list[ReportJob], status: dict,
                language: str) -> str:
    w = _W.get(language, _W["nl"])
    language = language if language in _W else "nl"
    esc = html.escape
    rows_by_group: dict[str, list[str]] = {}
    for job in jobs:
        entry = status.get(job.key)
        group = w["final"] if job.kind == "final" else config.round(job.round).label
        if entry is None:
            state, cls, links, when = w["never"], "never", "", ""
        else:
            files = entry.get("files", {})
            present = {k: v for k, v in files.items() if (out_dir / v).exists()}
            if entry["status"] == "ok" and len(present) < len(files):
                state, cls = w["missing"], "failed"
            elif entry["status"] == "ok":
                state, cls = w["ok"], "ok"
            else:
                state, cls = f"{w['failed']}: {entry.get('error') or ''}", "failed"
            labels = {**{f: f.upper() for f in FORMATS}, "figures": w["figures"],
                      "ipynb": w["notebook"], "failed_notebook": w["notebook"],
                      "crate": w["crate"]}
            order = [*FORMATS, "figures", "ipynb", "failed_notebook", "crate"]
            crate = job.folder / CRATE_FILE
            if entry["status"] == "ok" and crate.is_file():
                present["crate"] = _rel(crate, out_dir)
            links = " · ".join(f'<a href="{esc(present[k])}">{esc(labels[k])}</a>'
                               for k in order if k in present)
            when = entry.get("rendered_at", "")[:16].replace("T", " ")
        if job.kind == "region":
            title = config.region(job.region).name
        elif job.kind == "round":
            title = w["round_report"]
        else:
            title = w["final"]
        rows_by_group.setdefault(group, []).append(
            f'<tr class="{cls}"><th scope="row">{esc(title)}</th>'
            f'<td class="state">{esc(state)}</td><td>{links}</td><td>{esc(when)}</td></tr>')
    sections = []
    for group, rows in rows_by_group.items():
        sections.append(
            f"<h3>{esc(group)}</h3><table><thead><tr><th scope=\"col\">{w['report']}</th>"
            f"<th scope=\"col\">{w['status']}</th><th scope=\"col\">{w['formats']}</th>"
            f"<th scope=\"col\">{w['rendered']}</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")
    updated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    synthetic = ""
    if config.synthetic:
        synthetic = ('<p class="notice">' + (
            "Deze studie bevat synthetische voorbeeldgegevens." if language == "nl"
            else "This study holds synthetic example data.") + "</p>")
    from . import dashboard

    regions = {r.id: r.name for r in config.regions}
    rounds = dashboard.load_round_figures(out_dir, config)
    figures_html, controls_html, series_html, highlight_css = _dashboard(
        rounds, regions, config, language)
    open_data = _open_data(out_dir, language)
    return f"""<!DOCTYPE html>
<html lang="{esc(language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(w['title'])} · {esc(config.name)}</title>
<style>
body {{ font-family: "Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif;
       color: #1d2430; margin: 0; background: #f4f5f7; line-height: 1.5; }}
main {{ max-width: 72rem; margin: 2rem auto; background: #fff; padding: 2rem 3rem;
        box-shadow: 0 1px 4px rgba(0,0,0,.08); border-top: 6px solid #0072B2; }}
h1 {{ margin: 0 0 .3rem; }} h2 {{ margin: 2.2rem 0 .5rem; font-size: 1.35rem; }}
h3 {{ margin: 1.6rem 0 .5rem; font-size: 1.15rem; }} h4 {{ margin: 0; font-size: .95rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; }}
td a {{ white-space: nowrap; }}
th, td {{ text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d5dae1;
          vertical-align: top; }}
thead th {{ border-bottom: 1.5px solid #1d2430; }}
tbody th {{ font-weight: 600; }}
tr.failed td.state {{ color: #B03A00; font-weight: 600; }}
tr.ok td.state {{ color: #00734F; }}
tr.never td.state {{ color: #5b6472; }}
a {{ color: #0067A0; }}
a:focus, select:focus, summary:focus {{ outline: 3px solid #D55E00; outline-offset: 2px; }}
.meta, .notice, .note {{ color: #5b6472; font-size: .9rem; }}
.notice {{ background: #fff6e0; border-left: 4px solid #E69F00; padding: .5rem .8rem; }}
.skip {{ position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }}
.skip:focus {{ left: 1rem; }}
.sr-only {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
            white-space: nowrap; }}
nav ul {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr));
         gap: 1.2rem 1.6rem; }}
.panel {{ margin: 0; padding: .6rem .8rem; border: 1px solid #d5dae1; border-radius: 4px; }}
.panel.chosen {{ border: 2px solid #0072B2; }}
.panel svg, .series svg {{ max-width: 100%; height: auto; display: block; }}
details {{ margin: .4rem 0 0; font-size: .88rem; }} summary {{ cursor: pointer; color: #0067A0; }}
.controls {{ display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: end;
             margin: .6rem 0 1rem; }}
.controls label {{ display: block; font-weight: 600; font-size: .9rem; }}
.controls select {{ font: inherit; padding: .25rem .4rem; max-width: 32rem; }}
.chart text {{ font-family: inherit; }}
.chart .label, .chart .value {{ fill: #1d2430; font-size: 12px; }}
.chart .tick {{ fill: #5b6472; font-size: 11px; }}
.chart .rg .mark {{ fill: #0072B2; }}
.chart .rg .line {{ fill: none; stroke: #6b8bad; stroke-width: 1.5; }}
.chart .ci {{ stroke: #0072B2; stroke-width: 2; }}
.chart .total .mark {{ fill: #1d2430; }}
.chart .total .line {{ fill: none; stroke: #1d2430; stroke-width: 2.5; }}
.chart .total .label {{ font-weight: 700; }}
.chart .total-ci {{ stroke: #1d2430; stroke-width: 2; }}
tr.total th, tr.total td {{ font-weight: 700; }}
.ci-text {{ color: #5b6472; font-size: .85em; }}
{highlight_css}
</style>
<noscript><style>.series[hidden] {{ display: block; }}</style></noscript></head>
<body><a class="skip" href="#main">{esc(w['skip'])}</a>
<main id="main" data-highlight="">
<h1>{esc(config.name)}</h1>
<p class="meta">{esc(w['intro'])} {esc(w['updated'])}: {esc(updated)}.</p>
{synthetic}
<nav aria-label="{esc(w['sections'])}"><ul>
<li><a href="#per-round">{esc(w['per_round'])}</a></li>
<li><a href="#over-rounds">{esc(w['over_rounds'])}</a></li>
<li><a href="#reports">{esc(w['title'])}</a></li>
<li><a href="#open-data">{esc(w['open_data'])}</a></li></ul></nav>
<section aria-labelledby="per-round"><h2 id="per-round">{esc(w['per_round'])}</h2>
<p>{esc(w['per_round_intro'])}</p>
{controls_html}
{figures_html}
</section>
<section aria-labelledby="over-rounds"><h2 id="over-rounds">{esc(w['over_rounds'])}</h2>
<p>{esc(w['over_rounds_intro'])}</p>
{series_html}
</section>
<section aria-labelledby="reports"><h2 id="reports">{esc(w['title'])}</h2>
{''.join(sections)}
</section>
<section aria-labelledby="open-data"><h2 id="open-data">{esc(w['open_data'])}</h2>
{open_data}
</section>
</main>
<script>{_SCRIPT}</script>
</body></html>
"""


def _dashboard(rounds, regions: dict[str, str], config: StudyConfig, language: str):
    """The dashboard's parts: small multiples per round, the selectors, the series per figure,
    and the CSS that highlights each region."""
    from . import dashboard

    w = _W[language]
    esc = html.escape
    meanings = dashboard.definitions(rounds)
    numeric = dashboard.numeric_figures(meanings)
    headline = [f for f in dashboard.HEADLINE if f in numeric]
    blocks = []
    for i, rnd in enumerate(rounds):
        link = f'<a href="{esc(rnd.id)}/mss_{esc(rnd.id)}.html">{esc(w["round_report"])}</a>'
        if rnd.figures is None:
            body = f'<p class="note">{esc(w["no_figures"])}</p>'
        else:
            body = '<div class="grid">' + "".join(
                dashboard.panel(f, meanings[f], rnd, regions, language, f"p{i}-{j}")
                for j, f in enumerate(headline)) + "</div>"
        blocks.append(f'<section aria-labelledby="round-{i}"><h3 id="round-{i}">'
                      f'{esc(rnd.label)}</h3><p class="note">{link}</p>{body}</section>')
    if not numeric:
        return ("".join(blocks), "", f'<p class="note">{esc(w["no_figures"])}</p>', "")
    levels = {"collection": w["collection"], "personal": w["personal"],
              "executive": w["executive"], "administrative": w["administrative"],
              "indicators": w["indicators"]}
    options = []
    for level, label in levels.items():
        items = [f for f in numeric if f.startswith(level + ".")]
        if items:
            options.append(f'<optgroup label="{esc(label)}">' + "".join(
                f'<option value="{esc(f)}"{" selected" if f == numeric_default(numeric) else ""}>'
                f'{esc(meanings[f]["text"])}</option>' for f in items) + "</optgroup>")
    region_options = "".join(f'<option value="{esc(_slug(g))}">{esc(name)}</option>'
                             for g, name in regions.items())
    controls = f"""<div class="controls" id="controls" hidden>
<div><label for="figure-select">{esc(w['figure'])}</label>
<select id="figure-select">{''.join(options)}</select></div>
<div><label for="region-select">{esc(w['mark_region'])}</label>
<select id="region-select"><option value="">{esc(w['no_region'])}</option>{region_options}</select></div>
<p id="live" class="sr-only" aria-live="polite"></p></div>"""
    default = numeric_default(numeric)
    series = []
    for j, f in enumerate(numeric):
        hidden = "" if f == default else " hidden"
        series.append(f'<div class="series" data-series="{esc(f)}"{hidden}><h3>'
                      f'{esc(meanings[f]["text"])}</h3>'
                      + dashboard.series(f, meanings[f], rounds, regions, language, f"s{j}")
                      + "</div>")
    css = "\n".join(
        f'main[data-highlight="{s}"] .rg-{s} .mark {{ fill: #D55E00; stroke: #1d2430; '
        f'stroke-width: 1.5; r: 6.5px; }}\n'
        f'main[data-highlight="{s}"] .rg-{s} .line {{ stroke: #D55E00; stroke-width: 3.5; }}\n'
        f'main[data-highlight="{s}"] .rg-{s} .label {{ font-weight: 700; }}\n'
        f'main[data-highlight="{s}"] tr.rg-{s} {{ background: #fdebdf; }}'
        for s in (_slug(g) for g in regions))
    return "".join(blocks), controls, "".join(series), css


def numeric_default(numeric: list[str]) -> str:
    """The figure shown first: the mean rating when the study has it."""
    return "personal.rating_mean" if "personal.rating_mean" in numeric else numeric[0]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text)


def _open_data(out_dir: Path, language: str) -> str:
    """Links to the open-data package beside the reports, or how to make it."""
    w = _W[language]
    esc = html.escape
    package = out_dir / OPEN_DATA_DIR / "datapackage.json"
    if not package.is_file():
        return f'<p>{esc(w["no_open_data"])} <code>mss-eval export STUDY --out ' \
               f'{esc(str(out_dir / OPEN_DATA_DIR))}</code></p>'
    try:
        resources = json.loads(package.read_text(encoding="utf-8")).get("resources", [])
    except (OSError, ValueError):
        resources = []
    items = "".join(
        f'<li><a href="{OPEN_DATA_DIR}/{esc(r.get("path", ""))}">{esc(r.get("path", ""))}</a>: '
        f'{esc(r.get("description_nl" if language == "nl" else "description", ""))}</li>'
        for r in resources if isinstance(r, dict))
    return (f'<p>{esc(w["open_data_intro"])} <a href="{OPEN_DATA_DIR}/datapackage.json">'
            f'datapackage.json</a></p><ul>{items}</ul>')


_SCRIPT = """
(function () {
  var main = document.getElementById('main');
  var figure = document.getElementById('figure-select');
  var region = document.getElementById('region-select');
  var live = document.getElementById('live');
  if (!figure || !region) { return; }
  function show() {
    var chosen = figure.value;
    document.querySelectorAll('[data-series]').forEach(function (el) {
      el.hidden = el.getAttribute('data-series') !== chosen;
    });
    document.querySelectorAll('.panel').forEach(function (el) {
      el.classList.toggle('chosen', el.getAttribute('data-figure') === chosen);
    });
    main.setAttribute('data-highlight', region.value);
    live.textContent = figure.options[figure.selectedIndex].text +
      (region.value ? ' \\u00b7 ' + region.options[region.selectedIndex].text : '');
  }
  figure.addEventListener('change', show);
  region.addEventListener('change', show);
  document.getElementById('controls').hidden = false;
  show();
})();
"""


def refresh_index(out_dir: Path | str, study_path: Path | str, language: str | None = None
                  ) -> Path:
    """Rewrite ``index.html`` of a render's output folder from its ``render-status.json``
    (after ``mss-eval export`` put the open-data package beside the reports)."""
    from ..study import load_config
    from .plan import plan_reports

    out_dir = Path(out_dir)
    config = load_config(Path(study_path))
    language = language or config.settings.language
    jobs = plan_reports(config, Path(study_path), out_dir, language=language)
    return write_index(out_dir, config, jobs, [], language=language)
