"""Validate an otelward ``slo.yaml`` (already parsed into Python objects) into a :class:`Spec`.

Strict on purpose: an unknown field, a wrong type, an objective of 0 or 100, or a latency threshold
that is not a histogram bucket boundary is an error, reported as one line naming the file, the SLO
and the field. A typo must never silently produce rules that measure something else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from otelward.config._env_vars import BY_NAME
from otelward.slo._durations import format_duration, parse_seconds
from otelward.slo._errors import Fail, check_keys
from otelward.slo._fields import (
    read_buckets,
    read_duration,
    read_label_map,
    read_mapping,
    read_number,
    read_selector,
    read_str,
    read_str_list,
)
from otelward.slo._model import DEFAULT_RUNBOOK_URL, DEFAULT_WINDOWS, BurnWindow, Matcher, Sli, Slo, Spec
from otelward.slo._promql import WINDOW_PLACEHOLDER, one_of

__all__ = ["HTTP_METHODS", "SPAN_KINDS", "default_buckets", "parse_native"]

HTTP_METHODS = ("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "_OTHER")
SPAN_KINDS = ("consumer", "server")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_TOP = ("alerting", "buckets", "period", "runbook_url", "selector", "service", "slos", "version")
_SLO = ("description", "labels", "name", "objective", "period", "runbook_url", "sli")
_FILTERS = {"http": ("methods", "routes"), "operation": ("operations", "span_kinds")}
_WINDOW = ("budget_percent", "long", "severity", "short")
_RESERVED_LABELS = ("service", "severity", "slo")


def default_buckets() -> tuple[float, ...]:
    """Return the histogram boundaries otelward uses unless OTELWARD_METRICS_DURATION_BUCKETS changes them."""
    raw = BY_NAME["OTELWARD_METRICS_DURATION_BUCKETS"].default or ""
    return tuple(float(b) for b in raw.split(","))


def parse_native(data: object, source: str) -> Spec:
    """Return the validated spec of an otelward-format document.

    Raises:
        SpecError: the first problem found, as one line.
    """
    fail = Fail(source)
    top = read_mapping(data, "", fail)
    check_keys(top, _TOP, "", fail)
    if "version" in top and top["version"] != 1:
        fail("version", f"must be 1 (the only spec version), got {top['version']!r}")
    service = read_str(top.get("service"), "service", fail)
    period = read_duration(top.get("period", "30d"), "period", fail)
    selector = (
        read_selector(top["selector"], "selector", fail)
        if "selector" in top
        else (Matcher("job", "=", service),)
    )
    buckets = read_buckets(top["buckets"], "buckets", fail) if "buckets" in top else default_buckets()
    runbook = read_str(top.get("runbook_url", DEFAULT_RUNBOOK_URL), "runbook_url", fail)
    windows = _windows(top.get("alerting"), fail) if "alerting" in top else DEFAULT_WINDOWS
    items = top.get("slos")
    if not isinstance(items, list) or not items:
        fail("slos", "must be a non-empty list of SLOs")
    slos: list[Slo] = []
    for i, item in enumerate(items):
        slo = _slo(item, i, Fail(source), period, runbook, buckets, windows)
        if any(s.name == slo.name for s in slos):
            fail(f"slos[{i}].name", f"{slo.name!r} is used by two SLOs; names must be unique")
        slos.append(slo)
    return Spec(source, service, selector, tuple(slos), windows, buckets)


def _windows(value: object, fail: Fail) -> tuple[BurnWindow, ...]:
    alerting = read_mapping(value, "alerting", fail)
    check_keys(alerting, ("windows",), "alerting", fail)
    items = alerting.get("windows")
    if not isinstance(items, list) or not items:
        fail("alerting.windows", "must be a non-empty list of {severity, long, short, budget_percent}")
    windows = []
    for i, item in enumerate(items):
        field = f"alerting.windows[{i}]"
        entry = read_mapping(item, field, fail)
        check_keys(entry, _WINDOW, field, fail)
        severity = entry.get("severity")
        if severity not in ("page", "ticket"):
            fail(f"{field}.severity", f"must be page or ticket, got {severity!r}")
        long_s = read_duration(entry.get("long"), f"{field}.long", fail)
        short_s = read_duration(entry.get("short"), f"{field}.short", fail)
        if short_s >= long_s:
            fail(f"{field}.short", "must be shorter than long")
        percent = read_number(entry.get("budget_percent"), f"{field}.budget_percent", fail)
        if not 0 < percent <= 100:
            fail(f"{field}.budget_percent", f"must be in (0, 100], got {percent:g}")
        windows.append(BurnWindow(str(severity), long_s, short_s, percent / 100.0))
    return tuple(windows)


def _slo(
    item: object,
    index: int,
    fail: Fail,
    default_period: int,
    default_runbook: str,
    buckets: tuple[float, ...],
    windows: tuple[BurnWindow, ...],
) -> Slo:
    data = read_mapping(item, f"slos[{index}]", fail)
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        fail(f"slos[{index}].name", f"must be 1-63 letters, digits, '_', '.' or '-', got {name!r}")
    fail = Fail(fail.source, name)
    check_keys(data, _SLO, "", fail)
    if "objective" not in data:
        fail("objective", "is required: the percentage of good events to aim for, e.g. 99.5")
    objective = read_number(data["objective"], "objective", fail)
    if not 0 < objective < 100:
        fail("objective", f"must be a percentage strictly between 0 and 100, got {objective:g}")
    if objective < 1:
        fail("objective", f"is a percentage: write 99.5 for 99.5%, got {objective:g}")
    if round(1 - objective / 100, 12) <= 0:
        fail("objective", f"{objective!r} leaves no error budget to measure")
    period = read_duration(data["period"], "period", fail) if "period" in data else default_period
    longest = max(w.long_s for w in windows)
    if period < longest:
        fail(
            "period",
            f"{format_duration(period)} is shorter than the {format_duration(longest)} alert window; "
            "lengthen it or set alerting.windows",
        )
    if "sli" not in data:
        fail("sli", "is required: one of availability, latency or raw")
    return Slo(
        name=name,
        objective=objective,
        period_s=period,
        sli=_sli(data["sli"], fail, buckets),
        description=read_str(data["description"], "description", fail) if "description" in data else "",
        labels=read_label_map(data.get("labels", {}), "labels", fail, _RESERVED_LABELS),
        runbook_url=read_str(data.get("runbook_url", default_runbook), "runbook_url", fail),
    )


def _sli(value: object, fail: Fail, buckets: tuple[float, ...]) -> Sli:
    data = read_mapping(value, "sli", fail)
    check_keys(data, ("availability", "latency", "raw"), "sli", fail)
    if len(data) != 1:
        fail("sli", "must have exactly one of availability, latency or raw")
    kind, body = next(iter(data.items()))
    field = f"sli.{kind}"
    spec = read_mapping(body if body is not None else {}, field, fail)
    if kind == "raw":
        check_keys(spec, ("errors", "total"), field, fail)
        queries = {}
        for key in ("errors", "total"):
            query = read_str(spec.get(key), f"{field}.{key}", fail)
            if not WINDOW_PLACEHOLDER.search(query):
                fail(
                    f"{field}.{key}", "must contain {{window}} where the range goes, e.g. rate(x[{{window}}])"
                )
            queries[key] = query
        return Sli("raw", errors_query=queries["errors"], total_query=queries["total"])
    source = spec.get("source", "http")
    if source not in _FILTERS:
        fail(f"{field}.source", f"must be http or operation, got {source!r}")
    allowed = ("source", *_FILTERS[str(source)], *(("threshold",) if kind == "latency" else ()))
    other = next((k for k in _FILTERS[_other(str(source))] if k in spec), None)
    if other is not None:
        fail(f"{field}.{other}", f"filters {_other(str(source))} SLIs; this SLI has source {source}")
    check_keys(spec, allowed, field, fail)
    threshold = _threshold(spec, field, fail, buckets) if kind == "latency" else None
    return Sli(kind, str(source), _filters(spec, field, fail), threshold)


def _other(source: str) -> str:
    return "operation" if source == "http" else "http"


# filter field -> (label, accepted values or None for any)
_FILTER_LABELS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "routes": ("http_route", None),
    "methods": ("http_request_method", HTTP_METHODS),
    "operations": ("otelward_operation", None),
    "span_kinds": ("otelward_span_kind", SPAN_KINDS),
}


def _filters(spec: Mapping[str, object], field: str, fail: Fail) -> tuple[Matcher, ...]:
    matchers = []
    for key, (label, accepted) in _FILTER_LABELS.items():
        if key not in spec:
            continue
        values = read_str_list(spec[key], f"{field}.{key}", fail)
        bad = [v for v in values if accepted is not None and v not in accepted]
        if bad:
            fail(f"{field}.{key}", f"{bad[0]!r} is not accepted here; accepted: {', '.join(accepted or ())}")
        matchers.append(one_of(label, values))
    return tuple(matchers)


def _threshold(spec: Mapping[str, object], field: str, fail: Fail, buckets: tuple[float, ...]) -> float:
    if "threshold" not in spec:
        fail(f"{field}.threshold", "is required: a latency such as 300ms that is a histogram bucket boundary")
    try:
        seconds = parse_seconds(spec["threshold"])
    except ValueError as err:
        fail(f"{field}.threshold", str(err))
    match = next((b for b in buckets if math.isclose(b, seconds, rel_tol=1e-9)), None)
    if match is None:
        nearest = min(buckets, key=lambda b: abs(b - seconds))
        fail(
            f"{field}.threshold",
            f"{seconds:g}s is not a histogram bucket boundary, so no series counts requests under it "
            f"(nearest: {nearest:g}s); boundaries: {','.join(f'{b:g}' for b in buckets)}; "
            "pick one, or list your OTELWARD_METRICS_DURATION_BUCKETS under buckets:",
        )
    return match
