"""Issue 16 item 2: a process-long span (a CLI command running a server) must not turn sampling off."""

from __future__ import annotations

import time

from opentelemetry import trace
from opentelemetry.trace import SpanKind

from tests.sampling.conftest import Rig, make_rig


def _request(rig: Rig, status: int = 200) -> int:
    tracer = rig.tracer
    with tracer.start_as_current_span("GET /x", kind=SpanKind.SERVER) as server:
        with tracer.start_as_current_span("render"):
            pass
        with tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT):
            pass
        server.set_attribute("http.response.status_code", status)
        span_id: int = server.get_span_context().span_id
    return span_id


def test_requests_under_an_open_cli_span_are_decided_one_by_one() -> None:
    rig = make_rig(ratio=0.0, latency_s=1.0, max_wait_s=5.0)
    rig.clock.now = time.time()  # the fake wall clock must agree with the SDK's span timestamps
    cli = rig.tracer.start_span("serve")  # click's span around a command that runs a server
    token = trace.context_api.attach(trace.set_span_in_context(cli))
    try:
        failed = _request(rig, 500)
        assert [s.name for s in rig.queue.spans] == ["render", "SELECT", "GET /x"]  # at once, not at exit
        assert all(s.context.trace_id == cli.get_span_context().trace_id for s in rig.queue.spans)
        assert rig.queue.spans[-1].context.span_id == failed
        rig.queue.spans.clear()
        for _ in range(50):
            _request(rig)
        rig.clock.now += 10.0  # the CLI fragment is decided by max_wait ("slow": it is still open)
        for _ in range(200):
            _request(rig)
    finally:
        trace.context_api.detach(token)
    # Before the fix every one of these 750 spans was exported as "late" after the CLI trace was decided.
    assert rig.queue.spans == []
    counts = rig.selector.counts
    assert counts[("traces", "dropped", "ratio")] >= 250
    assert counts.get(("spans", "kept", "late"), 0) == 0
    # the CLI fragment was decided by max_wait: slow (it was still open), with nothing else in it
    assert rig.selector.buffered() == (0, 0)
    assert counts[("traces", "kept", "slow")] == 1
    cli.end()
    assert [s.name for s in rig.queue.spans] == ["serve"]  # one late span, not the whole server's life


def test_late_spans_kept_are_bounded_per_trace_and_counted() -> None:
    rig = make_rig(ratio=1.0)
    rig.selector.max_late_per_trace = 10
    tracer = rig.tracer
    with tracer.start_as_current_span("root"):
        stragglers = [tracer.start_span(f"bg-{i}") for i in range(100)]
    for span in stragglers:
        span.end()
    counts = rig.selector.counts
    assert counts[("spans", "kept", "late")] == 10
    assert counts[("spans", "dropped", "late")] == 90
    assert len(rig.queue.spans) == 11


def test_logs_of_a_request_follow_its_own_unit() -> None:
    rig = make_rig(ratio=0.0)
    cli = rig.tracer.start_span("serve")
    ctx = trace.set_span_in_context(cli)
    with rig.tracer.start_as_current_span("GET /x", context=ctx, kind=SpanKind.SERVER) as server:
        sc = server.get_span_context()
        assert rig.selector.hold_log(sc.trace_id, object(), sc.span_id) is None  # held with the request
        assert rig.selector.buffered() == (1, 2)
    assert rig.selector.buffered() == (0, 1)  # the log went with the request, not with the CLI fragment
    cli.end()
