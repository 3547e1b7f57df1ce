"""Every way an app sets logging up, under the real entry point: JSON lines, the collector's ids, no duplicates."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from harness.app import base_env, bin_path, run_script
from harness.collector import Collector

pytestmark = pytest.mark.integration

MODES = [
    "none",
    "basicconfig",
    "basicconfig_force",
    "basicconfig_before",
    "dictconfig_root",
    "dictconfig_disable_existing",
    "fileconfig",
]


def json_lines(text: str) -> list[dict[str, Any]]:
    """Parse every non-empty line; fail on any line that is not a JSON object."""
    records = []
    for line in text.splitlines():
        if line.strip():
            parsed = json.loads(line)
            assert isinstance(parsed, dict), line
            records.append(parsed)
    return records


@pytest.mark.parametrize("mode", MODES)
def test_logging_setup_keeps_json_correlation_and_export(collector: Collector, mode: str) -> None:
    env = base_env(collector, OTEL_SERVICE_NAME="setups", OTELWARD_SAMPLING="off")
    argv = ["python", "tests/logs/apps/setups.py", mode]
    if mode.endswith("_before"):
        # otelward started from code, after the app configured logging (no opentelemetry-instrument)
        import subprocess

        from harness.app import REPO

        result = subprocess.run(
            [bin_path("python"), *argv[1:]],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    else:
        result = run_script(argv, env)
    assert result.returncode == 0, result.stderr[-3000:]
    records = json_lines(result.stdout) + json_lines(result.stderr)
    bodies = Counter(r["body"] for r in records)
    expected = [
        f"outside {mode}",
        f"inside {mode}",
        f"UserWarning: warned {mode}",
        f"thread {mode}",
        f"task {mode}",
    ]
    assert {b: bodies[b] for b in expected} == dict.fromkeys(expected, 1), bodies

    received = collector.wait_for(
        lambda r: (
            {"work", "thread-work", "task-work"} <= set(r.span_names())
            and sum(1 for x in r.logs if x["body"] in expected) >= len(expected)
        )
    )
    by_body = {r["body"]: r for r in records}
    for span_name, body in (
        ("work", f"inside {mode}"),
        ("thread-work", f"thread {mode}"),
        ("task-work", f"task {mode}"),
    ):
        (span,) = received.spans_named(span_name)
        assert (by_body[body]["trace_id"], by_body[body]["span_id"]) == (span["trace_id"], span["span_id"])
        exported = [x for x in received.logs if x["body"] == body]
        assert len(exported) == 1
        assert (exported[0]["trace_id"], exported[0]["span_id"]) == (span["trace_id"], span["span_id"])
    assert "trace_id" not in by_body[f"outside {mode}"]
    assert by_body[f"inside {mode}"]["attributes"]["mode"] == mode
    assert by_body[f"inside {mode}"]["resource"] == {"service.name": "setups"}
