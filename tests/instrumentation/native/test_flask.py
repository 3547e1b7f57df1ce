"""Native Flask in process: apps made before instrument() are traced, once, and servers do not wrap them again."""

from __future__ import annotations

from collections.abc import Iterator

import flask
import pytest
from opentelemetry.trace import StatusCode

from otelward.instrumentation import _lazy
from otelward.instrumentation._servers import wrap_wsgi
from otelward.instrumentation.native import _flask
from tests.instrumentation.server_fixtures import Served, served


@pytest.fixture
def srv() -> Iterator[Served]:
    with served() as s:
        yield s


@pytest.fixture
def app() -> Iterator[flask.Flask]:
    made_before = flask.Flask("early")

    @made_before.get("/items/<int:item_id>")
    def item(item_id: int) -> str:
        return str(item_id)

    @made_before.get("/boom/<name>")
    def boom(name: str) -> str:
        raise RuntimeError(name)

    _flask.instrument()
    _flask.instrument()  # idempotent: still one span per request
    try:
        yield made_before
    finally:
        _flask.uninstrument()


def test_an_app_made_before_instrument_is_traced_once(srv: Served, app: flask.Flask) -> None:
    assert app.test_client().get("/items/7").status_code == 200
    (span,) = srv.spans.finished()
    assert span.name == "GET /items/<int:item_id>"


def test_an_outer_wsgi_middleware_stays_outside_the_span(srv: Served, app: flask.Flask) -> None:
    seen: list[bool] = []
    inner = app.wsgi_app

    def outer(environ: dict[str, object], start_response: object) -> object:
        from opentelemetry import trace

        seen.append(trace.get_current_span().get_span_context().is_valid)
        return inner(environ, start_response)  # type: ignore[arg-type]

    app.wsgi_app = outer  # type: ignore[method-assign]
    assert app.test_client().get("/items/1").status_code == 200
    assert seen == [False]
    assert len(srv.spans.finished()) == 1


def test_uninstrument_restores_flask(srv: Served, app: flask.Flask) -> None:
    _flask.uninstrument()
    assert app.test_client().get("/items/1").status_code == 200
    assert srv.spans.finished() == []


def test_servers_leave_a_natively_traced_app_alone(monkeypatch: pytest.MonkeyPatch, app: flask.Flask) -> None:
    monkeypatch.setitem(_lazy.STATUS, "flask", "active")
    monkeypatch.setattr(_lazy, "NATIVE_ACTIVE", {"flask"})
    assert wrap_wsgi(app) is app


def test_an_exception_flask_propagates_still_names_the_span_after_its_route(
    srv: Served, app: flask.Flask
) -> None:
    # TESTING (and PROPAGATE_EXCEPTIONS) re-raise the view's exception: no response ever starts.
    app.config["TESTING"] = True
    with pytest.raises(RuntimeError, match="kaput"):
        app.test_client().get("/boom/kaput")
    (span,) = srv.spans.finished()
    assert span.name == "GET /boom/<name>"
    attributes = span.attributes or {}
    assert (attributes["http.route"], attributes["error.type"]) == ("/boom/<name>", "RuntimeError")
    assert span.status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events] == ["exception"]
