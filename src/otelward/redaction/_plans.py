"""Key plans: what the engine does with a value, decided once per attribute key from the key rules."""

from __future__ import annotations

import re

from otelward.redaction import _keys

__all__ = [
    "NUMBER_SAFE",
    "PLAIN",
    "QUERY",
    "SAFE",
    "SAFE_ALL",
    "SCANNED",
    "SENSITIVE",
    "SQL",
    "URL",
    "KeyRules",
]

SAFE_ALL, SAFE, SENSITIVE, SQL, URL, QUERY, PLAIN = range(7)
"""Plans: never redacted (ids), no key rules (safe keys), masked whole, SQL, URL, URL query, free text."""
NUMBER_SAFE = frozenset({SAFE_ALL, SAFE, SQL, URL, QUERY, PLAIN})
"""Plans under which an ordinary number (|n| < 10**12, too short for a card) is kept as is."""
SCANNED = frozenset({PLAIN, URL, QUERY})
"""Plans whose strings go through the value detectors only (no key or SQL rule of their own)."""

_MAX_KEYS = 8192


class KeyRules:
    """Decide, per key and memoised (bounded), whether a key is sensitive and which plan its values get.

    Args:
        keys_on: key rules enabled (``keys`` not in ``OTELWARD_REDACTION_DISABLE``).
        headers_on: captured-header rules enabled.
        sql_on: SQL sanitising enabled.
        extra_keys: more key patterns (compiled, case-insensitive, searched in the whole key).
        safe_keys: keys never redacted by key rules (lowercase).
    """

    def __init__(
        self,
        *,
        keys_on: bool,
        headers_on: bool,
        sql_on: bool,
        extra_keys: tuple[re.Pattern[str], ...],
        safe_keys: frozenset[str],
    ) -> None:
        self.keys_on = keys_on
        self._headers_on = headers_on
        self._sql_on = sql_on
        self._extra_keys = extra_keys
        self._safe = safe_keys
        self.plans: dict[str, int] = {}
        """key -> plan, read directly by the engine's hot loops (a miss: call :meth:`plan`)."""
        self._sensitive: dict[str, bool] = {}

    def is_sensitive(self, key: str) -> bool:
        """Return True when key rules (built-in or extra) say ``key`` holds a secret."""
        hit = self._sensitive.get(key)
        if hit is None:
            hit = _keys.classify_key(key) or any(p.search(key) for p in self._extra_keys)
            if len(self._sensitive) >= _MAX_KEYS:
                self._sensitive.clear()
            self._sensitive[key] = hit
        return hit

    def url_param(self, name: str) -> bool:
        """Return True when the URL query parameter ``name`` holds a secret."""
        low = name.lower()
        return low in _keys.URL_PARAMS or low.startswith("x-amz-") or self.is_sensitive(name)

    def plan(self, key: str) -> int:
        """Return the plan for values of ``key``."""
        plan = self.plans.get(key)
        if plan is not None:
            return plan
        low = key.lower()
        header = _keys.header_name(low.replace("-", "_"))
        if key in _keys.ALWAYS_SAFE_KEYS:
            plan = SAFE_ALL
        elif low in self._safe or not self.keys_on:
            plan = SAFE
        elif (header is not None and self._headers_on and header in _keys.SENSITIVE_HEADERS) or (
            self.is_sensitive(key)
        ):
            plan = SENSITIVE
        elif low in _keys.SQL_KEYS and self._sql_on:
            plan = SQL
        elif low == "url.query":
            plan = QUERY
        else:
            plan = URL if low in _keys.URL_KEYS else PLAIN
        if len(self.plans) >= _MAX_KEYS:
            self.plans.clear()
        self.plans[key] = plan
        return plan
