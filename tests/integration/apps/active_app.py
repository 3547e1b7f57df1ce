"""A Flask app and a plain ASGI app whose ``/slow`` answers only once the test lets it (a file appears).

What ``http.server.active_requests`` is for: a request the test holds open is in flight, then it is not.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

_RELEASE = os.environ.get("ACTIVE_RELEASE", "")


def _held() -> None:
    deadline = time.monotonic() + 30
    while _RELEASE and not os.path.exists(_RELEASE) and time.monotonic() < deadline:
        time.sleep(0.01)


app = Flask(__name__)


@app.get("/slow")
def slow() -> str:
    _held()
    return "done"


async def asgi_app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """Answer ``/slow`` once released (the wait runs in a thread: the event loop stays free)."""
    import asyncio

    if scope["type"] != "http":
        return
    if scope["path"] == "/slow":
        await asyncio.to_thread(_held)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"done"})
