"""The ``papermill.engine`` entry point of the warm-kernel engine, without importing papermill.

papermill loads every registered entry point while it is first imported. Had the entry point
named :mod:`mss_eval.render.engine` itself, importing that module before papermill (it imports
papermill) would make papermill load it again half-way and fail. This module imports nothing:
papermill registers the class below, and every attribute papermill asks of it (``execute_notebook``,
``nb_kernel_name``, ...) is taken from :class:`mss_eval.render.engine.WarmKernelEngine`, which
replaces it in papermill's registry once imported.
"""

from __future__ import annotations

__all__ = ["WarmKernelEngine"]


class _Deferred(type):
    def __getattr__(cls, name: str):
        from .engine import WarmKernelEngine as engine

        return getattr(engine, name)


class WarmKernelEngine(metaclass=_Deferred):
    """papermill's handle on :class:`mss_eval.render.engine.WarmKernelEngine`."""
