"""The hook registry and the table of per-library adapters."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any, Literal

from otelward._ratelimit import log_once

__all__ = [
    "HeaderGetter",
    "HeaderSetter",
    "HookKind",
    "clear",
    "instrumentor_kwargs",
    "register",
    "run_get",
    "run_set",
]

_log = logging.getLogger("otelward.instrumentation.hooks")

HookKind = Literal["server_request", "server_response", "client_request", "client_response"]
HeaderGetter = Callable[[str], "str | None"]
HeaderSetter = Callable[[str, str], None]

_HOOKS: dict[str, list[Callable[[Any, Any], None]]] = {
    "server_request": [],
    "server_response": [],
    "client_request": [],
    "client_response": [],
}

# Entry point name -> module with `kwargs() -> dict` building that instrumentor's hook arguments.
_ADAPTERS: dict[str, str] = {
    "aiohttp-client": "otelward.instrumentation.hooks._aiohttp_client",
    "django": "otelward.instrumentation.hooks._django",
    "fastapi": "otelward.instrumentation.hooks._asgi",
    "flask": "otelward.instrumentation.hooks._flask",
    "httpx": "otelward.instrumentation.hooks._httpx",
    "requests": "otelward.instrumentation.hooks._requests",
    "starlette": "otelward.instrumentation.hooks._asgi",
    "urllib3": "otelward.instrumentation.hooks._urllib3",
}


def register(kind: HookKind, hook: Callable[[Any, Any], None]) -> None:
    """Add ``hook`` to the callbacks run for ``kind`` (idempotent)."""
    if hook not in _HOOKS[kind]:
        _HOOKS[kind].append(hook)


def clear() -> None:
    """Remove every registered hook (tests)."""
    for hooks in _HOOKS.values():
        hooks.clear()


def _run(kind: str, span: Any, accessor: Any) -> None:
    for hook in _HOOKS[kind]:
        try:
            hook(span, accessor)
        except Exception:  # noqa: BLE001 - a hook must never break the request
            log_once(_log, f"hook:{kind}:{hook!r}", "otelward: a %s hook failed", kind, exc_info=True)


def run_get(kind: Literal["server_request", "client_response"], span: Any, get_header: HeaderGetter) -> None:
    """Run the hooks of a reading ``kind`` with a header getter."""
    _run(kind, span, get_header)


def run_set(kind: Literal["server_response", "client_request"], span: Any, set_header: HeaderSetter) -> None:
    """Run the hooks of a writing ``kind`` with a header setter."""
    _run(kind, span, set_header)


def instrumentor_kwargs(name: str) -> dict[str, Any]:
    """Return the hook keyword arguments for the instrumentor behind entry point ``name``."""
    module = _ADAPTERS.get(name)
    if module is None:
        return {}
    try:
        kwargs: dict[str, Any] = importlib.import_module(module).kwargs()
    except Exception:  # noqa: BLE001 - telemetry must never raise into the app
        log_once(_log, f"adapter:{name}", "otelward: hook adapter for %s failed", name, exc_info=True)
        return {}
    return kwargs
