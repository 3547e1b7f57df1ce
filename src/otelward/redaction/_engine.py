"""The redaction engine: one pure object used by every signal (spans, logs, metrics).

It walks values (strings, numbers, sequences, mappings, JSON held in strings), applies key rules, URL and
SQL handling and the value detectors, and reports what it replaced as (path, rule) pairs, never values.
Results for short strings are memoised per engine, so repeated attribute values cost one dict lookup.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from otelward.redaction import _keys
from otelward.redaction._detectors import DETECTORS, OPT_IN, marker_like, scan
from otelward.redaction._paths import mask_segments, sensitive_segments
from otelward.redaction._replace import Replacer, cut_point
from otelward.redaction._sql import sanitize_sql

__all__ = ["RedactionEngine"]

Found = list[tuple[str, str]]
OnRedaction = Callable[[str, str, int], None]
"""Called with (rule, signal, count) after each call that redacted something."""

_MEMO_MAX = 8192
_MEMO_LEN = 2048
_MEMO_BYTES = 1 << 20
"""The value memo's budget: unique log lines of ~2 KB made an 8192-entry memo retain ~16 MiB."""
_ENTRY_OVERHEAD = 200
"""Bytes of one memo entry besides its strings (dict slot, key and result tuples, object headers)."""
_MAX_DEPTH = 32
_SAFE_ALL, _SAFE, _SENSITIVE, _SQL, _URL, _QUERY, _PLAIN = range(7)
_NUMBER_SAFE = frozenset({_SAFE_ALL, _SAFE, _SQL, _URL, _QUERY, _PLAIN})
_SCANNED = frozenset({_PLAIN, _URL, _QUERY})
# Where the request path appears on a server span (the route-bound secrets are masked in each).
_PATH_SECRETS = 256
_ROUTE_TARGETS = ("url.path", "url.full", "http.target", "http.url")


