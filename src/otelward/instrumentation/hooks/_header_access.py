"""Header getters over the shapes client libraries hand to their response hooks."""

from __future__ import annotations

from typing import Any

from otelward.instrumentation.hooks._registry import HeaderGetter

__all__ = ["getter"]


def getter(headers: Any) -> HeaderGetter | None:
    """Return a case-insensitive getter over a mapping with ``.get`` or a list of (name, value) pairs."""
    if headers is None:
        return None
    if hasattr(headers, "get"):
        return lambda name: _text(headers.get(name))
    try:
        pairs = [(_text(k), _text(v)) for k, v in headers]
    except (TypeError, ValueError):
        return None

    def get(name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in pairs if k is not None and k.lower() == low), None)

    return get


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None
