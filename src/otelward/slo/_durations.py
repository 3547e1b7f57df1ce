"""Parse and format Prometheus durations (``5m``, ``1h30m``, ``30d``) and latency thresholds (``300ms``)."""

from __future__ import annotations

import math
import re

from otelward.slo._errors import shown

__all__ = ["format_duration", "parse_duration", "parse_seconds"]

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_SECONDS = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?$")


def parse_duration(text: str) -> int:
    """Return the whole seconds in a Prometheus duration such as ``30d`` or ``1h30m``.

    Raises:
        ValueError: not a positive duration made of w/d/h/m/s parts, largest first.
    """
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None:
        raise ValueError(f"{shown(text)} is not a duration; use e.g. 5m, 1h, 30d or 1h30m")
    seconds = sum(
        int(part) * unit for part, unit in zip(match.groups(), _UNITS.values(), strict=True) if part
    )
    if seconds <= 0:
        raise ValueError(f"{shown(text)} is not a positive duration")
    return seconds


def format_duration(seconds: int) -> str:
    """Return ``seconds`` as a Prometheus duration in d/h/m/s (``86400`` → ``1d``, ``5400`` → ``1h30m``)."""
    if seconds <= 0:
        raise ValueError(f"{seconds} is not a positive number of seconds")
    # Days, not weeks: a 28d period stays `28d` in recorded series names, as users write it.
    parts = []
    rest = seconds
    for suffix, unit in _UNITS.items():
        if suffix != "w" and rest >= unit:
            parts.append(f"{rest // unit}{suffix}")
            rest %= unit
    return "".join(parts)


def parse_seconds(value: object) -> float:
    """Return a latency threshold in seconds from ``0.3``, ``"300ms"``, ``"0.3s"`` or ``"1"``.

    Raises:
        ValueError: not a positive number of seconds or milliseconds.
    """
    if isinstance(value, bool):
        raise ValueError(f"{shown(value)} is not a duration; use e.g. 300ms or 0.3s")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _SECONDS.match(value.strip())):
        seconds = float(match.group(1)) / (1000.0 if match.group(2) == "ms" else 1.0)
    else:
        raise ValueError(f"{shown(value)} is not a duration; use e.g. 300ms or 0.3s")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{shown(value)} is not a positive duration")
    return seconds
