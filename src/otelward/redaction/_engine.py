"""The redaction engine: one pure object used by every signal (spans, logs, metrics).

It walks values (strings, numbers, sequences, mappings, JSON held in strings), applies key rules, URL and
SQL handling and the value detectors, and reports what it replaced as (path, rule) pairs, never values.
A string no detector can match (:func:`~otelward.redaction._gates.quiet`) is returned after a few C-speed
tests; what the scan found for a short string is memoised per engine, so repeated values cost one lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from otelward.redaction._attributes import MINUS_SMALL, SEEN_PLANS, SMALL, redact_attributes
from otelward.redaction._detectors import DETECTORS, OPT_IN, scan
from otelward.redaction._gates import ZERO_DIGITS, digit_shape, quiet
from otelward.redaction._memo import Memo, Result
from otelward.redaction._plans import (
    NUMBER_SAFE,
    PLAIN,
    QUERY,
    SCANNED,
    KeyRules,
)
from otelward.redaction._replace import Replacer
from otelward.redaction._routes import RouteSecrets
from otelward.redaction._walk import Found, Walker

__all__ = ["Found", "RedactionEngine"]

OnRedaction = Callable[[str, str, int], None]
"""Called with (rule, signal, count) after each call that redacted something."""

_MEMO_LEN = 2048
"""Longest string memoised (longer ones are rarely repeated)."""
_SEEN_LEN, _SEEN_MAX = 32, 2048
"""Short quiet strings remembered (about 200 KB at most): repeated enum-like values skip the gates."""
_SHAPE_LEN, _SHAPES_MAX = 256, 2048
"""Verdicts remembered by digit shape (about 0.75 MB at most): log messages and paths that differ only in
their numbers (ids, amounts, ports) skip the gates."""
_CARD_MIN = 10**12
"""Integers below this cannot be card numbers (13+ digits): kept under ordinary keys without a look."""


class RedactionEngine(Walker):
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
        self._keys = KeyRules(
            keys_on="keys" not in disabled,
            headers_on="headers" not in disabled,
            sql_on="sql" not in disabled,
            extra_keys=extra_keys,
            safe_keys=frozenset(k.lower() for k in safe_keys),
        )
        self._replacer = replacer or Replacer()
        self._any_key = bool(extra_keys)
        self._extra = extra_patterns
        # User patterns may match anything: no gate rules them out.
        self._gated = not extra_patterns
        self._phone = "phone" in self._enabled
        self._cap = max_scan_chars
        self._on_redaction = on_redaction
        self._routes = RouteSecrets(self._keys.is_sensitive, self._route_marker)
        self._memo = Memo()
        self._quiet_seen: set[str] = set()
        self._shapes: dict[bytes, bool] = {}
        # the hot loop over the engine's own tables (each is cleared, never replaced), one C-level call away
        self._plans = self._keys.plans
        self._attributes = partial(redact_attributes, self, self._plans, self._memo.entries, self._quiet_seen)

    # -- key rules ---------------------------------------------------------------------------------
    def is_sensitive_key(self, key: str) -> bool:
        """Return True when key rules (built-in or extra) say ``key`` holds a secret."""
        return self._keys.is_sensitive(key)

    # -- text --------------------------------------------------------------------------------------
    def quiet(self, text: str) -> bool:
        """Return True when scanning ``text`` as free text could not change it (the engine's fast path)."""
        seen = self._quiet_seen
        if len(text) <= _SEEN_LEN and text in seen:
            return True  # a short value seen before ("gold", "GET"): one set lookup
        shape = None
        if len(text) <= _SHAPE_LEN:
            try:  # digit_shape, inlined: every unique message passes here
                shape = text.encode().translate(ZERO_DIGITS)
            except UnicodeEncodeError:
                shape = digit_shape(text)
        verdict = self._shapes.get(shape)  # type: ignore[arg-type]  # None is never a key
        if verdict is not None:
            return verdict  # a text differing only in its digits was looked at ("order 73 charged 9.99")
        first = text[:1]
        verdict = (
            self._gated
            and len(text) <= self._cap
            and first not in "{["  # JSON is parsed and walked: its own path (and "" is never quiet)
            and not first.isspace()
            and not (self._routes.values and "/" in text)
            and quiet(text, self._phone, self._any_key)
        )
        if shape is not None:
            if len(self._shapes) >= _SHAPES_MAX:
                self._shapes.clear()
            self._shapes[shape] = verdict
        if verdict and len(text) <= _SEEN_LEN:
            if len(seen) >= _SEEN_MAX:
                seen.clear()
            seen.add(text)
        return verdict

    def _route_marker(self, value: str) -> str:
        return self._replacer.marker(value, "route_param", "url")

    def observe_route_params(self, span: Any) -> None:
        """Remember the sensitive route-parameter values of an ended server span (a span observer).

        Runs on the app thread as the request's span ends, before the server writes its access line; the
        last 256 values (3 characters or more) are masked as whole path segments in every scanned text.
        """
        attributes = getattr(span, "attributes", None)
        if (
            attributes
            and "http.route" in attributes
            and self._keys.keys_on
            and self._routes.observe(attributes)
        ):
            # results cached before these values were known would still show them
            self._memo.clear()
            self._quiet_seen.clear()
            self._shapes.clear()

    def _quiet_value(self, value: Any, plan: int) -> bool:
        """Return True when no detector can match a plain, URL or query string (or each of a tuple of them)."""
        if plan not in SCANNED or value.__class__ is int:
            return False
        for text in value if value.__class__ is tuple else (value,):
            if not self.quiet("?" + text if plan == QUERY and text[:1] not in "?&" else text):
                return False
        return True

    def _clean(self, value: Any, plan: int) -> bool:
        """Return True when a plain, URL or query value (or a tuple of them) has nothing to redact."""
        if plan not in SCANNED or value.__class__ is int:
            return False
        keys = self._keys
        for text in value if value.__class__ is tuple else (value,):
            if len(text) > self._cap or text[:1] in "{[" or (self._routes.values and "/" in text):
                return False  # capped, JSON or a remembered route secret: the full walk decides
            probe = "?" + text if plan == QUERY and text[:1] not in "?&" else text
            if self.quiet(probe):
                continue
            if scan(probe, self._enabled, keys.is_sensitive, keys.url_param, self._extra, self._any_key):
                return False
        return True

    def value_of(self, plan: int, value: Any, path: str, found: Found) -> Any:
        """Redact one value under ``plan``; short strings (and tuples of them) and ints are memoised."""
        cls = value.__class__
        if cls is int and -_CARD_MIN < value < _CARD_MIN and plan in NUMBER_SAFE:
            return value  # an ordinary number under an ordinary key (hot: ids in log extras)
        # Ints are memoised too: a long one (a thread id) is scanned as a possible card number.
        if (
            cls is not int
            and not (cls is str and len(value) <= _MEMO_LEN)
            and not (cls is tuple and all(v.__class__ is str and len(v) <= _MEMO_LEN for v in value))
        ):
            return self._walk(value, path, found, 0, plan)
        cached: Result | None = self._memo.entries.get((plan, value))
        if cached is None:
            if self._quiet_value(value, plan):
                return value  # the common miss (a unique path, id or message): not memoised
            if self._clean(value, plan):
                cached = (value, ())  # scanned, nothing found (a user agent, a host name)
            else:
                local: Found = []
                cached = (self._walk(value, "", local, 0, plan), tuple(local))
            self._memo.put(plan, value, cached)
        for sub, rule in cached[1]:
            found.append((path + sub, rule))
        return cached[0]

    # -- public API (the Redactor protocol, plus audited variants) ----------------------------------
    def redact_text(self, text: str) -> str:
        """Return ``text`` with every detected secret replaced (free text: log messages, exception text)."""
        if text.__class__ is str and self.quiet(text):
            return text
        return self.redact_text_audited(text, "body", [])

    def redact_text_audited(self, text: str, path: str, found: Found) -> str:
        """Like :meth:`redact_text`, appending (path, rule) for each replacement to ``found``."""
        try:
            result: str = self.value_of(PLAIN, text, path, found)
        except Exception:  # noqa: BLE001 - fail closed, never raise into the app
            found.append((path, "error"))
            return self._replacer.marker("", "error")
        return result

    def redact_line(self, message: str, extra: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
        """Return a log line's message and ``extra=`` fields redacted, each the same object when unchanged.

        One call per console line (the JSON formatter's record path) instead of one per field.
        """
        verdict = None
        if len(message) <= _SHAPE_LEN:
            try:  # noqa: SIM105 - quiet()'s shape lookup, inlined (suppress() costs a call): most messages end here
                verdict = self._shapes.get(message.encode().translate(ZERO_DIGITS))
            except UnicodeEncodeError:
                pass
        if not (verdict or self.quiet(message)):
            message = self.redact_text_audited(message, "body", [])
        if extra:
            seen, plans = self._quiet_seen, self._plans
            # the attribute loop's two fast verdicts (a short number, a string seen quiet), inline: most extras
            # end here, one frame less per line; anything else goes through the whole loop
            for key, value in extra.items():
                cls = value.__class__
                if cls is str:
                    if value in seen and plans.get(key) in SEEN_PLANS:
                        continue
                elif cls is int and MINUS_SMALL < value < SMALL and plans.get(key) in NUMBER_SAFE:
                    continue
                return message, self._attributes(extra, "", [])
        return message, extra

    def redact_value(self, key: str, value: Any) -> Any:
        """Return ``value`` redacted as the value of attribute ``key`` (key rules, URL/SQL rules, detectors)."""
        return self.redact_value_audited(key, value, key, [])

    def redact_value_audited(self, key: str, value: Any, path: str, found: Found) -> Any:
        """Like :meth:`redact_value`, appending (path, rule) for each replacement to ``found``."""
        try:
            return self.value_of(self._keys.plan(key), value, path, found)
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
        return self._attributes(attributes, prefix, found)

    def redact_route_params(
        self, attributes: Mapping[str, Any], name: str, found: Found
    ) -> tuple[Mapping[str, Any], str]:
        """Mask the path segments that ``http.route`` binds to sensitive parameter names.

        Reads the route and the path from ``attributes`` and masks those segments in the URL attributes and
        in ``name``; returns ``(attributes, name)``, the same objects when nothing was masked.
        """
        if not self._keys.keys_on:
            return attributes, name
        return self._routes.redact_span(attributes, name, found)

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
