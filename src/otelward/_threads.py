"""Keep SIGTERM away from telemetry threads, so the kernel hands it to a thread that can act on it.

Linux delivers a process-directed SIGTERM to any thread that does not block it. A Python handler (otelward's
flush, or the app's) only runs in the main thread: when the kernel picks another thread while the main thread
sits in a C call that returns only on EINTR (a ``SemLock`` or ``threading.Lock`` acquire), the handler never
runs and the process never ends, where ``SIG_DFL`` would have killed it. So every thread otelward starts blocks
SIGTERM from its first instruction, and threads the SDK starts (its metric reader, and the threads its after-fork
hooks restart in a child) inherit a blocked mask: a new thread starts with its creator's mask, so SIGTERM is
blocked on the creating thread around start-up and around ``os.fork()``.

Blocking loses nothing: a SIGTERM that arrives while the only eligible threads block it stays pending and is
delivered the moment one unblocks it (the main thread, right after start-up or a fork). The app's own threads
are never touched. None of this takes a lock, so it is safe anywhere, including in after-fork hooks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "TelemetryThread",
    "block_sigterm",
    "install_fork_masking",
    "on_child_before_unblock",
    "sigterm_blocked",
]

_SIGTERM = {signal.SIGTERM}
_fork_masked: dict[int, bool] = {}  # forking thread -> whether SIGTERM was already blocked before the fork
_fork_hooks: list[bool] = []
_child_callbacks: list[Callable[[], None]] = []


def _mask(how: int) -> bool | None:
    """Apply ``how`` to SIGTERM on this thread; return whether it was blocked before (None: not possible)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks, and no such delivery either
        return None
    try:
        return signal.SIGTERM in signal.pthread_sigmask(how, _SIGTERM)
    except (OSError, ValueError, RuntimeError):  # telemetry must never raise into the app
        return None


def block_sigterm() -> None:
    """Block SIGTERM in the calling thread (call first thing in a telemetry thread)."""
    _mask(signal.SIG_BLOCK)


@contextlib.contextmanager
def sigterm_blocked() -> Iterator[None]:
    """Block SIGTERM in this thread for the duration, so threads started meanwhile are born blocking it.

    The previous mask is restored; a SIGTERM that arrived meanwhile is delivered then.
    """
    was_blocked = _mask(signal.SIG_BLOCK)
    try:
        yield
    finally:
        if was_blocked is False:
            _mask(signal.SIG_UNBLOCK)


class TelemetryThread(threading.Thread):
    """A daemon thread that never receives SIGTERM: born with it blocked, and blocking it again first thing."""

    def __init__(self, target: Callable[..., object], name: str, args: tuple[Any, ...] = ()) -> None:
        super().__init__(target=target, name=name, args=args, daemon=True)

    def start(self) -> None:
        """Start the thread with SIGTERM blocked from its first instruction (no window before ``run``)."""
        with sigterm_blocked():
            super().start()

    def run(self) -> None:
        """Block SIGTERM (again: a wrapper around ``start`` may have started it another way) and run."""
        block_sigterm()
        super().run()


def _before_fork() -> None:
    was_blocked = _mask(signal.SIG_BLOCK)
    if was_blocked is not None:
        _fork_masked[threading.get_ident()] = was_blocked


def _after_fork_in_parent() -> None:
    if _fork_masked.pop(threading.get_ident(), True) is False:
        _mask(signal.SIG_UNBLOCK)


def _after_fork_in_child() -> None:
    # The forking thread, the child's only one (its ident is the one it had in the parent).
    for callback in _child_callbacks:
        with contextlib.suppress(Exception):  # telemetry must never raise into the app
            callback()
    if _fork_masked.pop(threading.get_ident(), True) is False:
        _mask(signal.SIG_UNBLOCK)


def on_child_before_unblock(callback: Callable[[], None]) -> None:
    """Run ``callback`` in a forked child while SIGTERM is still blocked there (just before the unblock)."""
    _child_callbacks.append(callback)


def install_fork_masking() -> None:
    """Block SIGTERM in the forking thread across ``os.fork()``, once per process.

    Call it after the SDK's providers and readers exist: before-fork hooks run in reverse registration order and
    after-fork hooks in registration order, so this block is the first thing before the fork and the unblock
    the last thing after it, and the threads the SDK's after-fork hooks start in the child are born blocking
    SIGTERM. A SIGTERM sent to the child meanwhile is pending, and delivered at the unblock.
    """
    if _fork_hooks or not hasattr(os, "register_at_fork"):
        return
    _fork_hooks.append(True)
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child
    )
