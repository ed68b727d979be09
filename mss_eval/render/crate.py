"""Write the provenance crate (``ro-crate-metadata.json``) beside every report of a render.

Called by :func:`mss_eval.render.render_study` once the workers are done: the crate of a report
rendered now records its start and end time from the worker; a region report whose
``figures.json`` only got its round's new pooled figures gets a crate with the new hashes; an
unchanged report keeps its crate (one is written if it has none). A failed report loses its crate
together with its other outputs. See :mod:`mss_eval.provenance` for what a crate holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..provenance import CRATE_FILE, ReportRun, environment, write_crate
from .plan import ReportJob
from .worker import ReportResult

#: Files of a report that are its outputs in the crate, in this order.
OUTPUT_KINDS = ("html", "pdf", "docx", "ipynb", "figures")


def _mtime(path: Path) -> str | None:
    with contextlib.suppress(OSError):
        return dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(
            timespec="seconds")
    return None


def write_crates(planned: Sequence[ReportJob], results: Sequence[ReportResult], cache, config,
                 *, command: str | None, check_leaks: bool = True) -> None:
    """Write, refresh or remove the crate of each planned report according to its result.

    A crate that cannot be written (a full disk) is noted on the report's result; the report
    itself stays as it is.
    """
    by_key = {r.key: r for r in results}
    refreshed = {job.key for job in cache.decision.refresh}
    env = None
    for job in planned:
        result = by_key.get(job.key)
        crate = job.folder / CRATE_FILE
        if result is None or result.status == "interrupted":
            continue
        if not result.ok:
            with contextlib.suppress(OSError):
                crate.unlink()
            continue
        note = started = ended = None
        if result.cached and job.key in refreshed:
            note = ("figures.json and the executed notebook got the round's new pooled figures; "
                    "the other files are those of the earlier render")
            ended = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        elif result.cached:
            if crate.is_file():
                continue
            note = "crate written after the render, for files rendered earlier"
            ended = _mtime(job.output("ipynb"))
        else:
            started, ended = result.started_at, result.ended_at
        env = env or environment()
        run = ReportRun(
            title=job.title, kind=job.kind, key=job.key, folder=job.folder,
            notebook=job.notebook, parameters=dict(job.parameters),
            outputs={k: job.output(k) for k in OUTPUT_KINDS
                     if k in (*job.formats, "ipynb", "figures")},
            inputs=cache.inputs(job), study_name=config.name,
            min_respondents=config.settings.min_respondents, formats=tuple(job.formats),
            pdf_engine=job.pdf_engine, command=command, started=started, ended=ended,
            check_leaks=check_leaks,
            round_inputs=cache.round_inputs(str(job.round)) if job.kind == "region" else None,
            note=note)
        try:
            write_crate(run, env)
        except OSError as exc:
            from .faults import describe_os_error

            result.notes.append("ro-crate-metadata.json: " + describe_os_error(exc, job.language))
