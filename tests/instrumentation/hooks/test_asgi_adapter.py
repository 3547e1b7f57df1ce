"""Registered hooks read request headers and add response headers under FastAPI and Starlette."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.starlette import StarletteInstrumentor
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from otelward.instrumentation import hooks
from otelward.instrumentation.hooks._asgi import message_setter, scope_getter
from tests.frameworks.memory import Spans, capture


@pytest.fixture
def spans() -> Iterator[Spans]:
    with capture() as captured:
        yield captured
    hooks.clear()


def _get(app: Any, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """Drive one HTTP GET through the ASGI app in-process (no test client dependency)."""
    import asyncio

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {bytes(k).decode().lower(): bytes(v).decode() for k, v in start["headers"]}


def _register_echo() -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def on_request(span: Any, get_header: hooks.HeaderGetter) -> None:
        seen.append(("request", span))
        span.set_attribute("test.request_id", get_header("X-Request-ID") or "")

    def on_response(span: Any, add_header: hooks.HeaderSetter) -> None:
        seen.append(("response", span))
        add_header("X-Request-ID", span.attributes.get("test.request_id", ""))
        add_header("X-Server-Span", format(span.get_span_context().span_id, "016x"))

    hooks.register("server_request", on_request)
    hooks.register("server_response", on_response)
    return seen


def _fastapi() -> FastAPI:
    app = FastAPI()

    @app.get("/orders/{order_id}")
    def order(order_id: int) -> dict[str, int]:
        return {"id": order_id}

    return app


def _starlette() -> Starlette:
    return Starlette(routes=[Route("/orders/{order_id}", lambda request: PlainTextResponse("ok"))])


@pytest.mark.parametrize(
    ("make_app", "instrument", "uninstrument"),
    [
        (
            _fastapi,
            lambda app, tp: FastAPIInstrumentor.instrument_app(
                app, tracer_provider=tp, **hooks.instrumentor_kwargs("fastapi")
            ),
            FastAPIInstrumentor.uninstrument_app,
        ),
        (
            _starlette,
            lambda app, tp: StarletteInstrumentor.instrument_app(
                app, tracer_provider=tp, **hooks.instrumentor_kwargs("starlette")
            ),
            StarletteInstrumentor.uninstrument_app,
        ),
    ],
    ids=["fastapi", "starlette"],
)
def test_hook_reads_request_header_and_adds_response_header_on_the_server_span(
    spans: Spans, make_app: Any, instrument: Any, uninstrument: Any
) -> None:
    seen = _register_echo()
    app = make_app()
    instrument(app, spans.provider)
    try:
        status, headers = _get(app, "/orders/3", {"X-Request-ID": "req-42"})
    finally:
        uninstrument(app)
    assert status == 200
    assert headers["x-request-id"] == "req-42"
    server = next(s for s in spans.finished() if s.kind.name == "SERVER")
    assert server.name == "GET /orders/{order_id}"
    # The response callback got the server span (not the middleware's "send" span).
    assert headers["x-server-span"] == format(server.context.span_id, "016x")
    assert [kind for kind, _ in seen] == ["request", "response"]
    assert dict(server.attributes or {})["test.request_id"] == "req-42"


def test_scope_getter_is_case_insensitive_and_first_wins() -> None:
    get = scope_getter({"headers": [(b"x-request-id", b"a"), (b"X-Request-ID", b"b")]})
    assert get("X-REQUEST-ID") == "a"
    assert get("traceparent") is None
    assert scope_getter({})("anything") is None


def test_message_setter_replaces_a_header_of_the_same_name() -> None:
    message: dict[str, Any] = {
        "type": "http.response.start",
        "headers": [(b"TraceResponse", b"old"), (b"a", b"1")],
    }
    message_setter(message)("traceresponse", "new")
    assert message["headers"] == [(b"a", b"1"), (b"traceresponse", b"new")]


def test_a_failing_hook_does_not_break_the_request(spans: Spans) -> None:
    def broken(span: Any, get_header: hooks.HeaderGetter) -> None:
        raise RuntimeError("hook bug")

    hooks.register("server_request", broken)
    app = _fastapi()
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=spans.provider, **hooks.instrumentor_kwargs("fastapi")
    )
    try:
        assert _get(app, "/orders/1")[0] == 200
    finally:
        FastAPIInstrumentor.uninstrument_app(app)
