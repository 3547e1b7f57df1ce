"""Upstream Flask/Django spans get otelward's convention fixes from the hooks: host without port, no raw-path names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from opentelemetry.instrumentation.flask import FlaskInstrumentor

from otelward.instrumentation import hooks
from otelward.instrumentation.hooks._flask import kwargs
from tests.frameworks.memory import Spans, capture


@pytest.fixture
def spans() -> Iterator[Spans]:
    with capture() as captured:
        yield captured
    hooks.clear()


@pytest.fixture
def stable_semconv(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Upstream at the stable conventions, as otelward configures it (the setting is read once per process)."""
    from opentelemetry.instrumentation._semconv import _OpenTelemetrySemanticConventionStability as stability

    monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST", "x-forwarded-for")
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE", "content-type")
    monkeypatch.setattr(stability, "_initialized", False)
    monkeypatch.setattr(stability, "_OTEL_SEMCONV_STABILITY_SIGNAL_MAPPING", {})
    stability._initialize()
    yield
    monkeypatch.undo()
    stability._initialized = False
    stability._initialize()


@pytest.fixture
def app(spans: Spans, stable_semconv: None) -> Iterator[Flask]:
    flask_app = Flask("conventions")

    @flask_app.get("/items/<int:item_id>")
    def item(item_id: int) -> str:
        return str(item_id)

    FlaskInstrumentor().instrument_app(flask_app, tracer_provider=spans.provider, **kwargs())
    yield flask_app
    FlaskInstrumentor().uninstrument_app(flask_app)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        pytest.param("/items/7", "GET /items/<int:item_id>", id="matched-route"),
        pytest.param("/nope-1fd3a9c0", "GET", id="unmatched-404-is-method-only"),
    ],
)
def test_flask_span_name_and_server_address(spans: Spans, app: Flask, path: str, name: str) -> None:
    app.test_client().get(path, headers={"Host": "shop.example:8080", "X-Forwarded-For": "1.2.3.4"})
    (span,) = spans.finished()
    assert span.name == name
    assert span.attributes is not None
    assert span.attributes["server.address"] == "shop.example"
    assert span.attributes["server.port"] == 8080
    assert span.attributes["http.request.header.x-forwarded-for"] == ("1.2.3.4",)
    assert "http.response.header.content-type" in span.attributes
    assert not [k for k in span.attributes if k.startswith("http.") and "header" in k and "_" in k]
