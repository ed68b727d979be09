"""``render_study``: plan the reports, render them in parallel, write the index, summarise.

Reports run in a pool of worker processes (``jobs``, default: the number of cores); each worker
executes one notebook at a time with papermill and writes its HTML, PDF and DOCX itself. One
failing report never stops the others: its failure is collected and told at the end, and the
summary's exit code is 1. A progress display shows each report's state while it runs.

The executor is a parameter, so another pool (a warm-kernel pool, a Dask cluster) can take the
same :class:`~mss_eval.render.plan.ReportJob` tasks later.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import queue as queue_mod
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..study import REPORTS_DIR, load_config
from .index import write_index
from .plan import FORMATS, ReportJob, plan_reports
from .worker import RenderOptions, ReportResult, init_worker, render_report

_STATES = {
    "nl": {"queued": "in de wachtrij", "executing": "notebook uitvoeren", "html": "HTML schrijven",
           "pdf": "PDF schrijven", "docx": "DOCX schrijven", "done": "klaar", "failed": "MISLUKT"},
    "en": {"queued": "queued", "executing": "executing notebook", "html": "writing HTML",
           "pdf": "writing PDF", "docx": "writing DOCX", "done": "done", "failed": "FAILED"},
}
_STEP = {"queued": 0, "executing": 0, "html": 1, "pdf": 2, "docx": 3}


@dataclass
class RenderSummary:
    """What a render did: one result per report, the index, the time it took."""

    out_dir: Path
    results: list[ReportResult]
    index: Path | None
    seconds: float
    language: str = "nl"
    jobs: int = 1

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if not r.ok]

    @property
    def succeeded(self) -> list[ReportResult]:
        return [r for r in self.results if r.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def describe(self) -> str:
        """The summary printed at the end of ``mss-eval render``, in the study's language."""
        nl = self.language == "nl"
        n_ok, n_failed = len(self.succeeded), len(self.failed)
        lines = [
            (f"{n_ok} van {len(self.results)} rapporten gemaakt in {self.seconds:.0f} s "
             f"({self.jobs} tegelijk); overzicht: {self.index}") if nl else
            (f"{n_ok} of {len(self.results)} reports rendered in {self.seconds:.0f} s "
             f"({self.jobs} at a time); index: {self.index}")
        ]
        noted = [r for r in self.succeeded if r.notes]
        if noted:
            lines.append("Weggelaten uit de rapporten (zie het notebook):" if nl else
                         "Left out of the reports (see the notebook):")
            for r in noted:
                for note in r.notes[:3]:
                    lines.append(f"  - {r.title}: {note}")
        if n_failed:
            lines.append(f"{n_failed} {'rapport(en) mislukt' if nl else 'report(s) failed'}:")
            for r in self.failed:
                lines.append(f"  - {r.title} [{r.key}]: {r.error}")
                if r.files.get("failed_notebook"):
                    lines.append(("    het uitgevoerde notebook staat in " if nl else
                                  "    the executed notebook is in ") + r.files["failed_notebook"])
        return "\n".join(lines)


def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def render_study(
    study_path: Path | str,
    rounds: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    jobs: int | None = None,
    formats: Sequence[str] = FORMATS,
    out_dir: Path | str | None = None,
    force: bool = False,
    *,
    notebook_dir: Path | str | None = None,
    language: str | None = None,
    options: RenderOptions | None = None,
    progress: bool | None = None,
    rendered_by: str | None = None,
    executor_factory: Callable[[int], cf.Executor] | None = None,
) -> RenderSummary:
    """Render the reports of a study: region reports, round (interim) reports, the final report.

    Parameters
    ----------
    study_path : path
        The study folder (with ``study.yaml``).
    rounds, regions : list of str, optional
        Render only these rounds / regions (see :func:`~mss_eval.render.plan.plan_reports`).
    jobs : int, optional
        Reports rendered at the same time, each in its own process; default the number of cores.
    formats : list of str
        Any of ``html``, ``pdf``, ``docx``. The executed notebook and ``figures.json`` are always
        written.
    out_dir : path, optional
        Where the reports go; default ``<study>/reports``.
    force : bool
        Render even reports whose inputs did not change (every report is rendered today; this
        is where a cache of unchanged reports will plug in).
    notebook_dir : path, optional
        Use the report notebooks of another folder (tests, a study's own variants).
    language : {"nl", "en"}, optional
        Report language; default the study's ``settings.language``.
    options : RenderOptions, optional
        Kernel name, papermill engine, time limits.
    progress : bool, optional
        Show the live progress display; default when the output is a terminal.
    rendered_by : str, optional
        The command that rendered the reports, printed in each report's appendix.
    executor_factory : callable, optional
        ``jobs -> Executor``; default a :class:`concurrent.futures.ProcessPoolExecutor`.

    Returns
    -------
    RenderSummary
        ``summary.exit_code`` is 1 when any report failed.
    """
    started = time.monotonic()
    study_path = Path(study_path).resolve()
    config = load_config(study_path)
    language = language or config.settings.language
    out = Path(out_dir).resolve() if out_dir is not None else study_path / REPORTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    if rendered_by is None:
        rendered_by = f"mss_eval.render_study({str(study_path)!r})"
    planned = plan_reports(config, study_path, out, rounds=rounds, regions=regions,
                           formats=formats, notebook_dir=notebook_dir, language=language,
                           rendered_by=rendered_by)
    jobs = max(1, min(jobs or _default_jobs(), len(planned) or 1))
    options = options or RenderOptions()
    del force  # no cache yet: every planned report is rendered

    display = _Display(planned, language, progress)
    with display:
        if jobs == 1 and executor_factory is None:
            results = _run_here(planned, options, display)
        else:
            results = _run_pool(planned, options, jobs, display, executor_factory)
    order = {job.key: i for i, job in enumerate(planned)}
    results.sort(key=lambda r: order[r.key])
    all_jobs = plan_reports(config, study_path, out, formats=formats, notebook_dir=notebook_dir,
                            language=language)
    index = write_index(out, config, all_jobs, results, language=language)
    return RenderSummary(out_dir=out, results=results, index=index,
                         seconds=time.monotonic() - started, language=language, jobs=jobs)


