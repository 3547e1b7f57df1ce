"""Wrap the app where each server loads it: gunicorn, uvicorn, hypercorn, waitress.

Post-import hooks on the server modules wrap the loaded app object in otelward's WSGI or ASGI middleware, so
any app gets server spans, RED metrics and request ids, framework or not. An app a framework instrumentation
already traces (Flask, Django, FastAPI, Starlette with theirs active) is left alone; a request that arrives
with a SERVER span already current passes through too, so nothing is traced twice.

gunicorn's access line is written after the app's context is gone; :func:`correlate_gunicorn_access` puts
the request's ids back for that one call (see ``_server.CORRELATION_KEY``).
"""

from __future__ import annotations

import functools
import inspect
import logging
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from otelward._ratelimit import log_once

__all__ = ["arm_servers", "framework_traces", "is_asgi", "wrap_asgi", "wrap_wsgi"]

_log = logging.getLogger("otelward.instrumentation")
_MARK = "_otelward_wrapped"

# (module, class name, entry point names whose instrumentation traces apps of that class)
_FRAMEWORKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("flask", "Flask", ("flask",)),
    ("django.core.handlers.wsgi", "WSGIHandler", ("django",)),
    ("django.core.handlers.asgi", "ASGIHandler", ("django",)),
    ("fastapi", "FastAPI", ("fastapi", "starlette")),
    ("starlette.applications", "Starlette", ("starlette",)),
)


def framework_traces(app: Any) -> bool:
    """Return whether an active framework instrumentation already traces ``app`` (or the app it wraps)."""
    from otelward.instrumentation._lazy import STATUS

    for _ in range(6):
        for module_name, class_name, names in _FRAMEWORKS:
            module = sys.modules.get(module_name)
            cls = getattr(module, class_name, None) if module is not None else None
            if (
                isinstance(cls, type)
                and isinstance(app, cls)
                and any(STATUS.get(n) == "active" for n in names)
            ):
                return True
        inner = getattr(app, "__wrapped__", None) or getattr(app, "app", None)
        if inner is None or inner is app or not callable(inner):
            return False
        app = inner
    return False


def is_asgi(app: Any) -> bool:
    """Return whether ``app`` is an ASGI callable (a coroutine function or an object with an async ``__call__``)."""
    if inspect.iscoroutinefunction(app):
        return True
    call = getattr(app, "__call__", None)  # noqa: B004 - the bound method is what is inspected
    return inspect.iscoroutinefunction(call)


def wrap_wsgi(app: Any) -> Any:
    """Return ``app`` in otelward's WSGI middleware, unless it is wrapped or a framework traces it."""
    if app is None or getattr(app, _MARK, False) or framework_traces(app):
        return app
    from otelward.instrumentation._wsgi import OtelwardWSGIMiddleware

    wrapped = OtelwardWSGIMiddleware(app)
    setattr(wrapped, _MARK, True)
    return wrapped


def wrap_asgi(app: Any) -> Any:
    """Return ``app`` in otelward's ASGI middleware, unless it is wrapped or a framework traces it."""
    if app is None or getattr(app, _MARK, False) or framework_traces(app):
        return app
    from otelward.instrumentation._asgi import OtelwardASGIMiddleware

    wrapped = OtelwardASGIMiddleware(app)
    setattr(wrapped, _MARK, True)
    return wrapped


