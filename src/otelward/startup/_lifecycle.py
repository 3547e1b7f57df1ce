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
    # atexit runs last-registered first: this one runs after the flush.
    atexit.register(_end_by_sigint_if_interrupted)
    atexit.register(shutdown)
    patch_signal_module()
    install_sigterm_flush(shutdown, timeout_s)


def _end_by_sigint_if_interrupted() -> None:
    """End the process by SIGINT after an uncaught Ctrl-C, as the interpreter does without otelward.

    CPython decides that from a flag that any later evaluation of code resets, and otelward's exit work ran
    code: the process then exited with status 1 instead of dying by SIGINT (130 in a shell), which scripts and
    supervisors read differently.
    """
    from otelward.logs._lastresort import INTERRUPTED

    if not INTERRUPTED:
        return
    import logging
    import os
    import signal

    logging.shutdown()  # what the interpreter would still have flushed
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
