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
import contextlib
import multiprocessing
import os
import queue as queue_mod
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..study import load_config, reports_folder
from . import interrupt
from .cache import ReportCache, for_index
from .crate import write_crates
from .index import write_index
from .lock import RenderLock
from .plan import DEFAULT_PDF_ENGINE, FORMATS, ReportJob, plan_reports
from .worker import WORKER_STARTED, RenderOptions, ReportResult, init_worker, render_report

_STATES = {
    "nl": {"queued": "in de wachtrij", "executing": "notebook uitvoeren", "html": "HTML schrijven",
           "pdf": "PDF schrijven", "docx": "DOCX schrijven", "done": "klaar", "failed": "MISLUKT",
           "interrupted": "onderbroken"},
    "en": {"queued": "queued", "executing": "executing notebook", "html": "writing HTML",
           "pdf": "writing PDF", "docx": "writing DOCX", "done": "done", "failed": "FAILED",
           "interrupted": "interrupted"},
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
    #: the signal that stopped the render (SIGINT, SIGTERM), or None
    interrupted: int | None = None
    #: reports planned but never started because the render was interrupted (their keys)
    not_started: list[str] = field(default_factory=list)
    #: why index.html could not be written (a full disk), or None
    index_error: str | None = None

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def succeeded(self) -> list[ReportResult]:
        return [r for r in self.results if r.ok]

    @property
    def stopped(self) -> list[ReportResult]:
        """Reports interrupted while they were being made."""
        return [r for r in self.results if r.status == "interrupted"]

    @property
    def exit_code(self) -> int:
        """0 all made; 1 a report failed; 130 / 143 interrupted by SIGINT / SIGTERM."""
        if self.interrupted is not None:
            return interrupt.exit_code(self.interrupted)
        return 1 if self.failed or self.index_error else 0

    def describe(self) -> str:
        """The summary printed at the end of ``mss-eval render``, in the study's language."""
        nl = self.language == "nl"
        n_ok, n_failed = len(self.succeeded), len(self.failed)
        if self.interrupted is not None:
            return self._describe_interrupted()
        unchanged = sum(1 for r in self.succeeded if r.cached)
        if unchanged and unchanged == len(self.results):
            return ((f"Alle {unchanged} rapporten zijn actueel: niets veranderd sinds de vorige "
                     f"render (--force maakt alles opnieuw); overzicht: {self.index}") if nl else
                    (f"All {unchanged} reports are up to date: nothing changed since the last "
                     f"render (--force renders all again); index: {self.index}"))
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
        if unchanged:
            lines.append(f"{unchanged} ongewijzigd, niet opnieuw gemaakt (--force maakt alles)"
                         if nl else f"{unchanged} unchanged, not rendered again (--force renders "
                         "all)")
        if self.index_error:
            lines.append(("Het overzicht (index.html) kon niet worden bijgewerkt: " if nl else
                          "The index (index.html) could not be updated: ") + self.index_error)
        return "\n".join(lines)

    def _describe_interrupted(self) -> str:
        """What an interrupted render did and did not do, and how to finish it."""
        nl = self.language == "nl"
        name = interrupt.NAMES.get(self.interrupted, f"signal {self.interrupted}")
        lines = [
            (f"Onderbroken ({name}) na {self.seconds:.0f} s: {len(self.succeeded)} rapport(en) "
             f"gemaakt, {len(self.stopped)} onderbroken, {len(self.not_started)} niet begonnen"
             + (f", {len(self.failed)} mislukt" if self.failed else "") + "."
             ) if nl else
            (f"Interrupted ({name}) after {self.seconds:.0f} s: {len(self.succeeded)} report(s) "
             f"rendered, {len(self.stopped)} interrupted, {len(self.not_started)} not started"
             + (f", {len(self.failed)} failed" if self.failed else "") + "."),
            ("De gemaakte rapporten zijn compleet; van de andere is niets half geschreven. Start "
             "dezelfde opdracht opnieuw om de rest te maken." if nl else
             "The reports rendered are complete; nothing of the others was half written. Run the "
             "same command again to render the rest."),
        ]
        for r in self.stopped:
            lines.append(f"  - {r.title} [{r.key}]: {r.error}")
        for r in self.failed:
            lines.append(f"  - {r.title} [{r.key}]: {'MISLUKT' if nl else 'FAILED'}: {r.error}")
        if self.index:
            lines.append((f"Overzicht: {self.index}") if nl else f"Index: {self.index}")
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
    wait: bool | float = False,
    pdf_engine: str = DEFAULT_PDF_ENGINE,
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
    wait : bool or float
        When another render holds the output folder: ``False`` raise
        :class:`~mss_eval.render.lock.RenderLocked` (naming that render), ``True`` wait until it
        is done, a number wait at most that many seconds.
    pdf_engine : {"typst", "weasyprint"}
        How PDFs are printed: Typst (fast; the style of ``report.typ``) or WeasyPrint (the
        HTML's own stylesheet, a second or two per report).

    Returns
    -------
    RenderSummary
        ``summary.exit_code`` is 1 when any report failed, 130 / 143 when Ctrl-C / SIGTERM
        stopped the render (the reports finished by then are complete, the others untouched).

    Raises
    ------
    RenderLocked
        Another render is writing to the same output folder.
    """
    started = time.monotonic()
    study_path = Path(study_path).resolve()
    config = load_config(study_path)
    language = language or config.settings.language
    # reports/ that links out of the study is refused; a folder named with --out is the user's
    out = Path(out_dir).resolve() if out_dir is not None else reports_folder(study_path, language)
    out.mkdir(parents=True, exist_ok=True)
    if rendered_by is None:
        rendered_by = f"mss_eval.render_study({str(study_path)!r})"
    # one render per output folder at a time (.lock); Ctrl-C and SIGTERM stop it cleanly
    with RenderLock(out, wait=wait, language=language, command=rendered_by,
                    on_wait=_tell_waiting), interrupt.handling_signals():
        _clear_leftovers(out)
        planned = plan_reports(config, study_path, out, rounds=rounds, regions=regions,
                               formats=formats, notebook_dir=notebook_dir, language=language,
                               rendered_by=rendered_by, pdf_engine=pdf_engine)
        options = options or RenderOptions()
        if planned:
            _prepare_study(study_path, language)
        # reports whose inputs did not change are skipped; the study is loaded once, here,
        # into the tidy cache the report kernels read (see .cache)
        cache = ReportCache(study_path, planned, force=force)
        todo = cache.to_render
        jobs = max(1, min(jobs or _default_jobs(), len(todo) or 1))
        if cache.needs_study:
            cache.prepare_tidy_data()
        screens = _leak_screens(study_path, language) if todo and options.check_leaks else {}

        display = _Display(todo, language, progress)
        with display:
            if not todo:
                results = []
            elif jobs == 1 and executor_factory is None:
                results = _run_here(todo, options, display)
            else:
                results = _run_pool(todo, options, jobs, display, executor_factory, screens)
        results += cache.finish(results, refresh=interrupt.received() is None)
        signum = interrupt.received()
        # the provenance crate beside each report (mss_eval.provenance)
        with interrupt.deferred(swallow=True):
            write_crates(planned, results, cache, config, command=rendered_by,
                         check_leaks=options.check_leaks)
        # whatever arrives now waits: the index must match the files
        with interrupt.deferred(swallow=True):
            order = {job.key: i for i, job in enumerate(planned)}
            results.sort(key=lambda r: order[r.key])
            not_started = _not_started(planned, results)
            results = [_as_stopped_by(r, signum) for r in results if r.key not in set(not_started)]
            all_jobs = plan_reports(config, study_path, out, formats=formats,
                                    notebook_dir=notebook_dir, language=language,
                                    pdf_engine=pdf_engine)
            index, index_error = _write_index(out, config, all_jobs, results, language)
        return RenderSummary(out_dir=out, results=results, index=index,
                             seconds=time.monotonic() - started, language=language, jobs=jobs,
                             interrupted=signum, not_started=not_started,
                             index_error=index_error)


def _clear_leftovers(out: Path) -> None:
    """Temporary files of a render that was killed (``kill -9``, a power cut) anywhere in the
    output folder: with the lock held, no other render is writing there."""
    from ..atomic import TMP_MARK, remove_temporaries

    folders = {p.parent for p in out.rglob(f".*{TMP_MARK}*")}
    for folder in folders:
        remove_temporaries(folder)


def _tell_waiting(sentence: str) -> None:
    print(sentence, file=sys.stderr, flush=True)


def _prepare_study(study_path: Path, language: str) -> None:
    """Make the study's pseudonym key before workers start, so that two of them loading the
    study at the same moment cannot both try to create it."""
    from ..pseudonym import ensure_secret

    ensure_secret(study_path, language=language)


def _as_stopped_by(result: ReportResult, signum: int | None) -> ReportResult:
    """An interrupted report as stopped by the signal the render received (a worker only sees
    the SIGTERM its parent sends it)."""
    if result.status != "interrupted" or signum is None:
        return result
    from .faults import interrupted_result

    return interrupted_result(result, interrupt.RenderInterrupted(signum),
                              started=result.error_detail.get("started", True),
                              language=result.error_detail.get("language", "nl"))


def _not_started(planned: list[ReportJob], results: list[ReportResult]) -> list[str]:
    """Keys of planned reports that an interruption kept from starting."""
    by_key = {r.key: r for r in results}
    return [j.key for j in planned if j.key not in by_key
            or (by_key[j.key].status == "interrupted"
                and not by_key[j.key].error_detail.get("started", True))]


def _write_index(out: Path, config, all_jobs, results, language: str):
    """``index.html`` and ``render-status.json``; an interrupted report keeps its last status."""
    from .faults import describe_os_error

    finished = for_index(out, [r for r in results if r.status != "interrupted"])
    try:
        return write_index(out, config, all_jobs, finished, language=language), None
    except OSError as exc:
        return None, describe_os_error(exc, language)


def _run_here(planned: list[ReportJob], options: RenderOptions, display: "_Display"):
    import mss_eval.render.worker as worker

    q: queue_mod.SimpleQueue = queue_mod.SimpleQueue()
    previous = worker._status_queue
    worker._status_queue = q
    results = []
    try:
        for job in planned:
            if interrupt.received() is not None:
                break
            result = render_report(job, options)
            results.append(result)
            display.drain(q)
            display.finished(result)
    except KeyboardInterrupt:
        pass  # between two reports: what is done is in results, the rest was not started
    finally:
        worker._status_queue = previous
    return results


def _leak_screens(study_path: Path, language: str) -> dict:
    """Build the leak check's view of the study once, here, for every worker (reading the raw
    ids means validating every file; a worker would otherwise do that again). A study the check
    cannot read is left to the workers, whose reports then fail with the reason."""
    from .faults import leak_screen, screens_now

    try:
        leak_screen(study_path, language)
    except Exception:  # noqa: BLE001 - each report states the problem when it is checked
        return {}
    return screens_now()


def _run_pool(planned, options, jobs, display, executor_factory, screens=None):
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
                                          initializer=init_worker, initargs=(q, screens))
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
                                          status="failed", error=_worker_died(exc, job.language))
                results.append(result)
                display.finished(result)
    except KeyboardInterrupt:
        finished = {r.key for r in results}
        remaining = {f for f, job in futures.items() if job.key not in finished}
        results += _stop_pool(executor, futures, remaining, display, q)
    else:
        executor.shutdown(wait=True)
    finally:
        display.drain(q)
    return results


#: Seconds the workers get to stop their reports (kill the kernel, remove temporary files).
STOP_GRACE = 20.0


def _stop_pool(executor: cf.Executor, futures: dict, pending: set, display: "_Display",
               q) -> list[ReportResult]:
    """After Ctrl-C or SIGTERM: cancel what has not started, ask each worker to stop its report
    (SIGTERM: the worker kills its kernel and removes its temporary files), and collect what
    they return. A worker still busy after :data:`STOP_GRACE` seconds, or any worker after a
    second Ctrl-C, is killed outright; its report's temporary files are cleared by the next run.
    """
    from .faults import interrupted_result

    results: list[ReportResult] = []
    with interrupt.deferred(swallow=True):
        for future in pending:
            future.cancel()
        # the workers named themselves on the status queue (concurrent.futures has no public
        # list of an executor's processes); a pool without that queue (Dask) stops on its own
        display.drain(q)
        pids = sorted(display.worker_pids)
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        running = {f for f in pending if not f.cancelled()}
        deadline = time.monotonic() + STOP_GRACE
        while running and time.monotonic() < deadline and interrupt.pending_signal() is None:
            done, running = cf.wait(running, timeout=0.25)
            display.drain(q)
            for future in done:
                results.append(_outcome(future, futures[future]))
        if running:
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            for future in running:
                job = futures[future]
                result = ReportResult(key=job.key, kind=job.kind, title=job.title,
                                      status="failed")
                results.append(interrupted_result(result, KeyboardInterrupt(), started=True,
                                                  language=job.language))
        with contextlib.suppress(Exception):
            executor.shutdown(wait=True, cancel_futures=True)
    results = [_as_stopped_by(r, interrupt.received()) for r in results]
    for result in results:
        display.finished(result)
    return results


def _worker_died(exc: BaseException, language: str) -> str:
    if isinstance(exc, cf.process.BrokenProcessPool):
        return ("het werkproces dat dit rapport maakte stopte onverwacht (te weinig geheugen?); "
                "start de render opnieuw, eventueel met minder --jobs" if language == "nl" else
                "the worker process rendering this report stopped unexpectedly (out of memory?); "
                "render again, perhaps with fewer --jobs")
    return f"{type(exc).__name__}: {exc}"


def _outcome(future: cf.Future, job: ReportJob) -> ReportResult:
    """A finished future's result; a worker that died or was stopped counts as interrupted."""
    from .faults import interrupted_result

    try:
        return future.result()
    except BaseException:  # noqa: BLE001 - the pool is being stopped
        result = ReportResult(key=job.key, kind=job.kind, title=job.title, status="failed")
        return interrupted_result(result, KeyboardInterrupt(), started=True,
                                  language=job.language)


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
        #: process ids of the pool's workers, as each announced itself on the status queue
        self.worker_pids: set[int] = set()
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
            if key == WORKER_STARTED:
                self.worker_pids.add(int(state))
                continue
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
                failed = words["interrupted" if result.status == "interrupted" else "failed"]
                state = words["done"] if result.ok else f"{failed}: {result.error}"
                self.console.print(f"{mark} {result.title} ({result.seconds:.0f} s) {state}",
                                   highlight=False, markup=False, soft_wrap=True)
            return
        task = self.tasks.get(result.key)
        if task is not None:
            if result.ok:
                self.progress.update(task, completed=self.totals[result.key], state=f"[green]{words['done']}")
            elif result.status == "interrupted":
                self.progress.update(task, state=f"[yellow]{words['interrupted']}")
            else:
                self.progress.update(task, state=f"[red]{words['failed']}")
            self.progress.stop_task(task)
        self.progress.advance(self.overall)
        self.done += 1
        self.progress.update(self.overall, state=f"{self.done}/{len(self.planned)}")
