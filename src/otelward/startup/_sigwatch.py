"""Wake the main thread again when a SIGTERM reached it but otelward's Python handler did not run.

CPython's C-level handler only sets a flag; the Python handler runs later, in the main thread, when the
interpreter next checks that flag. A main thread that blocks in a C call which re-checks only on EINTR (a
``multiprocessing`` ``SemLock``, ``threading.Lock.acquire()``) never runs it if the signal lands after the last
check and before the blocking call starts: the flag stays set and the process waits for ever, where ``SIG_DFL``
would have killed it. Seen in fork ``Pool`` workers at ``Pool.terminate()`` (about 1 round in 20 with two
workers; the kernel had delivered SIGTERM to the main thread, ``is_tripped`` was set, the eval breaker clear).

The C handler also writes the signal number to the wakeup fd (``signal.set_wakeup_fd``). A watcher thread
(SIGTERM blocked, like every telemetry thread) reads it; when SIGTERM was written and otelward's handler has
not started after a moment, it sends SIGTERM again to the main thread only (``pthread_kill``): the blocking call
returns EINTR and the handler runs. The fd is armed only when nobody else uses it (asyncio's loop replaces it;
the watcher then simply never wakes), and is replaced in a forked child before SIGTERM is unblocked there
(_threads.py), so a child's signal never wakes the parent's watcher.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable

from otelward._threads import TelemetryThread, install_fork_masking, on_child_before_unblock

__all__ = ["arm_sigterm_watch", "is_watch_fd"]

_GRACE_S = 0.1  # the handler normally starts within microseconds of the C handler
_KICKS = 50  # one every _GRACE_S: gives up after ~5 s (a main thread busy in one long C call)
_fds: list[int] = []  # [read end, write end] of this process's wakeup pipe
_armed: list[tuple[Callable[[], bool], Callable[[], bool]]] = []


def is_watch_fd(fd: object) -> bool:
    """Return whether ``fd`` is otelward's wakeup fd (so ``signal.set_wakeup_fd`` can hide it from the app)."""
    return len(_fds) == 2 and fd == _fds[1]


def arm_sigterm_watch(started: Callable[[], bool], installed: Callable[[], bool]) -> bool:
    """Arm the watcher (main thread only); return whether it is armed.

    Args:
        started: whether otelward's handler has started (then no kick is needed).
        installed: whether otelward's handler is still the SIGTERM handler (else the app's own rules apply).
    """
    if _armed or not hasattr(signal, "pthread_kill") or not hasattr(signal, "set_wakeup_fd"):
        return False
    if not _arm():
        return False
    _armed.append((started, installed))
    on_child_before_unblock(_rearm_in_child)
    install_fork_masking()  # normally installed already, after the SDK's hooks (configurator.py)
    return True


def _set_wakeup_fd(fd: int, **kwargs: bool) -> int:
    # The interpreter's own, not the patch that hides otelward's fd from the app (startup/_signals.py).
    original = getattr(signal.set_wakeup_fd, "__wrapped__", signal.set_wakeup_fd)
    old: int = original(fd, **kwargs)
    return old


def _arm() -> bool:
    try:
        r, w = os.pipe()
        os.set_blocking(w, False)  # required by set_wakeup_fd: the C handler must never block
        old = _set_wakeup_fd(w, warn_on_full_buffer=False)
    except (OSError, ValueError):  # not the main thread, or no pipes: stay as before
        return False
    if old != -1:
        # Someone (an event loop) uses the fd already: theirs stays, the watcher is not needed there.
        with contextlib.suppress(OSError, ValueError):
            _set_wakeup_fd(old)
        for fd in (r, w):
            os.close(fd)
        return False
    _fds[:] = [r, w]
    main = threading.get_ident()
    TelemetryThread(_watch, name="otelward-sigterm-watch", args=(r, main)).start()
    return True


def _rearm_in_child() -> None:
    # A forked child shares the parent's pipe: detach it before it can take SIGTERM (a child's SIGTERM must
    # never wake the parent's watcher), and give it its own while otelward's handler is still installed.
    if not _armed or len(_fds) != 2:
        return
    inherited = list(_fds)
    _fds.clear()
    with contextlib.suppress(OSError, ValueError):
        current = _set_wakeup_fd(-1)
        if current != inherited[1]:
            _set_wakeup_fd(current)  # someone else's since: leave it
        elif _armed[0][1]():
            _arm()
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)


def _watch(r: int, main: int) -> None:
    while True:
        try:
            data = os.read(r, 512)
        except OSError:
            return  # closed (a forked child replaced it)
        if not data:
            return
        if signal.SIGTERM not in data or not _armed:
            continue
        started, installed = _armed[0]
        for _ in range(_KICKS):
            time.sleep(_GRACE_S)
            try:
                if started() or not installed():
                    break
                signal.pthread_kill(main, signal.SIGTERM)
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                break
