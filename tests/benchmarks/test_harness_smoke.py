"""Keep the benchmark harness working: parse wrk, pair rounds, and a seconds-long real run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.harness.load import parse_wrk
from benchmarks.harness.report import check_targets, summarise
from harness.app import REPO

WRK_OUT = """Running 1s test @ http://127.0.0.1:1/users/1
  1 threads and 4 connections
  Latency Distribution
     50%  {p50}
     75%  1.00ms
     90%  1.10ms
     99%  {p99}
  4646 requests in 1.00s, 1.00MB read
{extra}Requests/sec:   4646.12
Transfer/sec:      1.00MB
"""


@pytest.mark.parametrize(
    ("p50", "p99", "extra", "expected"),
    [
        ("790.00us", "1.14ms", "", (4646.12, 0.79, 1.14, 0)),
        ("1.61ms", "2.40s", "", (4646.12, 1.61, 2400.0, 0)),
        (
            "1.00ms",
            "1.50ms",
            "  Socket errors: connect 0, read 2, write 0, timeout 3\n",
            (4646.12, 1.0, 1.5, 5),
        ),
        ("1.00ms", "1.50ms", "  Non-2xx or 3xx responses: 7\n", (4646.12, 1.0, 1.5, 7)),
    ],
    ids=["microseconds", "seconds", "socket-errors", "non-2xx"],
)
def test_parse_wrk_reads_rate_percentiles_and_errors(p50, p99, extra, expected):
    rps, got_p50, got_p99, errors = parse_wrk(WRK_OUT.format(p50=p50, p99=p99, extra=extra))
    assert (rps, errors) == (expected[0], expected[3])
    assert got_p50 == pytest.approx(expected[1])
    assert got_p99 == pytest.approx(expected[2])


def _load(rps: float, p99: float, rss: float, cpu: float = 500.0) -> dict[str, float]:
    return {
        "rps": rps,
        "p50_ms": 1.0,
        "p99_ms": p99,
        "worker_rss_mib": rss,
        "exit_s": 0.5,
        "ready_s": 1.0,
        "errors": 0,
        "worker_cpu_us_per_req": cpu,
    }


def test_ratios_are_paired_within_a_round_not_across_rounds():
    # Round 2 ran on a machine twice as slow; pairing per round keeps the ratio at 0.8 both times.
    rounds = [
        {"load": {"bare": _load(1000, 1.0, 30), "otelward": _load(800, 1.5, 40, 600)}, "startup": {}},
        {"load": {"bare": _load(500, 2.0, 30, 1000), "otelward": _load(400, 3.0, 40, 1200)}, "startup": {}},
        {"load": {"bare": _load(900, 1.0, 30), "otelward": _load(720, 1.5, 40)}, "startup": {}},
    ]
    s = summarise(rounds)["otelward"]
    assert s["rps_ratio"] == pytest.approx(0.8)
    assert s["p99_ratio"] == pytest.approx(1.5)
    assert s["rss_delta_mib"] == pytest.approx(10.0)
    assert s["cpu_ratio"] == pytest.approx(1.2)
    assert s["cpu_added_us"] == pytest.approx(100.0)  # per-round differences 100, 200, 0
    targets = check_targets(summarise(rounds), shutdown_timeout_s=2.0)
    assert targets["throughput"]["met"] is True
    assert targets["startup"]["met"] is None  # not measured: no stock start-up in these rounds


def test_startup_target_compares_added_time_to_the_stock_distro():
    rounds = [{"load": {}, "startup": {"bare": [10.0, 12.0], "stock": [410.0], "otelward": [150.0]}}]
    s = summarise(rounds)
    assert s["stock"]["startup_added_ms"] == pytest.approx(399.0)
    assert s["otelward"]["startup_added_ms"] == pytest.approx(139.0)
    assert check_targets(s, 2.0)["startup"]["met"] is False  # 139/399 = 0.35 > 0.33


@pytest.mark.integration
def test_harness_runs_end_to_end_in_seconds(tmp_path: Path):
    out = tmp_path / "latest.json"
    argv = [
        sys.executable,
        str(REPO / "benchmarks" / "run.py"),
        "--rounds",
        "1",
        "--duration",
        "1",
        "--warmup",
        "0",
        "--startup-runs",
        "1",
        "--configs",
        "bare,otelward",
        "--pin",
        "--out",
        str(out),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=240, check=False, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    for name in ("bare", "otelward"):
        s = result["summary"][name]
        assert s["rps"] > 0
        assert s["errors"] == 0
        assert s["worker_rss_mib"] > 10
        assert s["startup_ms"] > 0
        assert s["worker_cpu_us_per_req"] > 0
    assert result["summary"]["otelward"]["rps_ratio"] > 0
    table = out.with_suffix(".md").read_text()
    assert "| otelward |" in table
    assert "| bare |" in table
    if (os.cpu_count() or 1) >= 2:
        assert "server and wrk pinned to CPU 0" in table


@pytest.mark.parametrize(
    ("pin", "cpus", "expected"),
    [
        pytest.param(False, 2, (None, None), id="not-pinned"),
        pytest.param(True, 1, (None, None), id="one-cpu-cannot-pin"),
        pytest.param(True, 2, ("0", "1"), id="two-cpus"),
        pytest.param(True, 8, ("0", "1-7"), id="eight-cpus"),
    ],
)
def test_pin_puts_server_and_wrk_on_cpu_0_and_the_collector_elsewhere(
    monkeypatch: pytest.MonkeyPatch, pin: bool, cpus: int, expected: tuple[str | None, str | None]
) -> None:
    from benchmarks import run

    monkeypatch.setattr(run.os, "cpu_count", lambda: cpus)
    assert run._cpus(pin) == expected


def test_pinned_commands_run_under_taskset() -> None:
    from benchmarks.harness.load import pinned

    assert pinned(None, ["wrk", "-t1"]) == ["wrk", "-t1"]
    assert pinned("0", ["wrk", "-t1"]) == ["taskset", "-c", "0", "wrk", "-t1"]
    # taskset exists where the benchmarks run (util-linux): the pinned command really starts.
    assert subprocess.run(pinned("0", [sys.executable, "-c", "pass"]), check=False).returncode == 0
