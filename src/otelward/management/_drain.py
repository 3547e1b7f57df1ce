"""Report not-ready as soon as SIGTERM arrives, even when the server installs its own handler.

otelward's exit hook runs ``on_sigterm`` callbacks only when the app has no SIGTERM handler. gunicorn's
master and workers and uvicorn install theirs after otelward started, so a handler installed later
through ``signal.signal`` is wrapped: the drain callback runs first, then the server's handler as before.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from otelward.startup._lifecycle import on_sigterm

__all__ = ["watch_sigterm"]

_callbacks: list[Callable[[], None]] = []
_installed = threading.Lock()
_patched = False


def _run() -> None:
    for callback in list(_callbacks):
        with contextlib.suppress(Exception):  # telemetry must never raise into the app
            callback()


def _wrap(handler: Any) -> Any:
    if not callable(handler) or getattr(handler, "_otelward_drain", False):
        return handler

    def wrapped(signum: int, frame: FrameType | None) -> Any:
        _run()
        return handler(signum, frame)

    wrapped._otelward_drain = True  # type: ignore[attr-defined]
    wrapped.__wrapped__ = handler  # type: ignore[attr-defined]
    return wrapped


def watch_sigterm(callback: Callable[[], None]) -> None:
    """Call ``callback`` (idempotent, quick) when this process receives SIGTERM, whoever handles it."""
    global _patched
    _callbacks.append(callback)
    on_sigterm(callback)
    with _installed:
        if _patched:
            return
        _patched = True
        original = signal.signal

        def patched_signal(signum: Any, handler: Any) -> Any:
            if signum == signal.SIGTERM:
                handler = _wrap(handler)
            return original(signum, handler)

        signal.signal = patched_signal  # type: ignore[assignment]
        if threading.current_thread() is threading.main_thread():
            current = signal.getsignal(signal.SIGTERM)
            if callable(current) and not getattr(current, "__module__", "").startswith("otelward"):
                original(signal.SIGTERM, _wrap(current))
