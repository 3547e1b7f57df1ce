"""Flask: ``request_hook(span, environ)`` and ``response_hook(span, status, response_headers)``."""

from __future__ import annotations

from typing import Any

from otelward.instrumentation.hooks._conventions import (
    dash_header_keys,
    name_without_route,
    split_server_address,
)
from otelward.instrumentation.hooks._registry import run_get, run_set

__all__ = ["kwargs"]


def environ_getter(environ: dict[str, Any]) -> Any:
    """Return a header getter over a WSGI environ."""

    def get(name: str) -> str | None:
        value = environ.get("HTTP_" + name.upper().replace("-", "_"))
        return value if isinstance(value, str) else None

    return get


def list_setter(headers: list[tuple[str, str]]) -> Any:
    """Return a header setter that appends to a WSGI response header list (replacing the same name)."""

    def set_(name: str, value: str) -> None:
        low = name.lower()
        headers[:] = [(k, v) for k, v in headers if k.lower() != low]
        headers.append((name, value))

    return set_


def _request_hook(span: Any, environ: dict[str, Any]) -> None:
    run_get("server_request", span, environ_getter(environ))
    from otelward.instrumentation._access import remember

    remember(environ, span)  # gunicorn's access line is written after this span ended


def _response_hook(span: Any, status: str, response_headers: list[tuple[str, str]]) -> None:
    # Upstream sets its attributes again after the request hook: fix them at the response.
    split_server_address(span)
    name_without_route(span)
    dash_header_keys(span)
    run_set("server_response", span, list_setter(response_headers))


def kwargs() -> dict[str, Any]:
    """Return FlaskInstrumentor keyword arguments."""
    return {"request_hook": _request_hook, "response_hook": _response_hook}
