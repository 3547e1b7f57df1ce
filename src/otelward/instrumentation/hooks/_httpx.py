"""httpx: ``response_hook(span, request, response)`` and its async twin; ``response.headers``."""

from __future__ import annotations

from typing import Any

from otelward.instrumentation.hooks._header_access import getter
from otelward.instrumentation.hooks._registry import run_get

__all__ = ["kwargs"]


def _response_hook(span: Any, request: Any, response: Any) -> None:
    get = getter(getattr(response, "headers", None))
    if get is not None:
        run_get("client_response", span, get)


async def _async_response_hook(span: Any, request: Any, response: Any) -> None:
    _response_hook(span, request, response)


def kwargs() -> dict[str, Any]:
    """Return HTTPXClientInstrumentor keyword arguments."""
    return {"response_hook": _response_hook, "async_response_hook": _async_response_hook}
