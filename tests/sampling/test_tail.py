"""The tail selector on a real SDK TracerProvider: what a user sees exported."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from otelward.sampling._consistent import keeps, threshold_for
from tests.sampling.conftest import Rig, make_rig


def _request(rig: Rig, *, fail: bool = False, children: int = 2, seconds: float = 0.0) -> int:
    tracer = rig.tracer
    with tracer.start_as_current_span("GET /x", record_exception=False) as root:
        for i in range(children):
            # a failed client call (HTTP, database) is an error; an internal span's is not, by default
            kind = SpanKind.CLIENT if fail and i == children - 1 else SpanKind.INTERNAL
            with tracer.start_as_current_span(f"child-{i}", kind=kind) as child:
                if fail and i == children - 1:
                    child.set_status(Status(StatusCode.ERROR))
        rig.clock.now += seconds
        # span end times come from the SDK clock; make the root as long as asked
        trace_id: int = root.get_span_context().trace_id
        if seconds:
            root.end(end_time=root.start_time + int(seconds * 1e9))  # type: ignore[attr-defined]
    return trace_id


def test_failed_trace_is_kept_whole_and_successes_dropped() -> None:
    rig = make_rig(ratio=0.0)
    ok = _request(rig)
    bad = _request(rig, fail=True)
    assert rig.queue.trace_ids() == {bad}
    assert len([s for s in rig.queue.spans if s.context.trace_id == bad]) == 3
    assert ok not in rig.queue.trace_ids()
    assert rig.selector.counts[("traces", "kept", "error")] == 1
    assert rig.selector.counts[("traces", "dropped", "ratio")] == 1
    assert rig.selector.buffered() == (0, 0)


def test_exception_event_counts_as_error() -> None:
    rig = make_rig()
    with rig.tracer.start_as_current_span("root") as root:
        root.record_exception(ValueError("x"))
    assert len(rig.queue.spans) == 1


def test_errors_not_kept_when_disabled() -> None:
    rig = make_rig(keep_errors=False)
    _request(rig, fail=True)
    assert rig.queue.spans == []


def test_ratio_keeps_exactly_the_predicted_traces() -> None:
    rig = make_rig(ratio=0.3)
    ids = [_request(rig) for _ in range(400)]
    predicted = {t for t in ids if keeps(t, threshold_for(0.3))}
    assert rig.queue.trace_ids() == predicted
    assert 60 < len(predicted) < 180
    # the sampled flag sent downstream is exactly the ratio decision, and carries the threshold
    for span in rig.queue.spans:
        assert span.context.trace_flags.sampled
        assert span.context.trace_state.get("ot") == "th:b3333333333334"


def test_slow_root_is_kept() -> None:
    rig = make_rig(latency_s=0.5)
    fast = _request(rig, seconds=0.1)
    slow = _request(rig, seconds=0.6)
    assert rig.queue.trace_ids() == {slow}
    assert fast not in rig.queue.trace_ids()


def test_remote_sampled_parent_is_honoured() -> None:
    rig = make_rig()
    for flags, expect in ((TraceFlags.SAMPLED, True), (TraceFlags.DEFAULT, False)):
        parent = SpanContext(0xABC + flags, 0x123, is_remote=True, trace_flags=TraceFlags(flags))
        ctx = trace.set_span_in_context(NonRecordingSpan(parent))
        with rig.tracer.start_as_current_span("server", context=ctx) as span:
            assert span.get_span_context().trace_flags.sampled is expect
        assert (parent.trace_id in rig.queue.trace_ids()) is expect


def test_two_local_roots_in_one_trace_are_decided_together() -> None:
    # a service calling itself over HTTP: the inner server span has a remote parent
    rig = make_rig()
    tracer = rig.tracer
    with tracer.start_as_current_span("outer") as outer:
        with tracer.start_as_current_span("client"):
            remote = SpanContext(outer.get_span_context().trace_id, 0x99, is_remote=True)
            with tracer.start_as_current_span(
                "inner", context=trace.set_span_in_context(NonRecordingSpan(remote))
            ) as inner:
                inner.set_status(Status(StatusCode.ERROR))
        assert rig.queue.spans == []  # outer root still open: nothing decided yet
    assert sorted(s.name for s in rig.queue.spans) == ["client", "inner", "outer"]


def test_caps_limit_ordinary_and_error_traces_separately() -> None:
    rig = make_rig(ratio=1.0, max_per_s=3, max_errors_per_s=2)
    for _ in range(10):
        _request(rig)
    for _ in range(10):
        _request(rig, fail=True)
    counts = rig.selector.counts
    assert counts[("traces", "kept", "ratio")] == 3
    # errors use their own budget first, then fall back to the ordinary one (already spent)
    assert counts[("traces", "kept", "error")] == 2
    assert counts[("traces", "dropped", "cap")] == 15
    rig.clock.now += 1.0
    _request(rig, fail=True)
    assert rig.selector.counts[("traces", "kept", "error")] == 3


def test_late_spans_follow_the_decision() -> None:
    rig = make_rig()
    tracer = rig.tracer
    with tracer.start_as_current_span("root") as root:
        root.set_status(Status(StatusCode.ERROR))
        straggler = tracer.start_span("background")
    with tracer.start_as_current_span("ok-root"):
        quiet = tracer.start_span("background-2")
    straggler.end()
    quiet.end()
    names = [s.name for s in rig.queue.spans]
    assert names == ["root", "background"]
    assert rig.selector.counts[("spans", "kept", "late")] == 1
    assert rig.selector.counts[("spans", "dropped", "late")] == 1


def test_never_ending_root_is_decided_after_max_wait() -> None:
    rig = make_rig(max_wait_s=5.0)
    tracer = rig.tracer
    loop = tracer.start_span("loop")
    ctx = trace.set_span_in_context(loop)
    with tracer.start_as_current_span("step", context=ctx, kind=SpanKind.CLIENT) as step:
        step.set_status(Status(StatusCode.ERROR))
    assert rig.queue.spans == []
    rig.clock.now += 6.0
    with tracer.start_as_current_span("unrelated"):
        pass
    assert [s.name for s in rig.queue.spans] == ["step"]
    with tracer.start_as_current_span("step-2", context=ctx):
        pass  # after the decision: follows it
    assert [s.name for s in rig.queue.spans] == ["step", "step-2"]
    assert rig.selector.buffered() == (0, 0)
    loop.end()


def test_flood_of_never_ending_traces_stays_bounded_and_counts_overflow() -> None:
    rig = make_rig(max_spans=200, max_traces=50, max_wait_s=3600)
    tracer = rig.tracer
    roots = []
    for _ in range(2_000):
        root = tracer.start_span("never-ends")
        roots.append(root)
        ctx = trace.set_span_in_context(root)
        for _ in range(3):
            with tracer.start_as_current_span("work", context=ctx):
                pass
        items, traces = rig.selector.buffered()
        assert items <= 200
        assert traces <= 50
    dropped = rig.selector.counts[("traces", "dropped", "overflow")]
    assert dropped >= 2_000 - 50
    assert rig.selector.counts[("spans", "dropped", "overflow")] >= 3 * (2_000 - 200 // 3)


def test_shutdown_decides_everything_buffered() -> None:
    rig = make_rig()
    tracer = rig.tracer
    root = tracer.start_span("open")
    ctx = trace.set_span_in_context(root)
    with tracer.start_as_current_span("bad", context=ctx, kind=SpanKind.CLIENT) as bad:
        bad.set_status(Status(StatusCode.ERROR))
    rig.provider.shutdown()
    assert [s.name for s in rig.queue.spans] == ["bad"]


def test_rescue_keeps_the_open_fragment() -> None:
    rig = make_rig()
    with rig.tracer.start_as_current_span("root") as root:
        rig.selector.rescue(root.get_span_context().trace_id)
    assert rig.selector.counts[("traces", "kept", "downstream")] == 1
    assert [s.name for s in rig.queue.spans] == ["root"]
