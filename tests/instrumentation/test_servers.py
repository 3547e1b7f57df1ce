"""Apps are wrapped where each server loads them, once, and never when a framework instrumentation traces them."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from flask import Flask
from starlette.applications import Starlette

from otelward.instrumentation import _lazy, _servers
from otelward.instrumentation._asgi import OtelwardASGIMiddleware
from otelward.instrumentation._wsgi import OtelwardWSGIMiddleware


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b""]


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    return None


@pytest.fixture(autouse=True)
def restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the servers' patches after each test (monkeypatch restores what it first saw)."""
    import gunicorn.app.base
    import uvicorn.config

    monkeypatch.setattr(uvicorn.config.Config, "load", uvicorn.config.Config.load)
    monkeypatch.setattr(gunicorn.app.base.BaseApplication, "wsgi", gunicorn.app.base.BaseApplication.wsgi)
    wrappers = importlib.import_module("hypercorn.app_wrappers")
    for name in ("ASGIWrapper", "WSGIWrapper"):
        cls = getattr(wrappers, name)
        monkeypatch.setattr(cls, "__init__", vars(cls)["__init__"])


@pytest.fixture
def status() -> Iterator[dict[str, str]]:
    saved = dict(_lazy.STATUS)
    yield _lazy.STATUS
    _lazy.STATUS.clear()
    _lazy.STATUS.update(saved)


def test_uvicorn_config_load_wraps_inside_uvicorns_own_middleware() -> None:
    import uvicorn.config

    _servers._patch_uvicorn(uvicorn.config)
    config = uvicorn.config.Config(asgi_app, proxy_headers=True)
    config.load()
    outer = config.loaded_app
    assert type(outer).__name__ == "ProxyHeadersMiddleware"
    assert isinstance(outer.app, OtelwardASGIMiddleware)
    assert outer.app.app is asgi_app


@pytest.mark.filterwarnings("ignore:Uvicorn's native WSGI:DeprecationWarning")
def test_uvicorn_wsgi_interface_is_wrapped_as_asgi() -> None:
    import uvicorn.config

    _servers._patch_uvicorn(uvicorn.config)
    config = uvicorn.config.Config(wsgi_app, interface="wsgi", proxy_headers=False)
    config.load()
    assert isinstance(config.loaded_app, OtelwardASGIMiddleware)


def test_gunicorn_wsgi_is_wrapped_once() -> None:
    import gunicorn.app.base

    class App(gunicorn.app.base.BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            return None

        def load(self) -> Any:
            return wsgi_app

    _servers._patch_gunicorn(gunicorn.app.base)
    app = App()
    first = app.wsgi()
    assert isinstance(first, OtelwardWSGIMiddleware)
    assert app.wsgi() is first


def test_gunicorn_leaves_asgi_apps_to_uvicorn_workers() -> None:
    import gunicorn.app.base

    class App(gunicorn.app.base.BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            return None

        def load(self) -> Any:
            return asgi_app

    _servers._patch_gunicorn(gunicorn.app.base)
    assert App().wsgi() is asgi_app


def test_waitress_create_server_wraps(monkeypatch: pytest.MonkeyPatch) -> None:
    waitress = importlib.import_module("waitress")
    server = importlib.import_module("waitress.server")
    seen: list[Any] = []
    monkeypatch.setattr(server, "create_server", lambda app, *a, **k: seen.append(app))
    monkeypatch.setattr(waitress, "create_server", server.create_server)
    _servers._patch_waitress(waitress)
    waitress.create_server(wsgi_app)
    assert isinstance(seen[0], OtelwardWSGIMiddleware)


def test_hypercorn_wrappers_wrap() -> None:
    wrappers = importlib.import_module("hypercorn.app_wrappers")
    _servers._patch_hypercorn(wrappers)
    assert isinstance(wrappers.ASGIWrapper(asgi_app).app, OtelwardASGIMiddleware)
    assert isinstance(wrappers.WSGIWrapper(wsgi_app, 1000).app, OtelwardWSGIMiddleware)


@pytest.mark.parametrize(
    ("make", "names"),
    [
        pytest.param(lambda: Flask("x"), ("flask",), id="flask"),
        pytest.param(FastAPI, ("fastapi",), id="fastapi"),
        pytest.param(Starlette, ("starlette",), id="starlette"),
    ],
)
def test_framework_apps_are_left_to_their_instrumentation(
    status: dict[str, str], make: Any, names: tuple[str, ...]
) -> None:
    app = make()
    wrapped = _servers.wrap_wsgi(app) if names == ("flask",) else _servers.wrap_asgi(app)
    assert isinstance(wrapped, (OtelwardWSGIMiddleware, OtelwardASGIMiddleware))  # not traced by anyone yet
    for name in names:
        status[name] = "active"
    assert _servers.wrap_wsgi(app) is app
    assert _servers.wrap_asgi(app) is app
