"""Flush telemetry on normal exit and on SIGTERM, within the shutdown timeout."""

from __future__ import annotations

import atexit
from collections.abc import Callable

from otelward.startup._signals import install_sigterm_flush, patch_signal_module

__all__ = ["install_exit_hooks"]


def install_exit_hooks(shutdown: Callable[[], object], timeout_s: float) -> None:
    """Call ``shutdown`` at interpreter exit, and on SIGTERM when the app has no handler of its own.

    The SIGTERM path never runs ``shutdown`` in signal-handler context (see :mod:`otelward.startup._signals`);
    the exit status is the one the app would have had.
    """
    atexit.register(shutdown)
    patch_signal_module()
    install_sigterm_flush(shutdown, timeout_s)
