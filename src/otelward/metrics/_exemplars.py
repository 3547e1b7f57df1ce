"""Exemplars that resolve: they point only to traces this process actually exported.

The SDK's trace-based filter keeps any measurement made under a sampled span, and its histogram
reservoir the last one per bucket — under tail sampling that is mostly a trace the sampler then drops,
and a click on the exemplar finds nothing. Here a measurement stays a *candidate* until its trace's fate
is known::

    offer ─▶ pending (per bucket, newest few) ─ tail kept ─▶ confirming ─ exporter succeeded ─▶ chosen
                   └─ tail dropped / too old: forgotten

A bucket's exemplar is the newest *chosen* candidate: a trace the tail sampler kept and the span
exporter delivered. Upstream instrumentations record an HTTP request's duration before its server span
ends, so the decision is not known at offer time; candidates wait for it at the next offer or collection.
otelward's own server instrumentation records after the span ended, when it is known: a candidate of a
dropped trace is refused at once and one of a kept trace goes straight to confirming.

Offering is throttled: once a bucket holds a candidate whose trace is known kept, it refuses further
candidates until the next collection. A busy bucket then costs one list lookup per measurement instead
of a candidate (clock read, tuple, two locks) — and still gets a resolving exemplar every interval in
which one of its traces was kept.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from bisect import bisect_left
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from opentelemetry import trace
from opentelemetry.sdk.metrics import Exemplar, ExemplarFilter, ExemplarReservoir

__all__ = [
    "DROPPED",
    "EXPORTED",
    "KEPT",
    "PENDING",
    "Decision",
    "ExportRecorder",
    "RecordedSpanFilter",
    "ResolvingReservoir",
    "TraceLedger",
    "strip_unresolved",
]

EXPORTED, KEPT, DROPPED, PENDING = "exported", "kept", "dropped", "pending"

Decision = Callable[[int], "bool | None"]
"""The sampler's verdict on a trace id: True kept, False dropped, None not decided yet."""

_PENDING_PER_BUCKET = 8
_CONFIRMING_PER_BUCKET = 4
_MAX_AGE_S = 120.0
"""A kept trace not exported within this long (retries exhausted) will not resolve any more."""

_LOCKED: weakref.WeakSet[Any] = weakref.WeakSet()


def _after_fork() -> None:
    # A lock held by another thread (the export or reader thread) at fork time is never released in
    # the child; the next measurement would wait forever.
    for owner in list(_LOCKED):
        owner._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class TraceLedger:
    """What this process knows about trace ids: the sampler's decision and the exporter's deliveries.

    Bounded: ``capacity`` recently exported trace ids, plus as many that candidates asked about.
    """

    def __init__(self, decision: Decision | None = None, capacity: int = 4096) -> None:
        self.decision = decision
        """The tail sampler's lookup; None without tail sampling (the sampled flag decides)."""
        self._capacity = capacity
        self._lock = threading.Lock()
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._confirmed: OrderedDict[int, None] = OrderedDict()
        _LOCKED.add(self)

    @staticmethod
    def _put(store: OrderedDict[int, None], key: int, capacity: int) -> None:
        store[key] = None
        store.move_to_end(key)
        while len(store) > capacity:
            store.popitem(last=False)

    def want(self, trace_id: int) -> None:
        """Remember to confirm ``trace_id`` when it is exported (a candidate holds it)."""
        with self._lock:
            self._put(self._wanted, trace_id, self._capacity)

    def exported(self, trace_ids: Iterable[int]) -> None:
        """Record that spans of ``trace_ids`` reached the backend (called on the export thread)."""
        with self._lock:
            for tid in set(trace_ids):
                self._put(self._recent, tid, self._capacity)
                if tid in self._wanted:
                    del self._wanted[tid]
                    self._put(self._confirmed, tid, self._capacity)

    def was_exported(self, trace_id: int) -> bool:
        """Return whether spans of ``trace_id`` were exported by this process (as far as remembered)."""
        with self._lock:
            return trace_id in self._confirmed or trace_id in self._recent

    def state(self, trace_id: int, sampled: bool) -> str:
        """Return EXPORTED, KEPT (not delivered yet), DROPPED or PENDING (not decided yet)."""
        if self.was_exported(trace_id):
            return EXPORTED
        verdict = sampled if self.decision is None else self.decision(trace_id)
        if verdict is None:
            return PENDING
        return KEPT if verdict else DROPPED


class _Candidate(NamedTuple):
    value: float
    time_ns: int
    attributes: Any
    trace_id: int
    span_id: int
    sampled: bool
    arrived: float


