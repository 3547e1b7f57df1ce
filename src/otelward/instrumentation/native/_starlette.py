"""Native instrumentation of Starlette (and FastAPI, its subclass): every app's stack in otelward's ASGI middleware.

``build_middleware_stack`` is wrapped on the class, so every app (created before or after this runs) serves
through :class:`~otelward.instrumentation._asgi.OtelwardASGIMiddleware` outside its ``ServerErrorMiddleware``,
where upstream's FastAPI instrumentation puts its own: the span sees the 500 the client gets. The span is named
``GET /items/{item_id}`` after routing, from ``scope["route"].path`` (upstream matches every route a second
time before the request, to name the span at its start); a request no route matched is named ``GET``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from otelward._ratelimit import log_once

__all__ = ["instrument", "patch_class", "uninstrument", "unpatch_class"]

_MARK = "_otelward_native"
_log = logging.getLogger("otelward.instrumentation")


def instrument() -> None:
    """Wrap ``Starlette.build_middleware_stack`` (idempotent)."""
    from starlette.applications import Starlette

    patch_class(Starlette)


def uninstrument() -> None:
    """Restore ``Starlette.build_middleware_stack`` (tests; apps built before keep their stack)."""
    from starlette.applications import Starlette

    unpatch_class(Starlette)


def patch_class(cls: type, prepare: Callable[[Any], None] | None = None) -> None:
    """Wrap ``build_middleware_stack`` where ``cls`` itself defines it (idempotent).

    Args:
        cls: the app class.
        prepare: called with the app before its stack is built (FastAPI: turn its built-in telemetry off).
    """
    original = vars(cls).get("build_middleware_stack")
    if original is None or getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def build_middleware_stack(self: Any) -> Any:
        if prepare is not None:
            try:
                prepare(self)
            except Exception:  # noqa: BLE001 - the app still builds its stack
                log_once(_log, "starlette-prepare", "otelward: could not prepare the app", exc_info=True)
        stack = original(self)
        from otelward.instrumentation._asgi import OtelwardASGIMiddleware

        if isinstance(stack, OtelwardASGIMiddleware):
            return stack  # a subclass's override called this one through super()
        return OtelwardASGIMiddleware(stack)

    setattr(build_middleware_stack, _MARK, True)
    setattr(cls, "build_middleware_stack", build_middleware_stack)  # noqa: B010


def unpatch_class(cls: type) -> None:
    """Undo :func:`patch_class`."""
    current = vars(cls).get("build_middleware_stack")
    if current is not None and getattr(current, _MARK, False):
        setattr(cls, "build_middleware_stack", current.__wrapped__)  # noqa: B010
