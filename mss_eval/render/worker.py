"""Render one report in a worker process: execute the notebook, write every format atomically.

:func:`render_report` is what the process pool runs. It never raises: a failing report comes back
as a :class:`ReportResult` with the error in plain words, after its outputs from earlier runs
were removed (so no older file looks current) and the failed notebook was kept as
``<stem>.failed.ipynb`` for whoever fixes it. HTML and PDF are written here, in the worker; only
pandoc (DOCX) and the notebook's kernel run as further processes.

How a notebook is executed is papermill's business: ``RenderOptions.engine_name`` selects a
papermill engine from its registry, so a warm-kernel engine can be plugged in without changing
this module.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import interrupt
from ..atomic import atomic_write, commit, remove_temporaries, temporary_path
from .plan import FORMATS, ReportJob

_status_queue = None
#: The key under which a worker announces its process id on the status queue (so the parent can
#: stop its workers without reaching into the executor).
WORKER_STARTED = "__worker_started__"


def init_worker(queue, screens: dict | None = None) -> None:
    """Pool initializer: where this worker reports each report's state (for the progress view),
    and the leak screens the parent built (so each worker need not read the study again)."""
    global _status_queue
    _status_queue = queue
    if queue is not None:
        with contextlib.suppress(Exception):
            queue.put((WORKER_STARTED, os.getpid()))
    if screens:
        from .faults import adopt

        adopt(screens)
    # a forked or spawned worker must not touch the parent's display
    os.environ.setdefault("MPLBACKEND", "Agg")
    # the parent decides when to stop: Ctrl-C is noted, SIGTERM stops the running report
    interrupt.install_worker_handlers()


def _emit(job: ReportJob, state: str) -> None:
    if _status_queue is not None:
        with contextlib.suppress(Exception):
            _status_queue.put((job.key, state))


@dataclass(frozen=True)
class RenderOptions:
    """How reports are executed; the same for every report of one render."""

    kernel_name: str = "python3"
    #: papermill engine name: "mss_warm" (default) keeps one warm kernel per worker process
    #: (mss_eval.render.engine); None or "nbclient": papermill's default, a new kernel per notebook
    engine_name: str | None = "mss_warm"
    #: seconds one cell may run
    execution_timeout: int = 900
    #: seconds a kernel may take to start
    start_timeout: int = 120
    #: retries when a kernel fails to start (the port race of parallel kernel start-ups)
    start_retries: int = 2
    #: "ipc" (default): kernels talk over Unix sockets, so parallel start-ups cannot race for a
    #: TCP port; "tcp": jupyter's default
    transport: str = "ipc"
    #: check every file of a report for leaks before it is put in place (mss_eval.privacy);
    #: a report that leaks fails
    check_leaks: bool = True


@dataclass
class ReportResult:
    """The outcome of one report, sent back from the worker (plain data, picklable)."""

    key: str
    kind: str
    title: str
    status: str  # "ok" or "failed"
    files: dict[str, str] = field(default_factory=dict)  # format -> path
    error: str | None = None
    error_detail: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: not rendered this time: its inputs did not change (mss_eval.render.cache)
    cached: bool = False
    #: when the worker began the report and when its files were in place (ISO 8601, local
    #: time with offset), for the report's provenance crate
    started_at: str | None = None
    ended_at: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _is_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("Address already in use", "Kernel didn't respond",
                                    "Kernel died before replying", "kernel_info"))


def _execute(job: ReportJob, output_path: Path, options: RenderOptions):
    import papermill

    extra = {}
    if options.engine_name == "mss_warm":
        from .engine import ENGINE_NAME  # noqa: F401 - registers the warm-kernel engine

        extra["transport"] = options.transport
    elif options.transport == "ipc" and options.engine_name in (None, "nbclient") \
            and os.name == "posix":
        from .kernels import IPCKernelManager

        extra["kernel_manager_class"] = IPCKernelManager
    attempt = 0
    while True:
        try:
            return papermill.execute_notebook(
                str(job.notebook),
                str(output_path),
                parameters=dict(job.parameters),
                engine_name=options.engine_name,
                kernel_name=options.kernel_name,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                start_timeout=options.start_timeout,
                execution_timeout=options.execution_timeout,
                cwd=str(job.notebook.parent),
                # the kernel's own start-up notices (transport, shutdown) are not the report's
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                **extra,
            )
        except Exception as exc:  # noqa: BLE001 - classified below
            from papermill.exceptions import PapermillExecutionError

            if isinstance(exc, PapermillExecutionError) or attempt >= options.start_retries \
                    or not _is_start_failure(exc):
                raise
            attempt += 1
            time.sleep(0.5 * attempt)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _failing_line(exc) -> str:
    """The cell line that raised (IPython marks it ``---->``), else the cell's first statement."""
    for block in exc.traceback or ():
        for line in _ANSI.sub("", block).splitlines():
            m = re.match(r"^-*>\s*\d+\s+(.*\S)", line)
            if m:
                return m.group(1).strip()
    lines = [line.strip() for line in (exc.source or "").splitlines()
             if line.strip() and not line.strip().startswith("#")]
    statements = [line for line in lines if not line.startswith(("import ", "from "))]
    return (statements or lines or [""])[0]


