"""The process-wide otelward runtime, set once by the configurator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from otelward.startup._runtime import Runtime

__all__ = ["instrumentor_options", "runtime", "set_runtime"]

_runtime: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    """Remember the runtime the configurator built (None to forget it, in tests)."""
    global _runtime
    _runtime = runtime


def runtime() -> Runtime | None:
    """Return the runtime built in this process, if any (a second start-up returns it)."""
    return _runtime


def instrumentor_options(name: str) -> dict[str, Any]:
    """Return keyword arguments otelward passes to the instrumentor called ``name``."""
    if _runtime is None:
        return {}
    from otelward.instrumentation.hooks import instrumentor_kwargs

    return instrumentor_kwargs(name)
