"""A server app that raises with a secret in the exception message: nothing of it on the console or in
the collector (issue 17, cause 1: Flask's traceback under gunicorn reached stderr as plain text)."""

from __future__ import annotations

import json

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration

SECRET = "glpat-" + "Xq7Lm2Rt9Vb4Nc6Kp1Zs"  # a GitLab PAT shape, made up


def _assert_clean(stdout: str, stderr: str, collector: Collector) -> list[dict[str, object]]:
    console = stdout + stderr
    assert SECRET not in console
    assert SECRET[6:] not in console
    assert SECRET not in collector.debug_text()
    assert SECRET[6:] not in collector.debug_text()
    records = [json.loads(line) for line in console.splitlines() if line.strip()]  # every line is JSON
    errors = [
        r for r in records if r.get("attributes", {}).get("exception.type", "").endswith("RuntimeError")
    ]  # type: ignore[union-attr]
    assert errors, "the exception was logged on the console"
    for record in errors:
        attributes = record["attributes"]
        assert isinstance(attributes, dict)
        assert attributes["exception.message"] == "upstream refused credential [REDACTED]"
        assert "upstream refused credential [REDACTED]" in attributes["exception.stacktrace"]
    return records


def test_gunicorn_flask_traceback_is_redacted_json(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTEL_SERVICE_NAME="gboom", OTELWARD_SAMPLING="off")
    argv = ["gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "tests.logs.apps.wsgi_app:app"]
    with serve(argv, env, port) as app:
        status, _, _ = app.get(f"/boom?t={SECRET}")
        assert status == 500
        received = collector.wait_for(
            lambda r: any("Exception on /boom" in str(x["body"]) for x in r.logs) and bool(r.spans)
        )
        app.stop()
    records = _assert_clean(app.stdout, app.stderr, collector)
    assert any(r["body"] == "Exception on /boom [GET]" for r in records)
    (exported,) = [x for x in received.logs if "Exception on /boom" in str(x["body"])]
    assert exported["attributes"]["exception.message"] == "upstream refused credential [REDACTED]"


def test_uvicorn_traceback_is_redacted_json(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTEL_SERVICE_NAME="uboom", OTELWARD_SAMPLING="off")
    argv = ["uvicorn", "--host", "127.0.0.1", "--port", str(port), "tests.logs.apps.asgi_app:app"]
    with serve(argv, env, port) as app:
        status, _, _ = app.get(f"/boom?t={SECRET}")
        assert status == 500
        collector.wait_for(lambda r: any("Exception in ASGI application" in str(x["body"]) for x in r.logs))
        app.stop()
    records = _assert_clean(app.stdout, app.stderr, collector)
    assert any(str(r["body"]).startswith("Exception in ASGI application") for r in records)
