"""Serve a small Django project through every parity scenario under one instrumentation; print span shapes.

``python -m tests.instrumentation.native._django_run HANDLER MODE``: HANDLER ``wsgi`` (Django's test ``Client``)
or ``asgi`` (``AsyncClient``), MODE ``upstream`` (DjangoInstrumentor with otelward's hook options) or
``native`` (otelward's loader choosing the native module). Settings are configured first, then Django is
instrumented, then ``django.setup()``, as under ``opentelemetry-instrument``; one process per run.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.instrumentation.native._asgi_run import REMOTE_SPAN, REMOTE_TRACE, _shape

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


def ok(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": "yes"})


def order(request: HttpRequest, order_id: int) -> HttpResponse:
    return JsonResponse({"id": order_id})


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def unavailable(request: HttpRequest) -> HttpResponse:
    return HttpResponse("down", status=503)


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("up")


api = [path("orders/<int:order_id>/items/", order)]
urlpatterns = [
    path("ok/", ok),
    path("orders/<int:order_id>/", order),
    path("api/v1/", include(api)),
    path("boom/", boom),
    path("unavailable/", unavailable),
    path("healthz", health),
]


def _configure(mode: str) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        SECRET_KEY="parity",
        LOGGING_CONFIG=None,
    )
    from otelward.instrumentation import _lazy, hooks

    ep = _lazy.entry_points_by_name()["django"]
    if mode == "upstream":
        ep.load()().instrument(skip_dep_check=True, **hooks.instrumentor_kwargs("django"))
    else:
        assert _lazy.load_now(ep, hooks.instrumentor_kwargs), _lazy.STATUS["django"]
        assert "django" in _lazy.NATIVE_ACTIVE, _lazy.STATUS["django"]
    django.setup()


def _install_hooks() -> None:
    from otelward.instrumentation import hooks

    def on_request(span: Any, get_header: Any) -> None:
        span.set_attribute("test.request_hook.request_id", str(get_header("x-request-id")))

    def on_response(span: Any, set_header: Any) -> None:
        set_header("x-hooked", "1")

    hooks.register("server_request", on_request)
    hooks.register("server_response", on_response)


def run(handler: str, mode: str) -> dict[str, Any]:
    """Return, per scenario, the spans and the response status."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _install_hooks()
    _configure(mode)
    from django.test import AsyncClient, Client

    requests = {
        "ok": ("/ok/", {}),
        "templated": ("/orders/42/", {}),
        "nested": ("/api/v1/orders/42/items/", {}),
        "query": ("/orders/42/?q=x", {}),
        "not-found": ("/nope/1fd3/", {}),
        "raising": ("/boom/", {}),
        "server-error": ("/unavailable/", {}),
        "excluded": ("/healthz", {}),
        "remote-parent": (
            "/orders/7/",
            {"traceparent": f"00-{REMOTE_TRACE}-{REMOTE_SPAN}-01", "x-request-id": "r-9"},
        ),
    }
    sync_client = Client(raise_request_exception=False, headers={"user-agent": "parity"})
    async_client = AsyncClient(raise_request_exception=False, headers={"user-agent": "parity"})
    out: dict[str, Any] = {}
    for scenario in SCENARIOS:
        exporter.clear()
        url, headers = requests[scenario]
        if handler == "wsgi":
            response = sync_client.get(url, headers=headers)
        else:
            response = asyncio.run(async_client.get(url, headers=headers))
        out[scenario] = {
            "status": response.status_code,
            "x-hooked": response.headers.get("x-hooked"),
            "spans": [_shape(s) for s in exporter.get_finished_spans()],
        }
    return out


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2])))
