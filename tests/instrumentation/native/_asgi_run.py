"""Serve a FastAPI or Starlette app through every parity scenario under one instrumentation; print span shapes.

``python -m tests.instrumentation.native._asgi_run FRAMEWORK MODE``: FRAMEWORK ``fastapi`` or ``starlette``,
MODE ``upstream`` (upstream's instrumentor with otelward's hook options) or ``native`` (otelward's loader
choosing the native module). The app is built after instrumenting (upstream swaps the app class) and driven
with Starlette's ``TestClient`` (HTTP and WebSocket), one process per run.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from fastapi import BackgroundTasks, WebSocket  # module level: FastAPI resolves string annotations here
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SCENARIOS = (
    "ok",
    "templated",
    "query",
    "not-found",
    "raising",
    "excluded",
    "remote-parent",
    "background",
    "websocket",
)
REMOTE_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
REMOTE_SPAN = "00f067aa0ba902b7"


def _instrument(framework: str, mode: str) -> None:
    from otelward.instrumentation import _lazy, hooks

    ep = _lazy.entry_points_by_name()[framework]
    if mode == "upstream":
        ep.load()().instrument(skip_dep_check=True, **hooks.instrumentor_kwargs(framework))
        return
    assert _lazy.load_now(ep, hooks.instrumentor_kwargs), _lazy.STATUS[framework]
    assert framework in _lazy.NATIVE_ACTIVE, _lazy.STATUS[framework]


def _install_hooks() -> None:
    from otelward.instrumentation import hooks

    def on_request(span: Any, get_header: Any) -> None:
        span.set_attribute("test.request_hook.request_id", str(get_header("x-request-id")))

    def on_response(span: Any, set_header: Any) -> None:
        set_header("x-hooked", span.name)

    hooks.register("server_request", on_request)
    hooks.register("server_response", on_response)


def _fastapi_app() -> Any:
    import fastapi

    app = fastapi.FastAPI()

    @app.get("/ok")
    def ok() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/items/{item_id}")
    def item(item_id: int, q: str | None = None) -> dict[str, Any]:
        return {"id": item_id, "q": q}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/healthz")
    def health() -> str:
        return "up"

    def cleanup() -> None:
        trace.get_current_span().set_attribute("test.in_task", True)

    @app.get("/with-task")
    def with_task(tasks: BackgroundTasks) -> str:
        tasks.add_task(cleanup)
        return "queued"

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text("hi")
        await socket.close()

    return app


def _starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route, WebSocketRoute

    async def ok(request: Any) -> Any:
        return JSONResponse({"ok": "yes"})

    async def item(request: Any) -> Any:
        return JSONResponse({"id": request.path_params["item_id"]})

    async def boom(request: Any) -> Any:
        raise RuntimeError("boom")

    async def health(request: Any) -> Any:
        return PlainTextResponse("up")

    def cleanup() -> None:
        trace.get_current_span().set_attribute("test.in_task", True)

    async def with_task(request: Any) -> Any:
        return PlainTextResponse("queued", background=BackgroundTask(cleanup))

    async def ws(socket: Any) -> None:
        await socket.accept()
        await socket.send_text("hi")
        await socket.close()

    return Starlette(
        routes=[
            Route("/ok", ok),
            Route("/items/{item_id:int}", item),
            Route("/boom", boom),
            Route("/healthz", health),
            Route("/with-task", with_task),
            WebSocketRoute("/ws", ws),
        ]
    )


def _shape(span: ReadableSpan) -> dict[str, Any]:
    events = []
    for event in span.events:
        attributes = {k: v for k, v in (event.attributes or {}).items() if k != "exception.stacktrace"}
        attributes["has_stacktrace"] = "exception.stacktrace" in (event.attributes or {})
        events.append({"name": event.name, "attributes": attributes})
    return {
        "name": span.name,
        "kind": span.kind.name,
        "status": span.status.status_code.name,
        "description": span.status.description,
        "attributes": {k: list(v) if isinstance(v, tuple) else v for k, v in (span.attributes or {}).items()},
        "events": events,
        "span_id": format(span.context.span_id, "016x"),
        "trace_id": format(span.context.trace_id, "032x"),
        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
        "parent_remote": bool(span.parent and span.parent.is_remote),
    }


def run(framework: str, mode: str) -> dict[str, Any]:
    """Return, per scenario, the spans and what the client received."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _install_hooks()
    _instrument(framework, mode)
    from starlette.testclient import TestClient

    app = _fastapi_app() if framework == "fastapi" else _starlette_app()
    client = TestClient(app, raise_server_exceptions=False)
    requests = {
        "ok": ("/ok", {}),
        "templated": ("/items/42", {}),
        "query": ("/items/42?q=x", {}),
        "not-found": ("/nope/1fd3", {}),
        "raising": ("/boom", {}),
        "excluded": ("/healthz", {}),
        "remote-parent": (
            "/items/7",
            {"traceparent": f"00-{REMOTE_TRACE}-{REMOTE_SPAN}-01", "x-request-id": "r-9"},
        ),
        "background": ("/with-task", {}),
    }
    out: dict[str, Any] = {}
    for scenario in SCENARIOS:
        exporter.clear()
        if scenario == "websocket":
            with client.websocket_connect("/ws") as socket:
                received: Any = socket.receive_text()
            status, hooked = 101, None
        else:
            path, headers = requests[scenario]
            response = client.get(path, headers={"user-agent": "parity", **headers})
            status, hooked, received = response.status_code, response.headers.get("x-hooked"), None
        out[scenario] = {
            "status": status,
            "x-hooked": hooked,
            "received": received,
            "spans": [_shape(s) for s in exporter.get_finished_spans()],
        }
    return out


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2])))
