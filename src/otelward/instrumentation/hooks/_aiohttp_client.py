"""aiohttp client: ``response_hook(span, params)``; ``params.response`` is absent when the request failed."""

from __future__ import annotations

from typing import Any

from otelward.instrumentation.hooks._header_access import getter
from otelward.instrumentation.hooks._registry import run_get

__all__ = ["kwargs"]


def _response_hook(span: Any, params: Any) -> None:
    response = getattr(params, "response", None)
    get = getter(getattr(response, "headers", None))
    if get is not None:
        run_get("client_response", span, get)


def kwargs() -> dict[str, Any]:
    """Return AioHttpClientInstrumentor keyword arguments."""
    return {"response_hook": _response_hook}
