"""Flask, natively: every app's ``wsgi_app`` runs inside otelward's lean WSGI middleware.

Upstream's instrumentation replaces ``flask.Flask`` with a subclass that starts the span in a
``before_request`` function (collecting the request attributes a second time, building ``request.url`` for
the excluded-URL check, setting attributes one by one, attaching a second context for SQL comments) and ends
it in ``teardown_request``. Here the class's ``wsgi_app`` is wrapped once: the middleware of
:mod:`otelward.instrumentation._wsgi` makes the SERVER span, reads the route template Flask matched
(``request.url_rule.rule``) when the response starts, runs the registered request/response hooks and saves
the access-line ids. Flask turns an unhandled view exception into a 500 response before the middleware sees
it; ``got_request_exception`` leaves the exception in the environ, where the middleware records it, as
upstream does from its teardown.

Apps created before ``instrument()`` are traced too (the method is the class's), and a middleware the app
puts around ``app.wsgi_app`` (``ProxyFix``) runs outside the span, as with upstream.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from otelward._ratelimit import log_once

__all__ = ["instrument", "uninstrument"]

_log = logging.getLogger("otelward.instrumentation")
_lock = threading.Lock()
_MARK = "_otelward_native"
_MIDDLEWARE = "_otelward_middleware"
_original: Callable[..., Any] | None = None


def _on_exception(sender: Any, exception: BaseException | None = None, **_extra: Any) -> None:
    from flask import request

    from otelward.instrumentation._wsgi import HANDLED_ERROR_KEY, remember_flask_route

    try:
        # The request leaves the environ when its context pops, before a re-raised exception (TESTING,
        # PROPAGATE_EXCEPTIONS) reaches the middleware: save the route now, as no response will start.
        remember_flask_route(request.environ)
        request.environ[HANDLED_ERROR_KEY] = exception
    except Exception:  # noqa: BLE001 - outside a request context there is no span to mark
        log_once(_log, "flask-exception", "otelward: could not record a Flask exception", exc_info=True)


def _traced(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wsgi_app(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        middleware = self.__dict__.get(_MIDDLEWARE)
        if middleware is None:
            from otelward.instrumentation._wsgi import OtelwardWSGIMiddleware

            middleware = self.__dict__[_MIDDLEWARE] = OtelwardWSGIMiddleware(
                functools.partial(original, self)
            )
        return middleware(environ, start_response)  # type: ignore[no-any-return]

    setattr(wsgi_app, _MARK, True)
    return wsgi_app


def instrument() -> None:
    """Trace every Flask app's requests from now on (idempotent, never raises)."""
    global _original
    with _lock:
        try:
            import flask

            current = flask.Flask.wsgi_app
            if getattr(current, _MARK, False):
                return
            flask.got_request_exception.connect(_on_exception, weak=False)
            _original = current
            flask.Flask.wsgi_app = _traced(current)  # type: ignore[method-assign]
        except Exception:  # noqa: BLE001 - an untraced app beats an app that does not start
            log_once(_log, "flask-native", "otelward: could not instrument Flask", exc_info=True)


def uninstrument() -> None:
    """Restore Flask's own ``wsgi_app`` (tests)."""
    global _original
    with _lock:
        if _original is None:
            return
        import flask

        flask.Flask.wsgi_app = _original  # type: ignore[method-assign]
        flask.got_request_exception.disconnect(_on_exception)
        _original = None
