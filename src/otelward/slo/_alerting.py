"""Read ``alerting:`` blocks (file-wide and per SLO) into alert windows and per-severity alert settings.

An SLO's block overrides the file's field by field: its ``windows`` replace the file's, its labels and
annotations are added over the file's, and ``page``/``ticket`` merge the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from otelward.slo._errors import Fail, check_keys, shown
from otelward.slo._fields import read_duration, read_label_map, read_mapping, read_number, read_str
from otelward.slo._model import DEFAULT_ALERTS, Alert
from otelward.slo._windows import WindowRule

__all__ = ["SEVERITIES", "AlertingBlock", "build_alerts", "merge_alerting", "read_alerting"]

SEVERITIES = ("page", "ticket")
_KEYS = ("annotations", "labels", *SEVERITIES, "windows")
_SEVERITY_KEYS = ("annotations", "disable", "labels", "name")
_WINDOW_KEYS = ("budget_percent", "factor", "long", "severity", "short")
_RESERVED_LABELS = ("service", "severity", "slo")
_ALERT_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$")
# Template actions Prometheus expands in alert labels and annotations. Only these simple forms are
# accepted, so a spec that validates never carries a template promtool would refuse.
_ACTION = re.compile(
    r"\{\{-?\s*(?:\$value|\$labels\.[a-zA-Z_][a-zA-Z0-9_]*|\$externalLabels\.[a-zA-Z_][a-zA-Z0-9_]*)"
    r'(?:\s*\|\s*(?:humanize|humanize1024|humanizePercentage|humanizeDuration|printf\s+"[^"\\{}]*"))?\s*-?\}\}'
)


@dataclass(frozen=True)
class AlertingBlock:
    """One ``alerting:`` block as written; ``None`` or empty where it says nothing."""

    windows: tuple[WindowRule, ...] | None = None
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    severities: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


def _templates(pairs: tuple[tuple[str, str], ...], where: str, fail: Fail) -> None:
    for name, value in pairs:
        rest = _ACTION.sub("", value)
        if "{{" in rest or "}}" in rest:
            fail(
                f"{where}.{name}",
                f"{shown(value)} has a template otelward cannot check; use {{{{ $value }}}}, "
                '{{ $labels.<name> }}, optionally piped to humanize or printf "..."',
            )


def _pairs(
    data: Mapping[str, object], key: str, where: str, fail: Fail, reserved: bool
) -> tuple[tuple[str, str], ...]:
    if key not in data:
        return ()
    pairs = read_label_map(data[key], f"{where}.{key}", fail, _RESERVED_LABELS if reserved else ())
    _templates(pairs, f"{where}.{key}", fail)
    return pairs


def _window(item: object, where: str, fail: Fail) -> WindowRule:
    entry = read_mapping(item, where, fail)
    check_keys(entry, _WINDOW_KEYS, where, fail)
    severity = entry.get("severity")
    if severity not in SEVERITIES:
        fail(f"{where}.severity", f"must be page or ticket, got {shown(severity)}")
    long_s = read_duration(entry.get("long"), f"{where}.long", fail)
    short_s = read_duration(entry.get("short"), f"{where}.short", fail)
    if short_s >= long_s:
        fail(f"{where}.short", "must be shorter than long")
    if ("budget_percent" in entry) == ("factor" in entry):
        fail(where, "needs exactly one of budget_percent (share spent in long) or factor (burn rate)")
    if "factor" in entry:
        factor = read_number(entry["factor"], f"{where}.factor", fail)
        if not 1 <= factor <= 1e6:
            fail(f"{where}.factor", f"must be a burn rate of at least 1, got {factor:g}")
        return WindowRule(where, str(severity), long_s, short_s, factor=factor)
    percent = read_number(entry["budget_percent"], f"{where}.budget_percent", fail)
    if not 0 < percent <= 100:
        fail(f"{where}.budget_percent", f"must be in (0, 100], got {percent:g}")
    return WindowRule(where, str(severity), long_s, short_s, budget_share=percent / 100.0)


def read_alerting(value: object, where: str, fail: Fail) -> AlertingBlock:
    """Return the ``alerting`` block at ``where`` (``alerting`` or an SLO's ``alerting``)."""
    data = read_mapping(value, where, fail)
    check_keys(data, _KEYS, where, fail)
    windows = None
    if "windows" in data:
        items = data["windows"]
        if not isinstance(items, list) or not items:
            fail(f"{where}.windows", "must be a non-empty list of {severity, long, short, budget_percent}")
        windows = tuple(_window(item, f"{where}.windows[{i}]", fail) for i, item in enumerate(items))
    severities: dict[str, Mapping[str, object]] = {}
    for severity in SEVERITIES:
        if severity not in data:
            continue
        path = f"{where}.{severity}"
        entry = read_mapping(data[severity], path, fail)
        check_keys(entry, _SEVERITY_KEYS, path, fail)
        parsed: dict[str, object] = {}
        if "disable" in entry:
            if not isinstance(entry["disable"], bool):
                fail(f"{path}.disable", f"must be true or false, got {shown(entry['disable'])}")
            parsed["disable"] = entry["disable"]
        if "name" in entry:
            name = read_str(entry["name"], f"{path}.name", fail)
            if not _ALERT_NAME.match(name):
                fail(f"{path}.name", f"{shown(name)} is not an alert name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
            parsed["name"] = name
        parsed["labels"] = _pairs(entry, "labels", path, fail, reserved=True)
        parsed["annotations"] = _pairs(entry, "annotations", path, fail, reserved=False)
        severities[severity] = parsed
    return AlertingBlock(
        windows,
        _pairs(data, "labels", where, fail, reserved=True),
        _pairs(data, "annotations", where, fail, reserved=False),
        severities,
    )


def _over(base: tuple[tuple[str, str], ...], top: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({**dict(base), **dict(top)}.items()))


def merge_alerting(base: AlertingBlock, own: AlertingBlock) -> AlertingBlock:
    """Return ``own`` over ``base``, field by field."""
    severities: dict[str, Mapping[str, object]] = {}
    for severity in SEVERITIES:
        low, high = base.severities.get(severity, {}), own.severities.get(severity, {})
        merged = {**low, **high}
        for key in ("labels", "annotations"):
            merged[key] = _over(low.get(key, ()), high.get(key, ()))  # type: ignore[arg-type]
        severities[severity] = merged
    return AlertingBlock(
        own.windows if own.windows is not None else base.windows,
        _over(base.labels, own.labels),
        _over(base.annotations, own.annotations),
        severities,
    )


def build_alerts(block: AlertingBlock) -> tuple[Alert, ...]:
    """Return the page and ticket alert settings of one SLO."""
    alerts = []
    for default in DEFAULT_ALERTS:
        entry = block.severities.get(default.severity, {})
        alerts.append(
            Alert(
                default.severity,
                str(entry.get("name", default.name)),
                not entry.get("disable", False),
                _over(block.labels, entry.get("labels", ())),  # type: ignore[arg-type]
                _over(block.annotations, entry.get("annotations", ())),  # type: ignore[arg-type]
            )
        )
    return tuple(alerts)
