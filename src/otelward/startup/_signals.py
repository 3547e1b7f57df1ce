"""SIGTERM: flush telemetry without working in signal-handler context, and stay invisible to the app.

A Python signal handler runs in the main thread between two bytecodes of whatever it interrupted, which may be
holding one of otelward's locks (the tail selector's, an export queue's, a logging handler's). A handler that
waited on such a lock deadlocked the process (3 of 30 SIGTERMs to a script making spans). So the handler takes
no lock and waits on nothing the interrupted code may hold: it starts the flush on a fresh OS thread
(``_thread.start_new_thread``: no ``threading`` bookkeeping lock), polls a plain flag until the flush is done or
the shutdown timeout has passed, restores the default disposition and re-raises the signal, so the process ends
as it would have without otelward.

Patches keep this transparent (all listed in docs/process-changes.md):

* ``signal.signal``: a SIGTERM handler the app or its server installs later is wrapped so the drain callbacks
  (readiness reports not-ready) run first; the app's handler then runs as before.
* ``signal.signal`` and ``signal.getsignal`` return what the app installed (``SIG_DFL`` for otelward's own
  handler, the app's function for a wrapped one), never otelward's wrapper.
* ``signal.set_wakeup_fd`` returns ``-1`` where it would return the wakeup fd otelward's SIGTERM watcher set
  (startup/_sigwatch.py: it wakes the main thread again when a SIGTERM tripped but this handler never ran).
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from otelward._threads import block_sigterm

__all__ = ["install_sigterm_flush", "on_sigterm", "patch_signal_module", "unpatch_signal_module"]

_callbacks: list[Callable[[], None]] = []
_originals: dict[str, Any] = {}
_OWN = "_otelward_sigterm"


def on_sigterm(callback: Callable[[], None]) -> None:
    """Run ``callback`` first when SIGTERM arrives, whoever handles it.

    It runs in signal-handler context: it must be quick and take no lock (set a flag).
    """
    _callbacks.append(callback)


def _run_callbacks() -> None:
    for callback in list(_callbacks):
        with contextlib.suppress(Exception):  # telemetry must never raise into the app
            callback()


def _app_view(handler: Any) -> Any:
    """Return what the app installed, for a handler that may be otelward's."""
    if getattr(handler, _OWN, None) == "default":
        return signal.SIG_DFL
    if getattr(handler, _OWN, None) == "wrapper":
        return handler.__wrapped__
    return handler


def _wrap(handler: Any) -> Any:
    if not callable(handler) or getattr(handler, _OWN, None) is not None:
        return handler

    def wrapped(signum: int, frame: FrameType | None) -> Any:
        _run_callbacks()
        return handler(signum, frame)

    setattr(wrapped, _OWN, "wrapper")
    wrapped.__wrapped__ = handler  # type: ignore[attr-defined]
    return wrapped


def patch_signal_module() -> None:
    """Wrap SIGTERM handlers installed from now on, and hide otelward's handlers from the app (idempotent)."""
    if _originals:
        return
    original_signal, original_getsignal = signal.signal, signal.getsignal
    original_set_wakeup_fd = signal.set_wakeup_fd
    _originals.update(
        signal=original_signal, getsignal=original_getsignal, set_wakeup_fd=original_set_wakeup_fd
    )

    def patched_signal(signum: Any, handler: Any) -> Any:
        if signum == signal.SIGTERM:
            handler = _wrap(handler)
        return _app_view(original_signal(signum, handler))

    def patched_getsignal(signum: Any) -> Any:
        return _app_view(original_getsignal(signum))

    def patched_set_wakeup_fd(fd: int, /, **kwargs: Any) -> int:
        from otelward.startup._sigwatch import is_watch_fd

        old: int = original_set_wakeup_fd(fd, **kwargs)
        return -1 if is_watch_fd(old) else old

    patched_signal.__wrapped__ = original_signal  # type: ignore[attr-defined]
    patched_getsignal.__wrapped__ = original_getsignal  # type: ignore[attr-defined]
    patched_set_wakeup_fd.__wrapped__ = original_set_wakeup_fd  # type: ignore[attr-defined]
    signal.signal = patched_signal  # type: ignore[assignment]
    signal.getsignal = patched_getsignal  # type: ignore[assignment]
    signal.set_wakeup_fd = patched_set_wakeup_fd
    if threading.current_thread() is threading.main_thread():
        # A server that installed its handler before otelward started (rare) is wrapped now.
        with contextlib.suppress(ValueError, OSError):
            current = original_getsignal(signal.SIGTERM)
            if callable(current) and getattr(current, _OWN, None) is None:
                original_signal(signal.SIGTERM, _wrap(current))


def unpatch_signal_module() -> None:
    """Restore ``signal.signal``, ``signal.getsignal`` and ``signal.set_wakeup_fd`` (tests)."""
    if _originals:
        signal.signal = _originals.pop("signal")
        signal.getsignal = _originals.pop("getsignal")
        signal.set_wakeup_fd = _originals.pop("set_wakeup_fd")
    _callbacks.clear()


def install_sigterm_flush(flush: Callable[[], object], timeout_s: float) -> bool:
    """Flush on SIGTERM when the app has no handler of its own; return whether the handler was installed.

    Servers that handle SIGTERM themselves (gunicorn, uvicorn) exit through ``sys.exit``, so ``atexit`` covers
    them; a plain script dies on SIGTERM without running ``atexit``.
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    set_handler = _originals.get("signal", signal.signal)
    get_handler = _originals.get("getsignal", signal.getsignal)
    try:
        if get_handler(signal.SIGTERM) not in (signal.SIG_DFL, None):
            return False
    except (ValueError, OSError):
        return False

    started: list[bool] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if started:
            return  # a second SIGTERM (or the watcher's wake-up) while the first one is being handled
        started.append(True)
        _run_callbacks()
        done: list[bool] = []

        def work() -> None:
            try:
                block_sigterm()  # as in every telemetry thread (_threads.py): here, not in the handler
                flush()
            except Exception:  # noqa: BLE001, S110 - telemetry must never raise into the app
                pass
            finally:
                done.append(True)

        with contextlib.suppress(Exception):
            _thread.start_new_thread(work, ())
        deadline = time.monotonic() + timeout_s + 0.25
        while not done and time.monotonic() < deadline:
            time.sleep(0.005)
        set_handler(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    setattr(handler, _OWN, "default")
    try:
        set_handler(signal.SIGTERM, handler)
    except (ValueError, OSError):
        return False
    from otelward.startup._sigwatch import arm_sigterm_watch

    # A SIGTERM that trips the C handler just before the main thread blocks would never run this handler.
    arm_sigterm_watch(lambda: bool(started), lambda: get_handler(signal.SIGTERM) is handler)
    return True
