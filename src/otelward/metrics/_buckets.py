"""Duration histograms counted in plain per-series buckets, handed to the metric readers at collection.

An SDK ``Histogram.record`` costs 13-15 µs per request (attribute cleaning, hashing, the measurement
consumer, the reservoir); a dict lookup keyed by the attribute *values* and one bucket increment cost
well under 1 µs. The SDK (1.45) has no ``MetricProducer`` hook, so :class:`BucketProducer` is the
equivalent: both the OTLP reader's exporter (``LazyMetricExporter``) and the ``/metrics`` pull reader
call :meth:`BucketProducer.merge_into` on what the SDK collected, and see the same cumulative points.

Exemplars keep working: each series has a :class:`~otelward.metrics._exemplars.ResolvingReservoir`, so
an exemplar still points only to a trace this process exported. A bucket that already holds a candidate
of a kept trace this interval is not offered another (no clock read, no span lookup).

Each histogram names its instrumentation scope, so a metric moved here from an SDK instrument keeps the
scope it had (``http.server.request.duration`` of otelward's server instrumentation keeps
``otelward.instrumentation.server``).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import Any

from otelward.metrics._exemplars import ResolvingReservoir, TraceLedger

__all__ = ["BucketHistogram", "BucketProducer", "exemplar_mode"]

_LOCKED: weakref.WeakSet[BucketHistogram] = weakref.WeakSet()


def _after_fork() -> None:
    # A lock held by another thread at fork time is never released in the child.
    for owner in list(_LOCKED):
        owner._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def exemplar_mode(exemplar_filter: str | None) -> str:
    """Return ``off``, ``sampled`` or ``any`` for ``OTEL_METRICS_EXEMPLAR_FILTER`` (unset: ``any``)."""
    return {"always_off": "off", "trace_based": "sampled"}.get(exemplar_filter or "", "any")


class _Series:
    __slots__ = ("count", "counts", "max", "min", "reservoir", "sum")

    def __init__(self, buckets: int, reservoir: ResolvingReservoir | None) -> None:
        self.counts = [0] * buckets
        self.count = 0
        self.sum = 0.0
        self.min = float("inf")
        self.max = float("-inf")
        self.reservoir = reservoir


class BucketHistogram:
    """A cumulative explicit-bucket histogram whose series are keyed by a tuple of attribute values.

    Args:
        name, unit, description: as the SDK instrument had them.
        keys: the attribute names, in the order of the value tuples given to :meth:`record`.
        bounds: the bucket boundaries (upper bounds inclusive, as the SDK counts them).
        ledger: with a ledger, exemplars are drawn from traces this process exported.
        exemplars: ``any``, ``sampled`` or ``off`` (:func:`exemplar_mode`).
        scope: the instrumentation scope (name, version) the metric is reported under.
    """

    def __init__(
        self,
        name: str,
        unit: str,
        description: str,
        keys: Sequence[str],
        bounds: Sequence[float],
        ledger: TraceLedger | None = None,
        exemplars: str = "any",
        scope: tuple[str, str | None] = ("otelward", None),
    ) -> None:
        self.name, self.unit, self.description = name, unit, description
        self.scope = scope
        self.keys = tuple(keys)
        self.bounds = [float(b) for b in bounds]
        self._ledger = ledger if exemplars != "off" else None
        self._sampled_only = exemplars == "sampled"
        self._series: dict[tuple[Any, ...], _Series] = {}
        self._lock = threading.Lock()
        self.start_ns = time.time_ns()
        _LOCKED.add(self)

    def _new(self, values: tuple[Any, ...]) -> _Series:
        reservoir = ResolvingReservoir(self._ledger, self.bounds) if self._ledger is not None else None
        series = _Series(len(self.bounds) + 1, reservoir)
        with self._lock:
            return self._series.setdefault(values, series)

    def _count(self, values: tuple[Any, ...], seconds: float) -> tuple[_Series, int]:
        series = self._series.get(values) or self._new(values)
        index = bisect_left(self.bounds, seconds)
        with self._lock:
            series.counts[index] += 1
            series.count += 1
            series.sum += seconds
            # Comparisons, not min()/max(): a builtin call costs more than the rest of the update.
            if seconds < series.min:  # noqa: PLR1730
                series.min = seconds
            if seconds > series.max:  # noqa: PLR1730
                series.max = seconds
        return series, index

    def record(
        self,
        values: tuple[Any, ...],
        seconds: float,
        trace_id: int = 0,
        span_id: int = 0,
        sampled: bool = False,
    ) -> None:
        """Count one duration in the series of ``values``; the ids make it an exemplar candidate."""
        series, index = self._count(values, seconds)
        reservoir = series.reservoir
        if (
            reservoir is not None
            and trace_id
            and not reservoir.satisfied[index]
            and (sampled or not self._sampled_only)
        ):
            # No measurement attributes: they are all the series' own, which an exemplar leaves out.
            reservoir.offer_ids(seconds, time.time_ns(), None, trace_id, span_id, sampled, index)

    def record_attributes(self, attributes: Mapping[str, Any], seconds: float) -> None:
        """Count one duration in the series of ``attributes`` (other keys ignored); the current span is the
        exemplar candidate, the ignored keys its filtered attributes.
        """
        series, index = self._count(tuple(map(attributes.get, self.keys)), seconds)
        reservoir = series.reservoir
        if reservoir is None or reservoir.satisfied[index]:
            return
        from opentelemetry import trace

        ctx = trace.get_current_span().get_span_context()
        sampled = ctx.trace_flags.sampled
        if ctx.is_valid and (sampled or not self._sampled_only):
            reservoir.offer_ids(
                seconds, time.time_ns(), dict(attributes), ctx.trace_id, ctx.span_id, sampled, index
            )

    def points(self, now_ns: int) -> list[Any]:
        """Return the cumulative SDK ``HistogramDataPoint`` of every series."""
        from opentelemetry.sdk.metrics.export import HistogramDataPoint

        with self._lock:
            items = [
                (values, list(s.counts), s.count, s.sum, s.min, s.max, s.reservoir)
                for values, s in self._series.items()
            ]
        out = []
        for values, counts, count, total, low, high, reservoir in items:
            # An absent attribute (``error.type`` of a request that succeeded) is a None in the key.
            attrs = {k: v for k, v in zip(self.keys, values, strict=True) if v is not None}
            out.append(
                HistogramDataPoint(
                    attributes=attrs,
                    start_time_unix_nano=self.start_ns,
                    time_unix_nano=now_ns,
                    count=count,
                    sum=total,
                    bucket_counts=counts,
                    explicit_bounds=list(self.bounds),
                    min=low,
                    max=high,
                    exemplars=reservoir.collect(attrs) if reservoir is not None else [],
                )
            )
        return out


class BucketProducer:
    """Hand the bucket histograms to the metric readers as SDK metric data, each under its own scope."""

    def __init__(self, histograms: Sequence[BucketHistogram] = (), resource: Any = None) -> None:
        self.histograms = list(histograms)
        self.resource = resource
        """Used only when the SDK collected nothing (no resource to attach the points to otherwise)."""

    def histogram(self, name: str, scope: str | None = None) -> BucketHistogram | None:
        """Return the histogram called ``name`` (under the scope named ``scope``), if this producer has one."""
        return next(
            (h for h in self.histograms if h.name == name and (scope is None or h.scope[0] == scope)), None
        )

    def metrics(self, now_ns: int | None = None) -> dict[tuple[str, str | None], list[Any]]:
        """Return one SDK ``Metric`` per histogram with at least one series, by instrumentation scope."""
        from opentelemetry.sdk.metrics.export import AggregationTemporality, Histogram, Metric

        now = time.time_ns() if now_ns is None else now_ns
        out: dict[tuple[str, str | None], list[Any]] = {}
        for hist in self.histograms:
            points = hist.points(now)
            if points:
                data = Histogram(points, AggregationTemporality.CUMULATIVE)
                out.setdefault(hist.scope, []).append(Metric(hist.name, hist.description, hist.unit, data))
        return out

    def merge_into(self, metrics_data: Any) -> Any:
        """Return ``metrics_data`` (an SDK ``MetricsData`` or None) with the bucket histograms added."""
        from opentelemetry.sdk.metrics.export import MetricsData, ResourceMetrics, ScopeMetrics
        from opentelemetry.sdk.util.instrumentation import InstrumentationScope

        metrics = self.metrics()
        if not metrics:
            return metrics_data
        resource_metrics = list(metrics_data.resource_metrics) if metrics_data is not None else []
        if not resource_metrics:
            from opentelemetry.sdk.resources import Resource

            resource_metrics = [ResourceMetrics(self.resource or Resource.get_empty(), [], "")]
        first = resource_metrics[0]
        scopes = list(first.scope_metrics)
        for (name, version), mine in metrics.items():
            for i, sm in enumerate(scopes):
                if sm.scope.name == name and (sm.scope.version or None) == (version or None):
                    scopes[i] = dataclasses.replace(sm, metrics=[*sm.metrics, *mine])
                    break
            else:
                scopes.append(ScopeMetrics(InstrumentationScope(name, version), mine, ""))
        resource_metrics[0] = dataclasses.replace(first, scope_metrics=scopes)
        return MetricsData(resource_metrics)
