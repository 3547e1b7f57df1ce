"""otelward's ASGI server instrumentation: plain apps and uninstrumented Starlette, names, hooks, the metric."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from otelward.instrumentation._asgi import OtelwardASGIMiddleware
from tests.instrumentation.server_fixtures import Served, served


async def _plain(scope: dict[str, Any], receive: Any, send: Any) -> None:
    status = 500 if scope["path"] == "/fail" else 200
    if scope["path"] == "/raise":
        raise ValueError("boom")
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]}
    )
    await send({"type": "http.response.body", "body": b"hi"})


def _get(
    app: Any, path: str, headers: dict[str, str] | None = None, query: bytes | str = b""
) -> tuple[int, dict[str, str], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"127.0.0.1:8001")]
        + [(k.encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 4242),
        "server": ("127.0.0.1", 8001),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    head = {bytes(k).decode(): bytes(v).decode() for k, v in start["headers"]}
    return start["status"], head, b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture
def srv() -> Iterator[Served]:
    with served() as s:
        yield s


def _starlette() -> Starlette:
    async def item(request: Any) -> PlainTextResponse:
        return PlainTextResponse(request.path_params["item_id"])

    return Starlette(routes=[Route("/items/{item_id}", item)])


@pytest.mark.parametrize(
    ("make", "path", "name", "route"),
    [
        pytest.param(lambda: _plain, "/anything/77", "GET", None, id="plain-asgi"),
        pytest.param(
            _starlette, "/items/9", "GET /items/{item_id}", "/items/{item_id}", id="starlette-route"
        ),
        pytest.param(_starlette, "/nope-1fd3", "GET", None, id="starlette-unmatched"),
    ],
)
def test_server_span_per_request(srv: Served, make: Any, path: str, name: str, route: str | None) -> None:
    status, headers, _ = _get(OtelwardASGIMiddleware(make()), path, {"x-request-id": "abc-1"})
    (span,) = srv.spans.finished()
    assert (span.name, span.kind) == (name, SpanKind.SERVER)
    attrs = span.attributes or {}
    assert attrs.get("http.route") == route
    assert attrs["url.path"] == path
    assert (attrs["server.address"], attrs["server.port"]) == ("127.0.0.1", 8001)
    assert attrs["http.response.status_code"] == status
    assert headers["x-request-id"] == "abc-1"
    ((metric_attrs, count),) = srv.durations()
    assert (metric_attrs.get("http.route"), count) == (route, 1)


@pytest.mark.parametrize("query", [pytest.param(b"q=1", id="bytes"), pytest.param("q=1", id="str-off-spec")])
def test_query_string_as_bytes_or_as_a_str(srv: Served, query: bytes | str) -> None:
    # Django's AsyncClient sends a str against the ASGI spec: the request is still traced, not failed.
    from otelward.instrumentation._asgi import OtelwardASGIMiddleware

    status, _, body = _get(OtelwardASGIMiddleware(_plain), "/anything", query=query)
    assert (status, body) == (200, b"hi")
    (span,) = srv.spans.finished()
    assert (span.attributes or {})["url.query"] == "q=1"


def test_5xx_and_exceptions_are_errors(srv: Served) -> None:
    _get(OtelwardASGIMiddleware(_plain), "/fail")
    with pytest.raises(ValueError, match="boom"):
        _get(OtelwardASGIMiddleware(_plain), "/raise")
    codes = [(s.status.status_code, (s.attributes or {}).get("error.type")) for s in srv.spans.finished()]
    assert codes == [(StatusCode.ERROR, "500"), (StatusCode.ERROR, "ValueError")]


def test_lifespan_and_websocket_pass_through(srv: Served) -> None:
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    async def noop(*_: Any) -> None:
        return None

    for kind in ("lifespan", "websocket"):
        asyncio.run(OtelwardASGIMiddleware(app)({"type": kind}, noop, noop))
    assert seen == ["lifespan", "websocket"]
    assert srv.spans.finished() == []


def test_a_broken_tracer_serves_the_request_untraced(srv: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    from otelward.instrumentation import _server

    class Broken:
        def start_span(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("tracer broke")

    assert _server._state is not None
    monkeypatch.setattr(_server._state, "tracer", Broken())
    assert _get(OtelwardASGIMiddleware(_plain), "/x")[::2] == (200, b"hi")
    assert srv.spans.finished() == []


@pytest.mark.parametrize("path", ["/ok", "/raise"], ids=["answered", "raised"])
def test_active_requests_count_the_request_while_it_is_served(path: str) -> None:
    with served(active=True) as s:
        during: list[dict[Any, int]] = []

        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            during.append(s.active())
            await _plain(scope, receive, send)

        if path == "/raise":
            with pytest.raises(ValueError, match="boom"):
                _get(OtelwardASGIMiddleware(app), path)
        else:
            _get(OtelwardASGIMiddleware(app), path)
        counted = (("http.request.method", "GET"), ("url.scheme", "http"))
        assert during == [{counted: 1}]
        assert s.active() == {counted: 0}