class ResolvingReservoir(ExemplarReservoir):
    """One exemplar per histogram bucket (or one for other aggregations), always a delivered trace.

    Built by the SDK per series and per reader: ``boundaries`` comes from the histogram aggregation.
    """

    def __init__(self, ledger: TraceLedger, boundaries: Sequence[float] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ledger = ledger
        self._bounds = list(boundaries) if boundaries is not None else []
        n = len(self._bounds) + 1 if boundaries is not None else 1
        self._pending = [deque[_Candidate]() for _ in range(n)]
        self._confirming = [deque[_Candidate]() for _ in range(n)]
        self._chosen: list[_Candidate | None] = [None] * n
        self.satisfied = [False] * n
        """Per bucket: a candidate of a kept trace arrived since the last collection (offers are refused)."""
        self._lock = threading.Lock()
        _LOCKED.add(self)

    def bucket(self, value: float) -> int:
        """Return the index of the bucket ``value`` falls in."""
        return bisect_left(self._bounds, value) if self._bounds else 0

    def offer(self, value: float, time_unix_nano: int, attributes: Any, context: Any) -> None:
        """Hold the measurement as a candidate if it was made under a valid span."""
        index = self.bucket(value)
        if self.satisfied[index]:
            return
        ctx = trace.get_current_span(context).get_span_context()
        if not ctx.is_valid:
            return
        self.offer_ids(
            value, time_unix_nano, attributes, ctx.trace_id, ctx.span_id, ctx.trace_flags.sampled, index
        )

    def offer_ids(
        self,
        value: float,
        time_unix_nano: int,
        attributes: Any,
        trace_id: int,
        span_id: int,
        sampled: bool,
        index: int | None = None,
    ) -> None:
        """Hold a measurement made under the span ``trace_id``/``span_id`` as a candidate (no context)."""
        if index is None:
            index = self.bucket(value)
        if self.satisfied[index]:
            return
        state = self._ledger.state(trace_id, sampled)
        if state == DROPPED:
            return
        cand = _Candidate(value, time_unix_nano, attributes, trace_id, span_id, sampled, time.monotonic())
        self._ledger.want(trace_id)
        with self._lock:
            if state != PENDING:
                self._place(index, cand, state)
                return
            pending = self._pending[index]
            if len(pending) >= _PENDING_PER_BUCKET:
                self._settle(index, pending.popleft(), final=True)
            pending.append(cand)

    def _settle(self, index: int, cand: _Candidate, *, final: bool) -> bool:
        """Move ``cand`` on by its trace's state; return whether it stays where it is (lock held)."""
        state = self._ledger.state(cand.trace_id, cand.sampled)
        if state == PENDING:
            return not final
        if state != DROPPED:
            self._place(index, cand, state)
        return False

    def _place(self, index: int, cand: _Candidate, state: str) -> None:
        """Make a candidate of a kept (or exported) trace the bucket's confirming (or chosen) one."""
        self.satisfied[index] = True
        if state == EXPORTED:
            chosen = self._chosen[index]
            if chosen is None or cand.time_ns >= chosen.time_ns:
                self._chosen[index] = cand
            return
        confirming = self._confirming[index]
        if len(confirming) >= _CONFIRMING_PER_BUCKET:
            confirming.popleft()
        confirming.append(cand)

    def collect(self, point_attributes: Any) -> list[Exemplar]:
        """Return the chosen exemplar of every bucket (kept from collection to collection)."""
        with self._lock:
            for index, pending in enumerate(self._pending):
                self._pending[index] = deque(c for c in pending if self._settle(index, c, final=False))
            now = time.monotonic()
            for index, confirming in enumerate(self._confirming):
                keep = deque[_Candidate]()
                for cand in confirming:
                    if self._ledger.was_exported(cand.trace_id):
                        self._place(index, cand, EXPORTED)
                    elif now - cand.arrived < _MAX_AGE_S:
                        keep.append(cand)
                self._confirming[index] = keep
            # A new interval: every bucket takes candidates again (after settling, which may mark some).
            self.satisfied = [False] * len(self.satisfied)
            chosen = [c for c in self._chosen if c is not None]
        return [_exemplar(c, point_attributes) for c in chosen]


def _exemplar(cand: _Candidate, point_attributes: Any) -> Exemplar:
    # The spec: an exemplar carries only the measurement attributes the series does not already have.
    attrs = cand.attributes or {}
    filtered = {k: v for k, v in attrs.items() if k not in (point_attributes or {})} or None
    return Exemplar(filtered, cand.value, cand.time_ns, cand.span_id, cand.trace_id)


class RecordedSpanFilter(ExemplarFilter):
    """Offer every measurement made under a valid span; the reservoir decides what resolves.

    Unlike the SDK's trace-based filter this does not look at the sampled flag, which under tail
    sampling says only whether the trace fell in the ratio, not whether it was kept (an error trace is
    kept unsampled).
    """

    def should_sample(self, value: float, time_unix_nano: int, attributes: Any, context: Any) -> bool:
        """Return whether the measurement's context holds a valid span."""
        return bool(trace.get_current_span(context).get_span_context().is_valid)


class ExportRecorder:
    """Wrap a span exporter: every successful export tells the ledger which traces it delivered."""

    def __init__(self, inner: Any, ledger: TraceLedger) -> None:
        self._inner = inner
        self._ledger = ledger

    def export(self, batch: Sequence[Any], /) -> object:
        """Export through the wrapped exporter; record the trace ids when it succeeded."""
        result = self._inner.export(batch)
        if getattr(result, "name", "SUCCESS") == "SUCCESS":
            self._ledger.exported(s.context.trace_id for s in batch if s.context is not None)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def strip_unresolved(metrics_data: Any, ledger: TraceLedger) -> Any:
    """Return ``metrics_data`` without exemplars of traces this process did not export (OTLP path).

    Our reservoirs only ever hold resolved ones; this catches the SDK's default reservoirs of other
    instruments.
    """
    import dataclasses

    def points(data: Any) -> Any:
        new = []
        for dp in data.data_points:
            exemplars = getattr(dp, "exemplars", None)
            kept = [e for e in exemplars or () if e.trace_id and ledger.was_exported(e.trace_id)]
            same = not exemplars or len(kept) == len(exemplars)
            new.append(dp if same else dataclasses.replace(dp, exemplars=kept))
        return dataclasses.replace(data, data_points=new)

    resource_metrics = [
        dataclasses.replace(
            rm,
            scope_metrics=[
                dataclasses.replace(
                    sm, metrics=[dataclasses.replace(m, data=points(m.data)) for m in sm.metrics]
                )
                for sm in rm.scope_metrics
            ],
        )
        for rm in metrics_data.resource_metrics
    ]
    return dataclasses.replace(metrics_data, resource_metrics=resource_metrics)
