"""Exemplars resolve: each names a trace the sampler kept and the exporter delivered, never a dropped one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.metrics import Exemplar, MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from otelward.config import Settings
from otelward.metrics import build_views
from otelward.metrics._exemplars import (
    ExportRecorder,
    RecordedSpanFilter,
    ResolvingReservoir,
    TraceLedger,
    strip_unresolved,
)

BOUNDS = [0.1, 1.0]


def _ctx(trace_id: int, sampled: bool = False):
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    span = NonRecordingSpan(SpanContext(trace_id, trace_id + 1, False, flags))
    return trace.set_span_in_context(span)


class Tail:
    """A stand-in for the tail sampler's decision lookup."""

    def __init__(self) -> None:
        self.verdicts: dict[int, bool] = {}

    def __call__(self, trace_id: int) -> bool | None:
        return self.verdicts.get(trace_id)


def _setup():
    tail = Tail()
    ledger = TraceLedger(tail)
    return tail, ledger, ResolvingReservoir(ledger, boundaries=BOUNDS)


def _ids(exemplars) -> list[int]:
    return sorted(e.trace_id for e in exemplars)


def test_an_exemplar_waits_for_its_trace_to_be_kept_and_exported() -> None:
    tail, ledger, res = _setup()
    res.offer(0.5, 10, {}, _ctx(7))
    assert res.collect({}) == []  # undecided
    tail.verdicts[7] = True
    assert res.collect({}) == []  # kept, not delivered yet
    ledger.exported([7])
    assert _ids(res.collect({})) == [7]
    assert _ids(res.collect({})) == [7]  # stays until a newer one resolves


def test_a_dropped_trace_never_becomes_an_exemplar_even_when_newer() -> None:
    tail, ledger, res = _setup()
    res.offer(0.5, 10, {}, _ctx(1))
    tail.verdicts[1] = True
    ledger.exported([1])
    res.offer(0.6, 20, {}, _ctx(2))
    tail.verdicts[2] = False
    assert _ids(res.collect({})) == [1]


def test_each_bucket_shows_its_newest_resolved_exemplar() -> None:
    tail, ledger, res = _setup()
    for trace_id, value, t in [(1, 0.05, 1), (2, 0.5, 2), (3, 0.7, 3), (4, 5.0, 4)]:
        res.offer(value, t, {"user.id": "u"}, _ctx(trace_id))
        tail.verdicts[trace_id] = True
    ledger.exported([1, 2, 3, 4])
    got = res.collect({})
    assert _ids(got) == [1, 3, 4]
    assert all(e.filtered_attributes == {"user.id": "u"} for e in got)
    assert res.collect({"user.id": "u"})[0].filtered_attributes is None


def test_a_kept_candidate_survives_a_burst_of_dropped_ones() -> None:
    tail, ledger, res = _setup()
    res.offer(0.5, 1, {}, _ctx(1))
    tail.verdicts[1] = True
    for trace_id in range(100, 150):  # far more than a bucket holds pending
        res.offer(0.5, trace_id, {}, _ctx(trace_id))
        tail.verdicts[trace_id] = False
    ledger.exported([1])
    assert _ids(res.collect({})) == [1]


def test_without_tail_sampling_the_sampled_flag_decides() -> None:
    ledger = TraceLedger(None)
    res = ResolvingReservoir(ledger, boundaries=BOUNDS)
    res.offer(0.5, 1, {}, _ctx(1, sampled=True))
    res.offer(5.0, 2, {}, _ctx(2, sampled=False))
    ledger.exported([1])
    assert _ids(res.collect({})) == [1]


def test_the_filter_offers_unsampled_spans_and_refuses_no_span() -> None:
    f = RecordedSpanFilter()
    assert f.should_sample(1.0, 0, {}, _ctx(5, sampled=False))
    assert not f.should_sample(1.0, 0, {}, trace.set_span_in_context(trace.INVALID_SPAN))


