"""Django: ``request_hook(span, request)`` and ``response_hook(span, request, response)``."""

from __future__ import annotations

from typing import Any

from otelward.instrumentation.hooks._conventions import (
    dash_header_keys,
    name_without_route,
    split_server_address,
)
from otelward.instrumentation.hooks._registry import HeaderGetter, HeaderSetter, run_get, run_set

__all__ = ["kwargs", "meta_getter", "response_setter"]


def meta_getter(request: Any) -> HeaderGetter:
    """Return a header getter over a Django request's ``META`` (WSGI and ASGI requests alike)."""
    meta = getattr(request, "META", None) or {}

    def get(name: str) -> str | None:
        key = name.upper().replace("-", "_")
        # CONTENT_TYPE and CONTENT_LENGTH are the two headers Django keeps without the HTTP_ prefix.
        value = meta.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key)
        return value if isinstance(value, str) else None

    return get


def response_setter(response: Any) -> HeaderSetter:
    """Return a header setter on a Django ``HttpResponse`` (replaces a header of the same name)."""

    def set_(name: str, value: str) -> None:
        response[name] = value

    return set_


def _request_hook(span: Any, request: Any) -> None:
    run_get("server_request", span, meta_getter(request))
    meta = getattr(request, "META", None)
    if isinstance(meta, dict):
        from otelward.instrumentation._access import remember

        remember(meta, span)  # under WSGI, META is the environ gunicorn passes to its access line


def _response_hook(span: Any, request: Any, response: Any) -> None:
    # Upstream sets its attributes again after the request hook: fix them at the response.
    split_server_address(span)
    name_without_route(span)
    dash_header_keys(span)
    run_set("server_response", span, response_setter(response))


def kwargs() -> dict[str, Any]:
    """Return DjangoInstrumentor keyword arguments."""
    return {"request_hook": _request_hook, "response_hook": _response_hook}
