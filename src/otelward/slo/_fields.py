"""Typed readers for spec fields: each returns the value or raises one :class:`SpecError` naming the field."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from otelward.slo._durations import parse_duration
from otelward.slo._errors import Fail, shown
from otelward.slo._model import Matcher
from otelward.slo._promql import WINDOW_PLACEHOLDER
from otelward.slo._promql_parse import PromQLError, check_regex, parse_type

__all__ = [
    "LABEL_NAME",
    "read_buckets",
    "read_duration",
    "read_label_map",
    "read_mapping",
    "read_number",
    "read_query",
    "read_selector",
    "read_str",
    "read_str_list",
]

LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_OPS = ("=~", "!~", "!=", "=")


def read_mapping(value: object, field: str, fail: Fail) -> Mapping[str, object]:
    """Return ``value`` as a mapping with string keys."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        fail(field or None, f"must be a mapping of names to values, got {shown(value)}")
    return value


def read_str(value: object, field: str, fail: Fail) -> str:
    """Return ``value`` as a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        fail(field, f"must be a non-empty string, got {shown(value)}")
    return value.strip()


def read_str_list(value: object, field: str, fail: Fail) -> tuple[str, ...]:
    """Return ``value`` as a non-empty list of distinct non-empty strings."""
    if not isinstance(value, list) or not value:
        fail(field, f"must be a non-empty list of strings, got {shown(value)}")
    items = tuple(read_str(item, f"{field}[{i}]", fail) for i, item in enumerate(value))
    if len(set(items)) != len(items):
        fail(field, "lists the same value twice")
    return items


def read_number(value: object, field: str, fail: Fail) -> float:
    """Return ``value`` as a finite number (booleans and strings are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        fail(field, f"must be a number, got {shown(value)}")
    return float(value)


def read_duration(value: object, field: str, fail: Fail) -> int:
    """Return ``value`` (``30d``, ``1h30m``) in seconds."""
    try:
        return parse_duration(read_str(value, field, fail))
    except ValueError as err:
        fail(field, str(err))


def read_buckets(value: object, field: str, fail: Fail) -> tuple[float, ...]:
    """Return histogram boundaries from a list of numbers or ``"0.05,0.1,0.3"`` (as the env var takes)."""
    items: list[object] = list(value.split(",")) if isinstance(value, str) else []
    if isinstance(value, list):
        items = list(value)
    if not items:
        fail(field, f"must be a list of bucket boundaries in seconds, got {shown(value)}")
    bounds: list[float] = []
    for i, item in enumerate(items):
        try:
            bound = float(item.strip()) if isinstance(item, str) else read_number(item, field, fail)
        except ValueError:
            fail(f"{field}[{i}]", f"{shown(item)} is not a number")
        if not math.isfinite(bound) or bound <= 0:
            fail(f"{field}[{i}]", f"{shown(item)} is not a positive number of seconds")
        bounds.append(bound)
    if any(b >= a for a, b in zip(bounds[1:], bounds, strict=False)):
        fail(field, "boundaries must be strictly increasing")
    return tuple(bounds)


def _label_name(name: str, field: str, fail: Fail, reserved: tuple[str, ...]) -> None:
    if not LABEL_NAME.match(name) or name.startswith("__"):
        fail(f"{field}.{name}", "is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, no leading __)")
    if name in reserved:
        fail(f"{field}.{name}", f"is set by otelward; reserved here: {', '.join(reserved)}")


def read_label_map(
    value: object, field: str, fail: Fail, reserved: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """Return a ``{label: value}`` mapping as sorted pairs, refusing bad or reserved label names."""
    pairs = []
    for name, raw in read_mapping(value, field, fail).items():
        _label_name(name, field, fail, reserved)
        if not isinstance(raw, str):
            fail(f"{field}.{name}", f"must be a string (quote it), got {shown(raw)}")
        pairs.append((name, raw))
    return tuple(sorted(pairs))


def read_selector(value: object, field: str, fail: Fail) -> tuple[Matcher, ...]:
    """Return label matchers from ``{label: value}``; a value may start with ``=~``, ``!=`` or ``!~``."""
    matchers = []
    for name, raw in read_label_map(value, field, fail, reserved=("le",)):
        op = next((o for o in _OPS if raw.startswith(o)), "=")
        text = raw[len(op) :] if raw.startswith(op) else raw
        if op in ("=~", "!~") and (problem := check_regex(text)):
            fail(f"{field}.{name}", f"{shown(text)} {problem}")
        matchers.append(Matcher(name, op, text))
    return tuple(matchers)


def read_query(value: object, field: str, fail: Fail) -> str:
    """Return a raw SLI query: PromQL for a per-second rate, ``{{window}}`` where the range goes.

    It is parsed (with a 5m window) here, so a spec that validates never yields rules Prometheus
    refuses.
    """
    query = read_str(value, field, fail)
    if not WINDOW_PLACEHOLDER.search(query):
        fail(field, "must contain {{window}} where the range goes, e.g. rate(x[{{window}}])")
    try:
        # a duration as long as the placeholder, so positions in the message are the user's
        kind = parse_type(WINDOW_PLACEHOLDER.sub(lambda m: "0" * (len(m.group()) - 2) + "5m", query))
    except PromQLError as err:
        fail(field, f"is not PromQL otelward can check: {err}")
    if kind != "instant vector":
        fail(
            field, f"is {kind_article(kind)}; it must be an instant vector, e.g. sum(rate(x[{{{{window}}}}]))"
        )
    return query


def kind_article(kind: str) -> str:
    """Return ``a scalar`` / ``an instant vector``."""
    return ("an " if kind[0] in "aeiou" else "a ") + kind
