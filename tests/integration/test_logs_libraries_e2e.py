"""structlog and loguru apps, unchanged, under opentelemetry-instrument through a real collector (rotel)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from harness.app import REPO, base_env, bin_path, run_script, serve
from harness.collector import Collector, free_port
from tests.integration.test_logs_setups import json_lines

pytestmark = pytest.mark.integration

SECRET = "hunter2-planted-e2e"
CARD = "4111111111111111"


LAUNCHERS = pytest.mark.parametrize("launcher", ["opentelemetry-instrument", "otelward run"])


def _run(launcher: str, argv: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    if launcher == "opentelemetry-instrument":
        return run_script(argv, env)
    return subprocess.run(
        [bin_path("otelward"), "run", "--", *argv],
        env=dict(env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _span(collector: Collector, name: str) -> dict[str, Any]:
    (span,) = collector.received.spans_named(name)
    return span


def _exported(collector: Collector, body_start: str) -> list[dict[str, Any]]:
    return [x for x in collector.received.logs if str(x["body"]).startswith(body_start)]


@LAUNCHERS
def test_structlog_script(collector: Collector, launcher: str) -> None:
    env = base_env(collector, OTELWARD_SAMPLING="off")
    done = _run(launcher, ["python", "tests/logs/apps/structlog_script.py", SECRET], env)
    assert done.returncode == 0, done.stderr
    collector.wait_for(lambda r: len(_exported(collector, "after reconfigure")) == 1 and len(r.spans) >= 2)
    # structlog's JSONRenderer lines (the app's format); otelward's own stdlib lines are otelward JSON
    lines = [x for x in json_lines(done.stdout) if "body" not in x]
    assert Counter(x["event"] for x in lines) == {"charged card": 1, "after reconfigure": 1}
    first, second = lines
    span = _span(collector, "job-step")
    assert (first["trace_id"], first["span_id"]) == (span["trace_id"], span["span_id"])
    assert second["trace_id"] == _span(collector, "job-step-2")["trace_id"]
    assert "timestamp" in second  # the reconfigured chain, still with otelward's processor
    assert SECRET not in done.stdout + done.stderr
    assert SECRET not in collector.debug_text()
    (exported,) = _exported(collector, "charged card")
    assert exported["trace_id"] == span["trace_id"]
    assert exported["severity_text"] == "INFO"
    assert exported["attributes"]["order"] == 11
    assert exported["attributes"]["password"] != SECRET
    (warned,) = _exported(collector, "after reconfigure")
    assert warned["severity_text"] == "WARN"


@LAUNCHERS
def test_loguru_script(collector: Collector, launcher: str) -> None:
    env = base_env(collector, OTELWARD_SAMPLING="off")
    done = _run(launcher, ["python", "tests/logs/apps/loguru_script.py", SECRET], env)
    assert done.returncode == 0, done.stderr
    collector.wait_for(lambda r: len(_exported(collector, "after configure")) == 1 and len(r.spans) >= 2)
    records = [x["record"] for x in json_lines(done.stdout) if "record" in x]
    assert [x["message"].split(" ")[0] for x in records] == ["charged", "after"]
    span = _span(collector, "job-step")
    assert (records[0]["extra"]["trace_id"], records[0]["extra"]["span_id"]) == (
        span["trace_id"],
        span["span_id"],
    )
    assert records[1]["extra"]["app"] == "patched"
    assert records[1]["extra"]["trace_id"] == _span(collector, "job-step-2")["trace_id"]
    # the default stderr sink, loguru's own format, redacted too
    default_sink = [x for x in done.stderr.splitlines() if " | INFO     | " in x]
    assert len(default_sink) == 1
    assert "charged card password=" in default_sink[0]
    assert SECRET not in done.stdout + done.stderr
    assert SECRET not in collector.debug_text()
    (exported,) = _exported(collector, "charged card")
    assert exported["trace_id"] == span["trace_id"]
    assert exported["attributes"]["order"] == 11


def test_structlog_stdlib_service_under_uvicorn(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTELWARD_SAMPLING="off")
    argv = ["uvicorn", "tests.logs.apps.structlog_asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    with serve(argv, env, port, startup_timeout_s=60) as app:
        status, _headers, _ = app.get(f"/work?token={CARD}", headers={"X-Request-ID": "req-sl-1"})
        assert status == 200
        collector.wait_for(
            lambda r: bool(r.spans_named("GET /work")) and len(_exported(collector, "plain stdlib line")) == 1
        )
        app.stop()
    lines = [x for x in json_lines(app.stdout) if x.get("logger") == "shop"]
    assert Counter(x["event"].split(" with")[0] for x in lines) == {"served work": 1, "plain stdlib line": 1}
    server = _span(collector, "GET /work")
    for line in lines:
        assert "body" not in line  # ProcessorFormatter's JSONRenderer, as the app configured it
        assert (line["trace_id"], line["span_id"]) == (server["trace_id"], server["span_id"])
        assert line["request_id"] == "req-sl-1"
    assert CARD not in app.stdout + app.stderr
    assert CARD not in collector.debug_text()
    (served,) = _exported(collector, "served work")
    assert served["trace_id"] == server["trace_id"]
    assert served["attributes"]["order"] == 5
    assert served["attributes"]["http.request.id"] == "req-sl-1"
    assert "_logger" not in served["attributes"]


def test_loguru_service_under_gunicorn(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTELWARD_SAMPLING="off")
    argv = ["gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "tests.logs.apps.loguru_wsgi:app"]
    with serve(argv, env, port) as app:
        status, _, _ = app.get(f"/work?token={CARD}", headers={"X-Request-ID": "req-lg-1"})
        assert status == 200
        collector.wait_for(
            lambda r: bool(r.spans_named("GET /work")) and len(_exported(collector, "served work")) == 1
        )
        app.stop()
    records = [json.loads(x)["record"] for x in app.stdout.splitlines() if x.startswith('{"text"')]
    (served,) = [x for x in records if x["message"].startswith("served work")]
    server = _span(collector, "GET /work")
    assert (served["extra"]["trace_id"], served["extra"]["span_id"]) == (
        server["trace_id"],
        server["span_id"],
    )
    assert served["extra"]["request_id"] == "req-lg-1"
    assert CARD not in app.stdout + app.stderr
    assert CARD not in collector.debug_text()
    (exported,) = _exported(collector, "served work")
    assert exported["trace_id"] == server["trace_id"]
    assert exported["attributes"]["http.request.id"] == "req-lg-1"


def test_logs_follow_traces(collector: Collector) -> None:
    # ratio 0: the ordinary trace is dropped, the error trace kept
    env = base_env(collector, OTELWARD_SAMPLING_RATIO="0")
    done = run_script(["python", "tests/logs/apps/follow_traces.py"], env)
    assert done.returncode == 0, done.stderr
    expected = ("info in an error trace", "warning in a dropped trace")
    # Spans and logs travel in separate exports: wait for both (the spans came second once and were missed).
    received = collector.wait_for(
        lambda r: len([x for x in r.logs if str(x["body"]).endswith(expected)]) == 4 and bool(r.span_names())
    )
    bodies = Counter(str(x["body"]) for x in received.logs)
    assert bodies["structlog info in an error trace"] == 1
    assert bodies["loguru info in an error trace"] == 1
    assert bodies["structlog warning in a dropped trace"] == 1
    assert bodies["loguru warning in a dropped trace"] == 1
    assert not [b for b in bodies if "info in a dropped trace" in b]
    assert received.span_names() == ["failing"]
    # the console gets every record
    assert "structlog info in a dropped trace" in done.stdout
    assert "loguru info in a dropped trace" in done.stderr