def describe_error(exc: BaseException, language: str = "nl") -> tuple[str, dict[str, Any]]:
    """A failed report's error in plain words, and its details (cell, error name, value)."""
    from papermill.exceptions import PapermillExecutionError

    nl = language == "nl"
    if isinstance(exc, PapermillExecutionError):
        first_line = _failing_line(exc)
        evalue = (exc.evalue or "").strip()
        detail = {"cell": exc.exec_count, "cell_index": exc.cell_index, "source": first_line,
                  "ename": exc.ename, "evalue": evalue}
        where = (f"cel {exc.exec_count} ({first_line})" if nl
                 else f"cell {exc.exec_count} ({first_line})")
        what = f"{exc.ename}: {evalue}" if evalue else exc.ename
        return (f"{'fout in' if nl else 'error in'} {where}: {what}", detail)
    name = type(exc).__name__
    if name == "DeadKernelError":
        text = ("de Python-kernel stopte onverwacht (te weinig geheugen?)" if nl
                else "the Python kernel stopped unexpectedly (out of memory?)")
    elif name in ("CellTimeoutError", "TimeoutError"):
        text = ("een cel duurde langer dan de ingestelde tijd" if nl
                else "a cell ran longer than the time allowed")
    elif isinstance(exc, OSError):
        from .faults import describe_os_error

        text = describe_os_error(exc, language)
    elif hasattr(exc, "describe") and name in ("ReportLeaks",):
        text = exc.describe(language)
    else:
        text = f"{name}: {exc}"
    return text, {"ename": name, "evalue": str(exc)}


