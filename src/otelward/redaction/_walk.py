"""The engine's walk: strings (key plans, SQL, URLs, JSON held in strings), numbers, sequences, mappings.

:class:`Walker` is the part of :class:`~otelward.redaction._engine.RedactionEngine` that finds and replaces;
the engine adds the fast paths (``quiet``, the memo) and the public API. Pure: no I/O, no globals.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from otelward.redaction._detectors import marker_like, scan
from otelward.redaction._plans import PLAIN, QUERY, SAFE_ALL, SENSITIVE, SQL, URL, KeyRules
from otelward.redaction._replace import Replacer, cut_point
from otelward.redaction._routes import RouteSecrets
from otelward.redaction._sql import sanitize_sql

__all__ = ["Found", "Walker"]

Found = list[tuple[str, str]]
"""(path, rule) for every replacement: where and why, never the value."""

_MAX_DEPTH = 32
_CARD_MIN, _CARD_MAX = 10**12, 10**19
"""Integers of 13 to 19 digits may be card numbers."""


class Walker:
    """Find and replace secrets in one value under a plan (set up by the engine's constructor)."""

    _enabled: frozenset[str]
    _keys: KeyRules
    _replacer: Replacer
    _extra: tuple[re.Pattern[str], ...]
    _any_key: bool
    _cap: int
    _routes: RouteSecrets

    def _text(self, text: str, path: str, found: Found, url_safe: bool = False) -> str:
        tail = ""
        if len(text) > self._cap:
            cut = cut_point(text, self._cap)
            tail = self._replacer.marker(text[cut:], "scan_cap")
            found.append((path, "scan_cap"))
            text = text[:cut]
        keys = self._keys
        hits = scan(text, self._enabled, keys.is_sensitive, keys.url_param, self._extra, self._any_key)
        if url_safe:
            hits = [(a, b, rule, "url" if style == "mask" else style) for a, b, rule, style in hits]
        out = self._replacer.apply(text, hits, found, path) + tail
        masked = self._routes.mask_text(out)
        if masked != out:
            found.append((path, "route_param"))
        return masked

    def _string(self, plan: int, text: str, path: str, found: Found, depth: int) -> Any:
        if plan == SAFE_ALL:
            return text
        if plan == SENSITIVE:
            return self._mask(text, path, found)
        if plan == SQL:
            sanitized = sanitize_sql(text)
            if sanitized != text:
                found.append((path, "sql"))
            text = sanitized
        elif plan == QUERY and text and text[0] not in "?&":
            return self._text("?" + text, path, found, url_safe=True)[1:]
        stripped = text.strip()
        if stripped[:1] in "{[" and stripped[-1:] in "}]" and len(text) <= self._cap:
            parsed = self._json(text, path, found, depth)
            if parsed is not None:
                return parsed
        return self._text(text, path, found, url_safe=plan in (URL, QUERY))

    def _json(self, text: str, path: str, found: Found, depth: int) -> str | None:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        before = len(found)
        walked = self._walk(data, path, found, depth + 1)
        if len(found) == before:
            return text
        return json.dumps(walked, ensure_ascii=False)

    def _mask(self, value: Any, path: str, found: Found) -> Any:
        if isinstance(value, (list, tuple)):
            return type(value)(self._mask(v, f"{path}[{i}]", found) for i, v in enumerate(value))
        if isinstance(value, str) and marker_like(value):
            return value
        if value is None or isinstance(value, bool):
            return value
        found.append((path, "key"))
        return self._replacer.marker(str(value), "key")

    # -- values ------------------------------------------------------------------------------------
    def _walk(self, value: Any, path: str, found: Found, depth: int, plan: int = PLAIN) -> Any:
        if depth > _MAX_DEPTH:
            found.append((path, "depth"))
            return self._replacer.marker("", "depth")
        if isinstance(value, str):
            return self._string(plan, value, path, found, depth)
        if isinstance(value, bool) or value is None or plan == SAFE_ALL:
            return value
        if plan == SENSITIVE:
            return self._mask(value, path, found)
        if isinstance(value, int):
            return self._int(value, path, found)
        if isinstance(value, (list, tuple)):
            before = len(found)
            items = [self._walk(v, f"{path}[{i}]", found, depth + 1, plan) for i, v in enumerate(value)]
            return value if len(found) == before else type(value)(items)
        if isinstance(value, Mapping):
            return self._mapping(value, path, found, depth)
        return value

    def _patch_target(self, value: Mapping[Any, Any]) -> bool:
        """Return True for a JSON Patch operation whose ``path`` names a sensitive field."""
        target = value.get("path")
        return (
            isinstance(target, str)
            and "op" in value
            and self._keys.keys_on
            and any(self._keys.is_sensitive(seg) for seg in target.split("/") if seg)
        )

    def _mapping(self, value: Mapping[Any, Any], path: str, found: Found, depth: int) -> Any:
        before = len(found)
        out: dict[Any, Any] = {}
        patch = "value" in value and self._patch_target(value)
        for k, v in value.items():
            key = self._text(k, path, found) if isinstance(k, str) else k
            sub = f"{path}.{key}" if path else str(key)
            plan = SENSITIVE if patch and k == "value" else self._keys.plan(str(k))
            out[key] = self._walk(v, sub, found, depth + 1, plan)
        return value if len(found) == before else out

    def _int(self, value: int, path: str, found: Found) -> Any:
        if "credit_card" in self._enabled and _CARD_MIN <= abs(value) < _CARD_MAX:
            hits = scan(str(value), frozenset({"credit_card"}), bool, bool)
            if hits:
                found.append((path, "credit_card"))
                return self._replacer.marker(str(value), "credit_card")
        return value
