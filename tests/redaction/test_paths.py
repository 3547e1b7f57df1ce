"""Issue 16 item 5: secrets in the URL path, named by the route template or found by the detectors."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.trace import SpanKind

from otelward.redaction import RedactionEngine
from otelward.redaction._paths import sensitive_segments
from otelward.redaction._spans import span_transform

ENGINE = RedactionEngine()

ROUTES = [
    pytest.param("/basic-auth/<user>/<passwd>", "/basic-auth/ada/hunter2", ("hunter2",), id="flask"),
    pytest.param("/reset/{token}", "/reset/q8Zr2mTk?next=/", ("q8Zr2mTk",), id="starlette-query-ignored"),
    pytest.param("reset/<str:token>/", "/reset/q8Zr2mTk/", ("q8Zr2mTk",), id="django-converter"),
    pytest.param("/keys/:api_key", "/keys/k-123", ("k-123",), id="express-style"),
    pytest.param("^reset/(?P<token>[0-9a-z]+)/$", "/reset/abc9/", ("abc9",), id="django-regex"),
    pytest.param("/users/<int:id>/orders/<order_id>", "/users/4/orders/9", (), id="nothing-sensitive"),
    pytest.param("/files/{rest:path}", "/files/a/b/c", (), id="catch-all-mismatch"),
    pytest.param("/static/token", "/static/token", (), id="literal-segment"),
]


@pytest.mark.parametrize(("route", "path", "expected"), ROUTES)
def test_sensitive_route_segments(route: str, path: str, expected: tuple[str, ...]) -> None:
    assert sensitive_segments(route, path, ENGINE.is_sensitive_key) == expected


def _server_span(name: str, attributes: dict[str, str]) -> ReadableSpan:
    tracer = TracerProvider().get_tracer("t")
    span = tracer.start_span(name, kind=SpanKind.SERVER, attributes=attributes)
    span.end()
    assert isinstance(span, ReadableSpan)
    return span


def test_route_bound_password_is_masked_in_path_url_and_name() -> None:
    span = _server_span(
        "GET /basic-auth/ada/hunter2",
        {
            "http.route": "/basic-auth/<user>/<passwd>",
            "url.path": "/basic-auth/ada/hunter2",
            "url.full": "http://127.0.0.1:8000/basic-auth/ada/hunter2?x=1",
            "http.target": "/basic-auth/ada/hunter2",
        },
    )
    [out] = span_transform(ENGINE)([span])
    attrs = dict(out.attributes or {})
    assert attrs["url.path"] == "/basic-auth/ada/REDACTED"
    assert attrs["url.full"] == "http://127.0.0.1:8000/basic-auth/ada/REDACTED?x=1"
    assert attrs["http.target"] == "/basic-auth/ada/REDACTED"
    assert out.name == "GET /basic-auth/ada/REDACTED"
    assert attrs["http.route"] == "/basic-auth/<user>/<passwd>"
    assert "hunter2" not in repr(attrs)


def test_detected_secret_anywhere_in_url_path_is_masked() -> None:
    secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    assert secret not in ENGINE.redact_value("url.path", f"/hooks/{secret}/ping")
    assert ENGINE.redact_value("url.path", "/oauth/token") == "/oauth/token"


def test_route_bound_secret_is_masked_in_the_access_line_written_after_the_span() -> None:
    engine = RedactionEngine()
    line = '127.0.0.1 - - [01/Dec/2026:10:00:00 +0000] "GET /basic-auth/ada/hunter2 HTTP/1.1" 200 48 "-" "curl/8"'
    assert engine.redact_text(line) == line  # nothing in the line itself says hunter2 is a password
    engine.observe_route_params(
        _server_span(
            "GET /basic-auth/<user>/<passwd>",
            {"http.route": "/basic-auth/<user>/<passwd>", "url.path": "/basic-auth/ada/hunter2"},
        )
    )
    out = engine.redact_text(line)
    assert "hunter2" not in out
    assert '"GET /basic-auth/ada/REDACTED HTTP/1.1" 200 48' in out
    assert engine.redact_text("GET /docs/hunter2-guide") == "GET /docs/hunter2-guide"  # whole segments only


def test_a_short_value_seen_as_quiet_is_masked_once_its_route_is_known() -> None:
    # The engine remembers short quiet strings; a route secret learnt later must still be masked in them.
    engine = RedactionEngine()
    line = "GET /reset/q7x9k2m4"
    assert engine.redact_text(line) == line
    assert engine.redact_value("url.path", "/reset/q7x9k2m4") == "/reset/q7x9k2m4"
    engine.observe_route_params(
        _server_span("GET /reset/<token>", {"http.route": "/reset/<token>", "url.path": "/reset/q7x9k2m4"})
    )
    assert "q7x9k2m4" not in engine.redact_text(line)
    assert "q7x9k2m4" not in engine.redact_value("url.path", "/reset/q7x9k2m4")
