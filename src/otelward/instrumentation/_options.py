"""Keyword arguments otelward passes to individual instrumentors (``BaseDistro.load_instrumentor``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from otelward.config import Settings

__all__ = ["options_for"]

_OPTIONS: dict[str, Callable[[Settings], dict[str, Any]]] = {}


def options_for(name: str, settings: Settings) -> dict[str, Any]:
    """Return the instrumentor keyword arguments for the entry point ``name``."""
    from otelward.instrumentation.hooks import instrumentor_kwargs

    options = instrumentor_kwargs(name)
    build = _OPTIONS.get(name)
    if build is not None:
        options.update(build(settings))
    return options