def _run_here(planned: list[ReportJob], options: RenderOptions, display: "_Display"):
    import mss_eval.render.worker as worker

    q: queue_mod.SimpleQueue = queue_mod.SimpleQueue()
    previous = worker._status_queue
    worker._status_queue = q
    results = []
    try:
        for job in planned:
            result = render_report(job, options)
            display.drain(q)
            display.finished(result)
            results.append(result)
    finally:
        worker._status_queue = previous
    return results


def _run_pool(planned, options, jobs, display, executor_factory):
    # heaviest first (final, round reports), so a long report does not start last
    weight = {"final": 0, "round": 1, "region": 2}
    submit_order = sorted(planned, key=lambda j: weight[j.kind])
    results: list[ReportResult] = []
    if executor_factory is not None:
        executor, q = executor_factory(jobs), None
    else:
        # spawn: no fork of a parent that runs a display thread
        ctx = multiprocessing.get_context("spawn")
        q = ctx.Queue()
        executor = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx,
                                          initializer=init_worker, initargs=(q,))
    futures: dict[cf.Future, ReportJob] = {}
    try:
        for job in submit_order:
            futures[executor.submit(render_report, job, options)] = job
        pending = set(futures)
        while pending:
            done, pending = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
            display.drain(q)
            for future in done:
                job = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker process died
                    result = ReportResult(key=job.key, kind=job.kind, title=job.title,
                                          status="failed",
                                          error=f"{type(exc).__name__}: {exc}")
                display.finished(result)
                results.append(result)
    except KeyboardInterrupt:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        executor.shutdown(wait=True)
    finally:
        display.drain(q)
    return results


class _Display:
    """A rich progress view (one row per report) on a terminal; one line per report otherwise."""

    def __init__(self, planned: list[ReportJob], language: str, enabled: bool | None):
        from rich.console import Console

        self.language = language if language in _STATES else "nl"
        self.console = Console(stderr=True)
        self.enabled = self.console.is_terminal if enabled is None else enabled
        self.planned = planned
        self.tasks: dict[str, int] = {}
        self.totals: dict[str, int] = {}
        self.done = 0
        self.progress = None
        self.overall = None
        self.quiet = enabled is False

    def __enter__(self):
        if not self.enabled:
            return self
        from rich.progress import (BarColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn)

        self.progress = Progress(
            SpinnerColumn(finished_text=" "),
            TextColumn("{task.description}", style="bold"),
            BarColumn(bar_width=20),
            TextColumn("{task.fields[state]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self.progress.__enter__()
        total = "Alle rapporten" if self.language == "nl" else "All reports"
        self.overall = self.progress.add_task(total, total=len(self.planned),
                                              state=f"0/{len(self.planned)}")
        for job in self.planned:
            steps = 1 + len(job.formats)
            self.totals[job.key] = steps
            self.tasks[job.key] = self.progress.add_task(
                f"  {job.title}", total=steps, start=False,
                state=_STATES[self.language]["queued"])
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.__exit__(*exc)
        return False

    def drain(self, q) -> None:
        if q is None:
            return
        while True:
            try:
                key, state = q.get_nowait()
            except (queue_mod.Empty, EOFError, OSError, ValueError):
                return
            self.update(key, state)

    def update(self, key: str, state: str) -> None:
        if self.progress is None or key not in self.tasks:
            return
        task = self.tasks[key]
        if state == "executing":
            self.progress.start_task(task)
        if state in _STEP:
            self.progress.update(task, completed=_STEP[state],
                                 state=_STATES[self.language][state])

    def finished(self, result: ReportResult) -> None:
        words = _STATES[self.language]
        if self.progress is None:
            if not self.quiet:
                mark = "✓" if result.ok else "✗"
                state = words["done"] if result.ok else f"{words['failed']}: {result.error}"
                self.console.print(f"{mark} {result.title} ({result.seconds:.0f} s) {state}",
                                   highlight=False, markup=False, soft_wrap=True)
            return
        task = self.tasks.get(result.key)
        if task is not None:
            if result.ok:
                self.progress.update(task, completed=self.totals[result.key], state=f"[green]{words['done']}")
            else:
                self.progress.update(task, state=f"[red]{words['failed']}")
            self.progress.stop_task(task)
        self.progress.advance(self.overall)
        self.done += 1
        self.progress.update(self.overall, state=f"{self.done}/{len(self.planned)}")
