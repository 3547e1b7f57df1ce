"""Parity: Django (WSGI and ASGI handlers) gets the same SERVER span natively as under upstream's instrumentor.

Each handler runs every scenario of ``_django_run`` (200, a URL pattern with a converter, a pattern under
``include()``, a query string, 404, a raising view, a 503, an excluded probe, a remote parent) through Django's
test clients, under upstream's DjangoInstrumentor with otelward's hook options (which already fix upstream's
header keys, ``server.address`` port and unmatched-request names) and through otelward's loader picking the
native middleware, each in its own process.

Intended differences:

* ``PEER``: the socket peer is also ``network.peer.address`` (and ``network.peer.port`` when known), as on every
  otelward server span.
* ``WSGI_URL``: under WSGI the span has ``url.path``, ``url.query`` and, without a ``Host`` header,
  ``server.address`` from ``SERVER_NAME`` (semconv requires them; upstream's Django WSGI spans miss them).
* ``ASGI_HOST``: under ASGI ``server.address`` is the ``Host`` header's (upstream: the scope's server address).
* ``EMPTY_HEADERS``: under WSGI a header sent empty (Django's test client sends ``Cookie:``) is not captured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from otelward.config._vars._constants import CAPTURE_HEADER_DEFAULTS, EXCLUDED_URLS_DEFAULT, SANITIZE_DEFAULT

SCENARIOS = (
    "ok",
    "templated",
    "nested",
    "query",
    "not-found",
    "raising",
    "server-error",
    "excluded",
    "remote-parent",
)
HANDLERS = ("wsgi", "asgi")
_ROOT = Path(__file__).resolve().parents[3]
_PATHS = {
    "ok": ("/ok/", None),
    "templated": ("/orders/42/", None),
    "nested": ("/api/v1/orders/42/items/", None),
    "query": ("/orders/42/", "q=x"),
    "not-found": ("/nope/1fd3/", None),
    "raising": ("/boom/", None),
    "server-error": ("/unavailable/", None),
    "excluded": ("/healthz", None),
    "remote-parent": ("/orders/7/", None),
}


@cache
def _run(handler: str, mode: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELWARD_", "DJANGO_"))}
    env["OTEL_SEMCONV_STABILITY_OPT_IN"] = "http"
    env["OTEL_PYTHON_EXCLUDED_URLS"] = EXCLUDED_URLS_DEFAULT
    env["OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"] = SANITIZE_DEFAULT
    for which, default in CAPTURE_HEADER_DEFAULTS:
        env[f"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_{which}"] = default
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "tests.instrumentation.native._django_run", handler, mode],
        cwd=_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "could not trace" not in done.stderr, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _comparable(span: dict[str, Any]) -> dict[str, Any]:
    keep = ("name", "kind", "status", "description", "attributes", "events", "parent_remote")
    return {k: span[k] for k in keep}


def _expected_native(
    handler: str, scenario: str, span: dict[str, Any], native: dict[str, Any]
) -> dict[str, Any]:
    expected = _comparable(span)
    attributes = dict(span["attributes"])
    attributes["network.peer.address"] = attributes["client.address"]  # PEER
    if "network.peer.port" in native["attributes"]:
        attributes["network.peer.port"] = native["attributes"]["network.peer.port"]
    if handler == "wsgi":  # WSGI_URL
        path, query = _PATHS[scenario]
        attributes["url.path"] = path
        if query:
            attributes["url.query"] = query
        attributes.setdefault("server.address", "testserver")
        if attributes.get("http.request.header.cookie") == ["[REDACTED]"]:
            del attributes["http.request.header.cookie"]  # EMPTY_HEADERS
    else:
        attributes["server.address"] = "testserver"  # ASGI_HOST
    expected["attributes"] = attributes
    return expected


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("handler", HANDLERS)
def test_native_server_span_matches_upstream(handler: str, scenario: str) -> None:
    upstream = _run(handler, "upstream")[scenario]
    native = _run(handler, "native")[scenario]
    assert native["status"] == upstream["status"]
    assert native["x-hooked"] == upstream["x-hooked"]
    assert len(native["spans"]) == len(upstream["spans"]) == (0 if scenario == "excluded" else 1)
    for got, want in zip(native["spans"], upstream["spans"], strict=True):
        assert _comparable(got) == _expected_native(handler, scenario, want, got)


@pytest.mark.parametrize("handler", HANDLERS)
def test_url_patterns_name_the_span(handler: str) -> None:
    native = _run(handler, "native")
    expected = {
        "templated": "orders/<int:order_id>/",
        "nested": "api/v1/orders/<int:order_id>/items/",
        "not-found": None,
    }
    for scenario, route in expected.items():
        (span,) = native[scenario]["spans"]
        assert span["name"] == (f"GET {route}" if route else "GET")
        assert span["attributes"].get("http.route") == route


@pytest.mark.parametrize("handler", HANDLERS)
def test_a_raising_view_is_recorded(handler: str) -> None:
    (span,) = _run(handler, "native")["raising"]["spans"]
    assert span["status"] == "ERROR"
    assert span["attributes"]["http.response.status_code"] == 500
    assert [e["attributes"]["exception.type"] for e in span["events"]] == ["RuntimeError"]


@pytest.mark.parametrize("handler", HANDLERS)
def test_remote_parent_and_request_hooks(handler: str) -> None:
    (span,) = _run(handler, "native")["remote-parent"]["spans"]
    assert span["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert span["parent_id"] == "00f067aa0ba902b7"
    assert span["attributes"]["test.request_hook.request_id"] == "r-9"
