"""Soak a gunicorn sync worker under otelward with unique URLs and log lines; report whether its RSS stays flat.

    .venv/bin/python benchmarks/soak_rss.py --minutes 10

One sync worker under ``opentelemetry-instrument`` with otelward's defaults exports OTLP/HTTP to a real rotel
collector (blackhole exporter). A paced loop (at most ``--rate`` requests per second, 127.0.0.1) requests a new
URL every time (``/items/<n>``, one route template), and each request logs a line that was never logged before
(a few hundred bytes, as an access-heavy service writes). The worker's RSS is read every ``--every`` seconds;
the script prints the series and the slope of a least-squares line over the second half (MiB per minute),
where start-up growth (imports, first export, memo warm-up) is over and only a leak would remain.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["create_app", "main", "slope"]

_PAD = "x" * 160


def create_app() -> Any:
    """Return the soak app: ``/items/<name>`` logs one line naming the item and answers 200."""
    from flask import Flask

    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(message)s")
    app = Flask(__name__)
    log = logging.getLogger("soak")

    @app.get("/items/<name>")
    def item(name: str) -> dict[str, str]:
        log.info("served item %s for user-%s@example.com %s", name, name, _PAD)
        return {"item": name}

    return app


def slope(series: list[tuple[float, float]]) -> float:
    """Return the least-squares slope of ``(seconds, MiB)`` points in MiB per minute (0 for < 2 points)."""
    if len(series) < 2:
        return 0.0
    n = len(series)
    mx = sum(t for t, _ in series) / n
    my = sum(m for _, m in series) / n
    var = sum((t - mx) ** 2 for t, _ in series)
    if var == 0:
        return 0.0
    return sum((t - mx) * (m - my) for t, m in series) / var * 60.0


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def _wait_ready(proc: subprocess.Popen[bytes], port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            if _get(port, "/items/ready") == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn not ready after {timeout_s} s")


def _worker(pid: int) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if text:
            return int(text[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10.0, help="how long to run (default 10)")
    p.add_argument("--rate", type=float, default=200.0, help="requests per second at most (default 200)")
    p.add_argument("--every", type=float, default=10.0, help="seconds between RSS samples (default 10)")
    p.add_argument("--venv", type=Path, default=Path(__file__).resolve().parents[1] / ".venv")
    args = p.parse_args(argv)
    if not 0 < args.rate <= 200:
        p.error(f"--rate must be in (0, 200], got {args.rate}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print the RSS series and the second-half slope."""
    from benchmarks.harness.collector import blackhole_collector
    from benchmarks.harness.configs import REPO, build_configs
    from harness.collector import free_port

    args = _args(argv)
    duration = args.minutes * 60.0
    with tempfile.TemporaryDirectory(prefix="otelward-soak-") as tmp, blackhole_collector(Path(tmp)) as ep:
        config = build_configs(args.venv, args.venv, ep, free_port())["otelward"]
        port = free_port()
        argv_ = config.argv(
            "gunicorn", "-w", "1", "-k", "sync", "-b", f"127.0.0.1:{port}", "benchmarks.soak_rss:create_app()"
        )
        with (Path(tmp) / "gunicorn.err").open("wb") as err:
            proc = subprocess.Popen(
                argv_, cwd=REPO, env=config.environ(), stdout=subprocess.DEVNULL, stderr=err
            )
        try:
            _wait_ready(proc, port, 60.0)
            worker = _worker(proc.pid)
            series: list[tuple[float, float]] = []
            start = time.monotonic()
            next_sample = start
            interval = 1.0 / args.rate
            n = failed = 0
            while (now := time.monotonic()) - start < duration:
                if now >= next_sample:
                    series.append((now - start, _rss_mib(worker)))
                    print(f"{now - start:7.1f} s  {series[-1][1]:7.2f} MiB  {n} requests", flush=True)
                    next_sample += args.every
                try:
                    failed += _get(port, f"/items/{os.getpid()}-{n}") != 200
                except OSError:
                    failed += 1
                n += 1
                # Paced against the schedule, not the previous request: the rate stays bounded.
                delay = start + n * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            series.append((time.monotonic() - start, _rss_mib(worker)))
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    half = [p for p in series if p[0] >= duration / 2]
    growth = series[-1][1] - series[0][1]
    print(f"requests {n}, failed {failed}, {n / duration:.0f} req/s")
    print("series (s, MiB): " + ", ".join(f"({t:.0f}, {m:.1f})" for t, m in series))
    print(f"RSS first {series[0][1]:.1f} MiB, last {series[-1][1]:.1f} MiB, growth {growth:+.1f} MiB")
    print(f"slope over the second half: {slope(half):+.3f} MiB/min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
