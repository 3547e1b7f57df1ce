"""Registered hooks read request headers and add response headers under Django."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from otelward.instrumentation import hooks
from otelward.instrumentation.hooks._django import meta_getter
from tests.frameworks.memory import Spans, capture


def _configure_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            ALLOWED_HOSTS=["testserver"],
            ROOT_URLCONF=__name__,
            MIDDLEWARE=[],
            SECRET_KEY="test-only",
            DATABASES={},
        )
        django.setup()


def _view(request: Any, order_id: int) -> Any:
    from django.http import JsonResponse

    return JsonResponse({"id": order_id})


def _urls() -> list[Any]:
    from django.urls import path

    return [path("orders/<int:order_id>/", _view)]


urlpatterns: list[Any] = []


@pytest.fixture
def spans() -> Iterator[Spans]:
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    _configure_django()
    urlpatterns[:] = _urls()
    with capture() as captured:
        DjangoInstrumentor().instrument(
            tracer_provider=captured.provider, **hooks.instrumentor_kwargs("django")
        )
        try:
            yield captured
        finally:
            DjangoInstrumentor().uninstrument()
            hooks.clear()


def test_hook_reads_request_header_and_adds_response_header(spans: Spans) -> None:
    from django.test import Client

    def on_request(span: Any, get_header: hooks.HeaderGetter) -> None:
        span.set_attribute("test.request_id", get_header("X-Request-ID") or "")

    def on_response(span: Any, add_header: hooks.HeaderSetter) -> None:
        add_header("X-Request-ID", span.attributes["test.request_id"])
        add_header("X-Server-Span", format(span.get_span_context().span_id, "016x"))

    hooks.register("server_request", on_request)
    hooks.register("server_response", on_response)
    resp = Client().get("/orders/5/", headers={"X-Request-ID": "req-7"})
    assert resp.status_code == 200
    assert resp["X-Request-ID"] == "req-7"
    server = next(s for s in spans.finished() if s.kind.name == "SERVER")
    assert server.name == "GET orders/<int:order_id>/"
    assert resp["X-Server-Span"] == format(server.context.span_id, "016x")


@pytest.mark.parametrize(
    ("meta", "name", "expected"),
    [
        ({"HTTP_X_REQUEST_ID": "a"}, "X-Request-ID", "a"),
        ({"CONTENT_TYPE": "text/plain"}, "Content-Type", "text/plain"),
        ({"HTTP_TRACEPARENT": "00-x"}, "traceparent", "00-x"),
        ({}, "X-Missing", None),
    ],
    ids=["custom", "content-type", "lowercase", "missing"],
)
def test_meta_getter(meta: dict[str, str], name: str, expected: str | None) -> None:
    class Request:
        META = meta

    assert meta_getter(Request())(name) == expected
