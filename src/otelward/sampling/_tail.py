"""The tail selector: buffer each local trace fragment until its local roots end, then keep or drop it whole.

Work per span on the application thread is one lock, a dict lookup and a list append; the decision is
O(1) per trace (facts are accumulated as spans end) and exporting kept spans only queues them for the
export worker. Memory is bounded by ``max_spans`` buffered items and ``max_traces`` fragments: beyond
either, the oldest fragment is decided early with what is known. A fragment whose roots never end is
decided after ``max_wait_s``; spans ending after a decision follow the cached decision, at most
``max_late_per_trace`` of them kept per trace (the rest dropped and counted): a process-long trace never turns
into keep-everything.

An *entry span* (server or consumer kind) under a local parent starts its own decision unit: a CLI command or a
consumer loop that stays open around a server would otherwise make every request part of one endless trace. The
unit keeps the trace id; its key is ``trace_id | span_id << 128`` (never equal to a bare trace id), and the spans
started under it are mapped to it while they are open.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from otelward.sampling._consistent import keeps
from otelward.sampling._errors import ENTRY_KINDS, is_error_span
from otelward.sampling._fragment import DecisionCache, Fragment
from otelward.sampling._policy import (
    CAP,
    DOWNSTREAM,
    ERROR,
    LATE,
    OVERFLOW,
    RATIO,
    Facts,
    Policy,
    reasons_to_keep,
)
from otelward.sampling._ratecap import RateCap
from otelward.sampling._trust import Trust

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import ReadableSpan, Span

__all__ = ["CountKey", "LogRelease", "Peek", "TailSelector", "is_error_span"]

_TRACE_MASK = (1 << 128) - 1

CountKey = tuple[str, str, str]
"""(unit "traces", "spans" or "logs", decision "kept" or "dropped", reason)."""

LogRelease = Callable[[Sequence[Any]], None]
"""Receives the log records held with a trace when that trace is kept."""


class Peek(NamedTuple):
    """What is known of one trace now, without deciding it."""

    open: bool
    marked: bool
    parent_sampled: bool
    kept_reason: str | None
    ot: str | None


class TailSelector:
    """Keep whole local trace fragments that failed, were slow, or fall in the consistent ratio.

    Args:
        policy: the keep rules.
        max_spans: buffered spans and held log records, all traces together.
        max_traces: undecided fragments.
        max_wait_s: decide a fragment this long after it opened even if a root is still open.
        max_per_s: ordinary (slow, parent, ratio) traces kept per second; 0 = no cap.
        max_errors_per_s: error traces kept per second; 0 = no cap.
        max_rescues_per_s: traces rescued by a downstream's ``traceresponse`` kept per second; 0 = no cap.
        trust: the peers whose ``ot=rv:`` is honoured (None: every caller's).
        max_late_per_trace: spans ending after their trace was kept that are still exported, per trace.
        clock: monotonic seconds; wall_ns: epoch nanoseconds like span timestamps (tests pass fakes).
    """

    def __init__(
        self,
        policy: Policy,
        *,
        max_spans: int,
        max_traces: int,
        max_wait_s: float,
        max_per_s: float = 0.0,
        max_errors_per_s: float = 0.0,
        max_rescues_per_s: float = 0.0,
        trust: Trust | None = None,
        max_late_per_trace: int = 256,
        clock: Callable[[], float] = time.monotonic,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self.policy = policy
        self.max_spans = max_spans
        self.max_traces = max_traces
        self.max_wait_s = max_wait_s
        self.max_late_per_trace = max_late_per_trace
        self._rates = (max_per_s, max_errors_per_s, max_rescues_per_s)
        self._trust = trust
        self._clock = clock
        self._wall_ns = wall_ns
        self._sweep_every = min(1.0, max_wait_s / 2)
        self._log_subscribers: list[LogRelease] = []
        self._init_state()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._init_state)

    def _init_state(self) -> None:
        # Also runs in a forked child: the parent's fragments are the parent's to decide, and a lock
        # held by a parent thread at fork time would never be released here.
        self._lock = threading.Lock()
        self._frags: dict[int, Fragment] = {}
        self._decided = DecisionCache(max(1024, 2 * self.max_traces))
        # span id -> unit key, for the open spans of units below a local parent (usually empty)
        self._units: dict[int, int] = {}
        self._items = 0
        self._next_sweep = self._clock() + self._sweep_every
        self._ordinary = RateCap(self._rates[0], self._clock)
        self._errors = RateCap(self._rates[1], self._clock)
        self._rescues = RateCap(self._rates[2], self._clock)
        self._out_spans: list[Any] = []
        self._out_logs: list[Any] = []
        self.counts: dict[CountKey, int] = {}

    def subscribe_logs(self, release: LogRelease) -> None:
        """Hand the log records held with each kept trace to ``release`` (called outside the lock)."""
        self._log_subscribers.append(release)

    # -- SpanSelector -------------------------------------------------------------------------------

    def on_start(self, span: Span, parent_context: Context | None) -> None:
        """Open (or reopen) the fragment when a local root or entry span starts; others cost one check."""
        parent = span.parent
        ctx = span.context
        key = ctx.trace_id
        if parent is not None and not parent.is_remote:
            if span.kind not in ENTRY_KINDS:
                if self._units:
                    with self._lock:
                        unit = self._units.get(parent.span_id)
                        if unit is not None:
                            self._track(ctx.span_id, unit)
                return
            key = ctx.trace_id | (ctx.span_id << 128)
            parent = None  # the unit's own root: the local parent's flag is not an upstream decision
        with self._lock:
            if key != ctx.trace_id:
                self._track(ctx.span_id, key)
            frag = self._open(key)
            frag.open_roots += 1
            start = span.start_time
            if start is not None and (frag.root_start_ns is None or start < frag.root_start_ns):
                frag.root_start_ns = start
            if parent is not None and parent.trace_flags.sampled:
                frag.parent_sampled = True
            if frag.ot is None and self._caller_trusted(span):
                frag.ot = ctx.trace_state.get("ot")
            self._enforce_bounds()

    def on_end(self, span: ReadableSpan) -> Sequence[ReadableSpan]:
        """Buffer the span; decide its fragment when the last local root ended; return the spans to export."""
        ctx = span.context
        if ctx is None:
            return ()
        trace_id = ctx.trace_id
        parent = span.parent
        root = parent is None or parent.is_remote
        with self._lock:
            unit = self._units.pop(ctx.span_id, None) if self._units else None
            if unit is not None:
                root = root or unit >> 128 == ctx.span_id
                trace_id = unit
            failed = self.policy.keep_errors and is_error_span(
                span, root, internal=self.policy.keep_internal_errors
            )
            frag = self._frags.get(trace_id)
            if frag is None:
                known, reason = self._decided.lookup(trace_id)
                if known:
                    self._late(trace_id, span, reason)
                else:
                    # No root seen (evicted decision, or a root started before us): wait like a root.
                    frag = self._open(trace_id)
            if frag is not None:
                frag.spans.append(span)
                self._items += 1
                if failed:
                    frag.mark = ERROR
                if root:
                    frag.open_roots -= 1
                    if span.start_time is not None and span.end_time is not None:
                        took = span.end_time - span.start_time
                        frag.duration_ns = max(frag.duration_ns or 0, took)
                    if frag.open_roots <= 0:
                        self._finish(trace_id, frag, early=False)
                self._enforce_bounds()
            self._sweep()
            spans, logs = self._take_output()
        self._release(logs)
        return spans

    def shutdown(self, lock_timeout_s: float = 0.5) -> Sequence[ReadableSpan]:
        """Decide every buffered fragment with what is known; return the kept spans.

        Runs at exit, possibly while the thread a signal interrupted holds the lock: after ``lock_timeout_s``
        it gives up (the buffered traces are lost) rather than hang the exit.
        """
        if not self._lock.acquire(timeout=lock_timeout_s):
            return ()
        try:
            for trace_id, frag in list(self._frags.items()):
                self._finish(trace_id, frag, early=False)
            spans, logs = self._take_output()
        finally:
            self._lock.release()
        self._release(logs)
        return spans

    # -- hooks: traceresponse and logs ----------------------------------------------------------------

    def rescue(self, trace_id: int, span_id: int = 0) -> None:
        """Keep the open fragment of ``trace_id`` (and ``span_id``'s unit) as a downstream service keeps it."""
        with self._lock:
            frag = self._frags.get(self._key(trace_id, span_id))
            if frag is not None and frag.mark is None:
                frag.mark = DOWNSTREAM

    def peek(self, trace_id: int, span_id: int = 0) -> Peek:
        """Return what is known of ``trace_id`` (``span_id``'s unit) now (for the ``traceresponse`` intent)."""
        with self._lock:
            trace_id = self._key(trace_id, span_id)
            frag = self._frags.get(trace_id)
            known, reason = self._decided.lookup(trace_id)
            if frag is None:
                return Peek(False, False, False, reason if known else None, None)
            return Peek(True, frag.mark is not None, frag.parent_sampled, None, frag.ot)

    def decision(self, trace_id: int) -> bool | None:
        """Return True if the trace was kept, False if dropped, None while undecided (exemplars ask)."""
        with self._lock:
            if trace_id in self._frags:
                return None
            known, reason = self._decided.lookup(trace_id)
        return (reason is not None) if known else None

    def hold_log(self, trace_id: int, record: Any, span_id: int = 0) -> bool | None:
        """Return True to export a log record now, False to drop it, None when it is held with its trace.

        A held record is handed to the log subscribers if its trace is kept (and counted then), or counted as
        dropped with it; it never comes back here.
        """
        with self._lock:
            key = self._key(trace_id, span_id)
            frag = self._frags.get(key)
            if frag is None:
                known, reason = self._decided.lookup(key)
                if not known:
                    reason = RATIO if keeps(trace_id, self.policy.threshold) else None
                self._count("logs", "kept" if reason is not None else "dropped", reason or RATIO)
                return reason is not None
            if (
                frag.mark is not None
                or frag.parent_sampled
                or keeps(trace_id, self.policy.threshold, frag.ot)
            ):
                self._count("logs", "kept", frag.mark or RATIO)
                return True
            frag.logs.append(record)
            self._items += 1
            self._enforce_bounds()
            _, logs = self._take_output(spans=False)
        self._release(logs)
        return None

    def buffered(self) -> tuple[int, int]:
        """Return (buffered items, undecided fragments)."""
        with self._lock:
            return self._items, len(self._frags)

    # -- internals (lock held) ------------------------------------------------------------------------

    def _key(self, trace_id: int, span_id: int) -> int:
        if span_id and self._units:
            unit = self._units.get(span_id)
            if unit is not None and unit & _TRACE_MASK == trace_id:
                return unit
        return trace_id

    def _track(self, span_id: int, unit: int) -> None:
        self._units[span_id] = unit
        # A span that never ends must not grow the map for ever: forget the oldest beyond the bounds.
        while len(self._units) > 2 * self.max_spans:
            del self._units[next(iter(self._units))]

    def _open(self, trace_id: int) -> Fragment:
        frag = self._frags.get(trace_id)
        if frag is None:
            frag = Fragment(created=self._clock())
            known, reason = self._decided.pop(trace_id)
            if known and reason is not None:
                frag.mark = reason  # a trace this process kept stays kept when reopened
            self._frags[trace_id] = frag
        return frag

    def _count(self, unit: str, decision: str, reason: str, n: int = 1) -> None:
        key = (unit, decision, reason)
        self.counts[key] = self.counts.get(key, 0) + n

    def _late(self, key: int, span: ReadableSpan, reason: str | None) -> None:
        if reason is not None and self._decided.charge_late(key, self.max_late_per_trace):
            self._out_spans.append(span)
            self._count("spans", "kept", LATE)
        else:
            self._count("spans", "dropped", LATE)

    def _finish(self, trace_id: int, frag: Fragment, *, early: bool) -> None:
        del self._frags[trace_id]
        self._items -= frag.size()
        duration = frag.duration_ns
        if frag.open_roots > 0 and frag.root_start_ns is not None:
            duration = max(duration or 0, self._wall_ns() - frag.root_start_ns)
        facts = Facts(trace_id & _TRACE_MASK, frag.mark, frag.parent_sampled, duration, frag.ot)
        reasons = reasons_to_keep(self.policy, facts)
        kept: str | None = None
        for reason in reasons:
            cap = (
                self._rescues if reason == DOWNSTREAM else self._errors if reason == ERROR else self._ordinary
            )
            if cap.allow():
                kept = reason
                break
        self._decided.put(trace_id, kept)
        if kept is not None:
            self._out_spans.extend(frag.spans)
            self._count("traces", "kept", kept)
            self._count("spans", "kept", kept, len(frag.spans))
            if frag.logs:
                self._out_logs.extend(frag.logs)
                self._count("logs", "kept", kept, len(frag.logs))
            return
        why = CAP if reasons else OVERFLOW if early else RATIO
        self._count("traces", "dropped", why)
        self._count("spans", "dropped", why, len(frag.spans))
        if frag.logs:
            self._count("logs", "dropped", why, len(frag.logs))

    def _enforce_bounds(self) -> None:
        while self._frags and (self._items > self.max_spans or len(self._frags) > self.max_traces):
            trace_id, frag = next(iter(self._frags.items()))
            self._finish(trace_id, frag, early=True)

    def _sweep(self) -> None:
        now = self._clock()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self._sweep_every
        cutoff = now - self.max_wait_s
        expired = []
        for trace_id, frag in self._frags.items():
            if frag.created > cutoff:
                break  # fragments are in creation order
            expired.append((trace_id, frag))
        for trace_id, frag in expired:
            self._finish(trace_id, frag, early=False)

    def _take_output(self, spans: bool = True) -> tuple[list[Any], list[Any]]:
        out_spans: list[Any] = []
        if spans and self._out_spans:
            out_spans, self._out_spans = self._out_spans, []
        out_logs, self._out_logs = self._out_logs, []
        return out_spans, out_logs

    def _caller_trusted(self, span: Span) -> bool:
        # An outsider's `ot=rv:` would choose its own randomness and force keeps; only peers we trust steer.
        if span.parent is None or self._trust is None:
            return True
        attributes = span.attributes or {}
        return self._trust.trusts(attributes.get("client.address") or attributes.get("net.peer.ip"))

    def _release(self, logs: list[Any]) -> None:
        if logs:
            for release in self._log_subscribers:
                release(logs)
