"""Run the example service under gunicorn, behind a fault proxy, under bounded loopback load, and measure.

    load loop --HTTP--> gunicorn (examples/flask_app, opentelemetry-instrument) --OTLP--> FaultProxy --> rotel

Measures what an operator would notice: app errors, throughput, p99, worker RSS, telemetry received vs sent
(with drops read from the otelward.dropped self-metric the collector received), and exit time on SIGTERM.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.app import AppProcess, base_env, serve
from harness.collector import Collector, Received, free_port
from tests.chaos.proxy import FaultProxy

__all__ = [
    "LOG_BODY",
    "SPAN_NAME",
    "Load",
    "chaos_service",
    "dropped",
    "logs_received",
    "otelward_warnings",
    "run_load",
    "spans_received",
    "worker_pids",
    "worker_rss_kib",
]

PATH = "/profile/7"
"""One request: one server span and one log record ("profile lookup for 7")."""
SPAN_NAME = "GET /profile/<int:user_id>"
LOG_BODY = "profile lookup for 7"


@dataclass
class Load:
    """What a bounded load run saw from the client side."""

    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def p99_ms(self) -> float:
        """99th percentile latency of successful requests, in milliseconds."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def run_load(port: int, duration_s: float, threads: int = 4, path: str = PATH) -> Load:
    """Send sequential GETs from ``threads`` threads for ``duration_s``; every request finishes before stop."""
    result = Load()
    lock = threading.Lock()
    stop_at = time.monotonic() + duration_s

    def loop() -> None:
        ok, errors, lat = 0, 0, []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                good = resp.status == 200
            except OSError:
                good = False
            if good:
                ok += 1
                lat.append(time.perf_counter() - start)
            else:
                errors += 1
        with lock:
            result.ok += ok
            result.errors += errors
            result.latencies.extend(lat)

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    begin = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join(duration_s + 30)
    result.seconds = time.monotonic() - begin
    return result


def worker_pids(master_pid: int) -> list[int]:
    """Return the pids of the gunicorn master's worker processes."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == master_pid:
            pids.append(int(entry.name))
    return sorted(pids)


def worker_rss_kib(master_pid: int) -> int:
    """Return the largest resident set size among the workers, in KiB."""
    sizes = []
    for pid in worker_pids(master_pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]))
        except OSError:
            continue
    return max(sizes, default=0)


def dropped(received: Received, signal: str, reason: str | None = None) -> int:
    """Sum the latest ``otelward.dropped`` value of every series (one per worker and reason) for ``signal``,
    for one ``reason`` when given."""
    latest: dict[tuple[Any, ...], int] = {}
    for point in received.metric("otelward.dropped"):
        attributes = point["attributes"]
        if attributes.get("signal") != signal or reason not in (None, attributes.get("reason")):
            continue
        key = (
            point["resource"].get("service.instance.id"),
            tuple(sorted(point["attributes"].items())),
        )
        latest[key] = int(point["value"])
    return sum(latest.values())


def spans_received(received: Received) -> int:
    """Count the load route's server spans the collector received."""
    return len(received.spans_named(SPAN_NAME))


def logs_received(received: Received) -> int:
    """Count the load route's log records the collector received."""
    return sum(1 for rec in received.logs if rec["body"] == LOG_BODY)


@contextmanager
def chaos_service(
    collector: Collector,
    proxy: FaultProxy | None,
    protocol: str,
    workers: int = 2,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[tuple[AppProcess, Load]]:
    """Serve examples/flask_app under ``opentelemetry-instrument gunicorn``, exporting through ``proxy``.

    Yields the app and the warm-up load (its requests count as sent telemetry too).
    """
    port = free_port()
    env = base_env(
        collector,
        PORT=str(port),
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
        OTELWARD_SAMPLING="off",
        OTELWARD_SHUTDOWN_TIMEOUT="2",
        OTELWARD_LOG_LEVEL="info",
    )
    if proxy is not None:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = proxy.endpoint
    env.update(extra_env or {})
    argv = [
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "30",
        "examples.flask_app.app:app",
    ]
    with serve(argv, env, port) as app:
        deadline = time.monotonic() + 30
        while len(worker_pids(app.proc.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.05)
        # warm-up: import and lazily instrument in every worker before measuring
        warmup = run_load(port, 1.0, threads=workers)
        yield app, warmup


def otelward_warnings(text: str) -> list[str]:
    """Return the lines otelward logged about export health."""
    return [line for line in text.splitlines() if "otelward:" in line and " export " in line]
