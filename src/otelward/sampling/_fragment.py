"""A buffered local trace fragment and the bounded cache of decisions taken."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DecisionCache", "Fragment"]


@dataclass
class Fragment:
    """The spans (and held log records) of one trace in this process, while undecided.

    ``open_roots`` counts local roots (spans whose parent is absent or remote; for a unit below a local parent,
    its entry span) started and not ended:
    a service calling itself over HTTP has two in one trace, and the fragment waits for both.
    """

    created: float
    spans: list[Any] = field(default_factory=list)
    logs: list[Any] = field(default_factory=list)
    open_roots: int = 0
    root_start_ns: int | None = None
    duration_ns: int | None = None
    parent_sampled: bool = False
    mark: str | None = None
    ot: str | None = None

    def size(self) -> int:
        """Return the buffered items (spans and log records) this fragment holds."""
        return len(self.spans) + len(self.logs)


_MISSING = object()


class DecisionCache:
    """Remember the latest decisions (kept reason, or None for dropped) for late spans; bounded LRU."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._items: OrderedDict[int, str | None] = OrderedDict()
        self._late: dict[int, int] = {}

    def put(self, trace_id: int, reason: str | None) -> None:
        """Record the decision for ``trace_id``, evicting the least recently used beyond capacity."""
        self._items[trace_id] = reason
        self._items.move_to_end(trace_id)
        self._late.pop(trace_id, None)
        while len(self._items) > self.capacity:
            evicted, _ = self._items.popitem(last=False)
            self._late.pop(evicted, None)

    def charge_late(self, trace_id: int, limit: int) -> bool:
        """Count one more late span kept for ``trace_id``; return False once ``limit`` were kept."""
        n = self._late.get(trace_id, 0)
        if n >= limit:
            return False
        self._late[trace_id] = n + 1
        return True

    def lookup(self, trace_id: int) -> tuple[bool, str | None]:
        """Return (known, kept reason or None); a hit counts as a use."""
        value = self._items.get(trace_id, _MISSING)
        if value is _MISSING:
            return False, None
        self._items.move_to_end(trace_id)
        return True, value  # type: ignore[return-value]

    def pop(self, trace_id: int) -> tuple[bool, str | None]:
        """Forget and return the decision for ``trace_id`` (a new local root reopened the trace)."""
        value = self._items.pop(trace_id, _MISSING)
        self._late.pop(trace_id, None)
        if value is _MISSING:
            return False, None
        return True, value  # type: ignore[return-value]
