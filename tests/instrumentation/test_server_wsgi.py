"""otelward's WSGI server instrumentation: span names, semconv attributes, hooks, exclusions, the duration metric."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from otelward.instrumentation._access import correlated
from otelward.instrumentation._servers import wrap_wsgi
from otelward.instrumentation._wsgi import OtelwardWSGIMiddleware
from otelward.logs._fields import current_correlation
from tests.instrumentation.server_fixtures import Served, served


class _Rule:
    def __init__(self, rule: str) -> None:
        self.rule = rule


def _app(
    status: str = "200 OK", route: str | None = None, fail: bool = False
) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if route is not None:
            environ["bottle.route"] = _Rule(route)  # what Bottle leaves in the environ after routing
        if fail:
            raise RuntimeError("boom")
        start_response(status, [("Content-Type", "text/plain")])
        return [b"hello"]

    return app


def _environ(path: str = "/items/42", **extra: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "ignored",
        "SERVER_PORT": "9",
        "HTTP_HOST": "shop.example:8080",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "REMOTE_PORT": "5555",
        "HTTP_USER_AGENT": "curl/8",
        "wsgi.url_scheme": "http",
    }
    environ.update(extra)
    return environ


def _call(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen[:] = [status, headers]

    body = app(environ, start_response)
    try:
        data = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    return seen[0], seen[1], data


@pytest.fixture
def srv() -> Iterator[Served]:
    with served(request_headers=("content-type", "x-forwarded-for", "authorization")) as s:
        yield s


@pytest.mark.parametrize(
    ("route", "path", "name"),
    [
        pytest.param("/items/<id>", "/items/42", "GET /items/<id>", id="route-template"),
        pytest.param(None, "/nope-1fd3a9", "GET", id="unmatched-is-method-only"),
    ],
)
def test_span_name_is_route_template_or_method_never_raw_path(
    srv: Served, route: str | None, path: str, name: str
) -> None:
    status, _, body = _call(OtelwardWSGIMiddleware(_app(route=route)), _environ(path))
    assert (status, body) == ("200 OK", b"hello")
    (span,) = srv.spans.finished()
    assert span.name == name
    assert span.kind is SpanKind.SERVER
    assert span.attributes is not None
    assert span.attributes["url.path"] == path
    assert ("http.route" in span.attributes) is (route is not None)


def test_stable_semconv_attributes_host_without_port(srv: Served) -> None:
    _call(OtelwardWSGIMiddleware(_app(route="/items/<id>")), _environ(QUERY_STRING="a=1"))
    (span,) = srv.spans.finished()
    attrs = dict(span.attributes or {})
    attrs.pop("http.request.id")
    attrs.pop("otelward.request.id")  # the request id, under both names for one release
    assert attrs == {
        "http.request.method": "GET",
        "url.scheme": "http",
        "url.path": "/items/42",
        "url.query": "a=1",
        "server.address": "shop.example",
        "server.port": 8080,
        "client.address": "10.0.0.7",
        "client.port": 5555,  # upstream's name for the peer port: no proxy in front, so the same value
        "network.peer.address": "10.0.0.7",
        "network.peer.port": 5555,
        "user_agent.original": "curl/8",
        "network.protocol.version": "1.1",
        "http.route": "/items/<id>",
        "http.response.status_code": 200,
    }


def test_captured_header_keys_keep_dashes_and_sanitized_ones_are_redacted(srv: Served) -> None:
    environ = _environ(
        CONTENT_TYPE="text/plain", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_AUTHORIZATION="Bearer s3cr3t"
    )
    _call(OtelwardWSGIMiddleware(_app()), environ)
    attrs = srv.spans.finished()[0].attributes or {}
    assert attrs["http.request.header.content-type"] == ("text/plain",)
    assert attrs["http.request.header.x-forwarded-for"] == ("1.2.3.4",)
    assert attrs["http.request.header.authorization"] == ("[REDACTED]",)
    assert not [k for k in attrs if "_" in k.rpartition(".")[2] and k.startswith("http.request.header.")]


def test_request_id_hooks_run_and_answer_the_header(srv: Served) -> None:
    _, headers, _ = _call(OtelwardWSGIMiddleware(_app()), _environ(HTTP_X_REQUEST_ID="req-123"))
    assert ("X-Request-ID", "req-123") in headers
    assert (srv.spans.finished()[0].attributes or {})["http.request.id"] == "req-123"


@pytest.mark.parametrize(
    ("status", "fail", "error_type"),
    [
        pytest.param("503 Service Unavailable", False, "503", id="5xx"),
        pytest.param("200 OK", True, "RuntimeError", id="exception"),
    ],
)
def test_failures_mark_the_span_and_the_metric(srv: Served, status: str, fail: bool, error_type: str) -> None:
    app = OtelwardWSGIMiddleware(_app(status, fail=fail))
    if fail:
        with pytest.raises(RuntimeError):
            _call(app, _environ())
    else:
        _call(app, _environ())
    (span,) = srv.spans.finished()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == error_type
    ((attrs, count),) = srv.durations()
    assert attrs["error.type"] == error_type
    assert count == 1


def test_404_is_not_an_error(srv: Served) -> None:
    _call(OtelwardWSGIMiddleware(_app("404 Not Found")), _environ())
    assert srv.spans.finished()[0].status.status_code is StatusCode.UNSET


def test_duration_counts_per_route(srv: Served) -> None:
    app = OtelwardWSGIMiddleware(_app(route="/items/<id>"))
    for _ in range(3):
        _call(app, _environ())
    _call(OtelwardWSGIMiddleware(_app()), _environ("/other"))
    counts = {attrs.get("http.route"): count for attrs, count in srv.durations()}
    assert counts == {"/items/<id>": 3, None: 1}
    assert all("server.address" in a and "url.path" not in a for a, _ in srv.durations())


def test_a_server_that_iterates_but_never_closes_still_ends_the_span(srv: Served) -> None:
    # uvicorn's WSGI interface: the body is iterated to the end and close() is never called.
    app = OtelwardWSGIMiddleware(_app(route="/items/<id>"))
    body = app(_environ(), lambda status, headers, exc_info=None: None)
    assert b"".join(body) == b"hello"
    [span] = srv.spans.finished()
    assert span.name == "GET /items/<id>"
    assert [count for _, count in srv.durations()] == [1]
    body.close()  # a late close changes nothing
    assert len(srv.spans.finished()) == 1
    assert [count for _, count in srv.durations()] == [1]


def test_excluded_urls_pass_through_untraced() -> None:
    with served(excluded=r"/health$") as s:
        _call(OtelwardWSGIMiddleware(_app()), _environ("/health"))
        _call(OtelwardWSGIMiddleware(_app()), _environ("/healthy"))
        assert [sp.attributes["url.path"] for sp in s.spans.finished() if sp.attributes] == ["/healthy"]


def test_wrapped_twice_traces_once(srv: Served) -> None:
    app = wrap_wsgi(wrap_wsgi(_app()))
    _call(OtelwardWSGIMiddleware(app), _environ())
    assert len(srv.spans.finished()) == 1


def test_incoming_traceparent_is_the_parent(srv: Served) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    _call(OtelwardWSGIMiddleware(_app()), _environ(HTTP_TRACEPARENT=f"00-{trace_id}-00f067aa0ba902b7-01"))
    span = srv.spans.finished()[0]
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.parent is not None
    assert span.parent.span_id == 0x00F067AA0BA902B7


def test_ids_saved_for_the_access_line_after_the_span_ended(srv: Served) -> None:
    environ = _environ(HTTP_X_REQUEST_ID="req-9")
    _call(OtelwardWSGIMiddleware(_app()), environ)
    span = srv.spans.finished()[0]
    assert current_correlation("svc").trace_id == ""  # the request's context is gone, as in gunicorn
    with correlated(environ):
        corr = current_correlation("svc")
    assert corr.trace_id == format(span.context.trace_id, "032x")
    assert corr.span_id == format(span.context.span_id, "016x")
    assert corr.request_id == "req-9"


class _Broken:
    def start_span(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("tracer broke")


def test_a_broken_tracer_serves_the_request_untraced(srv: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    from otelward.instrumentation import _server

    assert _server._state is not None
    monkeypatch.setattr(_server._state, "tracer", _Broken())
    assert _call(OtelwardWSGIMiddleware(_app()), _environ())[::2] == ("200 OK", b"hello")
    assert srv.spans.finished() == []


def test_a_failing_metric_does_not_fail_the_response(srv: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    from otelward.instrumentation import _server

    assert _server._state is not None

    def broken(*_: Any) -> None:
        raise RuntimeError("histogram broke")

    monkeypatch.setattr(_server._state, "record", broken)
    assert _call(OtelwardWSGIMiddleware(_app()), _environ())[::2] == ("200 OK", b"hello")
    assert current_correlation("svc").trace_id == ""  # the context was detached all the same


def test_a_file_wrapper_is_returned_as_is_so_the_server_can_sendfile(srv: Served) -> None:
    class FileWrapper:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def __iter__(self) -> Iterator[bytes]:
            yield self.data

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        start_response("200 OK", [])
        return environ["wsgi.file_wrapper"](b"file")

    environ = _environ(**{"wsgi.file_wrapper": FileWrapper})  # type: ignore[arg-type]
    body = OtelwardWSGIMiddleware(app)(environ, lambda *a: None)
    assert isinstance(body, FileWrapper)
    (span,) = srv.spans.finished()
    assert (span.attributes or {})["http.response.status_code"] == 200


@pytest.mark.parametrize(
    ("path", "name"),
    [
        pytest.param("/users/3", "GET /users/<int:user_id>", id="matched"),
        pytest.param("/nope-77", "GET", id="unmatched"),
    ],
)
def test_flask_without_its_instrumentation_gets_route_names(srv: Served, path: str, name: str) -> None:
    from flask import Flask

    app = Flask("plain")

    @app.get("/users/<int:user_id>")
    def user(user_id: int) -> str:
        return str(user_id)

    _call(OtelwardWSGIMiddleware(app.wsgi_app), _environ(path, **{"wsgi.input": io.BytesIO()}))
    (span,) = srv.spans.finished()
    assert span.name == name


def test_a_server_that_never_closes_the_body_still_ends_the_span(srv: Served) -> None:
    # uvicorn --interface wsgi iterates the response and never calls close(); the span leaked (before:
    # no span, no duration point) and its context stayed attached.
    from opentelemetry import trace

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        return None

    body = OtelwardWSGIMiddleware(_app(route="/items/<id>"))(_environ(), start_response)
    assert b"".join(body) == b"hello"
    (span,) = srv.spans.finished()
    assert span.name == "GET /items/<id>"
    assert [count for _, count in srv.durations()] == [1]
    assert not trace.get_current_span().get_span_context().is_valid
    getattr(body, "close", lambda: None)()
    assert len(srv.spans.finished()) == 1  # a late close() does not end it twice


_GET_HTTP = (("http.request.method", "GET"), ("url.scheme", "http"))


@pytest.mark.parametrize("fail", [False, True], ids=["answered", "raised"])
def test_active_requests_count_the_request_while_it_is_served(fail: bool) -> None:
    with served(active=True) as s:
        during: list[dict[Any, int]] = []

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            during.append(s.active())
            if fail:
                raise RuntimeError("boom")
            start_response("200 OK", [])
            return [b"hi"]

        wrapped = OtelwardWSGIMiddleware(app)
        if fail:
            with pytest.raises(RuntimeError):
                _call(wrapped, _environ())
        else:
            _call(wrapped, _environ())
        assert during == [{_GET_HTTP: 1}]  # only the attributes semantic conventions require
        assert s.active() == {_GET_HTTP: 0}


def test_active_requests_are_not_counted_unless_asked(srv: Served) -> None:
    _call(OtelwardWSGIMiddleware(_app()), _environ())
    assert srv.active() == {}
