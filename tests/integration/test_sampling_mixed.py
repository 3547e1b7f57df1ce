"""otelward upstream, stock distro downstream on parentbased_always_on: we must not inflate its sampling."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.app import REPO, base_env, serve
from harness.collector import Collector, free_port
from tests.integration._sampling_helpers import binomial_bounds, drive, gunicorn_argv, predicted

pytestmark = pytest.mark.integration

RATIO = 0.25
STOCK_BIN = REPO / ".venv-stock" / "bin"


def _stock_env(collector: Collector, port: int) -> dict[str, str]:
    env = base_env(collector, OTEL_SERVICE_NAME="stock-downstream")
    env.update(
        {
            "PATH": str(STOCK_BIN) + ":" + env["PATH"],
            "OTEL_TRACES_SAMPLER": "parentbased_always_on",
            "OTEL_METRICS_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "none",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }
    )
    return env


def test_stock_parent_based_downstream_keeps_only_our_ratio(collector: Collector) -> None:
    assert Path(STOCK_BIN / "opentelemetry-instrument").exists(), "run scripts/setup.sh (builds .venv-stock)"
    down_port, up_port = free_port(), free_port()
    stock_argv = [
        str(STOCK_BIN / "opentelemetry-instrument"),
        *gunicorn_argv(down_port, str(STOCK_BIN / "gunicorn")),
    ]
    up_env = base_env(
        collector,
        OTEL_SERVICE_NAME="otelward-upstream",
        OTELWARD_SAMPLING_RATIO=str(RATIO),
        OTELWARD_TRACERESPONSE_TO="all",  # the test client is the edge and reads traceresponse
        OTELWARD_SAMPLING_MAX_TRACES_PER_SECOND="0",
        OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS="0",  # cold-start requests would be kept as slow
        DOWNSTREAM_URL=f"http://127.0.0.1:{down_port}",
    )
    up_argv = gunicorn_argv(up_port)
    with (
        serve(stock_argv, _stock_env(collector, down_port), down_port, instrument=False),
        serve(up_argv, up_env, up_port) as up,
    ):
        # one in five downstream calls fails: the upstream keeps those, the stock service must not
        outcomes = drive(up, [f"/work?mode={'fail' if i % 5 == 0 else 'ok'}" for i in range(240)])
        all_ids = {o.trace_id for o in outcomes}
        failed = {o.trace_id for o in outcomes if "mode=fail" in o.path}
        expected = predicted(all_ids, RATIO)
        collector.wait_for(
            lambda r: (
                failed | expected
                <= {
                    int(s["trace_id"], 16)
                    for s in r.spans
                    if s["resource"]["service.name"] == "otelward-upstream"
                }
                and expected
                <= {
                    int(s["trace_id"], 16)
                    for s in r.spans
                    if s["resource"]["service.name"] == "stock-downstream"
                }
            ),
            timeout_s=30,
        )
    spans = collector.received.spans
    stock = {int(s["trace_id"], 16) for s in spans if s["resource"]["service.name"] == "stock-downstream"}
    ours = {int(s["trace_id"], 16) for s in spans if s["resource"]["service.name"] == "otelward-upstream"}
    assert stock == expected
    low, high = binomial_bounds(len(all_ids), RATIO)
    assert low <= len(stock) <= high
    assert ours == failed | expected  # we keep our errors on top, without flagging them downstream
    assert failed - expected, "the test needs failures outside the ratio"
    assert all(
        "ot=th:c" in s["trace_state"] for s in spans if s["resource"]["service.name"] == "stock-downstream"
    )
