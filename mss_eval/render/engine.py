"""``mss_warm``: a papermill engine that executes report notebooks on a warm kernel.

Most of the cost of a small report notebook is fixed: starting a kernel, importing pandas,
matplotlib, seaborn and statsmodels, loading the study. This engine keeps one kernel per worker
process (per thread, for thread-based schedulers) and reuses it for every notebook that process
executes:

* the kernel is started once (over IPC sockets, see :mod:`.kernels`) and the report stack is
  imported into it (:func:`.kernel_state.warm_up`);
* before each notebook the kernel is reset to that state (:func:`.kernel_state.reset`): empty
  user namespace, cell counter 1, pandas options, rcParams, warning filters, environment and
  working folder restored; so no variable, option or rcParam of one report reaches the next;
* the study's tidy data are loaded once per kernel (:mod:`mss_eval.tidy_cache` keeps the last
  study in memory, keyed by the hashes of its files);
* a kernel that died, timed out or failed to reset is thrown away; the next notebook gets a new
  one.

The engine is registered in papermill's registry under :data:`ENGINE_NAME` when this module is
imported, and through the ``papermill.engine`` entry point of the installed package, so
``papermill.execute_notebook(..., engine_name="mss_warm")`` works anywhere.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Sequence

from nbclient.exceptions import CellExecutionError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

ENGINE_NAME = "mss_warm"
logger = logging.getLogger("papermill")

_WARM_UP = "__import__('mss_eval.render.kernel_state', fromlist=['_']).warm_up()"
_RESET = "__import__('mss_eval.render.kernel_state', fromlist=['_']).reset({cwd!r})"


class KernelResetError(RuntimeError):
    """The warm kernel could not be reset or warmed up (it is replaced by a new one)."""


class WarmKernel:
    """One running kernel, reused notebook after notebook.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel (``python3``).
    extra_arguments : sequence of str
        Arguments for the kernel process (``--IPKernelApp.log_level=CRITICAL``).
    transport : {"ipc", "tcp"}
        ``ipc`` (default on POSIX): Unix sockets in a private folder, no TCP port to race for.
    """

    def __init__(self, kernel_name: str, extra_arguments: Sequence[str] = (),
                 transport: str = "ipc"):
        self.kernel_name = kernel_name
        self.extra_arguments = list(extra_arguments)
        self.transport = transport
        self.km = None
        self.kc = None
        self.notebooks = 0

    @property
    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        if self.km is None or not self.km.has_kernel:
            return False
        try:
            return bool(run_sync(self.km._async_is_alive)())
        except Exception:  # noqa: BLE001 - a kernel we cannot ask is not usable
            return False

    def start(self, start_timeout: float = 60) -> None:
        """Start the kernel and import the report stack into it."""
        from jupyter_core.utils import run_sync

        if self.transport == "ipc" and os.name == "posix":
            from .kernels import IPCKernelManager as manager_class
        else:
            from jupyter_client.manager import AsyncKernelManager as manager_class
        km = manager_class(kernel_name=self.kernel_name)
        arguments = list(self.extra_arguments)
        if not any(a.startswith("--HistoryManager.hist_file") for a in arguments):
            # as nbclient does: kernels side by side must not share IPython's history database
            arguments.append("--HistoryManager.hist_file=:memory:")
        run_sync(km._async_start_kernel)(extra_arguments=arguments)
        self.km = km
        try:
            # one client for the kernel's life: a new client per notebook costs a handshake
            # (~0.2 s); only one notebook runs on a kernel at a time, so they never mix
            self.kc = km.client()
            self.kc.start_channels()
            run_sync(self.kc._async_wait_for_ready)(timeout=start_timeout)
            self.run_silently(_WARM_UP, timeout=max(start_timeout, 120))
        except BaseException:
            self.shutdown()
            raise

    def run_silently(self, code: str, timeout: float = 120) -> None:
        """Execute ``code`` in the kernel without a trace in any notebook; raise if it fails."""
        from jupyter_core.utils import run_sync

        assert self.kc is not None
        reply = run_sync(self.kc._async_execute_interactive)(
            code, silent=True, store_history=False, allow_stdin=False, timeout=timeout,
            output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelResetError(f"{content.get('ename')}: {content.get('evalue')}")

    def reset(self, cwd: str | None, timeout: float = 120) -> None:
        self.run_silently(_RESET.format(cwd=cwd), timeout=timeout)

    def shutdown(self) -> None:
        """Stop the kernel (quietly; it may be dead already).

        The kernel process gets SIGTERM (SIGKILL after 2 s) rather than a shutdown message:
        this works from any thread, also at exit, whereas the kernel's sockets belong to the
        event loop of the thread that started it.
        """
        from jupyter_core.utils import run_sync

        km, self.km = self.km, None
        kc, self.kc = self.kc, None
        if kc is not None:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        if km is None:
            return
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None:
            with contextlib.suppress(Exception):
                process.terminate()
                try:
                    process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
        with contextlib.suppress(Exception):
            run_sync(km._async_cleanup_resources)()
        socket_dir = getattr(km, "_socket_dir", None)
        if socket_dir is not None:  # also when the clean-up above gave up halfway
            shutil.rmtree(socket_dir, ignore_errors=True)


_local = threading.local()
_all_kernels: list[WarmKernel] = []
_all_lock = threading.Lock()
_atexit_registered = False


def _kernels() -> dict:
    if not hasattr(_local, "kernels"):
        _local.kernels = {}
    return _local.kernels


def warm_kernel(kernel_name: str = "python3", extra_arguments: Sequence[str] = (),
                transport: str = "ipc", start_timeout: float = 60) -> WarmKernel:
    """This thread's warm kernel for these settings, started (and warmed up) if need be."""
    global _atexit_registered
    key = (kernel_name, tuple(extra_arguments), transport)
    kernels = _kernels()
    kernel = kernels.get(key)
    if kernel is not None and kernel.alive:
        return kernel
    if kernel is not None:
        discard(kernel)
    kernel = WarmKernel(kernel_name, extra_arguments, transport)
    kernel.start(start_timeout)
    kernels[key] = kernel
    with _all_lock:
        _all_kernels.append(kernel)
        if not _atexit_registered:
            atexit.register(shutdown_all)
            with contextlib.suppress(Exception):
                # a pool worker runs multiprocessing's finalizers on its way out
                from multiprocessing import util

                util.Finalize(None, shutdown_all, exitpriority=10)
            _atexit_registered = True
    return kernel


