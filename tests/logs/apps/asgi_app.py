"""A bare ASGI app for the uvicorn logger test: one manual span per request, logs on uvicorn's loggers."""

from __future__ import annotations

import logging
from typing import Any

from opentelemetry import trace


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    if scope["path"] == "/boom":
        # uvicorn logs "Exception in ASGI application" with the traceback on uvicorn.error.
        token = scope["query_string"].decode().partition("t=")[2]
        raise RuntimeError(f"upstream refused credential {token}")
    with trace.get_tracer("asgi-test").start_as_current_span("asgi-work"):
        logging.getLogger("uvicorn.error").info("uvicorn logger inside request")
        logging.getLogger("app.asgi").info("app logger inside asgi request")
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})
