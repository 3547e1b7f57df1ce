"""Translate snapshots into Prometheus metric families (OTel → Prometheus naming rules)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from otelward.metrics._snapshot import Snapshot

__all__ = ["SnapshotCollector", "families", "prometheus_name"]

_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_UNITS = {
    "s": "seconds",
    "ms": "milliseconds",
    "us": "microseconds",
    "ns": "nanoseconds",
    "min": "minutes",
    "h": "hours",
    "By": "bytes",
    "KiBy": "kibibytes",
    "MiBy": "mebibytes",
    "%": "percent",
}


def _sanitize(name: str) -> str:
    out = _INVALID.sub("_", name)
    out = re.sub("__+", "_", out)
    return "_" + out if out[:1].isdigit() else out


def prometheus_name(name: str, unit: str, kind: str) -> str:
    """Return the Prometheus family name of an OTel metric (``_total`` excluded; the encoder adds it).

    ``http.server.request.duration`` with unit ``s`` becomes ``http_server_request_duration_seconds``;
    units in braces (``{request}``) and ``1`` add nothing, except ``1`` on a gauge adds ``_ratio``.
    """
    base = _sanitize(name)
    if kind == "counter" and base.endswith("_total"):
        base = base[: -len("_total")]
    suffix = "ratio" if unit == "1" and kind == "gauge" else _UNITS.get(unit, "")
    if not suffix and unit and not unit.startswith("{") and unit != "1":
        suffix = _sanitize(unit.replace("/", "_per_"))
    if suffix and not base.endswith("_" + suffix):
        base = f"{base}_{suffix}"
    return base


def _label_names(attrs: dict[str, str]) -> tuple[list[str], list[str]]:
    names = [_sanitize(k) for k in attrs]
    return names, [str(v) for v in attrs.values()]


def _le(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else repr(float(bound))


def families(snapshot: Snapshot) -> Iterator[Any]:
    """Yield prometheus_client metric families for every metric in ``snapshot``."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

    by_name: dict[str, Any] = {}
    for fam in snapshot.values():
        name = prometheus_name(fam["name"], fam["unit"], fam["kind"])
        kind = fam["kind"]
        doc = fam["description"] or fam["name"]
        for point in fam["points"].values():
            # Label sets differ between series of one metric; prometheus_client wants one name list per
            # family, so each sample is added with its own labels through a family per label-name tuple.
            labels, values = _label_names(point["attrs"])
            key = f"{name}|{kind}|{','.join(labels)}"
            mf: Any = by_name.get(key)
            if mf is None:
                if kind == "counter":
                    mf = CounterMetricFamily(name, doc, labels=labels, unit="")
                elif kind == "gauge":
                    mf = GaugeMetricFamily(name, doc, labels=labels)
                else:
                    mf = HistogramMetricFamily(name, doc, labels=labels)
                by_name[key] = mf
            if kind == "histogram":
                cumulative, buckets = 0, []
                for bound, count in zip([*point["bounds"], math.inf], point["counts"], strict=False):
                    cumulative += count
                    buckets.append((_le(bound), cumulative))
                mf.add_metric(values, buckets, point["sum"])
            else:
                mf.add_metric(values, point["value"])
    yield from _combine(by_name)


def _combine(by_key: dict[str, Any]) -> Iterator[Any]:
    # One family per metric name in the exposition: merge the per-label-set families' samples.
    merged: dict[str, Any] = {}
    for mf in by_key.values():
        have = merged.get(mf.name)
        if have is None:
            merged[mf.name] = mf
        else:
            have.samples.extend(mf.samples)
    yield from merged.values()


class SnapshotCollector:
    """A prometheus_client collector that exposes whatever snapshot ``source()`` returns at scrape time."""

    def __init__(self, source: Any) -> None:
        self._source = source

    def collect(self) -> Iterator[Any]:
        """Yield the families of a fresh snapshot."""
        yield from families(self._source())

    def describe(self) -> list[Any]:
        """Nothing up front: the metrics are only known at scrape time."""
        return []
