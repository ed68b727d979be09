"""Kernels for report notebooks: local Unix sockets instead of TCP ports.

Kernels started side by side each pick free TCP ports, and two can pick the same one (the "port
race" of parallel papermill runs: ``ZMQError: Address already in use``). A kernel that talks over
IPC sockets in its own temporary folder has no port to race for, sends nothing over the network
and does not print jupyter's warning about unencrypted TCP.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from .interrupt import forget_kernel, register_kernel


class IPCKernelManager(AsyncKernelManager):
    """An nbclient kernel manager whose kernel listens on IPC sockets in a private folder."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._socket_dir = Path(tempfile.mkdtemp(prefix="mss-kernel-"))
        self.transport = "ipc"
        # for IPC, "ip" is the path prefix of the socket files
        self.ip = str(self._socket_dir / "kernel")

    async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
        await super()._async_launch_kernel(kernel_cmd, **kw)
        # an interrupted render kills the kernels it knows of (see .interrupt)
        register_kernel(self)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            forget_kernel(self)
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # type: ignore[assignment]
