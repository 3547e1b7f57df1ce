"""The process-wide otelward runtime, set once by the configurator."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from otelward.startup._runtime import Runtime

__all__ = ["runtime", "set_runtime"]

_runtime: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    """Remember the runtime the configurator built (None to forget it, in tests)."""
    global _runtime
    _runtime = runtime


def runtime() -> Runtime | None:
    """Return the runtime built in this process, if any (a second start-up returns it)."""
    return _runtime
