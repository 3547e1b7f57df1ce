"""Render snapshots for Prometheus through opentelemetry-exporter-prometheus and prometheus_client.

The merged snapshot is turned back into the SDK's ``MetricsData`` and handed to the exporter's own
translation (names, unit words, ``_total``, scope labels, ``target_info``: the OTel compatibility
spec); prometheus_client encodes the result in the negotiated format. The exporter knows nothing of
exemplars, so they are attached to its histogram bucket samples here, for OpenMetrics to print.

Imported on the first scrape only: the exporter, prometheus_client and the SDK's export types cost
tens of milliseconds that a process start-up must not pay.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    MetricsData,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.util.instrumentation import InstrumentationScope

from otelward.metrics._snapshot import Snapshot

__all__ = ["SnapshotCollector", "render", "to_metrics_data"]

_CUMULATIVE = AggregationTemporality.CUMULATIVE
ExemplarKey = tuple[frozenset[tuple[str, str]], str]
"""(non-empty Prometheus labels of a bucket sample without ``le``, the ``le`` value)."""


def _number_points(points: Mapping[str, Any], now_ns: int) -> list[NumberDataPoint]:
    return [
        NumberDataPoint(
            attributes=p["attrs"], start_time_unix_nano=0, time_unix_nano=now_ns, value=p["value"]
        )
        for p in points.values()
    ]


def _histogram_points(points: Mapping[str, Any], now_ns: int) -> list[HistogramDataPoint]:
    return [
        HistogramDataPoint(
            attributes=p["attrs"],
            start_time_unix_nano=0,
            time_unix_nano=now_ns,
            count=p["count"],
            sum=p["sum"],
            bucket_counts=p["counts"],
            explicit_bounds=p["bounds"],
            min=float("nan"),
            max=float("nan"),
        )
        for p in points.values()
    ]


def _data(fam: Mapping[str, Any], now_ns: int) -> Any:
    kind = fam["kind"]
    if kind == "histogram":
        return Histogram(_histogram_points(fam["points"], now_ns), _CUMULATIVE)
    points = _number_points(fam["points"], now_ns)
    if kind == "gauge":
        return Gauge(points)
    return Sum(points, _CUMULATIVE, is_monotonic=kind == "counter")


def to_metrics_data(snapshot: Snapshot, resource: Mapping[str, Any], now_ns: int = 0) -> MetricsData:
    """Return the SDK ``MetricsData`` of ``snapshot`` (one resource, one scope per instrumentation scope)."""
    scopes: dict[tuple[str, str, str], list[Metric]] = {}
    for fam in snapshot.values():
        scope = fam.get("scope") or {}
        key = (scope.get("name", ""), scope.get("version", ""), scope.get("schema_url", ""))
        scopes.setdefault(key, []).append(
            Metric(
                name=fam["name"],
                description=fam["description"] or fam["name"],
                unit=fam["unit"],
                data=_data(fam, now_ns),
            )
        )
    scope_metrics = [
        ScopeMetrics(
            scope=InstrumentationScope(name, version or None, schema or None),
            metrics=metrics,
            schema_url=schema,
        )
        for (name, version, schema), metrics in scopes.items()
    ]
    rm = ResourceMetrics(resource=Resource(dict(resource)), scope_metrics=scope_metrics, schema_url="")
    return MetricsData(resource_metrics=[rm])


def _exemplar_index(snapshot: Snapshot) -> dict[ExemplarKey, dict[str, Any]]:
    """Index the exemplars by the labels the exporter gives their bucket sample."""
    from opentelemetry.exporter.prometheus._mapping import sanitize_attribute

    out: dict[ExemplarKey, dict[str, Any]] = {}
    for fam in snapshot.values():
        if fam["kind"] != "histogram":
            continue
        scope = fam.get("scope") or {}
        scope_labels = {
            "otel_scope_name": scope.get("name", ""),
            "otel_scope_version": scope.get("version", ""),
            "otel_scope_schema_url": scope.get("schema_url", ""),
        }
        for point in fam["points"].values():
            exemplars = point.get("exemplars")
            if not exemplars:
                continue
            labels = {**scope_labels, **{sanitize_attribute(k): str(v) for k, v in point["attrs"].items()}}
            base = frozenset((k, v) for k, v in labels.items() if v != "")
            les = [f"{b}" for b in point["bounds"]] + ["+Inf"]
            for index, ex in exemplars.items():
                i = int(index)
                if 0 <= i < len(les):
                    out[(base, les[i])] = ex
    return out


def _with_exemplars(families: Iterator[Any], index: Mapping[ExemplarKey, dict[str, Any]]) -> Iterator[Any]:
    from prometheus_client.samples import Exemplar

    for fam in families:
        if index and fam.type == "histogram":
            samples = []
            for sample in fam.samples:
                ex = None
                if sample.name.endswith("_bucket"):
                    labels = frozenset((k, v) for k, v in sample.labels.items() if k != "le" and v != "")
                    ex = index.get((labels, sample.labels.get("le", "")))
                if ex is None:
                    samples.append(sample)
                    continue
                exemplar = Exemplar(
                    {"trace_id": ex["trace_id"], "span_id": ex["span_id"]}, ex["value"], ex["time_ns"] / 1e9
                )
                samples.append(sample._replace(exemplar=exemplar))
            fam.samples = samples
        yield fam


class SnapshotCollector:
    """A prometheus_client collector translating a snapshot through the OTel Prometheus exporter."""

    def __init__(self, snapshot: Snapshot, resource: Mapping[str, Any]) -> None:
        self._snapshot = snapshot
        self._resource = resource

    def collect(self) -> Iterator[Any]:
        """Yield the exporter's families, histogram buckets carrying their exemplars."""
        from opentelemetry.exporter.prometheus import _CustomCollector

        translator = _CustomCollector()
        translator.add_metrics_data(to_metrics_data(self._snapshot, self._resource))
        yield from _with_exemplars(iter(translator.collect()), _exemplar_index(self._snapshot))

    def describe(self) -> list[Any]:
        """Nothing up front: the metrics are only known at scrape time."""
        return []


def render(snapshot: Snapshot, resource: Mapping[str, Any], accept: str) -> tuple[bytes, str]:
    """Encode ``snapshot`` in the exposition format ``accept`` asks for (OpenMetrics or text 0.0.4).

    Returns:
        the body and its content type.
    """
    from prometheus_client import CollectorRegistry
    from prometheus_client.exposition import choose_encoder

    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshot, resource))
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
