"""Route-bound secrets for the engine: ``/reset/<token>`` puts the token in the path (see ``_paths``).

:class:`RouteSecrets` remembers the sensitive segment values of recent requests, for the log lines that
carry the path (access lines), and masks them on spans; which routes bind a sensitive parameter at all is
decided once per route template, so an ordinary route costs one dict lookup per span.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from otelward.redaction._paths import mask_segments, route_params, sensitive_segments

__all__ = ["RouteSecrets"]

Found = list[tuple[str, str]]

_KEPT = 256
"""Sensitive route values remembered for access lines (3 characters or more)."""
_MAX_ROUTES = 4096
# Where the request path appears on a server span (the route-bound secrets are masked in each).
_ROUTE_TARGETS = ("url.path", "url.full", "http.target", "http.url")


class RouteSecrets:
    """Mask path segments bound to sensitive route parameters.

    Args:
        sensitive: the key rule (``KeyRules.is_sensitive``).
        marker: renders the replacement of one segment value.
    """

    def __init__(self, sensitive: Callable[[str], bool], marker: Callable[[str], str]) -> None:
        self._sensitive = sensitive
        self._marker = marker
        self._risky: dict[str, bool] = {}
        # A tuple replaced whole, so the export threads read it without a lock.
        self.values: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def risky(self, route: str) -> bool:
        """Return True when ``route`` binds a path segment to a sensitive parameter name."""
        hit = self._risky.get(route)
        if hit is None:
            hit = any(self._sensitive(name) for name in route_params(route))
            if len(self._risky) >= _MAX_ROUTES:
                self._risky.clear()
            self._risky[route] = hit
        return hit

    def observe(self, attributes: Mapping[str, Any]) -> bool:
        """Remember the sensitive route values of an ended server span's ``attributes``.

        Returns:
            True when new values were remembered (results cached before would still show them).
        """
        route = attributes.get("http.route")
        if not isinstance(route, str) or not self.risky(route):
            return False
        path = attributes.get("url.path", attributes.get("http.target"))
        if not isinstance(path, str):
            return False
        values = [v for v in sensitive_segments(route, path, self._sensitive) if len(v) >= 3]
        if not values:
            return False
        with self._lock:
            kept = [v for v in self.values if v not in values]
            self.values = tuple([*kept, *values][-_KEPT:])
        return True

    def mask_text(self, text: str) -> str:
        """Return ``text`` with every remembered value masked where it is a whole path segment."""
        return mask_segments(text, self.values, self._marker) if self.values and "/" in text else text

    def redact_span(
        self, attributes: Mapping[str, Any], name: str, found: Found
    ) -> tuple[Mapping[str, Any], str]:
        """Mask the segments that ``http.route`` binds to sensitive names in the URL attributes and ``name``.

        Returns:
            ``(attributes, name)``, the same objects when nothing was masked.
        """
        route = attributes.get("http.route")
        path = attributes.get("url.path", attributes.get("http.target"))
        if not isinstance(route, str) or not isinstance(path, str) or not self.risky(route):
            return attributes, name
        values = sensitive_segments(route, path, self._sensitive)
        if not values:
            return attributes, name
        out = dict(attributes)
        for key in _ROUTE_TARGETS:
            value = out.get(key)
            if isinstance(value, str):
                new = mask_segments(value, values, self._marker)
                if new != value:
                    out[key] = new
                    found.append((key, "route_param"))
        new_name = mask_segments(name, values, self._marker)
        if new_name != name:
            found.append(("name", "route_param"))
        return out, new_name
