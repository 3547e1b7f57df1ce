"""A flood of traces whose root never ends: memory stays bounded and the overflow is counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port
from tests.integration._sampling_helpers import drive

pytestmark = pytest.mark.integration

CHILDREN = 40


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_never_ending_roots_do_not_grow_memory(collector: Collector) -> None:
    port = free_port()
    env = base_env(
        collector,
        OTEL_SERVICE_NAME="leaky",
        PORT=str(port),
        OTELWARD_SAMPLING_RATIO="0",
        # at shutdown the open roots have run for seconds: with a latency rule they would be kept as slow
        OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS="0",
        OTELWARD_SAMPLING_MAX_BUFFERED_SPANS="500",
        OTELWARD_SAMPLING_MAX_BUFFERED_TRACES="50",
        OTELWARD_SAMPLING_MAX_TRACE_WAIT_S="3600",
    )
    with serve(["python", "examples/sampling_app/app.py"], env, port) as app:
        # warm up (imports, first allocations), then flood: 1,200 traces x 40 spans that never complete
        drive(app, [f"/leak?n={CHILDREN}"] * 200, header=False)
        before = _rss_mib(app.proc.pid)
        drive(app, [f"/leak?n={CHILDREN}"] * 1200, header=False)
        after = _rss_mib(app.proc.pid)

        def overflow(r: object) -> float:
            points = [
                m["value"]
                for m in collector.received.metric("otelward.sampling.spans")
                if m["attributes"] == {"decision": "dropped", "reason": "overflow"}
            ]
            return max(points, default=0)

        # all but the last few fragments were decided early and dropped as overflow
        collector.wait_for(lambda r: overflow(r) >= (1400 - 50) * CHILDREN - 500, timeout_s=30)
    # unbounded, 48,000 more buffered spans would take over 100 MiB (2.6 KB each, docs/sampling.md)
    assert after - before < 25, (
        f"RSS grew {after - before:.1f} MiB under the flood ({before:.1f} -> {after:.1f})"
    )
    assert not [s for s in collector.received.spans if s["name"] == "inside-never-ending"]
