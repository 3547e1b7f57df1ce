"""Parity: requests, urllib3 and httpx make the same CLIENT spans natively as under upstream's instrumentors.

Each client runs every scenario of ``_client_run`` (200, 404, 500, connection refused, redirect, userinfo in the
URL, an excluded probe URL) against a loopback ``http.server``, once under the upstream instrumentor with
otelward's hook options and once through otelward's loader picking the native module, each in its own process.
The native span must equal upstream's (name, kind, status and its description, events, every attribute) after
the intended differences below, and the server must receive a ``traceparent`` naming the client span.

Intended differences (the native side is otelward's convention or what semconv asks and upstream misses):

* ``DASHES``: captured header attributes keep the header's dashes (``http.response.header.content-type``), as
  otelward's server spans do; upstream writes ``content_type``.
* ``REQUEST_HOOKS``: ``client_request`` hooks run for every client; otelward's adapters over upstream pass them
  to requests only (urllib3's and httpx's hook signatures were never adapted).
* ``URLLIB3_PEER``: urllib3's span names ``server.address``/``server.port`` and carries ``error.type`` when the call
  raises; upstream's has neither (requests' and httpx's spans have both).
* ``FAILED_DURATION``: a call that raises is counted in ``http.client.request.duration`` with ``error.type``;
  upstream's requests does so, its urllib3 and httpx skip the point.
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
from tests.instrumentation.native._client_run import SCENARIOS

CLIENTS = ("requests", "urllib3", "httpx", "httpx-async")
_ROOT = Path(__file__).resolve().parents[3]
_HEADER_KEY = re.compile(r"^(http\.(?:request|response)\.header\.)(.+)$")


@cache
def _run(client: str, mode: str) -> dict[str, Any]:
    """Run ``client`` under ``mode`` in a fresh process with otelward's stock-variable defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELWARD_"))}
    # What otelward's distro sets; the native side is stable only.
    env["OTEL_SEMCONV_STABILITY_OPT_IN"] = "http"
    env["OTEL_PYTHON_EXCLUDED_URLS"] = EXCLUDED_URLS_DEFAULT
    env["OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"] = SANITIZE_DEFAULT
    for which, default in CAPTURE_HEADER_DEFAULTS:
        env[f"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_{which}"] = default
    done = subprocess.run(
        [sys.executable, "-m", "tests.instrumentation.native._client_run", client, mode],
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


def _comparable(span: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in span.items() if k not in ("span_id", "trace_id", "parent_id")}


def _expected_native(client: str, span: dict[str, Any]) -> dict[str, Any]:
    """Return upstream's span shape with the documented intended differences applied."""
    expected = _comparable(span)
    attributes: dict[str, Any] = {}
    for key, value in span["attributes"].items():
        m = _HEADER_KEY.match(key)
        attributes[m.group(1) + m.group(2).replace("_", "-") if m else key] = value  # DASHES
    if "server.address" in attributes or client == "urllib3":
        attributes["test.request_hook.server_address"] = "127.0.0.1"  # REQUEST_HOOKS
    if client == "urllib3":  # URLLIB3_PEER
        attributes["server.address"] = "127.0.0.1"
        attributes["server.port"] = "REFUSED_PORT" if "REFUSED_PORT" in attributes["url.full"] else "PORT"
        if span["events"]:
            attributes["error.type"] = span["events"][0]["attributes"]["exception.type"].rpartition(".")[2]
    expected["attributes"] = attributes
    return expected


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("client", CLIENTS)
def test_native_span_matches_upstream(client: str, scenario: str) -> None:
    upstream = _run(client, "upstream")[scenario]
    native = _run(client, "native")[scenario]
    assert native["error"] == upstream["error"]
    assert [_comparable(s) for s in native["spans"]] == [
        _expected_native(client, s) for s in upstream["spans"]
    ]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("client", CLIENTS)
def test_the_server_receives_the_client_span_as_parent(client: str, scenario: str) -> None:
    native = _run(client, "native")[scenario]
    spans = native["spans"]
    for span in spans:
        assert span["parent_id"] == native["parent_id"]
        assert span["kind"] == "CLIENT"
    by_id = {s["span_id"]: s for s in spans}
    for received in native["received"]:
        if scenario == "excluded":
            assert received["traceparent"] is None
            continue
        _version, trace_id, span_id, _flags = received["traceparent"].split("-")
        assert span_id in by_id, (received, list(by_id))
        assert by_id[span_id]["trace_id"] == trace_id
        assert received["x-hooked"] == "1"  # the client_request hooks ran and their header went out
    if scenario == "refused":
        assert native["received"] == []
        assert len(spans) == 1


def test_refused_records_the_exception_like_upstream() -> None:
    (span,) = _run("requests", "native")["refused"]["spans"]
    assert span["status"] == "ERROR"
    assert span["description"].startswith("ConnectionError: ")
    (event,) = span["events"]
    assert event["name"] == "exception"
    assert event["attributes"]["exception.type"] == "requests.exceptions.ConnectionError"
    assert event["attributes"]["has_stacktrace"]
    assert span["attributes"]["error.type"] == "ConnectionError"


def test_userinfo_never_reaches_the_span() -> None:
    for client in CLIENTS:
        (span,) = _run(client, "native")["userinfo"]["spans"]
        assert "secret" not in json.dumps(span), client


@pytest.mark.parametrize("client", CLIENTS)
def test_duration_points_match_upstream(client: str) -> None:
    upstream = _run(client, "upstream")["duration_points"]
    native = _run(client, "native")["duration_points"]
    failed = [p for p in native if "http.response.status_code" not in p["attributes"]]
    assert len(failed) == 1
    assert "error.type" in failed[0]["attributes"]  # FAILED_DURATION
    expected = upstream if client == "requests" else sorted([*upstream, *failed], key=_point_key)
    assert sorted(native, key=_point_key) == sorted(expected, key=_point_key)


def _point_key(point: dict[str, Any]) -> str:
    return json.dumps(point["attributes"], sort_keys=True)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_requests_over_urllib3_makes_one_span(scenario: str) -> None:
    # Both native: urllib3 under requests sees HTTP instrumentation suppressed, as upstream's urllib3 does.
    alone = _run("requests", "native")[scenario]["spans"]
    stacked = _run("requests+urllib3", "native")[scenario]["spans"]
    assert [_comparable(s) for s in stacked] == [_comparable(s) for s in alone]
