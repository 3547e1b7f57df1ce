"""Keep the native benchmarks working: every ladder variant and every bench_native mode runs and reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import bench_ladder, bench_native
from harness.app import REPO

pytestmark = pytest.mark.integration


def test_bench_native_reports_every_workload_and_mode(tmp_path: Path) -> None:
    out = tmp_path / "native.json"
    subprocess.run(
        [sys.executable, "benchmarks/bench_native.py", "--rounds", "1", "--calls", "20", "--json", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (rnd,) = json.loads(out.read_text())
    assert set(rnd) == set(bench_native.WORKLOADS)
    for per_mode in rnd.values():
        assert set(per_mode) == set(bench_native.MODES)
        assert all(us > 0 for us in per_mode.values())


@pytest.mark.parametrize("variant", ["native-flask+sqlite3", "otelward-fallback-flask+sqlite3"])
def test_ladder_native_variants_run(variant: str) -> None:
    result = bench_ladder._run_child(variant, 50)
    assert result["cpu_us"] > 0
