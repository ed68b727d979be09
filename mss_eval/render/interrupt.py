"""Stopping a render cleanly on Ctrl-C (SIGINT) or SIGTERM.

A render interrupted halfway must leave what it finished intact, no half-written file, no kernel
running on, and a summary of what was not done. The pieces:

* :func:`handling_signals` (the render's main process): SIGINT and SIGTERM both raise
  :class:`RenderInterrupted` (a ``KeyboardInterrupt`` that knows its signal), so a scheduler's
  ``kill`` is handled like Ctrl-C instead of ending the process on the spot.
* :func:`install_worker_handlers` (each pool worker): the parent decides when to stop. A worker
  notes Ctrl-C (the terminal sends it to the whole process group) and stops its report only when
  the parent sends SIGTERM; an idle worker just notes it.
* :func:`run_interruptibly` runs the notebook in a helper thread, so the signal reaches our
  handler in the main thread (nbclient would otherwise catch it, shut the kernel down and let the
  render carry on with the next report); on interruption :func:`stop_kernels` kills the kernels
  this process started.
* :func:`deferred` holds a signal back while a report's files are renamed into place, so the
  outputs of a report appear all together or not at all.

Exit codes follow the shell's convention: 130 after SIGINT, 143 after SIGTERM.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import queue
import signal
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

HANDLED = (signal.SIGINT, signal.SIGTERM)
NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


class RenderInterrupted(KeyboardInterrupt):
    """A render was asked to stop by a signal (SIGINT or SIGTERM)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(NAMES.get(signum, f"signal {signum}"))
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def exit_code(signum: int) -> int:
    """The shell's exit code after a signal: 130 for SIGINT, 143 for SIGTERM."""
    return 128 + int(signum)


class _State:
    received: int | None = None   # first signal received since reset()
    pending: int | None = None    # a signal held back by deferred()
    defer: int = 0
    worker: bool = False          # this process is a pool worker
    in_report: bool = False       # a worker is rendering a report right now


_state = _State()


def received() -> int | None:
    """The signal this process received since the render started, or None."""
    return _state.received


def reset() -> None:
    _state.received = None
    _state.pending = None


def _handler(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    if _state.received is None:
        _state.received = signum
    if _state.defer:
        _state.pending = signum
        return
    if _state.worker and (signum != signal.SIGTERM or not _state.in_report):
        # Ctrl-C reaches workers too, but the parent decides; an idle worker has nothing to stop
        return
    raise RenderInterrupted(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def handling_signals() -> Iterator[None]:
    """In the render's main process: SIGINT and SIGTERM raise :class:`RenderInterrupted`.

    The previous handlers come back afterwards. Outside the main thread (a render started from
    a thread) nothing is installed: signals never reach other threads.
    """
    reset()
    if not _main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in HANDLED}
    for s in HANDLED:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)


def install_worker_handlers() -> None:
    """In a pool worker: note Ctrl-C, stop the running report on SIGTERM (see module notes)."""
    _state.worker = True
    reset()
    if _main_thread():
        for s in HANDLED:
            signal.signal(s, _handler)


@contextlib.contextmanager
def in_report() -> Iterator[None]:
    """Mark a report as running; refuse to start one once the process was asked to stop."""
    if _state.worker and _state.received == signal.SIGTERM:
        raise RenderInterrupted(signal.SIGTERM)
    if not _state.worker and _state.received is not None:
        raise RenderInterrupted(_state.received)
    _state.in_report = True
    try:
        yield
    finally:
        _state.in_report = False


@contextlib.contextmanager
def deferred(*, swallow: bool = False) -> Iterator[None]:
    """Hold SIGINT/SIGTERM back until the block is done, then raise (unless ``swallow``)."""
    _state.defer += 1
    try:
        yield
    finally:
        _state.defer -= 1
    if _state.defer == 0 and _state.pending is not None:
        signum, _state.pending = _state.pending, None
        if not swallow:
            raise RenderInterrupted(signum)


def pending_signal() -> int | None:
    """A signal held back by :func:`deferred` (a second Ctrl-C while stopping)."""
    return _state.pending


# -- kernels ------------------------------------------------------------------------------------
_kernels: weakref.WeakSet = weakref.WeakSet()


class _KernelDeathNotice(logging.Filter):
    """nbclient logs a dead kernel on papermill's logger; the render's summary says it in plain
    words already (and a stopped render kills its kernels on purpose)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Kernel died")


logging.getLogger("papermill").addFilter(_KernelDeathNotice())


def register_kernel(manager: Any) -> None:
    """Remember a started kernel manager, so an interruption can stop its kernel."""
    _kernels.add(manager)


def forget_kernel(manager: Any) -> None:
    _kernels.discard(manager)


def stop_kernels() -> int:
    """Kill the kernels this process started and has not shut down yet; return how many.

    A kernel runs in its own session (jupyter_client starts it so), so the whole process group
    goes: the kernel and anything it started.
    """
    stopped = 0
    for manager in list(_kernels):
        provisioner = getattr(manager, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        pgid = getattr(provisioner, "pgid", None)
        try:
            if pgid and hasattr(os, "killpg"):
                os.killpg(pgid, signal.SIGKILL)
            elif pid:
                os.kill(pid, signal.SIGKILL)
            else:
                continue
            stopped += 1
        except (ProcessLookupError, PermissionError, OSError):
            pass
        forget_kernel(manager)
    if _state.worker:
        stopped += _kill_children()
    return stopped


def _kill_children() -> int:
    """In a pool worker, everything below it is the report's (kernels, pandoc): stop it all."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with the Jupyter stack
        return 0
    killed = 0
    with contextlib.suppress(psutil.Error):
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
                killed += 1
    return killed


# -- executing a notebook where signals cannot be swallowed -----------------------------------------
class _ExecutionThread:
    """One long-lived thread per process that runs notebooks (one asyncio loop for all of them,
    so kernels kept between reports stay on the loop they were started on)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="mss-notebook", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            fn, args, kwargs, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                future.set_exception(exc)

    def submit(self, fn: Callable, *args, **kwargs) -> cf.Future:
        future: cf.Future = cf.Future()
        self._jobs.put((fn, args, kwargs, future))
        return future


_executor: _ExecutionThread | None = None
_executor_lock = threading.Lock()


def run_interruptibly(fn: Callable, *args, grace: float = 30.0, **kwargs):
    """``fn(*args, **kwargs)`` in the execution thread, while the main thread waits for signals.

    On :class:`KeyboardInterrupt` (also :class:`RenderInterrupted`) the kernels are killed,
    ``fn`` gets up to ``grace`` seconds to notice and return, and the interruption is raised.
    Called outside the main thread, ``fn`` simply runs here.
    """
    global _executor
    if not _main_thread():
        return fn(*args, **kwargs)
    with _executor_lock:
        if _executor is None:
            _executor = _ExecutionThread()
    future = _executor.submit(fn, *args, **kwargs)
    try:
        while True:
            try:
                return future.result(timeout=0.25)
            except cf.TimeoutError:
                continue
    except KeyboardInterrupt:
        with deferred(swallow=True):
            stop_kernels()
            with contextlib.suppress(BaseException):
                future.result(timeout=grace)
        raise
