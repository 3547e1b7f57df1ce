"""A metric exporter that builds the real OTLP exporter on first export, off the start-up path."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
)
from opentelemetry.sdk.metrics.export import AggregationTemporality, MetricExporter, MetricExportResult

from otelward.export._health import ExportHealth
from otelward.export._suppress import suppressed

__all__ = ["LazyMetricExporter"]

_log = logging.getLogger("otelward.export")

# Cumulative everywhere: what Prometheus (via the collector) and most backends expect.
CUMULATIVE: dict[type, AggregationTemporality] = dict.fromkeys(
    (Counter, UpDownCounter, Histogram, ObservableCounter, ObservableUpDownCounter, ObservableGauge),
    AggregationTemporality.CUMULATIVE,
)


_HOUSEKEEPING_SCOPES = frozenset({"otelward", "otelward.process"})


_APP_METRICS = frozenset({"otelward.operation.duration"})
"""Metrics of the ``otelward`` scope that measure the app, not otelward: a consumer-only job has no other."""


def _only_housekeeping(metrics_data: Any) -> bool:
    return all(
        sm.scope.name in _HOUSEKEEPING_SCOPES and m.name not in _APP_METRICS
        for rm in metrics_data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.data.data_points
    )


def _points(metrics_data: Any) -> int:
    return sum(
        len(m.data.data_points)
        for rm in metrics_data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
    )


class LazyMetricExporter(MetricExporter):
    """Delegate to an exporter built by ``factory`` the first time metrics are exported.

    ``transform`` (redaction) is applied to the data before export; if it raises, nothing is sent.
    ``producer`` adds otelward's bucket histograms to every collection (``metrics/_buckets.py``).
    """

    def __init__(
        self,
        factory: Callable[[], Any],
        on_failure: Callable[[int], None] | None = None,
        transform: Callable[[Any], Any] | None = None,
        producer: Any = None,
    ) -> None:
        super().__init__(preferred_temporality=CUMULATIVE)
        self._producer = producer
        self._factory = factory
        self._transform = transform
        self._real: Any = None
        self._lock = threading.Lock()
        self._on_failure = on_failure
        self.health = ExportHealth("metrics")

    def _exporter(self) -> Any:
        with self._lock:
            if self._real is None:
                self._real = self._factory()
            return self._real

    def export(self, metrics_data: Any, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        """Export through the real exporter; failures are counted, never raised."""
        if self._producer is not None:
            try:
                metrics_data = self._producer.merge_into(metrics_data)
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                _log.debug("otelward: bucket histograms not collected", exc_info=True)
        if not _points(metrics_data):
            # Nothing recorded (e.g. a pre-fork master): no connection, no exporter import, no exit delay.
            return MetricExportResult.SUCCESS
        if self._real is None and _only_housekeeping(metrics_data):
            # The first export of a process that ends within its first interval (a short script): its
            # process and self-metrics are not worth importing the exporter at exit (~0.2 s).
            return MetricExportResult.SUCCESS
        try:
            data = metrics_data if self._transform is None else self._transform(metrics_data)
            with suppressed():
                result = self._exporter().export(data, timeout_millis=timeout_millis)
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            result = MetricExportResult.FAILURE
        if result is MetricExportResult.SUCCESS:
            self.health.succeeded()
            return result
        self.health.failed()
        if self._on_failure is not None:
            self._on_failure(_points(metrics_data))
        return result  # type: ignore[no-any-return]

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Nothing is buffered here."""
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """Shut the real exporter down if it was ever built (this also aborts its retry back-off)."""
        if self._real is not None:
            self._real.shutdown(timeout_millis=timeout_millis)
