"""Chaos: a gunicorn worker is killed (OOM killer, timeout) while the collector is down.

The master respawns it; the new worker serves and exports once the collector is back (its queue starts empty:
nothing is exported twice). Playbook: docs/ops/playbooks/worker-issues.md.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from harness.collector import Collector
from tests.chaos.harness import SPAN_NAME, chaos_service, run_load, worker_pids
from tests.chaos.proxy import fault_proxy

pytestmark = pytest.mark.integration


def test_killed_worker_is_replaced_and_its_successor_exports(collector: Collector) -> None:
    with (
        fault_proxy(collector.http_port) as proxy,
        chaos_service(collector, proxy, "http/protobuf") as (app, _),
    ):
        proxy.set("down")
        run_load(app.port, 1.0, threads=2)
        before = worker_pids(app.proc.pid)
        os.kill(before[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = worker_pids(app.proc.pid)
            if len(now) == len(before) and before[0] not in now:
                break
            time.sleep(0.1)
        replacement = set(worker_pids(app.proc.pid)) - set(before)
        assert replacement, "gunicorn did not replace the killed worker"
        collector.sink.clear()
        load = run_load(app.port, 2.0, threads=2)
        proxy.set("pass")
        errors = load.errors
        # The replacement may still be booting; keep a light load until both live workers have exported.
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(_instances(collector)) < 2:
            errors += run_load(app.port, 1.0, threads=2).errors
        assert errors == 0
        assert len(_instances(collector)) == 2, "spans from the survivor and the replacement"
        ids = [s["span_id"] for s in collector.received.spans_named(SPAN_NAME)]
        assert len(ids) == len(set(ids)), "a span was exported twice"


def _instances(collector: Collector) -> set[str]:
    return {s["resource"]["service.instance.id"] for s in collector.received.spans_named(SPAN_NAME)}
