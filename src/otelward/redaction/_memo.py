"""The engine's value memo: recent scan results, bounded in entries and in bytes."""

from __future__ import annotations

from typing import Any

__all__ = ["Memo", "Result", "size_of"]

Result = tuple[Any, tuple[tuple[str, str], ...]]
"""(redacted value, ((sub-path, rule), ...)): what one value became, and what was replaced, never values."""

_ENTRY_OVERHEAD = 200
"""Bytes of one entry besides its strings (dict slot, key and result tuples, object headers)."""


def size_of(value: Any) -> int:
    """Return about how many bytes ``value`` (a memoised str, int or tuple of str) keeps alive."""
    cls = value.__class__
    if cls is str:
        return len(value) if value.isascii() else 4 * len(value)
    if cls is tuple:
        return sum(size_of(v) + 8 for v in value)
    return 32


class Memo:
    """Map (plan, value) to its :data:`Result`; cleared whole when full (no per-entry bookkeeping).

    A plan, not the key, names the entry: the result depends on the key only through its plan, so the
    console and the OTLP copy of a record share entries (the message as free text, ``exception.message``).

    Args:
        max_entries: entries before a reset.
        max_bytes: about how many bytes the entries may keep alive: unique log lines of ~2 KB made an
            8192-entry memo retain ~16 MiB.
    """

    def __init__(self, max_entries: int = 8192, max_bytes: int = 1 << 20) -> None:
        self.entries: dict[tuple[int | None, Any], Result] = {}
        """Read directly by the engine's hot loops."""
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0

    def put(self, plan: int, value: Any, result: Result) -> None:
        """Remember ``result`` for ``value`` under ``plan``."""
        size = _ENTRY_OVERHEAD + size_of(value) + (0 if result[0] is value else size_of(result[0]))
        if len(self.entries) >= self._max_entries or self._bytes + size > self._max_bytes:
            self.clear()
        self.entries[(plan, value)] = result
        self._bytes += size

    def clear(self) -> None:
        """Forget every entry."""
        self.entries.clear()
        self._bytes = 0
