"""Fixes otelward applies on top of stock instrumentations once they are active.

Each module exposes ``apply() -> None`` (idempotent, never raises into the app); the table in
:mod:`otelward._instrumentation` names the module to run after an entry point's ``instrument()``.
"""

from __future__ import annotations

__all__: list[str] = []