def _guarded(name: str, wrap: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def safe(app: Any) -> Any:
        try:
            return wrap(app)
        except Exception:  # noqa: BLE001 - an untraced app beats an app that does not start
            log_once(_log, f"wrap:{name}", "otelward: could not instrument the %s app", name, exc_info=True)
            return app

    return safe


def _patch_gunicorn(module: ModuleType) -> None:
    base = module.BaseApplication
    original = base.wsgi
    if getattr(original, _MARK, False):
        return
    wrap = _guarded("gunicorn", wrap_wsgi)

    @functools.wraps(original)
    def wsgi(self: Any) -> Any:
        app = original(self)
        worker = str(getattr(getattr(self, "cfg", None), "worker_class_str", "") or "")
        if "uvicorn" in worker.lower() or is_asgi(app):
            return app  # an ASGI worker: uvicorn's Config.load wraps it
        cached = self.__dict__.get("_otelward_app")
        if cached is None or cached[0] is not app:
            cached = self.__dict__["_otelward_app"] = (app, wrap(app))
        return cached[1]

    setattr(wsgi, _MARK, True)
    base.wsgi = wsgi


def _patch_gunicorn_access(module: ModuleType) -> None:
    logger = module.Logger
    original = logger.access
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def access(self: Any, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
        from otelward.instrumentation._access import correlated

        if getattr(self, "access_log_enabled", True) is False:
            # gunicorn >= 23 says when no access line will be written: no ids to attach for it.
            return original(self, resp, req, environ, request_time)
        with correlated(environ):
            return original(self, resp, req, environ, request_time)

    setattr(access, _MARK, True)
    logger.access = access


# uvicorn's own wrappers around the app: otelward goes inside them, so the proxy-headers fix is applied first.
_UVICORN_OUTER = ("ProxyHeadersMiddleware", "MessageLoggerMiddleware")


def _patch_uvicorn(module: ModuleType) -> None:
    config = module.Config
    original = config.load
    if getattr(original, _MARK, False):
        return
    wrap = _guarded("uvicorn", wrap_asgi)

    @functools.wraps(original)
    def load(self: Any) -> Any:
        result = original(self)
        holder, app = self, self.loaded_app
        attr = "loaded_app"
        while type(app).__name__ in _UVICORN_OUTER and hasattr(app, "app"):
            holder, attr, app = app, "app", app.app
        setattr(holder, attr, wrap(app))
        return result

    setattr(load, _MARK, True)
    config.load = load


def _patch_hypercorn(module: ModuleType) -> None:
    for class_name, wrapper in (("ASGIWrapper", wrap_asgi), ("WSGIWrapper", wrap_wsgi)):
        cls = getattr(module, class_name, None)
        if not isinstance(cls, type) or getattr(vars(cls).get("__init__"), _MARK, False):
            continue
        _patch_init(cls, _guarded("hypercorn", wrapper))


def _patch_init(cls: type, wrap: Callable[[Any], Any]) -> None:
    original = vars(cls)["__init__"]

    @functools.wraps(original)
    def init(self: Any, app: Any, *args: Any, **kwargs: Any) -> None:
        original(self, wrap(app), *args, **kwargs)

    setattr(init, _MARK, True)
    setattr(cls, "__init__", init)  # noqa: B010


def _patch_waitress(module: ModuleType) -> None:
    server = sys.modules.get("waitress.server")
    if server is None:
        return
    original = getattr(server, "create_server", None)
    if original is None:
        return
    if getattr(original, _MARK, False):
        return
    wrap = _guarded("waitress", wrap_wsgi)

    @functools.wraps(original)
    def create_server(application: Any, *args: Any, **kwargs: Any) -> Any:
        return original(wrap(application), *args, **kwargs)

    setattr(create_server, _MARK, True)
    setattr(server, "create_server", create_server)  # noqa: B010
    if getattr(module, "create_server", None) is original:
        setattr(module, "create_server", create_server)  # noqa: B010 - what waitress.serve calls


_PATCHES: tuple[tuple[str, Callable[[ModuleType], None]], ...] = (
    ("gunicorn.app.base", _patch_gunicorn),
    ("gunicorn.glogging", _patch_gunicorn_access),
    ("uvicorn.config", _patch_uvicorn),
    ("hypercorn.app_wrappers", _patch_hypercorn),
    ("waitress", _patch_waitress),
)


def arm_servers() -> None:
    """Register the post-import hooks that wrap apps where the servers load them (idempotent)."""
    from otelward.instrumentation._post_import import register_post_import_hook

    for module, patch in _PATCHES:
        register_post_import_hook(_hook(module, patch), module)


def _hook(name: str, patch: Callable[[ModuleType], None]) -> Callable[[ModuleType], None]:
    def hook(module: ModuleType) -> None:
        try:
            patch(module)
        except Exception:  # noqa: BLE001 - the server still runs, untraced
            log_once(_log, f"server:{name}", "otelward: could not hook %s", name, exc_info=True)

    return hook
