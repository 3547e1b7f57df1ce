"""Parse raw environment strings into typed values, with one-line error messages.

Pure functions only: they take a declared variable and a raw string and return a value or raise
:class:`ConfigValueError`. The message names the variable, the bad value and what is accepted, so the
caller can print it verbatim as the single line the user sees.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote

__all__ = [
    "ConfigValueError",
    "EnvVar",
    "Kind",
    "parse_value",
]

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_SHOWN_VALUE_LIMIT = 60
_SECRET_WORDS = ("HEADERS", "TOKEN", "PASSWORD", "SECRET", "KEY", "CREDENTIAL")


class Kind(str, Enum):
    """The type of an environment variable, as documented and parsed."""

    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    STR = "string"
    ENUM = "enum"
    LIST = "list"
    KEYVALUES = "key=value list"
    SECRET = "secret"  # noqa: S105 - a type name, not a credential
    PATH = "path"


@dataclass(frozen=True)
class EnvVar:
    """One environment variable otelward reads: its name, type, default, example and meaning."""

    name: str
    kind: Kind
    default: str | None
    example: str
    doc: str
    section: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    # Variables otelward only sets defaults for or passes on, but does not parse itself.
    passthrough: bool = False

    @property
    def is_secret(self) -> bool:
        """Whether values of this variable must never be printed (tokens, keys, headers, passwords)."""
        if self.kind is Kind.SECRET:
            return True
        # Paths to key files are not secret; their contents are.
        return self.kind is not Kind.PATH and any(word in self.name for word in _SECRET_WORDS)


class ConfigValueError(ValueError):
    """A raw value that does not parse; ``str(err)`` is the one line shown to the user."""

    def __init__(self, var: EnvVar, raw: str, accepted: str) -> None:
        """Build the message from the variable, the offending value and the accepted values."""
        shown = raw if not var.is_secret else "<hidden>"
        if len(shown) > _SHOWN_VALUE_LIMIT:
            shown = shown[:_SHOWN_VALUE_LIMIT] + "..."
        default = "unset" if var.default is None else repr(var.default)
        super().__init__(
            f"otelward: {var.name}={shown!r} is not valid; accepted: {accepted}; using the default ({default})"
        )
        self.var = var
        self.raw = raw


def _parse_bool(var: EnvVar, raw: str) -> bool:
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ConfigValueError(var, raw, "true or false")


def _bounds(var: EnvVar) -> str:
    lo = "-inf" if var.minimum is None else f"{var.minimum:g}"
    hi = "inf" if var.maximum is None else f"{var.maximum:g}"
    return f"[{lo}, {hi}]"


def _check_range(var: EnvVar, raw: str, value: float, what: str) -> None:
    if (var.minimum is not None and value < var.minimum) or (var.maximum is not None and value > var.maximum):
        raise ConfigValueError(var, raw, f"{what} in {_bounds(var)}")


def _parse_int(var: EnvVar, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigValueError(var, raw, f"an integer in {_bounds(var)}") from None
    _check_range(var, raw, value, "an integer")
    return value


def _parse_float(var: EnvVar, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigValueError(var, raw, f"a number in {_bounds(var)}") from None
    if not math.isfinite(value):
        raise ConfigValueError(var, raw, f"a finite number in {_bounds(var)}")
    _check_range(var, raw, value, "a number")
    return value


def _parse_enum(var: EnvVar, raw: str) -> str:
    low = raw.strip().lower()
    if low not in var.choices:
        raise ConfigValueError(var, raw, ", ".join(var.choices))
    return low


def split_list(raw: str) -> tuple[str, ...]:
    """Split a comma-separated list, dropping blanks and surrounding spaces."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _parse_list(var: EnvVar, raw: str) -> tuple[str, ...]:
    items = split_list(raw)
    if var.choices:
        bad = [item for item in items if item.lower() not in var.choices]
        if bad:
            raise ConfigValueError(var, raw, "a comma-separated list of " + ", ".join(var.choices))
        return tuple(item.lower() for item in items)
    return items


_KEY_RE = re.compile(r"^[^\s=,]+$")


def _parse_keyvalues(var: EnvVar, raw: str) -> tuple[tuple[str, str], ...]:
    # W3C-baggage-like `k=v,k2=v2` with percent-decoding, as OTEL_EXPORTER_OTLP_HEADERS specifies.
    pairs: list[tuple[str, str]] = []
    for item in raw.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = unquote(key.strip())
        if not sep or not _KEY_RE.match(key):
            raise ConfigValueError(var, raw, "comma-separated key=value pairs")
        pairs.append((key, unquote(value.strip())))
    return tuple(pairs)


def _parse_str(var: EnvVar, raw: str) -> str:
    return raw.strip()


_PARSERS: dict[Kind, Callable[[EnvVar, str], object]] = {
    Kind.BOOL: _parse_bool,
    Kind.INT: _parse_int,
    Kind.FLOAT: _parse_float,
    Kind.ENUM: _parse_enum,
    Kind.LIST: _parse_list,
    Kind.KEYVALUES: _parse_keyvalues,
    Kind.STR: _parse_str,
    Kind.SECRET: _parse_str,
    Kind.PATH: _parse_str,
}


def parse_value(var: EnvVar, raw: str) -> object:
    """Parse ``raw`` as ``var`` declares it.

    Raises:
        ConfigValueError: the value does not fit the declaration.
    """
    return _PARSERS[var.kind](var, raw)
