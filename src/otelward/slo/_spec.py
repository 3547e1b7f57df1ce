"""Validate an otelward ``slo.yaml`` (already parsed into Python objects) into a :class:`Spec`.

Strict on purpose: an unknown field, a wrong type, an objective of 0 or 100, or a latency threshold
that is not a histogram bucket boundary is an error, reported as one line naming the file, the SLO
and the field. A typo must never silently produce rules that measure something else.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from otelward.config._env_vars import BY_NAME
from otelward.slo._alerting import AlertingBlock, build_alerts, merge_alerting, read_alerting
from otelward.slo._durations import format_duration, parse_seconds
from otelward.slo._errors import Fail, check_keys, shown
from otelward.slo._fields import (
    read_buckets,
    read_duration,
    read_label_map,
    read_mapping,
    read_number,
    read_query,
    read_selector,
    read_str,
    read_str_list,
)
from otelward.slo._model import DEFAULT_RUNBOOK_URL, Matcher, Sli, Slo, Spec
from otelward.slo._promql import one_of
from otelward.slo._windows import MAX_PERIOD_S, default_windows, resolve_windows

__all__ = ["HTTP_METHODS", "SPAN_KINDS", "default_buckets", "parse_native"]

HTTP_METHODS = ("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "_OTHER")
SPAN_KINDS = ("consumer", "server")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_TOP = ("alerting", "buckets", "period", "runbook_url", "selector", "service", "services", "slos", "version")
_SERVICE = ("alerting", "period", "runbook_url", "selector", "service", "slos")
_SLO = ("alerting", "description", "labels", "name", "objective", "period", "runbook_url", "sli")
_FILTERS = {"http": ("methods", "routes"), "operation": ("operations", "span_kinds")}
_RESERVED_LABELS = ("service", "severity", "slo")


@dataclass(frozen=True)
class _Defaults:
    """What an SLO inherits from its file and its service."""

    service: str
    selector: tuple[Matcher, ...]
    period_s: int
    runbook: str
    buckets: tuple[float, ...]
    alerting: AlertingBlock


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
        fail("version", f"must be 1 (the only spec version), got {shown(top['version'])}")
    buckets = read_buckets(top["buckets"], "buckets", fail) if "buckets" in top else default_buckets()
    base = _Defaults(
        service="",
        selector=(),
        period_s=read_duration(top.get("period", "30d"), "period", fail),
        runbook=read_str(top.get("runbook_url", DEFAULT_RUNBOOK_URL), "runbook_url", fail),
        buckets=buckets,
        alerting=read_alerting(top["alerting"], "alerting", fail) if "alerting" in top else AlertingBlock(),
    )
    if "services" in top:
        mixed = next((k for k in ("service", "selector", "slos") if k in top), None)
        if mixed is not None:
            fail(mixed, "belongs under services: when the file lists several services")
        items = top["services"]
        if not isinstance(items, list) or not items:
            fail("services", "must be a non-empty list of {service, slos, ...}")
        blocks = [
            (read_mapping(item, f"services[{i}]", fail), f"services[{i}].") for i, item in enumerate(items)
        ]
    else:
        blocks = [(top, "")]
    slos: list[Slo] = []
    seen: set[tuple[str, str]] = set()
    for block, prefix in blocks:
        if prefix:
            check_keys(block, _SERVICE, prefix.rstrip("."), fail)
        defaults = _service(block, prefix, base, fail)
        items = block.get("slos")
        if not isinstance(items, list) or not items:
            fail(f"{prefix}slos", "must be a non-empty list of SLOs")
        for i, item in enumerate(items):
            slo = _slo(item, f"{prefix}slos[{i}]", Fail(source), defaults)
            if (slo.service, slo.name) in seen:
                fail(
                    f"{prefix}slos[{i}].name",
                    f"{slo.name!r} is used by two SLOs of {slo.service!r}; names must be unique",
                )
            seen.add((slo.service, slo.name))
            slos.append(slo)
    return Spec(source, slos[0].service, slos[0].selector, tuple(slos), buckets)


def _service(block: Mapping[str, object], prefix: str, base: _Defaults, fail: Fail) -> _Defaults:
    service = read_str(block.get("service"), f"{prefix}service", fail)
    if len(service) > 200:
        fail(f"{prefix}service", f"{shown(service)} is longer than 200 characters")
    alerting = base.alerting
    if "alerting" in block and prefix:
        alerting = merge_alerting(alerting, read_alerting(block["alerting"], f"{prefix}alerting", fail))
    return dataclasses.replace(
        base,
        service=service,
        selector=(
            read_selector(block["selector"], f"{prefix}selector", fail)
            if "selector" in block
            else (Matcher("job", "=", service),)
        ),
        period_s=read_duration(block["period"], f"{prefix}period", fail)
        if prefix and "period" in block
        else base.period_s,
        runbook=(
            read_str(block["runbook_url"], f"{prefix}runbook_url", fail)
            if prefix and "runbook_url" in block
            else base.runbook
        ),
        alerting=alerting,
    )


def _slo(item: object, where: str, fail: Fail, defaults: _Defaults) -> Slo:
    data = read_mapping(item, where, fail)
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        fail(f"{where}.name", f"must be 1-63 letters, digits, '_', '.' or '-', got {shown(name)}")
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
    period = read_duration(data["period"], "period", fail) if "period" in data else defaults.period_s
    if period > MAX_PERIOD_S:
        fail(
            "period",
            f"{format_duration(period)} is longer than {format_duration(MAX_PERIOD_S)}, the longest period",
        )
    alerting = defaults.alerting
    if "alerting" in data:
        alerting = merge_alerting(alerting, read_alerting(data["alerting"], "alerting", fail))
    if alerting.windows is not None:
        windows = resolve_windows(alerting.windows, period, fail)
    else:
        try:
            windows = default_windows(period)
        except ValueError as err:
            fail("period", str(err))
    if "sli" not in data:
        fail("sli", "is required: one of availability, latency or raw")
    return Slo(
        name=name,
        objective=objective,
        period_s=period,
        sli=_sli(data["sli"], fail, defaults.buckets),
        description=read_str(data["description"], "description", fail) if "description" in data else "",
        labels=read_label_map(data.get("labels", {}), "labels", fail, _RESERVED_LABELS),
        runbook_url=read_str(data.get("runbook_url", defaults.runbook), "runbook_url", fail),
        windows=windows,
        alerts=build_alerts(alerting),
        service=defaults.service,
        selector=defaults.selector,
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
        queries = {key: read_query(spec.get(key), f"{field}.{key}", fail) for key in ("errors", "total")}
        return Sli("raw", errors_query=queries["errors"], total_query=queries["total"])
    source = spec.get("source", "http")
    if source not in _FILTERS:
        fail(f"{field}.source", f"must be http or operation, got {shown(source)}")
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
            fail(
                f"{field}.{key}",
                f"{shown(bad[0])} is not accepted here; accepted: {', '.join(accepted or ())}",
            )
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
