"""Chaos: the example service under gunicorn and load while the collector is down, then back.

Playbooks: docs/ops/playbooks/collector-outage.md, logs-missing-or-duplicated.md (records counted exactly), and
export-backlog.md (the bounded queue).
The fast case runs in the default suite; the long ones (`slow`) are run by `.ci/run`.
"""

from __future__ import annotations

import pytest

from harness.collector import Collector
from tests.chaos.harness import (
    chaos_service,
    dropped,
    logs_received,
    otelward_warnings,
    run_load,
    spans_received,
    worker_rss_kib,
)
from tests.chaos.proxy import fault_proxy

pytestmark = pytest.mark.integration

SHUTDOWN_TIMEOUT_S = 2.0


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_collector_down_app_unharmed_drops_counted_exactly_export_resumes(
    collector: Collector, protocol: str
) -> None:
    port = collector.grpc_port if protocol == "grpc" else collector.http_port
    # A small queue so that the outage overflows it and drops must be counted.
    env = {"OTELWARD_EXPORT_QUEUE_SIZE": "20", "OTEL_EXPORTER_OTLP_TIMEOUT": "2000"}
    with fault_proxy(port) as proxy:
        proxy.set("down")
        with chaos_service(collector, proxy, protocol, extra_env=env) as (app, warmup):
            load = run_load(app.port, 4.0)
            rss_outage = worker_rss_kib(app.proc.pid)
            proxy.set("pass")
            after = run_load(app.port, 1.0)
            sent = warmup.ok + load.ok + after.ok
            assert warmup.errors == load.errors == after.errors == 0
            try:
                received = collector.wait_for(
                    lambda r: (
                        spans_received(r) + dropped(r, "traces") == sent
                        and logs_received(r) + dropped(r, "logs") == sent
                        and spans_received(r) > 0  # nothing got through before: export resumed
                    ),
                    timeout_s=40,
                )
            except AssertionError:
                r = collector.received
                raise AssertionError(
                    f"sent {sent}: spans {spans_received(r)} + dropped {dropped(r, 'traces')}, "
                    f"logs {logs_received(r)} + dropped {dropped(r, 'logs')}\n{app.read_stderr()[-3000:]}"
                ) from None
            assert dropped(received, "traces") > 0, "the outage should have overflowed the 20-item queue"
            exit_s = app.stop()
    # The stock stack hangs until gunicorn's 30 s graceful timeout here. The precise target (exit within
    # the shutdown timeout + 0.5 s of a healthy run's exit) is measured in test_chaos_matrix.py (slow).
    assert exit_s < 15, f"gunicorn took {exit_s:.2f}s to exit after SIGTERM"
    warnings = otelward_warnings(app.stdout + app.stderr)  # the console handler may write to either
    # per process and signal: one "failing", one "recovered" (traces, logs, metrics; master + 2 workers)
    assert 2 <= len(warnings) <= 14, warnings
    assert "Transient error" not in app.stderr  # the SDK exporter's per-retry lines are quiet
    assert rss_outage < 200 * 1024
