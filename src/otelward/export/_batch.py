"""A bounded, fork-aware batch queue that exports on a background thread and never blocks the app.

Unlike the SDK's batch processors it accepts every span it is handed (the tail sampler decides what is
kept, not the W3C sampled flag), builds its exporter lazily on the worker thread (so gRPC and protobuf
are imported only when there is something to send, and never in a pre-fork master that sends nothing),
keeps a failed batch and retries it with back-off (so a short collector outage loses nothing while the
queue has room), counts what it drops by reason, and logs one warning when export starts failing and one
when it recovers.

Every item handed to :meth:`BatchExporter.put` ends in exactly one of ``exported`` or ``dropped[reason]``
(or is still queued), which is what lets the chaos tests check ``sent == received + dropped``.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from otelward._ratelimit import log_once
from otelward._threads import TelemetryThread
from otelward.export._health import MAX_BACKOFF_S, ExportHealth, backoff_s
from otelward.export._suppress import suppressed

__all__ = ["BatchExporter", "DropCounter", "Exporter"]

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

_log = logging.getLogger("otelward.export")

RETRY_WINDOW_S = 30.0
"""How long one batch is retried before it is dropped (``export_failed``)."""


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
        transform: applied to each batch on the worker thread before export (redaction runs here);
            items it returns fewer of are dropped under its ``drop_reason`` attribute
            (``transform_dropped`` without one).
        on_drop: receives (reason, count) for dropped items: ``queue_full``, ``export_failed``,
            ``transform_failed``, ``redaction_failed``, ``shutdown``.
        retry_window_s: how long a failing batch is retried (with back-off) before it is dropped.
        max_queue_bytes: with ``size``, the estimated bytes the queue may hold (``queue_full`` beyond it).
        size: estimates an item's bytes (``export/_sizes.py``); called once per item put.
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
        retry_window_s: float = RETRY_WINDOW_S,
        max_queue_bytes: int | None = None,
        size: Callable[[T], int] | None = None,
    ) -> None:
        self.signal = signal
        self._factory = factory
        self._max_queue = max_queue_size
        self._max_batch = max_batch_size
        self._delay = schedule_delay_s
        self._transform = transform
        self._on_drop = on_drop
        self._retry_window = retry_window_s
        self._max_bytes = max_queue_bytes if size is not None else None
        self._size = size
        self._exporter: Exporter[T] | None = None
        self._init_state()
        os.register_at_fork(after_in_child=self._init_state)

    def _init_state(self) -> None:
        # Also run in a forked child: the parent's thread does not exist there and its queue was the
        # parent's to send, so the child starts empty (nothing is exported twice).
        self._queue: collections.deque[T] = collections.deque()
        self._sizes: collections.deque[int] = collections.deque()  # parallel to _queue, when sized
        self.queued_bytes = 0
        self._cond = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._closed = False
        self._abandoned = False
        self._pending: list[T] = []  # the batch the worker is sending or retrying
        self._flushing = 0  # flush() calls waiting: the worker sends partial batches at once
        self.health = ExportHealth(self.signal)
        self.exported = 0
        self.dropped: dict[str, int] = collections.defaultdict(int)
        self._exporter = None

    # -- producer side (app threads) ----------------------------------------------------------
    def put(self, item: T) -> None:
        """Queue one item; drop (and count) it if the queue is full or closed. Never blocks for long."""
        nbytes = 0
        if self._max_bytes is not None and self._size is not None:
            try:
                nbytes = self._size(item)
            except Exception:  # noqa: BLE001 - an odd item is still exported, counted at the floor
                nbytes = 256
        with self._cond:
            if self._closed:
                self._drop("shutdown", 1)
                return
            if len(self._queue) >= self._max_queue or (
                self._max_bytes is not None and self.queued_bytes + nbytes > self._max_bytes and self._queue
            ):
                self._drop("queue_full", 1)
                return
            self._queue.append(item)
            if self._max_bytes is not None:
                self._sizes.append(nbytes)
                self.queued_bytes += nbytes
            if self._thread is None:
                self._start()
            if len(self._queue) >= self._max_batch:
                self._cond.notify()

    def put_many(self, items: Sequence[T]) -> None:
        """Queue several items at once (a tail-sampled trace fragment)."""
        for item in items:
            self.put(item)

    def queue_size(self) -> int:
        """Return how many items wait for export (queued plus the batch being sent or retried)."""
        return len(self._queue) + len(self._pending)

    def _start(self) -> None:
        self._thread = TelemetryThread(self._run, name=f"otelward-export-{self.signal}")
        self._thread.start()

    def count_dropped(self, reason: str, count: int) -> None:
        """Count ``count`` items of this signal lost before they reached the queue (e.g. a failed build)."""
        with self._cond:
            self._drop(reason, count)

    def _drop(self, reason: str, count: int) -> None:
        # Called with self._cond held, or by the worker for its own batch.
        if count <= 0:
            return
        self.dropped[reason] += count
        self.health.dropped(count)
        if self._on_drop is not None:
            try:
                self._on_drop(reason, count)
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                _log.debug("drop counter failed", exc_info=True)

    # -- worker side ---------------------------------------------------------------------------
    def _next_batch(self) -> list[T] | None:
        """Wait for work; return the batch to send, or None when the queue is closed and empty."""
        with self._cond:
            if self._pending:
                return self._pending
            # Wait for a full batch or the schedule delay: exporting every few spans as they arrive costs
            # the export thread (and the GIL it shares with requests) ~5x more CPU per span.
            deadline = time.monotonic() + self._delay
            while len(self._queue) < self._max_batch and not self._closed and not self._flushing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            if self._closed and (not self._queue or self.health.failing):
                return None  # shutdown() counts whatever is left
            batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
            if self._max_bytes is not None:
                self.queued_bytes -= sum(self._sizes.popleft() for _ in batch)
            # Pending from the moment it leaves the queue, so flush() waits for it through the transform.
            self._pending = batch
        if batch and self._transform is not None:
            try:
                transformed = self._transform(batch)
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                log_once(_log, f"transform:{self.signal}", "otelward: %s transform failed", self.signal)
                with self._cond:
                    self._pending = []
                    self._drop("transform_failed", len(batch))
                    self._cond.notify_all()
                return []
            with self._cond:
                lost = len(batch) - len(transformed)
                if lost > 0:
                    self._drop(getattr(self._transform, "drop_reason", "transform_dropped"), lost)
                self._pending = batch = transformed
        return batch

    def _run(self) -> None:
        # Build the exporter right away, overlapping its imports with the app's work instead of paying
        # for them at the first flush (which may be the exit of a short job).
        try:
            self._get_exporter()
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            _log.debug("building the %s exporter failed", self.signal, exc_info=True)
        first_failure = 0.0
        attempt = 0
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            if not batch:
                continue
            ok = self._attempt(batch)
            with self._cond:
                if self._abandoned:
                    return  # shutdown() already counted this batch
                if ok:
                    self.exported += len(batch)
                    self._pending = []
                    attempt = 0
                else:
                    attempt += 1
                    if attempt == 1:
                        first_failure = time.monotonic()
                    give_up = self._closed or time.monotonic() - first_failure >= self._retry_window
                    if give_up:
                        self._pending = []
                        self._drop("export_failed", len(batch))
                        attempt = 0
                self._cond.notify_all()
                if not ok and not self._closed:
                    # Back off (woken early by shutdown); the SDK exporter already retried inside
                    # its own timeout, so this pause paces attempts during a long outage.
                    self._cond.wait(backoff_s(max(attempt, 1), cap_s=MAX_BACKOFF_S))

    def _get_exporter(self) -> Exporter[T]:
        if self._exporter is None:
            self._exporter = self._factory()
        return self._exporter

    def _attempt(self, batch: list[T]) -> bool:
        try:
            # Export requests must not be traced (the requests/urllib3/grpc instrumentations would
            # otherwise make a span per export, which is exported, which makes a span...).
            with suppressed():
                ok = _succeeded(self._get_exporter().export(batch))
        except Exception as err:  # noqa: BLE001 - telemetry must never raise into the app
            ok = False
            _log.debug("export of %d %s raised %r", len(batch), self.signal, err)
        if ok:
            self.health.succeeded()
        else:
            self.health.failed()
        return ok

    # -- lifecycle -----------------------------------------------------------------------------
    def flush(self, timeout_s: float) -> bool:
        """Wait until everything queued now has been exported or given up on, at most ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._flushing += 1
            try:
                self._cond.notify_all()
                while self._queue or self._pending:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._thread is None or not self._thread.is_alive():
                        return not self._queue and not self._pending
                    self._cond.wait(min(remaining, 0.05))
                    self._cond.notify_all()
            finally:
                self._flushing -= 1
        return True

    def shutdown(self, timeout_s: float) -> None:
        """Flush within ``timeout_s``, then stop; whatever could not be sent is counted as dropped.

        When export is already failing there is nothing to wait for: the exporter is shut down at once
        (which aborts the SDK exporter's retry back-off) and the queue is counted as dropped.
        """
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._closed = True
            failing = self.health.failing
            self._cond.notify_all()
        if failing:
            self._shutdown_exporter()
        thread = self._thread
        if thread is not None:
            thread.join(max(0.0, deadline - time.monotonic()))
        if not failing:
            # Also when the worker is still stuck in a send: shutting the exporter down interrupts its
            # retry back-off; the daemon thread is then abandoned at exit.
            self._shutdown_exporter()
        with self._cond:
            self._abandoned = True
            left = len(self._queue) + len(self._pending)
            self._queue.clear()
            self._sizes.clear()
            self.queued_bytes = 0
            self._pending = []
            self._drop("shutdown", left)

    def _shutdown_exporter(self) -> None:
        exporter = self._exporter
        if exporter is None:
            return
        try:
            exporter.shutdown()
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            _log.debug("exporter shutdown failed", exc_info=True)
