"""otelward's own instrumentations of the hot libraries, used instead of upstream's where tested.

Each entry maps an ``opentelemetry_instrumentor`` entry point name to the module that instruments the same
library natively and the library versions it was tested with. When the app imports that library, the lazy
loader (``instrumentation/_lazy.py``) runs the native module's ``instrument()`` instead of the upstream
instrumentor, unless ``OTELWARD_NATIVE_INSTRUMENTATION=false`` or the installed version is outside the tested
range; then upstream's runs, as before. A native module produces the same span names, kinds and attributes
as upstream at its stable semantic-convention setting (tests/instrumentation/native: parity tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["NATIVE", "Native", "native_for", "version_tested"]


@dataclass(frozen=True)
class Native:
    """A native instrumentation: the module with ``instrument()`` and the library versions it was tested on."""

    module: str
    """Module whose ``instrument() -> None`` instruments the library (idempotent, never raises)."""
    distribution: str | None
    """Distribution whose version is checked; None for the standard library (always tested)."""
    lowest: tuple[int, ...] = ()
    """Lowest tested version (inclusive)."""
    below: tuple[int, ...] = (10**6,)
    """First version not tested (exclusive)."""


NATIVE: dict[str, Native] = {
    # Servers: otelward's WSGI/ASGI middleware, named after the route the framework matched.
    "flask": Native("otelward.instrumentation.native._flask", "flask", lowest=(3, 1), below=(4,)),
    "starlette": Native("otelward.instrumentation.native._starlette", "starlette", (1, 10), (1, 11)),
    "fastapi": Native("otelward.instrumentation.native._fastapi", "fastapi", (0, 165), (0, 166)),
    # Django: otelward's middleware first in settings.MIDDLEWARE, where upstream inserts its own.
    "django": Native("otelward.instrumentation.native._django", "django", (5, 2), (5, 3)),
    # Databases: traced cursor subclasses, no proxy object between the app and the driver.
    "sqlite3": Native("otelward.instrumentation.native._sqlite3", None),
    "psycopg": Native("otelward.instrumentation.native._psycopg", "psycopg", lowest=(3, 3), below=(4,)),
    # HTTP clients.
    "requests": Native("otelward.instrumentation.native._requests", "requests", (2, 34), (2, 35)),
    "urllib3": Native("otelward.instrumentation.native._urllib3", "urllib3", (2, 8), (2, 9)),
    "httpx": Native("otelward.instrumentation.native._httpx", "httpx", (0, 28), (0, 29)),
}
"""Entry point name -> its native instrumentation."""


def _release(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:  # a pre-release or local tail ends the release segment
            break
    return tuple(parts)


def version_tested(native: Native, version: str | None) -> bool:
    """Return whether ``version`` of the native's library is in its tested range (None: not installed)."""
    if native.distribution is None:
        return True
    if version is None:
        return False
    release = _release(version)
    return bool(release) and native.lowest <= release < native.below


def _installed_version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def native_for(name: str, version_of: Callable[[str], str | None] = _installed_version) -> Native | None:
    """Return the native instrumentation to use for the entry point ``name``, or None for upstream's.

    Args:
        name: the ``opentelemetry_instrumentor`` entry point name.
        version_of: distribution name -> its installed version, or None when it is not installed.
    """
    native = NATIVE.get(name)
    if native is None:
        return None
    if native.distribution is None:
        return native
    return native if version_tested(native, version_of(native.distribution)) else None
