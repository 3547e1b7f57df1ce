"""Tail sampling of one service under the real entry point and gunicorn, checked at the real collector."""

from __future__ import annotations

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port
from tests.integration._sampling_helpers import binomial_bounds, drive, gunicorn_argv, predicted, trace_hex

pytestmark = pytest.mark.integration

RATIO = 0.2
THRESHOLD_S = 0.3
LOCAL_SPANS = {"GET /work", "step-1", "step-2"}


def _mode(i: int) -> str:
    return {3: "fail", 7: "slow"}.get(i % 10, "ok")


def _run(collector: Collector, n: int) -> None:
    port = free_port()
    env = base_env(
        collector,
        OTEL_SERVICE_NAME="sampled",
        OTELWARD_SAMPLING_RATIO=str(RATIO),
        # The test client is the edge and reads traceresponse without sending a traceparent.
        OTELWARD_TRACERESPONSE_TO="all",
        OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS=str(int(THRESHOLD_S * 1000)),
        OTELWARD_SAMPLING_MAX_TRACES_PER_SECOND="0",
        OTELWARD_SAMPLING_MAX_ERROR_TRACES_PER_SECOND="0",
        OTELWARD_LOGS_FOLLOW_TRACES="true",
        SLOW_S=str(THRESHOLD_S + 0.1),
    )
    argv = gunicorn_argv(port)
    with serve(argv, env, port) as app:
        outcomes = drive(app, [f"/work?mode={_mode(i)}&i={i}" for i in range(n)])
        assert len({o.trace_id for o in outcomes}) == n
        fails = {o.trace_id for o in outcomes if "mode=fail" in o.path}
        slows = {o.trace_id for o in outcomes if "mode=slow" in o.path}
        assert all(o.status == 500 for o in outcomes if o.trace_id in fails)
        oks = [o for o in outcomes if "mode=ok" in o.path]
        # an ok request the client saw take longer than the threshold may legitimately be kept as slow
        ambiguous = {o.trace_id for o in oks if o.seconds >= THRESHOLD_S}
        ok_ids = {o.trace_id for o in oks} - ambiguous
        expected_ok = predicted(ok_ids, RATIO)
        must_keep = fails | slows | expected_ok

        received = collector.wait_for(
            lambda r: (
                must_keep <= {int(t, 16) for t in r.traces()}
                and max(
                    (
                        m["value"]
                        for m in r.metric("otelward.sampling.traces")
                        if m["attributes"].get("reason") == "error"
                    ),
                    default=0,
                )
                >= len(fails)
            ),
            timeout_s=60,
        )
    traces = {int(t, 16): spans for t, spans in collector.received.traces().items()}
    for trace_id in fails | slows:
        names = sorted(s["name"] for s in traces[trace_id])
        assert names == sorted(LOCAL_SPANS), f"incomplete trace {trace_hex(trace_id)}: {names}"
        # a kept trace's server span carries its request attributes (tail sampling is on here)
        server = [s for s in traces[trace_id] if s["kind"] == "SPAN_KIND_SERVER"]
        assert server
        assert all(s["attributes"].get("http.request.method") == "GET" for s in server), server
    kept_ok = set(traces) & ok_ids
    assert kept_ok == expected_ok
    low, high = binomial_bounds(len(ok_ids), RATIO)
    assert low <= len(kept_ok) <= high
    # the W3C flag is the ratio decision; the threshold rides in tracestate
    for trace_id in expected_ok:
        assert all("ot=th:c" in s["trace_state"] for s in traces[trace_id])

    # logs follow traces: INFO records only for kept traces, including those emitted before the failure
    info = {int(rec["trace_id"], 16) for rec in received.logs if str(rec["body"]).startswith("work started")}
    assert fails | slows | expected_ok <= info
    assert info <= set(traces)
    warnings = {int(rec["trace_id"], 16) for rec in received.logs if rec["body"] == "about to fail"}
    assert warnings == fails
    errors_kept = max(
        m["value"]
        for m in received.metric("otelward.sampling.traces")
        if m["attributes"] == {"decision": "kept", "reason": "error"}
    )
    assert errors_kept == len(fails)


def test_errors_and_slow_traces_kept_whole_and_successes_by_ratio(collector: Collector) -> None:
    _run(collector, 300)


@pytest.mark.slow
def test_two_thousand_requests(collector: Collector) -> None:
    _run(collector, 2000)