def discard(kernel: WarmKernel) -> None:
    """Shut a kernel down and forget it (after it died, timed out or failed to reset)."""
    kernels = _kernels()
    for key, value in list(kernels.items()):
        if value is kernel:
            del kernels[key]
    with _all_lock:
        if kernel in _all_kernels:
            _all_kernels.remove(kernel)
    kernel.shutdown()


def shutdown_all() -> None:
    """Shut down every warm kernel of this process (at exit; tests)."""
    with _all_lock:
        kernels = list(_all_kernels)
        _all_kernels.clear()
    for kernel in kernels:
        kernel.shutdown()
    if hasattr(_local, "kernels"):
        _local.kernels.clear()


def current_kernels() -> list[WarmKernel]:
    """The warm kernels of this process (for tests and diagnostics)."""
    with _all_lock:
        return list(_all_kernels)


class WarmKernelEngine(Engine):
    """Papermill engine: execute on this process's warm kernel, reset before every notebook."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 **kwargs):
        extra_arguments = kwargs.pop("extra_arguments", None) or []
        transport = kwargs.pop("transport", "ipc")
        # the warm kernel has its own manager; a per-notebook one would start a new kernel
        kwargs.pop("kernel_manager_class", None)
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        kernel = warm_kernel(kernel_name or "python3", extra_arguments, transport,
                             start_timeout)
        try:
            kernel.reset(os.getcwd(), timeout=max(start_timeout, 60))
        except Exception:  # noqa: BLE001 - a kernel that cannot be reset is replaced once
            discard(kernel)
            kernel = warm_kernel(kernel_name or "python3", extra_arguments, transport,
                                 start_timeout)
            kernel.reset(os.getcwd(), timeout=max(start_timeout, 60))
        final_kwargs = merge_kwargs(
            kwargs,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = PapermillNotebookClient(nb_man, km=kernel.km, **final_kwargs)
        client.kc = kernel.kc
        try:
            result = client.execute()
        except CellExecutionError:
            raise
        except BaseException:
            # died, timed out (possibly still busy) or interrupted: never reuse it
            discard(kernel)
            raise
        finally:
            client.kc = None  # the kernel's client outlives this notebook
        kernel.notebooks += 1
        return result


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)

__all__ = ["ENGINE_NAME", "KernelResetError", "WarmKernel", "WarmKernelEngine", "current_kernels",
           "discard", "shutdown_all", "warm_kernel"]