class RedactionEngine:
    """Replace secrets and personal data in telemetry values; never raises.

    Args:
        disabled: detector classes switched off (``keys``, ``jwt``, ... see ``OTELWARD_REDACTION_DISABLE``);
            the opt-in classes (``phone``) are off unless this set leaves them out.
        replacer: renders replacements (mask or keyed hash).
        extra_keys: more key patterns (compiled, case-insensitive, searched in the whole key).
        extra_patterns: more value patterns, redacted wherever they appear.
        safe_keys: keys never redacted by key rules (case-insensitive; value detectors still apply).
        max_scan_chars: longest string scanned; the rest of a longer one is replaced.
        on_redaction: receives (rule, signal, count) for the self-metric.
    """

    def __init__(
        self,
        *,
        disabled: frozenset[str] = OPT_IN,
        replacer: Replacer | None = None,
        extra_keys: tuple[re.Pattern[str], ...] = (),
        extra_patterns: tuple[re.Pattern[str], ...] = (),
        safe_keys: frozenset[str] = frozenset(),
        max_scan_chars: int = 16_384,
        on_redaction: OnRedaction | None = None,
    ) -> None:
        self._enabled = frozenset(DETECTORS) - disabled
        self._keys_on = "keys" not in disabled
        self._sql_on = "sql" not in disabled
        self._headers_on = "headers" not in disabled
        self._replacer = replacer or Replacer()
        self._extra_keys = extra_keys
        self._any_key = bool(extra_keys)
        self._extra = extra_patterns
        self._safe = frozenset(k.lower() for k in safe_keys)
        self._cap = max_scan_chars
        self._on_redaction = on_redaction
        self._plans: dict[str, int] = {}
        self._sensitive: dict[str, bool] = {}
        # Values of sensitive route parameters of recent requests, for the log lines that carry the path
        # (access lines): a tuple replaced whole, so the export threads read it without a lock.
        self._path_secrets: tuple[str, ...] = ()
        self._path_lock = threading.Lock()
        self._memo: dict[tuple[str, Any], tuple[Any, tuple[tuple[str, str], ...]]] = {}
        self._memo_bytes = 0

    # -- key rules ---------------------------------------------------------------------------------
    def is_sensitive_key(self, key: str) -> bool:
        """Return True when key rules (built-in or extra) say ``key`` holds a secret."""
        hit = self._sensitive.get(key)
        if hit is None:
            hit = _keys.classify_key(key) or any(p.search(key) for p in self._extra_keys)
            if len(self._sensitive) >= _MEMO_MAX:
                self._sensitive.clear()
            self._sensitive[key] = hit
        return hit

    def _url_param(self, name: str) -> bool:
        low = name.lower()
        return low in _keys.URL_PARAMS or low.startswith("x-amz-") or self.is_sensitive_key(name)

    def _plan(self, key: str) -> int:
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        low = key.lower()
        header = _keys.header_name(low.replace("-", "_"))
        if key in _keys.ALWAYS_SAFE_KEYS:
            plan = _SAFE_ALL
        elif low in self._safe or not self._keys_on:
            plan = _SAFE
        elif (header is not None and self._headers_on and header in _keys.SENSITIVE_HEADERS) or (
            self.is_sensitive_key(key)
        ):
            plan = _SENSITIVE
        elif low in _keys.SQL_KEYS and self._sql_on:
            plan = _SQL
        elif low == "url.query":
            plan = _QUERY
        else:
            plan = _URL if low in _keys.URL_KEYS else _PLAIN
        if len(self._plans) >= _MEMO_MAX:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    # -- text --------------------------------------------------------------------------------------
    def _text(self, text: str, path: str, found: Found, url_safe: bool = False) -> str:
        tail = ""
        if len(text) > self._cap:
            cut = cut_point(text, self._cap)
            tail = self._replacer.marker(text[cut:], "scan_cap")
            found.append((path, "scan_cap"))
            text = text[:cut]
        hits = scan(text, self._enabled, self.is_sensitive_key, self._url_param, self._extra, self._any_key)
        if url_safe:
            hits = [(a, b, rule, "url" if style == "mask" else style) for a, b, rule, style in hits]
        out = self._replacer.apply(text, hits, found, path) + tail
        if self._path_secrets and "/" in out:
            masked = mask_segments(out, self._path_secrets, self._route_marker)
            if masked != out:
                found.append((path, "route_param"))
                out = masked
        return out

    def _route_marker(self, value: str) -> str:
        return self._replacer.marker(value, "route_param", "url")

    def observe_route_params(self, span: Any) -> None:
        """Remember the sensitive route-parameter values of an ended server span (a span observer).

        Runs on the app thread as the request's span ends, before the server writes its access line; the
        last 256 values (3 characters or more) are masked as whole path segments in every scanned text.
        """
        attributes = getattr(span, "attributes", None)
        if not attributes or "http.route" not in attributes or not self._keys_on:
            return
        route = attributes.get("http.route")
        path = attributes.get("url.path", attributes.get("http.target"))
        if not isinstance(route, str) or not isinstance(path, str):
            return
        values = [v for v in sensitive_segments(route, path, self.is_sensitive_key) if len(v) >= 3]
        if not values:
            return
        with self._path_lock:
            kept = [v for v in self._path_secrets if v not in values]
            self._path_secrets = tuple([*kept, *values][-_PATH_SECRETS:])
        self._memo.clear()  # results cached before these values were known would still show them

    def _string(self, plan: int, text: str, path: str, found: Found, depth: int) -> Any:
        if plan == _SAFE_ALL:
            return text
        if plan == _SENSITIVE:
            return self._mask(text, path, found)
        if plan == _SQL:
            sanitized = sanitize_sql(text)
            if sanitized != text:
                found.append((path, "sql"))
            text = sanitized
        elif plan == _QUERY and text and text[0] not in "?&":
            return self._text("?" + text, path, found, url_safe=True)[1:]
        stripped = text.strip()
        if stripped[:1] in "{[" and stripped[-1:] in "}]" and len(text) <= self._cap:
            parsed = self._json(text, path, found, depth)
            if parsed is not None:
                return parsed
        return self._text(text, path, found, url_safe=plan in (_URL, _QUERY))

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
    def _walk(self, value: Any, path: str, found: Found, depth: int, plan: int = _PLAIN) -> Any:
        if depth > _MAX_DEPTH:
            found.append((path, "depth"))
            return self._replacer.marker("", "depth")
        if isinstance(value, str):
            return self._string(plan, value, path, found, depth)
        if isinstance(value, bool) or value is None or plan == _SAFE_ALL:
            return value
        if plan == _SENSITIVE:
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
            and self._keys_on
            and any(self.is_sensitive_key(seg) for seg in target.split("/") if seg)
        )

    def _mapping(self, value: Mapping[Any, Any], path: str, found: Found, depth: int) -> Any:
        before = len(found)
        out: dict[Any, Any] = {}
        patch = "value" in value and self._patch_target(value)
        for k, v in value.items():
            key = self._text(k, path, found) if isinstance(k, str) else k
            sub = f"{path}.{key}" if path else str(key)
            plan = _SENSITIVE if patch and k == "value" else self._plan(str(k))
            out[key] = self._walk(v, sub, found, depth + 1, plan)
        return value if len(found) == before else out

    def _int(self, value: int, path: str, found: Found) -> Any:
        if "credit_card" in self._enabled and 10**12 <= abs(value) < 10**19:
            hits = scan(str(value), frozenset({"credit_card"}), bool, bool)
            if hits:
                found.append((path, "credit_card"))
                return self._replacer.marker(str(value), "credit_card")
        return value

    def _clean(self, value: Any, plan: int) -> bool:
        """Return True when a plain, URL or query value (or a tuple of them) has nothing to redact."""
        if plan not in _SCANNED or value.__class__ is int:
            return False
        secrets = self._path_secrets
        for text in value if value.__class__ is tuple else (value,):
            if len(text) > self._cap or text[:1] in "{[":
                return False  # capped or JSON: the full walk decides
            if secrets and "/" in text and any(v in text for v in secrets):
                return False  # a remembered route secret: the full scan masks it
            probe = "?" + text if plan == _QUERY and text[:1] not in "?&" else text
            if scan(probe, self._enabled, self.is_sensitive_key, self._url_param, self._extra, self._any_key):
                return False
        return True

    def _value(self, key: str, value: Any, path: str, found: Found) -> Any:
        """Redact one attribute value; memoised for short strings."""
        cls = value.__class__
        if cls is int and -(10**12) < value < 10**12 and self._plans.get(key) in _NUMBER_SAFE:
            return value  # an ordinary number under an ordinary key (hot: ids in log extras)
        # Ints are memoised too: a long one (a thread id) is scanned as a possible card number.
        if (
            cls is not int
            and not (cls is str and len(value) <= _MEMO_LEN)
            and not (cls is tuple and all(v.__class__ is str and len(v) <= _MEMO_LEN for v in value))
        ):
            return self._walk(value, path, found, 0, self._plan(key))
        memo_key = (key, value)
        cached = self._memo.get(memo_key)
        if cached is None:
            local: Found = []
            plan = self._plan(key)
            if self._clean(value, plan):
                result: Any = value  # the common miss (a unique path, query or id): nothing found
            else:
                result = self._walk(value, "", local, 0, plan)
            cached = (result, tuple(local))
            size = _ENTRY_OVERHEAD + len(key) + _size(value) + (0 if result is value else _size(result))
            if len(self._memo) >= _MEMO_MAX or self._memo_bytes + size > _MEMO_BYTES:
                self._memo.clear()
                self._memo_bytes = 0
            self._memo[memo_key] = cached
            self._memo_bytes += size
        for sub, rule in cached[1]:
            found.append((path + sub, rule))
        return cached[0]

    # -- public API (the Redactor protocol, plus audited variants) ----------------------------------
    def redact_text(self, text: str) -> str:
        """Return ``text`` with every detected secret replaced (free text: log messages, exception text)."""
        return self.redact_text_audited(text, "body", [])

    def redact_text_audited(self, text: str, path: str, found: Found) -> str:
        """Like :meth:`redact_text`, appending (path, rule) for each replacement to ``found``."""
        try:
            result: str = self._value("", text, path, found)
        except Exception:  # noqa: BLE001 - fail closed, never raise into the app
            found.append((path, "error"))
            return self._replacer.marker("", "error")
        return result

    def redact_value(self, key: str, value: Any) -> Any:
        """Return ``value`` redacted as the value of attribute ``key`` (key rules, URL/SQL rules, detectors)."""
        return self.redact_value_audited(key, value, key, [])

    def redact_value_audited(self, key: str, value: Any, path: str, found: Found) -> Any:
        """Like :meth:`redact_value`, appending (path, rule) for each replacement to ``found``."""
        try:
            return self._value(key, value, path, found)
        except Exception:  # noqa: BLE001 - fail closed, never raise into the app
            found.append((path, "error"))
            return self._replacer.marker("", "error")

    def redact_attributes(self, attributes: Mapping[str, Any], signal: str) -> Mapping[str, Any]:
        """Return redacted attributes (the same object when nothing changed); counts redactions by signal."""
        found: Found = []
        out = self.redact_attributes_audited(attributes, "", found)
        self.count(found, signal)
        return out

    def redact_attributes_audited(
        self, attributes: Mapping[str, Any], prefix: str, found: Found
    ) -> Mapping[str, Any]:
        """Redact ``attributes``; append (prefix + key path, rule) to ``found``; same object if unchanged."""
        memo, plans = self._memo, self._plans
        out: dict[str, Any] | None = None
        done = 0
        for key, value in attributes.items():
            # Fast path, inlined on purpose (hot: every attribute of every exported span): a repeated
            # string or a number under an ordinary key costs one or two dict lookups.
            cls = value.__class__
            if (
                (cls is int or cls is float or cls is bool)
                and plans.get(key) in _NUMBER_SAFE
                and (cls is not int or -(10**12) < value < 10**12)
            ):
                if out is not None:
                    out[key] = value
                done += 1
                continue
            if cls is str or cls is tuple or cls is int:
                cached = memo.get((key, value))
                if cached is not None:
                    new, subs = cached
                    if subs:
                        found.extend((prefix + key + sub, rule) for sub, rule in subs)
                    if new is not value and out is None:
                        out = dict(itertools.islice(attributes.items(), done))
                    if out is not None:
                        out[key] = new
                    done += 1
                    continue
            new = self.redact_value_audited(key, value, prefix + key, found)
            if new is not value and out is None:
                out = dict(itertools.islice(attributes.items(), done))
            if out is not None:
                out[key] = new
            done += 1
        return attributes if out is None else out

    def redact_route_params(
        self, attributes: Mapping[str, Any], name: str, found: Found
    ) -> tuple[Mapping[str, Any], str]:
        """Mask the path segments that ``http.route`` binds to sensitive parameter names.

        Reads the route and the path from ``attributes`` and masks those segments in the URL attributes and
        in ``name``; returns ``(attributes, name)``, the same objects when nothing was masked.
        """
        route = attributes.get("http.route")
        path = attributes.get("url.path", attributes.get("http.target"))
        if not self._keys_on or not isinstance(route, str) or not isinstance(path, str):
            return attributes, name
        values = sensitive_segments(route, path, self.is_sensitive_key)
        if not values:
            return attributes, name

        def mark(value: str) -> str:
            return self._replacer.marker(value, "route_param", "url")

        out = dict(attributes)
        for key in _ROUTE_TARGETS:
            value = out.get(key)
            if isinstance(value, str):
                new = mask_segments(value, values, mark)
                if new != value:
                    out[key] = new
                    found.append((key, "route_param"))
        new_name = mask_segments(name, values, mark)
        if new_name != name:
            found.append(("name", "route_param"))
        return out, new_name

    def count(self, found: Found, signal: str) -> None:
        """Report the redactions in ``found`` to the self-metric callback, by rule."""
        if not found or self._on_redaction is None:
            return
        by_rule: dict[str, int] = {}
        for _, rule in found:
            by_rule[rule] = by_rule.get(rule, 0) + 1
        for rule, n in by_rule.items():
            try:
                self._on_redaction(rule, signal, n)
            except Exception:  # noqa: BLE001, S112 - a failing counter must not stop redaction
                continue


def _size(value: Any) -> int:
    """Return about how many bytes ``value`` (a memoised str, int or tuple of str) keeps alive."""
    cls = value.__class__
    if cls is str:
        return len(value) if value.isascii() else 4 * len(value)
    if cls is tuple:
        return sum(_size(v) + 8 for v in value)
    return 32
