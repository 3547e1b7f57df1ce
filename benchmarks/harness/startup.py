"""Time a script that only prints, under each launcher, to measure what instrumentation adds at start-up."""

from __future__ import annotations

import subprocess
import time

from benchmarks.harness.configs import REPO, Config

__all__ = ["SCRIPT", "time_startup"]

SCRIPT = REPO / "benchmarks" / "startup_script.py"


def time_startup(config: Config, runs: int) -> list[float]:
    """Return the wall time in ms of ``runs`` executions of the print script (process start to exit)."""
    argv = config.argv("python", str(SCRIPT))
    env = config.environ()
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        elapsed = (time.perf_counter() - start) * 1000.0
        if done.returncode != 0 or "ok" not in done.stdout:
            raise RuntimeError(
                f"{config.name}: start-up script failed ({done.returncode}):\n{done.stderr[-2000:]}"
            )
        times.append(elapsed)
    return times
