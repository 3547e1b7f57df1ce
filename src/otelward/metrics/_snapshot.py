"""Plain, JSON-able snapshots of cumulative metrics: taken from the SDK, capped, merged over processes.

A snapshot is ``{"name|kind|scope": family}`` with ``family = {"name", "unit", "description", "kind",
"scope", "points"}`` (``scope = {"name", "version", "schema_url"}``) and ``points = {attr_key: point}``.
``kind`` is ``counter``, ``updowncounter``, ``gauge`` or ``histogram``; a point is ``{"attrs": {...},
"value": v}`` or ``{"attrs": {...}, "bounds": [...], "counts": [...], "sum": s, "count": n, "exemplars":
{bucket_index: exemplar}}`` with ``exemplar = {"value", "time_ns", "trace_id", "span_id"}`` (hex ids).

Merging over processes follows the instrument kind: counters, up-down counters and histograms add;
gauges are never summed (:func:`label_gauges` gives each process its own series first). A histogram
bucket keeps the newest exemplar of any process. Everything here is pure: no I/O, no globals.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = [
    "OVERFLOW_ATTR",
    "PID_LABEL",
    "Snapshot",
    "attr_key",
    "cap_series",
    "family_key",
    "from_metrics_data",
    "label_gauges",
    "merge",
    "monotonic_only",
    "subtract",
]

Snapshot = dict[str, dict[str, Any]]
Redact = Callable[[Mapping[str, Any]], Mapping[str, Any]]

OVERFLOW_ATTR = "otel.metric.overflow"
"""The attribute of the series that collects measurements beyond the cardinality limit (OTel spec name)."""

PID_LABEL = "pid"
"""The label each process's gauge series carries in a pre-fork merge (prometheus_client's name for it)."""

_MONOTONIC = frozenset({"counter", "histogram"})


def attr_key(attrs: Mapping[str, Any]) -> str:
    """Return a stable key for an attribute set."""
    return json.dumps(sorted((str(k), str(v)) for k, v in attrs.items()), separators=(",", ":"))


def family_key(name: str, kind: str, scope: str = "") -> str:
    """Return the snapshot key of a metric: one family per name, kind and instrumentation scope."""
    return f"{name}|{kind}|{scope}"


def _kind(data: Any) -> str | None:
    cls = type(data).__name__
    if cls == "Sum":
        return "counter" if data.is_monotonic else "updowncounter"
    if cls == "Gauge":
        return "gauge"
    if cls == "Histogram":
        return "histogram"
    return None  # exponential histograms are not exposed (no View creates them)


def from_metrics_data(
    data: Any, redact: Redact | None = None, resolved: Callable[[int], bool] | None = None
) -> Snapshot:
    """Convert the SDK's cumulative ``MetricsData`` into a snapshot, attributes passed through ``redact``.

    Args:
        data: what a metric reader collected.
        redact: applied to every point's attributes.
        resolved: keeps a histogram exemplar only if it returns True for its trace id.
    """
    out: Snapshot = {}
    if data is None:
        return out
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            scope = {
                "name": sm.scope.name or "",
                "version": sm.scope.version or "",
                "schema_url": sm.scope.schema_url or "",
            }
            for metric in sm.metrics:
                kind = _kind(metric.data)
                if kind is None:
                    continue
                fam = out.setdefault(
                    family_key(metric.name, kind, scope["name"]),
                    {
                        "name": metric.name,
                        "unit": metric.unit or "",
                        "description": metric.description or "",
                        "kind": kind,
                        "scope": scope,
                        "points": {},
                    },
                )
                for dp in metric.data.data_points:
                    attrs = {str(k): _label_value(v) for k, v in (dp.attributes or {}).items()}
                    if redact is not None:
                        attrs = dict(redact(attrs))
                    if kind == "histogram":
                        point: dict[str, Any] = {
                            "attrs": attrs,
                            "bounds": [float(b) for b in dp.explicit_bounds],
                            "counts": [int(c) for c in dp.bucket_counts],
                            "sum": float(dp.sum),
                            "count": int(dp.count),
                            "exemplars": _exemplars(dp.exemplars, dp.explicit_bounds, resolved),
                        }
                    else:
                        point = {"attrs": attrs, "value": dp.value}
                    _add_point(fam, attr_key(attrs), point, kind)
    return out


def _label_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_label_value(v) for v in value)
    return str(value)


def _exemplars(
    exemplars: Any, bounds: Any, resolved: Callable[[int], bool] | None
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for ex in exemplars or ():
        if not ex.trace_id or not ex.span_id:
            continue  # an exemplar without a trace resolves to nothing
        if resolved is not None and not resolved(ex.trace_id):
            continue
        index = sum(1 for b in bounds if ex.value > b)
        have = out.get(str(index))
        if have is None or ex.time_unix_nano > have["time_ns"]:
            out[str(index)] = {
                "value": float(ex.value),
                "time_ns": int(ex.time_unix_nano),
                "trace_id": f"{ex.trace_id:032x}",
                "span_id": f"{ex.span_id:016x}",
            }
    return out


def _newest(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for index, ex in b.items():
        have = out.get(index)
        if have is None or ex["time_ns"] > have["time_ns"]:
            out[index] = ex
    return out


def _add_point(fam: dict[str, Any], key: str, point: dict[str, Any], kind: str) -> None:
    points: dict[str, Any] = fam["points"]
    have = points.get(key)
    if have is None:
        points[key] = {**point, "counts": list(point["counts"])} if kind == "histogram" else dict(point)
        return
    if kind == "histogram":
        if have["bounds"] != point["bounds"]:
            return  # boundaries changed between processes' configs: keep the first, never mix
        have["counts"] = [a + b for a, b in zip(have["counts"], point["counts"], strict=True)]
        have["sum"] += point["sum"]
        have["count"] += point["count"]
        have["exemplars"] = _newest(have.get("exemplars") or {}, point.get("exemplars") or {})
    elif kind == "gauge":
        # A gauge is a reading, not an amount: two processes' readings never add up to a meaningful
        # value (two workers at 41.5 °C are not at 83 °C). The later reading stands; label_gauges keeps
        # processes apart before a merge.
        have["value"] = point["value"]
    else:
        have["value"] += point["value"]


def label_gauges(snapshot: Snapshot, pid: int) -> Snapshot:
    """Return ``snapshot`` with every gauge series labelled ``pid=<pid>`` (one series per process).

    This is prometheus_client's multiprocess ``liveall`` rule: each live process's reading is its own
    series; a process that exits takes its gauges with it (:func:`monotonic_only`).
    """
    out: Snapshot = {}
    for fkey, fam in snapshot.items():
        if fam["kind"] != "gauge":
            out[fkey] = fam
            continue
        points = {}
        for point in fam["points"].values():
            attrs = {**point["attrs"], PID_LABEL: str(pid)}
            points[attr_key(attrs)] = {**point, "attrs": attrs}
        out[fkey] = {**fam, "points": points}
    return out


def merge(snapshots: Iterable[Snapshot]) -> Snapshot:
    """Merge snapshots of several processes series by series, by kind (see the module docstring)."""
    out: Snapshot = {}
    for snap in snapshots:
        for fkey, fam in snap.items():
            into = out.setdefault(fkey, {**{k: v for k, v in fam.items() if k != "points"}, "points": {}})
            if into["kind"] != fam["kind"]:
                continue
            for pkey, point in fam["points"].items():
                _add_point(into, pkey, point, fam["kind"])
    return out


def monotonic_only(snapshot: Snapshot) -> Snapshot:
    """Keep counters and histograms: what an exited process still contributes.

    Its gauges and up-down counters (in-flight requests, open connections: the state of a process)
    died with it, like prometheus_client's ``livesum``/``liveall`` modes.
    """
    return {k: v for k, v in snapshot.items() if v["kind"] in _MONOTONIC}


def cap_series(snapshot: Snapshot, limit: int) -> tuple[Snapshot, dict[str, int]]:
    """Fold series beyond ``limit`` per metric into one overflow series; return it and the folded counts.

    Series are admitted in a stable order (sorted keys), so the same series stay visible scrape after
    scrape as long as the set does not shrink.
    """
    out: Snapshot = {}
    folded: dict[str, int] = {}
    overflow_attrs = {OVERFLOW_ATTR: "true"}
    okey = attr_key(overflow_attrs)
    for fkey, fam in snapshot.items():
        points = fam["points"]
        if len(points) <= limit:
            out[fkey] = fam
            continue
        keys = sorted(points)
        capped = {**{k: v for k, v in fam.items() if k != "points"}, "points": {}}
        for key in keys[: limit - 1]:
            capped["points"][key] = points[key]
        for key in keys[limit - 1 :]:
            _add_point(capped, okey, {**points[key], "attrs": overflow_attrs}, fam["kind"])
        folded[fam["name"]] = len(keys) - (limit - 1)
        out[fkey] = capped
    return out, folded


def subtract(snapshot: Snapshot, baseline: Snapshot) -> Snapshot:
    """Return ``snapshot`` minus ``baseline`` for counters and histograms (what a forked child inherited)."""
    out: Snapshot = {}
    for fkey, fam in snapshot.items():
        base = baseline.get(fkey)
        if base is None or fam["kind"] == "gauge":
            out[fkey] = fam
            continue
        points = {}
        for pkey, point in fam["points"].items():
            old = base["points"].get(pkey)
            if old is None:
                points[pkey] = point
            elif fam["kind"] == "histogram":
                if old["bounds"] != point["bounds"]:
                    points[pkey] = point
                    continue
                points[pkey] = {
                    **point,
                    "counts": [a - b for a, b in zip(point["counts"], old["counts"], strict=True)],
                    "sum": point["sum"] - old["sum"],
                    "count": point["count"] - old["count"],
                }
            else:
                points[pkey] = {**point, "value": point["value"] - old["value"]}
        out[fkey] = {**fam, "points": points}
    return out
