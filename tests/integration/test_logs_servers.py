"""gunicorn and uvicorn configure their own non-propagating loggers: their lines are JSON and correlated too."""

from __future__ import annotations

from collections import Counter

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port
from tests.integration.test_logs_setups import json_lines

pytestmark = pytest.mark.integration


def test_gunicorn_error_and_access_loggers(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTEL_SERVICE_NAME="gsvc", OTELWARD_SAMPLING="off")
    argv = [
        "gunicorn",
        "-w",
        "1",
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "tests.logs.apps.wsgi_app:app",
    ]
    with serve(argv, env, port) as app:
        status, _, _ = app.get("/work")
        assert status == 200
        received = collector.wait_for(
            lambda r: (
                bool(r.spans_named("GET /work"))
                and any(x["body"] == "app logger inside request" for x in r.logs)
            )
        )
        app.stop()
    records = json_lines(app.stdout) + json_lines(app.stderr)  # fails on any non-JSON line
    bodies = Counter(r["body"] for r in records)
    assert bodies["gunicorn logger inside request"] == 1
    assert bodies["app logger inside request"] == 1
    (server,) = received.spans_named("GET /work")
    inside = next(r for r in records if r["body"] == "gunicorn logger inside request")
    assert (inside["trace_id"], inside["span_id"]) == (server["trace_id"], server["span_id"])
    assert inside["attributes"]["logger.name"] == "gunicorn.error"
    access = [r for r in records if r["attributes"]["logger.name"] == "gunicorn.access"]
    assert len(access) == 1
    assert "GET /work" in access[0]["body"]
    # written after the Flask span ended and its context was detached: the ids come from the environ
    assert (access[0]["trace_id"], access[0]["span_id"]) == (server["trace_id"], server["span_id"])
    assert access[0]["attributes"]["http.request.id"] == server["attributes"]["http.request.id"]
    assert any(
        r["attributes"]["logger.name"] == "gunicorn.error" and "Booting worker" in r["body"] for r in records
    )
    exported = [x for x in received.logs if x["body"] == "app logger inside request"]
    assert len(exported) == 1
    assert exported[0]["trace_id"] == server["trace_id"]
    # gunicorn's own loggers stay console-only (a pre-fork master must not export: see _bridge.py)
    assert not [x for x in received.logs if x["attributes"].get("code.file.path", "").endswith("glogging.py")]


def test_uvicorn_loggers(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTEL_SERVICE_NAME="usvc", OTELWARD_SAMPLING="off")
    argv = ["uvicorn", "--host", "127.0.0.1", "--port", str(port), "tests.logs.apps.asgi_app:app"]
    with serve(argv, env, port) as app:
        status, _, _ = app.get("/")
        assert status == 200
        received = collector.wait_for(
            lambda r: (
                bool(r.spans_named("asgi-work"))
                and any(x["body"] == "uvicorn logger inside request" for x in r.logs)
            )
        )
        app.stop()
    records = json_lines(app.stdout) + json_lines(app.stderr)
    bodies = Counter(r["body"] for r in records)
    assert bodies["uvicorn logger inside request"] == 1
    assert bodies["app logger inside asgi request"] == 1
    (span,) = received.spans_named("asgi-work")
    inside = next(r for r in records if r["body"] == "uvicorn logger inside request")
    assert (inside["trace_id"], inside["span_id"]) == (span["trace_id"], span["span_id"])
    assert "color_message" not in inside["attributes"]
    names = {r["attributes"]["logger.name"] for r in records}
    assert {"uvicorn.error", "uvicorn.access"} <= names
    # a plain ASGI app (no framework) gets a server span named by the method alone, parent of the app's span
    (server,) = received.spans_named("GET")
    assert server["kind"] == "SPAN_KIND_SERVER"
    assert span["parent_span_id"] == server["span_id"]
    (access,) = [r for r in records if r["attributes"]["logger.name"] == "uvicorn.access"]
    assert access["trace_id"] == server["trace_id"]
    assert access["attributes"]["http.request.id"] == server["attributes"]["http.request.id"]
    startup = [r for r in records if r["body"].startswith("Uvicorn running on")]
    assert len(startup) == 1
    assert "\x1b" not in startup[0]["body"]
    exported = [x for x in received.logs if x["body"] == "uvicorn logger inside request"]
    assert len(exported) == 1
