"""Keep benchmarks/run_frameworks.py working: pairing per round, and a seconds-long real run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.run_frameworks import summarise
from harness.app import REPO


def _load(rps: float, p99: float, cpu: float) -> dict[str, float]:
    return {"rps": rps, "p99_ms": p99, "worker_cpu_us_per_req": cpu, "worker_rss_mib": 40.0, "errors": 0}


def test_ratios_and_added_cpu_are_paired_within_a_round() -> None:
    # Round 2 ran on a machine twice as slow: per-round pairing keeps the ratio at 0.5 both times.
    rounds = [
        {"load": {"app": {"bare": _load(1000, 1.0, 500), "otelward": _load(500, 2.0, 1500)}}},
        {"load": {"app": {"bare": _load(500, 2.0, 1000), "otelward": _load(250, 4.0, 2000)}}},
        {"load": {"app": {"bare": _load(900, 1.0, 500), "otelward": _load(450, 2.0, 1500)}}},
    ]
    s = summarise(rounds)["app"]["otelward"]
    assert s["rps_x_bare"] == pytest.approx(0.5)
    assert s["p99_x_bare"] == pytest.approx(2.0)
    assert s["added_cpu_us_per_req"] == pytest.approx(1000.0)


@pytest.mark.integration
def test_runs_end_to_end_in_seconds(tmp_path: Path) -> None:
    out = tmp_path / "frameworks.json"
    argv = [
        sys.executable,
        str(REPO / "benchmarks" / "run_frameworks.py"),
        *("--rounds", "1", "--duration", "1", "--warmup", "0"),
        *("--configs", "bare,otelward", "--out", str(out)),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(out.read_text())["summary"]
    for app in ("fastapi-uvicorn", "django-gunicorn"):
        for name in ("bare", "otelward"):
            s = summary[app][name]
            assert s["rps"] > 0
            assert s["errors"] == 0
            assert s["rss_mib"] > 10
            assert s["cpu_us_per_req"] > 0
    assert "| django-gunicorn | otelward |" in out.with_suffix(".md").read_text()
