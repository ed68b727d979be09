"""``index.html``: every report of the study with its formats and status.

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

from ..study import StudyConfig
from ..atomic import atomic_write
from .plan import FORMATS, ReportJob

STATUS_FILE = "render-status.json"
INDEX_FILE = "index.html"

_W = {
    "nl": {"title": "Rapporten", "report": "Rapport", "status": "Status", "formats": "Formaten",
           "rendered": "Gemaakt", "ok": "gereed", "failed": "mislukt", "never": "nog niet gemaakt",
           "missing": "bestanden ontbreken", "final": "Eindrapport", "round": "Ronde",
           "round_report": "Tussenrapportage (regio's naast elkaar)",
           "figures": "kerncijfers", "notebook": "notebook", "intro":
           "Alle rapporten van deze studie. Een mislukt rapport heeft geen bestanden: "
           "de fout staat erbij.", "updated": "Bijgewerkt"},
    "en": {"title": "Reports", "report": "Report", "status": "Status", "formats": "Formats",
           "rendered": "Rendered", "ok": "ready", "failed": "failed", "never": "not rendered yet",
           "missing": "files missing", "final": "Final report", "round": "Round",
           "round_report": "Interim report (regions side by side)",
           "figures": "key figures", "notebook": "notebook", "intro":
           "Every report of this study. A failed report has no files: its error is shown.",
           "updated": "Updated"},
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
                      "ipynb": w["notebook"], "failed_notebook": w["notebook"]}
            order = [*FORMATS, "figures", "ipynb", "failed_notebook"]
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
            f"<h2>{esc(group)}</h2><table><thead><tr><th>{w['report']}</th><th>{w['status']}"
            f"</th><th>{w['formats']}</th><th>{w['rendered']}</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")
    updated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    synthetic = ""
    if config.synthetic:
        synthetic = ('<p class="notice">' + (
            "Deze studie bevat synthetische voorbeeldgegevens." if language == "nl"
            else "This study holds synthetic example data.") + "</p>")
    return f"""<!DOCTYPE html>
<html lang="{esc(language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(w['title'])} · {esc(config.name)}</title>
<style>
body {{ font-family: "Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif;
       color: #1d2430; margin: 0; background: #f4f5f7; line-height: 1.5; }}
main {{ max-width: 60rem; margin: 2rem auto; background: #fff; padding: 2rem 3rem;
        box-shadow: 0 1px 4px rgba(0,0,0,.08); border-top: 6px solid #0072B2; }}
h1 {{ margin: 0 0 .3rem; }} h2 {{ margin: 2rem 0 .5rem; font-size: 1.2rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; }}
td a {{ white-space: nowrap; }}
th, td {{ text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d5dae1;
          vertical-align: top; }}
thead th {{ border-bottom: 1.5px solid #1d2430; }}
tbody th {{ font-weight: 600; }}
tr.failed td.state {{ color: #B03A00; font-weight: 600; }}
tr.ok td.state {{ color: #00734F; }}
tr.never td.state {{ color: #5b6472; }}
a {{ color: #0072B2; }}
.meta, .notice {{ color: #5b6472; font-size: .9rem; }}
.notice {{ background: #fff6e0; border-left: 4px solid #E69F00; padding: .5rem .8rem; }}
</style></head>
<body><main>
<h1>{esc(w['title'])}: {esc(config.name)}</h1>
<p class="meta">{esc(w['intro'])} {esc(w['updated'])}: {esc(updated)}.</p>
{synthetic}
{''.join(sections)}
</main></body></html>
"""
