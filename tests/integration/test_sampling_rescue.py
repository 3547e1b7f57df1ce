"""Two otelward services: a failure the downstream hides from its caller still keeps the upstream spans."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from harness.app import AppProcess, base_env, serve
from harness.collector import Collector, free_port
from tests.integration._sampling_helpers import drive, gunicorn_argv

pytestmark = pytest.mark.integration

CLIENTS = ("requests", "httpx", "urllib3", "aiohttp")


def _service(stack: ExitStack, collector: Collector, name: str, **extra: str) -> AppProcess:
    port = free_port()
    env = base_env(
        collector,
        OTEL_SERVICE_NAME=name,
        OTELWARD_SAMPLING_RATIO="0",
        # The test client is the edge and reads traceresponse without sending a traceparent.
        OTELWARD_TRACERESPONSE_TO="all",
        OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS="0",
        **extra,
    )
    argv = gunicorn_argv(port)
    return stack.enter_context(serve(argv, env, port))


@pytest.fixture
def services(collector: Collector) -> Iterator[dict[str, AppProcess]]:
    with ExitStack() as stack:
        # "hidden" is an exception on an internal span of a 200 answer: an error only when the service
        # counts internal errors (issue 16 item 7 made that opt-in)
        down = _service(stack, collector, "downstream", OTELWARD_SAMPLING_KEEP_INTERNAL_ERRORS="true")
        up = _service(stack, collector, "upstream", DOWNSTREAM_URL=down.base_url)
        blind = _service(
            stack,
            collector,
            "upstream-blind",
            DOWNSTREAM_URL=down.base_url,
            OTELWARD_SAMPLING_TRACERESPONSE="false",
        )
        yield {"down": down, "up": up, "blind": blind}


def test_downstream_failure_keeps_upstream_spans(
    collector: Collector, services: dict[str, AppProcess]
) -> None:
    paths = [
        f"/work?mode={mode}&via={via}" for via in CLIENTS for mode in ("ok", "hidden", "hidden", "fail", "ok")
    ]
    outcomes = drive(services["up"], paths)
    assert all(o.status == 200 for o in outcomes)  # the upstream answers 200 whatever the downstream did
    blind = drive(services["blind"], [f"/work?mode=hidden&via={via}" for via in CLIENTS], header=False)
    wanted = {o.trace_id for o in outcomes if "mode=ok" not in o.path} | {o.trace_id for o in blind}
    collector.wait_for(lambda r: {int(t, 16) for t in r.traces()} >= wanted, timeout_s=30)
    traces = {int(t, 16): spans for t, spans in collector.received.traces().items()}

    for outcome in outcomes:
        via = outcome.path.split("via=")[1]
        spans = traces.get(outcome.trace_id, [])
        upstream = [s for s in spans if s["resource"]["service.name"] == "upstream"]
        downstream = [s for s in spans if s["resource"]["service.name"] == "downstream"]
        if "mode=ok" in outcome.path:
            assert spans == [], f"ok request via {via} was kept: {[s['name'] for s in spans]}"
            continue
        names = sorted(s["name"] for s in upstream)
        assert {"GET /work", "step-1", "step-2"} <= set(names), f"via {via}: {names}"
        clients = [s for s in upstream if s["kind"] == "SPAN_KIND_CLIENT"]
        assert len(clients) == 1, f"via {via}: {names}"
        assert {"GET /work", "step-1", "step-2"} <= {s["name"] for s in downstream}
        if "mode=hidden" in outcome.path:
            # the caller saw a 200: only the traceresponse header can have kept the upstream half
            assert clients[0]["status"].get("code") != "STATUS_CODE_ERROR", via
            assert all(s["status"].get("code") != "STATUS_CODE_ERROR" for s in upstream), via

    for outcome in blind:
        spans = traces[outcome.trace_id]
        assert {s["resource"]["service.name"] for s in spans} == {"downstream"}, outcome.path
