"""Render on a Dask distributed cluster: the same report tasks, other machines.

``mss-eval render STUDY --scheduler tcp://host:8786`` sends every report to the workers of a
running Dask scheduler instead of a local process pool. Each task is the same picklable
:class:`~mss_eval.render.plan.ReportJob` the local pool gets; a worker renders it with
:func:`~mss_eval.render.worker.render_report` (warm kernel, HTML and PDF written by the worker)
and sends back a :class:`~mss_eval.render.worker.ReportResult`.

What the workers need:

* the same environment (mss-eval and its dependencies) and the study folder, the notebooks and
  the output folder at the same paths (a shared file system);
* one thread per worker process (``dask worker --nthreads 1``): papermill runs a notebook in the
  worker's working folder, which is shared by the threads of a process. Scale with more worker
  processes (``--nworkers``), each of which keeps its own warm kernel.

The scheduler decides where and when each report runs; ``--jobs`` does not apply.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable

from ..problems import MESSAGES, StudyError, message

MESSAGES.update({
    "render_dask_missing": {
        "nl": "--scheduler vraagt het pakket 'distributed' (pip install distributed); het is "
              "niet geïnstalleerd",
        "en": "--scheduler needs the package 'distributed' (pip install distributed); it is not "
              "installed",
    },
    "render_dask_unreachable": {
        "nl": "de Dask-scheduler op {value} is niet bereikbaar: {detail}",
        "en": "the Dask scheduler at {value} cannot be reached: {detail}",
    },
})


class SchedulerError(StudyError):
    """The Dask scheduler cannot be used (not installed, not reachable); a sentence for users."""

    def __init__(self, sentence: str):
        super().__init__([], summary=sentence)


class DaskExecutor(cf.Executor):
    """A :class:`concurrent.futures.Executor` whose tasks run on a Dask cluster.

    Parameters
    ----------
    address : str
        The scheduler's address (``tcp://host:8786``), or a ``distributed`` cluster object.
    language : {"nl", "en"}
        Language of the error when the scheduler cannot be reached.
    timeout : float
        Seconds to wait for the scheduler.
    """

    def __init__(self, address, *, language: str = "nl", timeout: float = 30):
        try:
            from distributed import Client
        except ImportError:
            raise SchedulerError(message("render_dask_missing", language)) from None
        try:
            self.client = Client(address, set_as_default=False, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(message("render_dask_unreachable", language, value=address,
                                         detail=exc)) from None
        # pure=False: two renders of the same report are two tasks, never one cached result
        self._executor = self.client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            self._executor.shutdown(wait=wait and not cancel_futures)
        finally:
            self.client.close()


def dask_executor_factory(address, *, language: str = "nl",
                          timeout: float = 30) -> Callable[[int], cf.Executor]:
    """An ``executor_factory`` for :func:`~mss_eval.render.render_study` that uses a Dask
    scheduler (``jobs`` is the scheduler's business and is ignored)."""

    def factory(jobs: int) -> cf.Executor:  # noqa: ARG001 - the cluster sizes itself
        return DaskExecutor(address, language=language, timeout=timeout)

    return factory


__all__ = ["DaskExecutor", "SchedulerError", "dask_executor_factory"]
