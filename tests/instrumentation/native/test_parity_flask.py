"""Native Flask makes the spans upstream's Flask instrumentation makes under otelward, request by request.

Each side runs in its own process (``_parity_child``): upstream's ``FlaskInstrumentor`` with otelward's hook
adapters and semconv fix-ups (what ``OTELWARD_NATIVE_INSTRUMENTATION=false`` gives), against
``native._flask``. Both have otelward's request-id hooks registered, stable semconv, header capture with a
sanitized header, and an excluded URL.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.instrumentation.native._parity import run_both, without
from tests.instrumentation.native._parity_child import FLASK_REQUESTS

# Every intended difference, with why. Anything else that differs fails the test.
NATIVE_ONLY_SPAN_ATTRIBUTES = {
    "network.peer.address": "semconv recommends the socket peer on server spans; upstream sets client.* only",
    "network.peer.port": "as network.peer.address",
}
# A view error that Flask re-raises (TESTING, PROPAGATE_EXCEPTIONS): no response starts, so upstream's
# response hook (otelward's fix-ups) never runs and it records no duration point; native names the error.
NATIVE_FIXES = {
    "raising-view-propagated": {"server.address": "shop.example", "error.type": "RuntimeError"},
}
NATIVE_ONLY_DURATION_POINTS = [
    {
        "error.type": "RuntimeError",
        "http.request.method": "GET",
        "http.route": "/boom",
        "network.protocol.version": "1.1",
        "server.address": "shop.example",
        "server.port": 8000,
        "url.scheme": "http",
    }
]
NATIVE_ONLY_METRIC_ATTRIBUTES = {
    "server.address": "otelward's server duration metric keeps them (opt-in in semconv); upstream's does not",
    "server.port": "as server.address",
}
# What otelward's fix-ups already change over raw upstream, on both sides alike (not differences here):
# an unmatched request is named "GET", not "GET /nope-1fd3"; server.address has no ":8000" (it is in
# server.port); captured header keys keep their dashes.


@pytest.fixture(scope="module")
def runs() -> tuple[dict[str, Any], dict[str, Any]]:
    return run_both("flask")


@pytest.mark.parametrize("case", list(FLASK_REQUESTS), ids=list(FLASK_REQUESTS))
def test_same_response_and_spans(runs: tuple[dict[str, Any], dict[str, Any]], case: str) -> None:
    upstream, native = runs[0][case], runs[1][case]
    assert native["status"] == upstream["status"]
    assert native["response_headers"] == upstream["response_headers"]  # x-request-id, traceresponse hooks ran
    assert [(s["name"], s["kind"], s["parent"]) for s in native["spans"]] == [
        (s["name"], s["kind"], s["parent"]) for s in upstream["spans"]
    ]
    for up, nat in zip(upstream["spans"], native["spans"], strict=True):
        assert nat["remote_parent"] == up["remote_parent"]
        assert nat["status"] == up["status"]
        assert nat["events"] == up["events"]
        assert without(nat["attributes"], NATIVE_ONLY_SPAN_ATTRIBUTES) == {
            **up["attributes"],
            **NATIVE_FIXES.get(case, {}),
        }
        if nat["kind"] == "SERVER":
            assert set(NATIVE_ONLY_SPAN_ATTRIBUTES) <= set(nat["attributes"])


@pytest.mark.parametrize(
    ("case", "name", "route", "status"),
    [
        pytest.param("static", "GET /hello", "/hello", ["UNSET", None], id="static"),
        pytest.param(
            "templated", "GET /users/<int:user_id>", "/users/<int:user_id>", ["UNSET", None], id="templated"
        ),
        pytest.param("not-found", "GET", None, ["UNSET", None], id="404-method-only"),
        pytest.param("method-not-allowed", "POST", None, ["UNSET", None], id="405-method-only"),
        pytest.param(
            "raising-view", "GET /boom", "/boom", ["ERROR", "RuntimeError: view failed"], id="raising"
        ),
        pytest.param(
            "raising-view-propagated",
            "GET /boom",
            "/boom",
            ["ERROR", "RuntimeError: view failed"],
            id="raising-propagated",
        ),
        pytest.param("head", "HEAD /hello", "/hello", ["UNSET", None], id="head"),
        pytest.param("redirect", "GET /old", "/old", ["UNSET", None], id="redirect"),
    ],
)
def test_native_server_span(
    runs: tuple[dict[str, Any], dict[str, Any]], case: str, name: str, route: str | None, status: list[Any]
) -> None:
    server = runs[1][case]["spans"][0]
    assert (server["name"], server["kind"], server["status"]) == (name, "SERVER", status)
    assert server["attributes"].get("http.route") == route


def test_raising_view_is_recorded_as_upstream_does(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    (server,) = runs[1]["raising-view"]["spans"]
    assert server["attributes"]["error.type"] == "500"  # the response was sent: the status code, per semconv
    ((event, attributes),) = server["events"]
    assert (event, attributes["exception.type"], attributes["exception.message"]) == (
        "exception",
        "RuntimeError",
        "view failed",
    )


def test_child_span_and_remote_parent(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, lookup = runs[1]["templated"]["spans"]
    assert (lookup["name"], lookup["parent"]) == ("lookup", 0)
    assert runs[1]["remote-parent"]["spans"][0]["remote_parent"] is True


def test_headers_captured_and_sanitized(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    attributes = runs[1]["templated"]["spans"][0]["attributes"]
    assert attributes["http.request.header.x-custom"] == ["v1"]
    assert attributes["http.request.header.authorization"] == ["[REDACTED]"]
    assert attributes["http.response.header.content-type"] == ["application/json"]


def test_excluded_url_makes_no_span(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert runs[1]["excluded"]["spans"] == [] == runs[0]["excluded"]["spans"]


def test_same_duration_metric_points(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    upstream, native = runs[0]["durations"], runs[1]["durations"]
    for point in NATIVE_ONLY_DURATION_POINTS:
        native.remove(point)
    assert [without(p, NATIVE_ONLY_METRIC_ATTRIBUTES) for p in native] == upstream
    assert len(native) == 7  # one series per (method, route, status); the excluded URL records nothing
