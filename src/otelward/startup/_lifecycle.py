"""Flush telemetry on normal exit and on SIGTERM, within the shutdown timeout."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["install_exit_hooks", "on_sigterm"]

_log = logging.getLogger("otelward")
_sigterm_callbacks: list[Callable[[], None]] = []


def on_sigterm(callback: Callable[[], None]) -> None:
    """Run ``callback`` first when SIGTERM arrives (e.g. report not-ready while draining)."""
    _sigterm_callbacks.append(callback)


def run_sigterm_callbacks() -> None:
    """Run the registered SIGTERM callbacks once each, swallowing their errors."""
    while _sigterm_callbacks:
        callback = _sigterm_callbacks.pop(0)
        try:
            callback()
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            _log.debug("sigterm callback failed", exc_info=True)


def install_exit_hooks(shutdown: Callable[[], object]) -> None:
    """Call ``shutdown`` at interpreter exit, and on SIGTERM when the app has no handler of its own.

    Servers that handle SIGTERM themselves (gunicorn, uvicorn) exit through ``sys.exit``, so the
    atexit hook covers them. A plain script dies on SIGTERM without running atexit; for it we flush,
    then restore the default action and re-raise the signal so the exit status is unchanged.
    """
    atexit.register(shutdown)
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        current = signal.getsignal(signal.SIGTERM)
    except (ValueError, OSError):
        return
    if current not in (signal.SIG_DFL, None):
        return

    def _handler(signum: int, frame: FrameType | None) -> None:
        run_sigterm_callbacks()
        shutdown()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    try:
        signal.signal(signal.SIGTERM, _handler)
    except (ValueError, OSError):
        _log.debug("could not install the SIGTERM handler", exc_info=True)
