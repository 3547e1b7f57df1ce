"""requests: ``request_hook(span, request)`` and ``response_hook(span, request, response)``."""

from __future__ import annotations

from typing import Any

from otelward.instrumentation.hooks._registry import run_get, run_set

__all__ = ["kwargs"]


def _request_hook(span: Any, request: Any) -> None:
    headers = getattr(request, "headers", None)
    if headers is None:
        return

    def set_(name: str, value: str) -> None:
        headers[name] = value

    run_set("client_request", span, set_)


def _response_hook(span: Any, request: Any, response: Any) -> None:
    headers = getattr(response, "headers", None)
    if headers is None:
        return
    run_get("client_response", span, headers.get)


def kwargs() -> dict[str, Any]:
    """Return RequestsInstrumentor keyword arguments."""
    return {"request_hook": _request_hook, "response_hook": _response_hook}
