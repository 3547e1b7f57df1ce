"""Pure helpers for console log lines: timestamps, severities, safe JSON and control-character escaping.

Nothing here raises on odd input: a value JSON cannot encode degrades to a bounded ``repr``, a failing
``repr`` to a placeholder, and NaN/infinity to strings (bare ``NaN`` is not JSON).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "MAX_REPR_CHARS",
    "dumps",
    "encode_string",
    "escape_control",
    "rfc3339",
    "safe_repr",
    "severity_number",
    "severity_text",
]

MAX_REPR_CHARS = 2048
"""Longest ``repr`` of a non-serialisable value written to a log line."""

_MAX_DEPTH = 8
# C0/C1 controls, DEL, Unicode line/paragraph separators and lone surrogates: anything that could end a
# line, move the cursor, recolour a terminal or fail to encode.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_OTEL_BASE = {10: 5, 20: 9, 30: 13, 40: 17, 50: 21}
_TEXT = {"WARNING": "WARN", "CRITICAL": "FATAL"}


def severity_number(levelno: int) -> int:
    """Return the OTel severity number of a stdlib level (DEBUG 5, INFO 9, WARNING 13, ERROR 17, CRITICAL 21).

    Levels between the named ones use the next numbers of the same band, as the OTel SDK does.
    """
    if levelno < 10:
        return 0
    if levelno >= 53:
        return 24
    band = levelno // 10 * 10
    return _OTEL_BASE[band] + min(levelno - band, 3)


def severity_text(levelname: str) -> str:
    """Return the OTel severity text for a stdlib level name (``WARNING`` → ``WARN``, as the SDK sends)."""
    return _TEXT.get(levelname, levelname)


_second_cache: tuple[int, str] = (-1, "")


def rfc3339(created: float) -> str:
    """Return ``created`` (seconds since the epoch) as RFC 3339 UTC with microseconds."""
    global _second_cache
    seconds = int(created)
    micros = int((created - seconds) * 1_000_000)
    cached_second, prefix = _second_cache
    if cached_second != seconds:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _second_cache = (seconds, prefix)
    return f"{prefix}.{micros:06d}Z"


def safe_repr(value: Any, limit: int = MAX_REPR_CHARS) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters; never raises."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not cost the log line
        return f"<unrepresentable {type(value).__name__}>"
    if not isinstance(text, str):
        return f"<unrepresentable {type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "…"


def _sanitise(value: Any, depth: int = 0) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if depth >= _MAX_DEPTH:
        return safe_repr(value)
    if isinstance(value, Mapping):
        try:
            items = list(value.items())
        except Exception:  # noqa: BLE001 - a broken mapping degrades to its repr
            return safe_repr(value)
        return {k if isinstance(k, str) else safe_repr(k): _sanitise(v, depth + 1) for k, v in items}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_sanitise(v, depth + 1) for v in value]
    return safe_repr(value)


encode_string: Callable[[str], str] = json.encoder.encode_basestring_ascii
"""Return ``text`` as an ASCII JSON string literal, quotes included (C; the escaping :func:`dumps` applies)."""

_ENCODER = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=safe_repr)


def dumps(doc: Mapping[str, Any]) -> str:
    """Encode ``doc`` as one line of ASCII JSON; values JSON cannot take become bounded reprs.

    ``ensure_ascii`` escapes every control character, U+2028/U+2029 and lone surrogates, so no message can
    break the line or fail to encode on a narrow stream.
    """
    try:
        return _ENCODER.encode(doc)
    except (TypeError, ValueError, RecursionError):
        # circular references, non-string keys, NaN: rebuild a plain copy of the document
        return _ENCODER.encode(_sanitise(doc))


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    if char == "\t":
        return "\\t"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """Return ``text`` with control characters, line separators and lone surrogates backslash-escaped."""
    return _CONTROL.sub(_escape_one, text)
