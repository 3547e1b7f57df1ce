"""``OTELWARD_METRICS_ACTIVE_REQUESTS=true``: otelward's own server instrumentations count requests in flight.

Through the real entry point and servers, to a real collector: a request the test holds open shows as 1 in
``http.server.active_requests`` (with the attributes semantic conventions require), and as 0 once answered.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration


def _active(points: list[dict[str, Any]]) -> list[int]:
    return [
        int(p["value"])
        for p in points
        if p["scope"] == "otelward.instrumentation.server"
        and p["attributes"].get("http.request.method") == "GET"
        and p["attributes"].get("url.scheme") == "http"
    ]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["gunicorn", "-w", "1", "-b", "127.0.0.1:{port}", "tests.integration.apps.active_app:app"],
                     id="native-flask-gunicorn"),
        pytest.param(["gunicorn", "-w", "1", "-b", "127.0.0.1:{port}", "tests.integration.apps.active_django:application"],
                     id="native-django-gunicorn"),
        pytest.param(["uvicorn", "--port", "{port}", "tests.integration.apps.active_app:asgi_app"],
                     id="plain-asgi-uvicorn"),
    ],
)  # fmt: skip
def test_a_request_in_flight_is_counted_then_uncounted(
    collector: Collector, tmp_path: Path, argv: list[str]
) -> None:
    port = free_port()
    release = tmp_path / "release"
    env = base_env(
        collector,
        OTELWARD_METRICS_ACTIVE_REQUESTS="true",
        OTEL_METRIC_EXPORT_INTERVAL="300",
        ACTIVE_RELEASE=str(release),
    )
    with serve([a.format(port=port) for a in argv], env, port, startup_timeout_s=60) as app:
        answers: list[int] = []
        held = threading.Thread(target=lambda: answers.append(app.get("/slow", timeout_s=40)[0]))
        held.start()
        try:
            received = collector.wait_for(lambda r: 1 in _active(r.metric("http.server.active_requests")), 30)
            points = [p for p in received.metric("http.server.active_requests") if _active([p])]
            assert {p["kind"] for p in points} == {"sum"}
            assert points[-1]["unit"] == "{request}"
        finally:
            release.touch()
            held.join(45)
        assert answers == [200]
        seen = len(collector.received.metric("http.server.active_requests"))
        collector.wait_for(lambda r: _active(r.metric("http.server.active_requests")[seen:])[-1:] == [0], 30)
        app.stop()


def test_the_counter_is_absent_by_default(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTEL_METRIC_EXPORT_INTERVAL="300")
    argv = ["gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "tests.integration.apps.active_app:app"]
    with serve(argv, env, port, startup_timeout_s=60) as app:
        assert app.get("/slow")[0] == 200
        collector.wait_for(lambda r: bool(r.metric("http.server.request.duration")), 30)
        app.stop()
    assert collector.received.metric("http.server.active_requests") == []
