"""The pure parts of the native HTTP-client core: URL redaction, request attributes, header capture, settings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otelward.config import Settings
from otelward.instrumentation.native._client import header_attributes, redact_url, request_attributes


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("http://h:8080/a?b=1", "http://h:8080/a?b=1", id="plain-unchanged"),
        pytest.param("https://u:p@h/a", "https://REDACTED:REDACTED@h/a", id="userinfo"),
        pytest.param("https://u@h/a", "https://REDACTED:REDACTED@h/a", id="user-only"),
        pytest.param(
            "https://h/a?Signature=abc&x=1", "https://h/a?Signature=REDACTED&x=1", id="signature-param"
        ),
        pytest.param("https://h/a?sig=abc", "https://h/a?sig=REDACTED", id="sig-param"),
        pytest.param("https://h/a@b", "https://h/a@b", id="at-in-path-is-not-userinfo"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@given(
    user=st.text(alphabet="abcdefghij", min_size=1, max_size=8),
    password=st.text(alphabet="klmnopqrst", min_size=4, max_size=12),
)
def test_redact_url_never_keeps_the_password(user: str, password: str) -> None:
    assert password not in redact_url(f"http://{user}:{password}@example.com:81/x")


@pytest.mark.parametrize(
    ("method", "name", "extra"),
    [
        pytest.param("GET", "GET", {}, id="known"),
        pytest.param("get", "GET", {"http.request.method_original": "get"}, id="lower-case"),
        pytest.param("FETCH", "HTTP", {"http.request.method_original": "FETCH"}, id="unknown"),
    ],
)
def test_request_attributes_name_and_method(method: str, name: str, extra: dict[str, str]) -> None:
    got_name, attributes = request_attributes(method, "http://h:81/x", "h", 81, peer=False)
    assert got_name == name
    assert attributes == {
        "http.request.method": "GET" if name == "GET" else "_OTHER",
        **extra,
        "url.full": "http://h:81/x",
        "server.address": "h",
        "server.port": 81,
    }


def test_request_attributes_peer_and_default_port() -> None:
    _, attributes = request_attributes("GET", "https://h/x", "h", None, peer=True)
    assert attributes["network.peer.address"] == "h"
    assert "server.port" not in attributes
    assert "network.peer.port" not in attributes


def test_header_attributes_keep_dashes_and_redact() -> None:
    wanted = re.compile("content-type|authorization|x-.*", re.IGNORECASE)
    pairs = [("Content-Type", ["text/plain"]), ("Authorization", ["Bearer s3cret"]), ("X-Trace", ["a", "b"])]
    found = header_attributes(
        "http.request.header.", pairs, wanted, re.compile("authorization", re.IGNORECASE)
    )
    assert found == {
        "http.request.header.content-type": ["text/plain"],
        "http.request.header.authorization": ["[REDACTED]"],
        "http.request.header.x-trace": ["a", "b"],
    }


@pytest.mark.parametrize(
    ("env", "request_headers"),
    [
        pytest.param(
            {}, ("content-type", "x-request-id", "authorization", "x-api-key"), id="otelward-default"
        ),
        pytest.param({"OTELWARD_CAPTURE_HEADERS": "false"}, (), id="capture-off"),
        pytest.param(
            {
                "OTELWARD_CAPTURE_HEADERS": "false",
                "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST": "X-A",
            },
            ("x-a",),
            id="user-value-always-applies",
        ),
    ],
)
def test_client_header_settings(env: dict[str, str], request_headers: tuple[str, ...]) -> None:
    assert Settings.from_env(env).general.capture_client_request_headers == request_headers


@pytest.mark.parametrize(
    ("host", "sent"),
    [
        pytest.param("orders", True, id="trusted-single-label"),
        pytest.param("api.example.com", False, id="public"),
    ],
)
def test_request_id_baggage_goes_to_trusted_hosts_only(
    monkeypatch: pytest.MonkeyPatch, host: str, sent: bool
) -> None:
    # TrustedBaggage reads the called host from the current span: the exchange must have it set before injecting.
    from opentelemetry import baggage, propagate
    from opentelemetry import context as otel_context
    from opentelemetry.baggage.propagation import W3CBaggagePropagator
    from opentelemetry.propagators.composite import CompositePropagator
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    from otelward.instrumentation.native._client import ClientState, Exchange
    from otelward.logs._baggage import TrustedBaggage
    from otelward.logs._request_id import BAGGAGE_KEY
    from otelward.sampling._trust import Trust

    inner = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])
    monkeypatch.setattr(propagate, "_HTTP_TEXT_FORMAT", TrustedBaggage(inner, Trust()))
    st = ClientState(TracerProvider().get_tracer("t"), None, None, None, None, None)
    token = otel_context.attach(baggage.set_baggage(BAGGAGE_KEY, "r-1"))
    try:
        name, attributes = request_attributes("GET", f"http://{host}/x", host, None, peer=True)
        exchange = Exchange(st, name, attributes)
        headers: dict[str, str] = {}
        exchange.send_headers(headers.__setitem__)
        exchange.end()
    finally:
        otel_context.detach(token)
    assert headers["traceparent"].split("-")[2] == format(exchange.span.get_span_context().span_id, "016x")
    assert ("r-1" in headers.get("baggage", "")) is sent