@given(
    st.lists(
        st.tuples(st.integers(1, 30), st.floats(0, 3), st.sampled_from(["keep", "drop", "open"])),
        max_size=80,
    ),
    st.sets(st.integers(1, 30)),
)
def test_every_collected_exemplar_names_an_exported_kept_trace(events, exported) -> None:
    tail, ledger, res = _setup()
    seen: set[int] = set()
    for t, (trace_id, value, verdict) in enumerate(events):
        res.offer(value, t, {}, _ctx(trace_id))
        if verdict != "open" and trace_id not in tail.verdicts:
            tail.verdicts[trace_id] = verdict == "keep"
        seen.add(trace_id)
        if t % 7 == 0:
            res.collect({})
    delivered = {tid for tid in exported if tail.verdicts.get(tid)}
    ledger.exported(delivered)
    for ex in res.collect({}):
        assert ex.trace_id in delivered


class _CountingLedger(TraceLedger):
    def __init__(self, decision) -> None:
        super().__init__(decision)
        self.asked = 0

    def state(self, trace_id: int, sampled: bool) -> str:
        self.asked += 1
        return super().state(trace_id, sampled)


def test_a_bucket_with_a_kept_candidate_takes_no_more_until_the_next_collection() -> None:
    tail = Tail()
    ledger = _CountingLedger(tail)
    res = ResolvingReservoir(ledger, boundaries=BOUNDS)
    tail.verdicts.update({1: False, 2: True, 3: True, 4: True})
    res.offer(0.5, 1, {}, _ctx(1))  # dropped: refused
    res.offer(0.5, 2, {}, _ctx(2))  # kept: the bucket is satisfied
    asked = ledger.asked
    for t in range(3, 60):
        res.offer(0.5, t, {}, _ctx(3))
    assert ledger.asked == asked  # not even looked up
    res.offer(5.0, 70, {}, _ctx(4))  # another bucket still takes one
    ledger.exported([2, 3, 4])
    assert _ids(res.collect({})) == [2, 4]
    res.offer(0.5, 80, {}, _ctx(3))  # a new interval
    assert sorted((e.trace_id, e.time_unix_nano) for e in res.collect({})) == [(3, 80), (4, 70)]


class _Result:
    name = "SUCCESS"


class _Failed:
    name = "FAILURE"


class _Span:
    def __init__(self, trace_id: int) -> None:
        self.context = SpanContext(trace_id, 1, False)


def test_only_a_successful_export_marks_traces_exported() -> None:
    ledger = TraceLedger()
    ExportRecorder(type("E", (), {"export": lambda self, b: _Failed()})(), ledger).export([_Span(3)])
    assert not ledger.was_exported(3)
    ExportRecorder(type("E", (), {"export": lambda self, b: _Result()})(), ledger).export([_Span(3)])
    assert ledger.was_exported(3)


def test_otlp_metrics_lose_exemplars_of_traces_never_exported() -> None:
    # An SDK default reservoir (an instrument without otelward's view) picks whatever span it saw.
    ledger = TraceLedger()
    reader = InMemoryMetricReader()
    provider = MeterProvider(
        metric_readers=[reader],
        views=build_views(Settings.from_env({}), ledger),
        exemplar_filter=RecordedSpanFilter(),
    )
    hist = provider.get_meter("m").create_histogram("user.histogram")
    hist.record(0.5, context=_ctx(11))
    hist.record(5.0, context=_ctx(12))
    ledger.exported([12])
    data = strip_unresolved(reader.get_metrics_data(), ledger)
    (point,) = data.resource_metrics[0].scope_metrics[0].metrics[0].data.data_points
    assert [e.trace_id for e in point.exemplars] == [12]
    assert isinstance(point.exemplars[0], Exemplar)
    provider.shutdown()


def test_a_lock_held_by_another_thread_at_fork_does_not_hang_the_child() -> None:
    import os
    import signal
    import time
    import warnings

    _, ledger, res = _setup()
    ledger._lock.acquire()  # the export thread is recording a delivery right now
    res._lock.acquire()  # and the reader is collecting
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads running
            pid = os.fork()
        if pid == 0:  # the child: one measurement, one collection, then out
            res.offer(0.5, 1, {}, _ctx(1))
            res.collect({})
            os._exit(0)
        deadline = time.monotonic() + 10
        done, status = 0, 0
        while not done and time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            time.sleep(0.01)
        if not done:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        ledger._lock.release()
        res._lock.release()
    assert done, "the child hung on a lock inherited locked"
    assert os.waitstatus_to_exitcode(status) == 0