def render_report(job: ReportJob, options: RenderOptions = RenderOptions()) -> ReportResult:
    """Execute ``job``'s notebook and write its formats, executed notebook and ``figures.json``.

    All files are first written to temporary files in the report's folder and renamed into
    place together at the end. On failure the report's earlier outputs are removed.
    """
    from .export import (figures_json, notebook_to_html, prepare_for_export, report_nodes,
                         write_docx, write_pdf)

    started = time.monotonic()
    result = ReportResult(key=job.key, kind=job.kind, title=job.title, status="failed",
                          started_at=_now())
    pending: list[tuple[Path, Path]] = []
    nb_tmp = temporary_path(job.output("ipynb"))
    executed = False
    committed = began = False
    scratch: list[Path] = []  # temporary files that are never renamed into place
    try:
        with interrupt.in_report():
            began = True
            job.folder.mkdir(parents=True, exist_ok=True)
            remove_temporaries(job.folder)
            _emit(job, "executing")
            # in a helper thread, so Ctrl-C/SIGTERM reach us and not nbclient (see .interrupt)
            nb = interrupt.run_interruptibly(_execute, job, nb_tmp, options)
        executed = True
        pending.append((nb_tmp, job.output("ipynb")))
        report_nb, figures, title_meta, notes = prepare_for_export(nb)
        result.notes.extend(notes)
        if figures is None:
            result.notes.append("the notebook published no key figures; figures.json not written")
        else:
            tmp = temporary_path(job.output("figures"))
            atomic_write(tmp, figures_json(figures))
            pending.append((tmp, job.output("figures")))
        _emit(job, "html")
        title = title_meta.get("title") or job.title
        # the report's nodes, read back from their JSON in the notebook: what PDF and Word print
        nodes, missing = report_nodes(report_nb, job.language)
        result.notes.extend(missing)
        contents = next((n for n in nodes if n.kind == "contents"), None)
        document = notebook_to_html(report_nb, title=title, language=job.language,
                                    contents=contents)
        html_tmp = temporary_path(job.output("html"))
        if "html" in job.formats:
            pending.append((html_tmp, job.output("html")))
        else:
            scratch.append(html_tmp)
        atomic_write(html_tmp, document)
        if "pdf" in job.formats:
            _emit(job, "pdf")
            tmp = temporary_path(job.output("pdf"))
            write_pdf(nodes, tmp, html=document, base_url=job.folder, engine=job.pdf_engine,
                      language=job.language)
            pending.append((tmp, job.output("pdf")))
        if "docx" in job.formats:
            _emit(job, "docx")
            tmp = temporary_path(job.output("docx"))
            write_docx(nodes, tmp, language=job.language)
            pending.append((tmp, job.output("docx")))
        if options.check_leaks:
            from .faults import check_for_leaks

            check_for_leaks(job, pending)
        # a signal now would leave some formats new and others old: hold it back
        with interrupt.deferred():
            commit(pending)
            pending = []
            committed = True
            result.ended_at = _now()
        for tmp in scratch:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        # formats not asked for this time would be older than the rest: remove them
        for fmt in FORMATS:
            if fmt not in job.formats:
                with contextlib.suppress(FileNotFoundError):
                    job.output(fmt).unlink()
        with contextlib.suppress(FileNotFoundError):
            job.failed_notebook.unlink()
        result.status = "ok"
        result.files = {fmt: str(job.output(fmt)) for fmt in (*job.formats, "ipynb")}
        if figures is not None:
            result.files["figures"] = str(job.output("figures"))
        _emit(job, "done")
    except BaseException as exc:  # noqa: BLE001 - one report's failure must not stop the pool
        if committed:  # interrupted after all files were in place: the report is complete
            for tmp in scratch:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            result.status = "ok"
            result.files = {fmt: str(job.output(fmt)) for fmt in (*job.formats, "ipynb")
                            if job.output(fmt).exists()}
            if job.output("figures").exists():
                result.files["figures"] = str(job.output("figures"))
            return result
        if isinstance(exc, KeyboardInterrupt) or interrupt.received() is not None:
            # stopped, not failed: clear what is half done, keep the last complete outputs
            from .faults import interrupted_result

            with interrupt.deferred(swallow=True):
                _cleanup(pending + [(t, t) for t in scratch], nb_tmp, keep_notebook=False)
            _emit(job, "interrupted")
            return interrupted_result(result, exc, started=began, language=job.language)
        # a signal during the clean-up is noted (the render stops after this report) but must
        # not leave it half cleaned
        with interrupt.deferred(swallow=True):
            text, detail = describe_error(exc, job.language)
            result.error, result.error_detail = text, detail
            # a leaking notebook is not kept beside the reports either
            keep = type(exc).__name__ != "ReportLeaks"
            failed_nb_written = _cleanup(pending + [(t, t) for t in scratch], nb_tmp,
                                         keep_notebook=keep, failed_notebook=job.failed_notebook)
            for path in job.all_outputs():
                with contextlib.suppress(FileNotFoundError, OSError):
                    path.unlink()
            if failed_nb_written:
                result.files = {"failed_notebook": str(job.failed_notebook)}
            elif not executed or not keep:
                with contextlib.suppress(FileNotFoundError, OSError):
                    job.failed_notebook.unlink()
            _emit(job, "failed")
    finally:
        result.seconds = round(time.monotonic() - started, 1)
    return result


def _now() -> str:
    import datetime as dt

    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _cleanup(pending: list[tuple[Path, Path]], nb_tmp: Path, *, keep_notebook: bool,
             failed_notebook: Path | None = None) -> bool:
    """Remove unfinished temporary files; keep the executed notebook as the failed one."""
    kept = False
    if keep_notebook and failed_notebook is not None and nb_tmp.exists():
        with contextlib.suppress(OSError):
            os.replace(nb_tmp, failed_notebook)
            kept = True
    for tmp, _target in pending:
        with contextlib.suppress(FileNotFoundError, OSError):
            tmp.unlink()
    with contextlib.suppress(FileNotFoundError, OSError):
        nb_tmp.unlink()
    return kept
