"""Issue 16 item 5: a secret in a route-bound path segment reaches neither the collector nor the access line."""

from __future__ import annotations

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration

PASSWORD = "Hs8kq2LmPass"
TOKEN = "r3setT0kenValue"


def test_route_bound_secrets_are_masked_everywhere(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTEL_SERVICE_NAME="paths", OTELWARD_SAMPLING="off")
    argv = ["gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--access-logfile", "-"]
    with serve([*argv, "tests.integration.apps.path_secret_app:app"], env, port) as app:
        assert app.get(f"/basic-auth/ada/{PASSWORD}")[0] == 200
        assert app.get(f"/reset/{TOKEN}")[0] == 200
        received = collector.wait_for(lambda r: len(r.spans_named("GET /reset/<token>")) == 1)
        app.stop()
    out = app.stdout + app.stderr
    for secret in (PASSWORD, TOKEN):
        assert secret not in out
        assert secret not in repr(received.spans) + repr(received.logs)
    assert "/basic-auth/ada/REDACTED" in out  # the access line keeps its shape
    [reset] = received.spans_named("GET /reset/<token>")
    assert reset["attributes"]["url.path"] == "/reset/REDACTED"
