"""Parity: FastAPI and Starlette apps get the same SERVER span natively as under upstream's instrumentors.

Each framework runs every scenario of ``_asgi_run`` (200, a templated path, a query string, 404, a raising
endpoint, an excluded probe, a remote parent, a background task, a WebSocket) through Starlette's TestClient,
once under upstream's instrumentor with otelward's hook options and once through otelward's loader picking the
native module, each in its own process. The native SERVER span must equal upstream's after the intended
differences below.

Intended differences:

* ``NO_MESSAGE_SPANS``: no INTERNAL ``http send``/``http receive`` span per ASGI message (upstream makes two or
  more per request).
* ``DASHES``: captured header attributes keep the header's dashes (``http.response.header.content-type``).
* ``PEER``: the socket peer is ``network.peer.address``/``network.peer.port`` beside ``client.address`` (otelward's
  ASGI middleware, as for plain ASGI apps); upstream sets ``client.port`` instead.
* ``RAISED``: an exception leaving the endpoint sets ``error.type`` to its class and the status description to
  ``Type: message`` (upstream: ``error.type`` ``500``, no description). On Starlette the span also has the 500
  status code and the error response's headers, since otelward's middleware sits outside
  ``ServerErrorMiddleware`` (upstream's Starlette middleware sits inside it and never sees the 500).
* ``NAMED_AFTER_ROUTING``: the span is named after the route once routing ran; ``server_response`` hooks, which
  run when the response starts, still see it named ``GET`` (upstream matches the routes a second time before the
  request to name the span up front).
* ``NO_WEBSOCKET``: WebSocket sessions are not traced natively (upstream makes a SERVER span per session).
* ``STARLETTE_TASK``: a Starlette ``BackgroundTask`` runs inside the (still open) server span natively; under
  upstream that span has already ended. FastAPI's task gets its ``BackgroundTask <name>`` span in both.
* FastAPI 0.165's built-in telemetry steps aside in both (it detects upstream's middleware; natively otelward
  turns it off per app), so neither has its ``fastapi.endpoint`` spans.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from otelward.config._vars._constants import CAPTURE_HEADER_DEFAULTS, EXCLUDED_URLS_DEFAULT, SANITIZE_DEFAULT

SCENARIOS = ("ok", "templated", "query", "not-found", "raising", "excluded", "remote-parent", "background")
FRAMEWORKS = ("fastapi", "starlette")
_ROOT = Path(__file__).resolve().parents[3]
_HEADER_KEY = re.compile(r"^(http\.(?:request|response)\.header\.)(.+)$")
_RESPONSE_HEADER = re.compile(r"^http\.response\.header\.")


@cache
def _run(framework: str, mode: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELWARD_"))}
    env["OTEL_SEMCONV_STABILITY_OPT_IN"] = "http"
    env["OTEL_PYTHON_EXCLUDED_URLS"] = EXCLUDED_URLS_DEFAULT
    env["OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"] = SANITIZE_DEFAULT
    for which, default in CAPTURE_HEADER_DEFAULTS:
        env[f"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_{which}"] = default
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "tests.instrumentation.native._asgi_run", framework, mode],
        cwd=_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _server_spans(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in run["spans"] if s["kind"] == "SERVER"]


def _comparable(span: dict[str, Any]) -> dict[str, Any]:
    keep = ("name", "kind", "status", "description", "attributes", "events", "parent_remote")
    return {k: span[k] for k in keep}


def _expected_native(framework: str, scenario: str, span: dict[str, Any]) -> dict[str, Any]:
    expected = _comparable(span)
    attributes: dict[str, Any] = {}
    for key, value in span["attributes"].items():
        m = _HEADER_KEY.match(key)
        attributes[m.group(1) + m.group(2).replace("_", "-") if m else key] = value  # DASHES
    if "client.port" in attributes:  # PEER
        attributes["network.peer.address"] = attributes["client.address"]
        attributes["network.peer.port"] = attributes.pop("client.port")
    if scenario == "raising":  # RAISED
        attributes["error.type"] = "RuntimeError"
        expected["description"] = "RuntimeError: boom"
    expected["attributes"] = attributes
    return expected


def _native_comparable(framework: str, scenario: str, span: dict[str, Any]) -> dict[str, Any]:
    got = _comparable(span)
    if framework == "starlette" and scenario == "raising":
        # RAISED: what only the outer position sees, checked here, then set aside for the comparison.
        attributes = dict(got["attributes"])
        assert attributes.pop("http.response.status_code") == 500
        assert [k for k in attributes if _RESPONSE_HEADER.match(k)]
        got["attributes"] = {k: v for k, v in attributes.items() if not _RESPONSE_HEADER.match(k)}
    if framework == "starlette" and scenario == "background":
        attributes = dict(got["attributes"])
        assert attributes.pop("test.in_task") is True  # STARLETTE_TASK
        got["attributes"] = attributes
    return got


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_native_server_span_matches_upstream(framework: str, scenario: str) -> None:
    upstream = _run(framework, "upstream")[scenario]
    native = _run(framework, "native")[scenario]
    assert native["status"] == upstream["status"]
    assert [_native_comparable(framework, scenario, s) for s in _server_spans(native)] == [
        _expected_native(framework, scenario, s) for s in _server_spans(upstream)
    ]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_native_makes_no_message_spans(framework: str, scenario: str) -> None:
    native = _run(framework, "native")[scenario]
    others = [s["name"] for s in native["spans"] if s["kind"] != "SERVER"]
    assert others == (
        ["BackgroundTask cleanup"] if (framework, scenario) == ("fastapi", "background") else []
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_route_template_names_the_span(framework: str) -> None:
    native = _run(framework, "native")
    template = "/items/{item_id}" if framework == "fastapi" else "/items/{item_id:int}"
    for scenario in ("templated", "query", "remote-parent"):
        (span,) = _server_spans(native[scenario])
        assert span["name"] == f"GET {template}"
        assert span["attributes"]["http.route"] == template
    (unmatched,) = _server_spans(native["not-found"])
    assert unmatched["name"] == "GET"
    assert "http.route" not in unmatched["attributes"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_hooks_run_and_the_remote_parent_is_kept(framework: str) -> None:
    native = _run(framework, "native")
    for scenario in ("ok", "templated", "not-found", "raising", "remote-parent"):
        assert native[scenario]["x-hooked"] == "GET", (
            scenario
        )  # NAMED_AFTER_ROUTING: hooks run at response start
    (span,) = _server_spans(native["remote-parent"])
    assert span["parent_remote"]
    assert span["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert span["parent_id"] == "00f067aa0ba902b7"
    assert span["attributes"]["test.request_hook.request_id"] == "r-9"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_websocket_is_served_untraced(framework: str) -> None:
    upstream = _run(framework, "upstream")["websocket"]
    native = _run(framework, "native")["websocket"]
    assert native["received"] == upstream["received"] == "hi"
    assert len(_server_spans(upstream)) == 1  # NO_WEBSOCKET: upstream traces the session
    assert native["spans"] == []
