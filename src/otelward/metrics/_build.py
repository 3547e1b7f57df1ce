"""Wire metric views, readers and RED-metric span observers from the settings."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from otelward.config import Settings
from otelward.export._pipelines import SpanObserver
from otelward.metrics._red import OPERATION_METRIC, OperationObserver
from otelward.metrics._snapshot import Snapshot, from_metrics_data

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider

    from otelward.redaction import Redactor

__all__ = [
    "HTTP_METRIC",
    "HTTP_METRIC_ATTRIBUTES",
    "PullReader",
    "build_readers",
    "build_span_observers",
    "build_views",
    "pull_reader_for",
]

HTTP_METRIC = "http.server.request.duration"
HTTP_METRIC_ATTRIBUTES = frozenset(
    {"http.request.method", "http.route", "http.response.status_code", "error.type"}
)
"""What the HTTP duration keeps: enough for RED and SLOs, nothing that grows with traffic."""


def build_views(settings: Settings) -> list[Any]:
    """Return the SDK views: SLO-friendly buckets on both duration metrics, HTTP attributes trimmed."""
    from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View

    buckets = ExplicitBucketHistogramAggregation(list(settings.metrics.duration_buckets))
    return [
        View(instrument_name=HTTP_METRIC, aggregation=buckets, attribute_keys=set(HTTP_METRIC_ATTRIBUTES)),
        View(instrument_name=OPERATION_METRIC, aggregation=buckets),
    ]


class PullReader(InMemoryMetricReader):
    """An in-memory cumulative reader that hands out redacted snapshots (for the management server).

    Collections are serialised: the management server may be scraped concurrently.
    """

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self._snap_lock = threading.Lock()
        self._redactor = redactor

    def _redact(self, attrs: Mapping[str, Any]) -> Mapping[str, Any]:
        if self._redactor is None:
            return attrs
        return self._redactor.redact_attributes(attrs, "metrics")

    def snapshot(self) -> Snapshot:
        """Collect now and return the cumulative snapshot of this process."""
        with self._snap_lock:
            data = self.get_metrics_data()
        return from_metrics_data(data, redact=self._redact)


def build_readers(settings: Settings, redactor: Redactor | None) -> list[Any]:
    """Return metric readers besides OTLP: the in-memory reader behind the management server's /metrics.

    Args:
        settings: the settings.
        redactor: the process's redaction engine: metric attributes pass through it before any exposition on
            /metrics (the OTLP path is redacted by the export transform); None while redaction is off.
    """
    return [PullReader(redactor)] if settings.management.enabled else []


def pull_reader_for(readers: list[Any]) -> PullReader | None:
    """Return the :class:`PullReader` among ``readers``, if any."""
    return next((r for r in readers if isinstance(r, PullReader)), None)


def build_span_observers(settings: Settings, meter_provider: MeterProvider) -> list[SpanObserver]:
    """Return observers that see every ended span (RED metrics for non-HTTP entry spans)."""
    return [OperationObserver(meter_provider, settings.metrics.cardinality_limit)]
