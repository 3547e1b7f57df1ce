"""A bounded, fork-aware batch queue that exports on a background thread and never blocks the app.

Unlike the SDK's batch processors it accepts every span it is handed (the tail sampler decides what is
kept, not the W3C sampled flag), builds its exporter lazily on the worker thread (so gRPC and protobuf
are imported only when there is something to send, and never in a pre-fork master that sends nothing),
counts what it drops by reason, and logs one warning when export starts failing and one when it recovers.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from otelward.export._suppress import suppressed

__all__ = ["BatchExporter", "DropCounter", "Exporter"]

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

_log = logging.getLogger("otelward.export")


class Exporter(Protocol[T_contra]):
    """The part of an OTel span/log exporter this queue uses."""

    def export(self, batch: Sequence[T_contra], /) -> object:
        """Send one batch; a result whose ``name`` is not ``SUCCESS`` counts as a failure."""

    def shutdown(self) -> object:
        """Release the exporter's resources."""


DropCounter = Callable[[str, int], None]
"""Called with (reason, count) for every item the queue gives up on."""


def _succeeded(result: object) -> bool:
    return getattr(result, "name", "SUCCESS") == "SUCCESS"


class BatchExporter(Generic[T]):
    """Queue items and export them in batches from one daemon thread.

    Args:
        signal: ``traces`` or ``logs``, used in messages and drop counts.
        factory: builds the exporter; called once, on the worker thread.
        transform: applied to each batch on the worker thread before export (redaction runs here).
        on_drop: receives (reason, count) for dropped items: ``queue_full``, ``export_failed``,
            ``shutdown``.
    """

    def __init__(
        self,
        signal: str,
        factory: Callable[[], Exporter[T]],
        *,
        max_queue_size: int = 4096,
        max_batch_size: int = 512,
        schedule_delay_s: float = 1.0,
        transform: Callable[[list[T]], list[T]] | None = None,
        on_drop: DropCounter | None = None,
    ) -> None:
        self.signal = signal
        self._factory = factory
        self._max_queue = max_queue_size
        self._max_batch = max_batch_size
        self._delay = schedule_delay_s
        self._transform = transform
        self._on_drop = on_drop
        self._exporter: Exporter[T] | None = None
        self._init_state()
        os.register_at_fork(after_in_child=self._init_state)

    def _init_state(self) -> None:
        # Also run in a forked child: the parent's thread does not exist there and its queue was the
        # parent's to send, so the child starts empty (nothing is exported twice).
        self._queue: collections.deque[T] = collections.deque()
        self._cond = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._closed = False
        self._flush_requested = 0
        self._exported_through = 0
        self._failing = False
        self._failures_while_failing = 0
        self._inflight = 0
        self.exported = 0
        self.dropped: dict[str, int] = collections.defaultdict(int)
        self._exporter = None

    # -- producer side (app threads) ----------------------------------------------------------
    def put(self, item: T) -> None:
        """Queue one item; drop (and count) it if the queue is full or closed. Never blocks for long."""
        with self._cond:
            if self._closed:
                self._drop("shutdown", 1)
                return
            if len(self._queue) >= self._max_queue:
                self._drop("queue_full", 1)
                return
            self._queue.append(item)
            if self._thread is None:
                self._start()
            if len(self._queue) >= self._max_batch:
                self._cond.notify()

    def put_many(self, items: Sequence[T]) -> None:
        """Queue several items at once (a tail-sampled trace fragment)."""
        for item in items:
            self.put(item)

    def queue_size(self) -> int:
        """Return how many items wait for export."""
        return len(self._queue)

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"otelward-export-{self.signal}", daemon=True)
        self._thread.start()

    def _drop(self, reason: str, count: int) -> None:
        self.dropped[reason] += count
        if self._on_drop is not None:
            try:
                self._on_drop(reason, count)
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                _log.debug("drop counter failed", exc_info=True)

    # -- worker side ---------------------------------------------------------------------------
    def _run(self) -> None:
        # Build the exporter right away, overlapping its imports with the app's work instead of paying
        # for them at the first flush (which may be the exit of a short job).
        try:
            self._get_exporter()
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            _log.debug("building the %s exporter failed", self.signal, exc_info=True)
        while True:
            with self._cond:
                if not self._queue and not self._closed:
                    self._cond.wait(self._delay)
                if self._closed and not self._queue:
                    return
                batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
                self._inflight = len(batch)
            if batch:
                self._export(batch)
            with self._cond:
                self._inflight = 0
                self._cond.notify_all()

    def _get_exporter(self) -> Exporter[T]:
        if self._exporter is None:
            self._exporter = self._factory()
        return self._exporter

    def _export(self, batch: list[T]) -> None:
        try:
            items = self._transform(batch) if self._transform is not None else batch
            with suppressed():
                ok = _succeeded(self._get_exporter().export(items))
        except Exception as err:  # noqa: BLE001 - telemetry must never raise into the app
            ok = False
            _log.debug("export of %d %s raised %r", len(batch), self.signal, err)
        if ok:
            self.exported += len(batch)
            if self._failing:
                _log.warning(
                    "otelward: %s export recovered after %d failed batches",
                    self.signal,
                    self._failures_while_failing,
                )
                self._failing = False
            return
        self._drop("export_failed", len(batch))
        if not self._failing:
            self._failing = True
            self._failures_while_failing = 0
            _log.warning(
                "otelward: %s export is failing; dropping and counting data until it recovers "
                "(see otelward_dropped_total)",
                self.signal,
            )
        self._failures_while_failing += 1

    # -- lifecycle -----------------------------------------------------------------------------
    def flush(self, timeout_s: float) -> bool:
        """Wait until everything queued now has been handed to the exporter, at most ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._cond.notify_all()
            while self._queue or self._inflight:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._thread is None or not self._thread.is_alive():
                    return not self._queue and not self._inflight
                self._cond.wait(min(remaining, 0.05))
                self._cond.notify_all()
        return True

    def shutdown(self, timeout_s: float) -> None:
        """Flush within ``timeout_s``, then stop; whatever could not be sent is counted as dropped."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._cond:
            left = len(self._queue) + self._inflight
            self._queue.clear()
        if left:
            self._drop("shutdown", left)
        exporter = self._exporter
        if exporter is not None:
            # Also when the worker is still stuck in a send: shutting the exporter down interrupts its
            # retry back-off; the daemon thread is then abandoned at exit.
            try:
                exporter.shutdown()
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                _log.debug("exporter shutdown failed", exc_info=True)
