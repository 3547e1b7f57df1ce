"""Native instrumentation of FastAPI: its own ``build_middleware_stack`` override wrapped as Starlette's is.

FastAPI re-implements ``build_middleware_stack`` (to add its exit-stack middleware) without calling Starlette's,
so its class is patched on its own (plain Starlette apps are the ``starlette`` entry point's).

FastAPI 0.165 has built-in telemetry (a SERVER span, operation spans, metrics and logs, in ``FastAPI.__call__``,
outside the stack) that turns itself off when upstream's ASGI middleware is in the stack. With otelward's
middleware there instead, it is turned off the same way (tracing, metrics and logs of the app's telemetry
config), once, when the app builds its stack; otherwise every request would be traced by FastAPI and
otelward's middleware, seeing a SERVER span current, would pass it through without otelward's hooks. Like upstream's FastAPI instrumentation, a ``BackgroundTask`` run after the response gets
an INTERNAL span named ``BackgroundTask <function>``.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["instrument", "uninstrument"]

_MARK = "_otelward_native"


def instrument() -> None:
    """Wrap FastAPI's middleware stack and ``BackgroundTask.__call__`` (idempotent)."""
    import fastapi
    from starlette.background import BackgroundTask

    from otelward.instrumentation.native import _starlette

    _starlette.patch_class(fastapi.FastAPI, _builtin_telemetry_off)
    if not getattr(BackgroundTask.__call__, _MARK, False):
        BackgroundTask.__call__ = _traced_task(BackgroundTask.__call__)  # type: ignore[method-assign]


def uninstrument() -> None:
    """Restore FastAPI's middleware stack and ``BackgroundTask.__call__`` (tests)."""
    import fastapi
    from starlette.background import BackgroundTask

    from otelward.instrumentation.native import _starlette

    _starlette.unpatch_class(fastapi.FastAPI)
    if getattr(BackgroundTask.__call__, _MARK, False):
        BackgroundTask.__call__ = BackgroundTask.__call__.__wrapped__  # type: ignore[attr-defined,method-assign]


def _builtin_telemetry_off(app: Any) -> None:
    config = getattr(app, "_telemetry", None)
    if isinstance(config, dict):
        config.update(tracing=False, metrics=False, logs=False)


def _traced_task(call: Any) -> Any:
    from opentelemetry import trace

    from otelward._version import __version__

    tracer = trace.get_tracer("otelward.instrumentation.fastapi", __version__)

    @functools.wraps(call)
    async def traced_call(self: Any) -> None:
        func = self.func
        with tracer.start_as_current_span(f"BackgroundTask {getattr(func, '__name__', type(func).__name__)}"):
            await call(self)

    setattr(traced_call, _MARK, True)
    return traced_call
