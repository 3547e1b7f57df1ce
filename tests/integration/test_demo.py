"""The README's first command: the demo runs and shows what a user should see."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from harness.app import REPO

pytestmark = pytest.mark.integration


def test_demo_shows_sampled_traces_metrics_and_no_leaked_secret() -> None:
    result = subprocess.run(
        [sys.executable, "examples/demo.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    kept = re.search(r"Traces kept: (\d+) of (\d+) requests", out)
    assert kept, out[-2000:]
    assert 0 < int(kept.group(1)) < int(kept.group(2)), "tail sampling should keep some, not all"
    assert "GET /boom  server" in out, "the failing request's trace must be kept"
    assert "ERROR" in out
    assert "GET /slow  server" in out, "the slow request's trace must be kept"
    assert "[REDACTED]" in out
    assert "/profile/<int:user_id>          200        22" in out, "RED metrics count every request"
    assert "Secrets found in what the collector received: none" in out
