"""The management server as Prometheus and Kubernetes see it: auth, formats, probes."""

from __future__ import annotations

import base64
import gzip
import logging
import socket
import time

import pytest

from harness.collector import free_port
from otelward.config import Settings
from otelward.management import register_readiness_check, start_management, unregister_readiness_check
from otelward.management._server import ManagementServer, Routes

TOKEN = "s3cr3t-token"


def _wait_status(running, path, status, timeout_s=10.0, headers=None, has=None):
    """Poll ``path`` until it answers ``status`` (and its checks include ``has``), bounded in time."""
    deadline = time.monotonic() + timeout_s
    while True:
        got, doc = running.health(path, headers)
        done = got == status and (has is None or has in doc.get("checks", {}))
        if done or time.monotonic() > deadline:
            return got, doc
        time.sleep(0.05)


def test_metrics_on_loopback_without_token_is_open_and_exposes_business_metrics(management) -> None:
    running = management()
    running.meters.get_meter("shop").create_counter("orders.placed", unit="{order}").add(2)
    status, headers, body = running.get("/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert 'orders_placed_total{otel_scope_name="shop",' in body.decode()
    assert body.decode().count("} 2.0\n") == 1


def test_openmetrics_negotiation_and_gzip(management) -> None:
    running = management()
    running.meters.get_meter("shop").create_counter("orders.placed").add(1)
    status, headers, body = running.get(
        "/metrics",
        {"Accept": "application/openmetrics-text; version=1.0.0", "Accept-Encoding": "gzip"},
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].startswith("application/openmetrics-text")
    text = gzip.decompress(body).decode()
    assert 'orders_placed_total{otel_scope_name="shop",' in text
    assert text.endswith("# EOF\n")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": f"Bearer {TOKEN}"}, 200),
        ({"Authorization": "Basic " + base64.b64encode(f"prom:{TOKEN}".encode()).decode()}, 200),
    ],
    ids=["none", "wrong", "bearer", "basic"],
)
def test_metrics_requires_the_configured_token(management, headers, status) -> None:
    running = management(OTELWARD_MANAGEMENT_TOKEN=TOKEN)
    got, got_headers, _ = running.get("/metrics", headers)
    assert got == status
    if status == 401:
        assert got_headers["WWW-Authenticate"].startswith("Bearer")


def test_token_from_a_mounted_file(management, tmp_path) -> None:
    secret = tmp_path / "token"
    secret.write_text("from-file\n")
    running = management(OTELWARD_MANAGEMENT_TOKEN_FILE=str(secret), OTELWARD_MANAGEMENT_TOKEN="ignored")
    assert running.get("/metrics", {"Authorization": "Bearer ignored"})[0] == 401
    assert running.get("/metrics", {"Authorization": "Bearer from-file"})[0] == 200


def test_beyond_loopback_without_token_metrics_refuses_and_probes_stay_bare(management) -> None:
    running = management()
    # Bind on loopback (tests never open a public port) but decide as a server bound on 0.0.0.0 would.
    server = ManagementServer(
        "127.0.0.1", 0, Routes("0.0.0.0", None, running.handle.metrics_body, running.handle.health)
    ).start()
    try:
        running.port = server.port
        status, _, body = running.get("/metrics", {"Authorization": "Bearer guess"})
        assert status == 403
        assert b"OTELWARD_MANAGEMENT_TOKEN" in body
        status, doc = _wait_status(running, "/health/ready", 200)
        assert (status, doc) == (200, {"status": "pass"})
    finally:
        server.stop()


def test_failing_tcp_check_flips_readiness_with_the_check_named(management) -> None:
    closed = free_port()
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        up = listening.getsockname()[1]
        running = management(
            OTELWARD_READINESS_CHECKS=f"cache=tcp://127.0.0.1:{up},db=tcp://127.0.0.1:{closed}",
            OTELWARD_READINESS_TIMEOUT_MS="500",
        )
        status, doc = _wait_status(running, "/health/ready", 503, has="db")
    assert status == 503
    assert doc["status"] == "fail"
    assert doc["checks"]["db"][0]["status"] == "fail"
    assert "refused" in doc["checks"]["db"][0]["output"].lower()
    assert doc["checks"]["cache"][0]["status"] == "pass"
    live_status, live = running.health("/health/live")
    assert (live_status, live["status"]) == (200, "pass")


def test_bare_status_without_credentials_details_with_them(management) -> None:
    running = management(
        OTELWARD_MANAGEMENT_TOKEN=TOKEN, OTELWARD_READINESS_CHECKS=f"db=tcp://127.0.0.1:{free_port()}"
    )
    status, doc = _wait_status(running, "/health/ready", 503)
    assert doc == {"status": "fail"}
    status, doc = running.health("/health/ready", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 503
    assert "db" in doc["checks"]


def test_app_registered_checks_fail_and_warn(management) -> None:
    register_readiness_check("queue", lambda: False)
    register_readiness_check("cache", lambda: "cache cold, serving from the database")
    try:
        running = management()
        status, doc = _wait_status(running, "/health", 503, has="queue")
        assert doc["checks"]["queue"][0]["status"] == "fail"
        assert doc["checks"]["cache"][0]["status"] == "warn"
        unregister_readiness_check("queue")
        status, doc = _wait_status(running, "/health/ready", 200, timeout_s=15)
        assert (status, doc["status"]) == (200, "warn")
    finally:
        unregister_readiness_check("queue")
        unregister_readiness_check("cache")


def test_draining_reports_not_ready_but_alive(management) -> None:
    running = management()
    _wait_status(running, "/health/ready", 200)
    running.handle.drain()
    status, doc = running.health("/health/ready")
    assert status == 503
    assert doc["checks"]["draining"][0]["status"] == "fail"
    assert running.health("/health/live")[0] == 200


def test_port_in_use_is_one_warning_and_no_server(caplog) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings.from_env({"OTELWARD_MANAGEMENT_PORT": str(port)})
        with caplog.at_level(logging.WARNING, logger="otelward.management"):
            handle = start_management(settings, process_hooks=False)
    assert handle is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(port) in warnings[0].getMessage()


def test_disabled_starts_nothing() -> None:
    assert start_management(Settings.from_env({"OTELWARD_MANAGEMENT_ENABLED": "false"})) is None


def test_unknown_path_is_404(management) -> None:
    assert management().get("/admin")[0] == 404


def _raw(port: int, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, dict(resp.headers), resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/health", "/health/live", "/health/ready", "/metrics"])
def test_head_answers_like_get_without_a_body(management, path) -> None:
    # before the fix: 501 text/html (the handler had only do_GET)
    running = management()
    get_status, get_headers, get_body = _raw(running.port, "GET", path)
    status, headers, body = _raw(running.port, "HEAD", path)
    assert (status, body) == (get_status, b"")
    assert headers["Content-Type"] == get_headers["Content-Type"]
    if path != "/metrics":  # a scrape's body changes between two requests
        assert int(headers["Content-Length"]) == len(get_body)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/health", "/health/ready", "/metrics"])
def test_other_methods_are_405_with_allow(management, method, path) -> None:
    status, headers, _ = _raw(management().port, method, path)
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"


def test_other_methods_on_an_unknown_path_are_404(management) -> None:
    assert _raw(management().port, "POST", "/admin")[0] == 404
