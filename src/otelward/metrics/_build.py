"""Wire metric views, readers and RED-metric span observers from the settings."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from otelward.config import Settings
from otelward.export._pipelines import SpanObserver
from otelward.metrics._buckets import BucketHistogram, BucketProducer, exemplar_mode
from otelward.metrics._exemplars import RecordedSpanFilter, ResolvingReservoir, TraceLedger
from otelward.metrics._red import OPERATION_DESCRIPTION, OPERATION_KEYS, OPERATION_METRIC, OperationObserver
from otelward.metrics._snapshot import Snapshot, from_metrics_data

if TYPE_CHECKING:
    from otelward.redaction import Redactor

__all__ = [
    "ACTIVE_REQUESTS_METRIC",
    "DB_BUCKETS",
    "DB_METRIC",
    "DB_METRIC_KEYS",
    "DB_SCOPES",
    "HTTP_METRIC",
    "HTTP_METRIC_ATTRIBUTES",
    "HTTP_METRIC_KEYS",
    "SERVER_SCOPE",
    "PullReader",
    "build_exemplar_filter",
    "build_readers",
    "build_red",
    "build_span_observers",
    "build_views",
    "pull_reader_for",
]

HTTP_METRIC = "http.server.request.duration"
HTTP_METRIC_ATTRIBUTES = frozenset(
    {"http.request.method", "http.route", "http.response.status_code", "error.type", "url.scheme"}
)
"""What the HTTP duration keeps: enough for RED and SLOs, nothing that grows with traffic.

``url.scheme`` is required by the semantic conventions and has two values; ``server.address``,
``server.port`` and the protocol version are left out (they grow with hosts, not with meaning).
"""

ACTIVE_REQUESTS_METRIC = "http.server.active_requests"
"""The instrumentations' up-down counter: two SDK measurements per request, dropped unless asked for."""


def build_views(settings: Settings, ledger: TraceLedger | None = None) -> list[Any]:
    """Return the SDK views: SLO-friendly buckets on the HTTP duration, its attributes trimmed.

    With a ``ledger``, its exemplars are drawn from traces this process exported (see ``_exemplars``).
    ``http.server.active_requests`` is dropped unless ``OTELWARD_METRICS_ACTIVE_REQUESTS`` keeps it.
    (``otelward.operation.duration`` is not an SDK instrument any more: see :func:`build_red`.)
    """
    from functools import partial

    from opentelemetry.sdk.metrics.view import DropAggregation, ExplicitBucketHistogramAggregation, View

    buckets = ExplicitBucketHistogramAggregation(list(settings.metrics.duration_buckets))
    extra: dict[str, Any] = {}
    if ledger is not None:
        reservoir = partial(ResolvingReservoir, ledger)
        extra["exemplar_reservoir_factory"] = lambda _aggregation: reservoir
    views = [
        View(
            instrument_name=HTTP_METRIC,
            aggregation=buckets,
            attribute_keys=set(HTTP_METRIC_ATTRIBUTES),
            **extra,
        ),
    ]
    if not settings.metrics.active_requests:
        views.append(View(instrument_name=ACTIVE_REQUESTS_METRIC, aggregation=DropAggregation()))
    return views


HTTP_METRIC_KEYS = (
    "http.request.method",
    "url.scheme",
    "http.route",
    "http.response.status_code",
    "error.type",
)
""":data:`HTTP_METRIC_ATTRIBUTES` in the order of the bucket histogram's series keys."""

DB_METRIC = "db.client.operation.duration"
DB_METRIC_KEYS = (
    "db.system.name",
    "db.namespace",
    "server.address",
    "server.port",
    "db.operation.name",
    "error.type",
)
"""What otelward's native DB-API instrumentation records on ``db.client.operation.duration``, in key order."""

DB_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0)
"""The semantic conventions' advisory boundaries for ``db.client.operation.duration``."""

DB_SCOPES = (
    "otelward.instrumentation.sqlite3",
    "otelward.instrumentation.psycopg",
    "otelward.instrumentation.dbapi",
)
"""The scopes of the native DB-API instrumentations (one histogram each, as the SDK instruments had)."""

SERVER_SCOPE = "otelward.instrumentation.server"
"""The scope of ``http.server.request.duration`` recorded by otelward's own server instrumentation."""


def build_red(settings: Settings, ledger: TraceLedger | None = None, resource: Any = None) -> BucketProducer:
    """Return the bucket histograms otelward counts itself, as one producer for every metric reader.

    ``otelward.operation.duration`` (span observers), ``http.server.request.duration`` of otelward's own
    server instrumentation and ``db.client.operation.duration`` of its native DB-API instrumentations, with
    the name, unit, attributes, buckets and scope the SDK instruments had.

    Args:
        settings: buckets and the exemplar filter.
        ledger: with a ledger, exemplars point to traces this process exported; without, none are kept.
        resource: the resource of points collected when the SDK collected nothing else.
    """
    operation = BucketHistogram(
        OPERATION_METRIC,
        "s",
        OPERATION_DESCRIPTION,
        OPERATION_KEYS,
        settings.metrics.duration_buckets,
        ledger,
        exemplar_mode(settings.metrics.exemplar_filter),
    )
    from otelward._version import __version__

    http = BucketHistogram(
        HTTP_METRIC,
        "s",
        "Duration of HTTP server requests.",
        HTTP_METRIC_KEYS,
        settings.metrics.duration_buckets,
        ledger,
        exemplar_mode(settings.metrics.exemplar_filter),
        scope=(SERVER_SCOPE, __version__),
    )
    databases = [
        BucketHistogram(
            DB_METRIC,
            "s",
            "Duration of database client operations.",
            DB_METRIC_KEYS,
            DB_BUCKETS,
            ledger,
            exemplar_mode(settings.metrics.exemplar_filter),
            scope=(scope, __version__),
        )
        for scope in DB_SCOPES
    ]
    return BucketProducer([operation, http, *databases], resource)


def build_exemplar_filter(settings: Settings) -> Any:
    """Return the meter provider's exemplar filter: ``OTEL_METRICS_EXEMPLAR_FILTER``, else any span."""
    from opentelemetry.sdk.metrics import (
        AlwaysOffExemplarFilter,
        AlwaysOnExemplarFilter,
        TraceBasedExemplarFilter,
    )

    table: dict[str, Callable[[], Any]] = {
        "trace_based": TraceBasedExemplarFilter,
        "always_on": AlwaysOnExemplarFilter,
        "always_off": AlwaysOffExemplarFilter,
    }
    return table.get(settings.metrics.exemplar_filter, RecordedSpanFilter)()


class PullReader(InMemoryMetricReader):
    """An in-memory cumulative reader that hands out redacted snapshots (for the management server).

    Collections are serialised: the management server may be scraped concurrently.
    """

    def __init__(
        self,
        redactor: Redactor | None = None,
        ledger: TraceLedger | None = None,
        producer: BucketProducer | None = None,
    ) -> None:
        super().__init__()
        self._snap_lock = threading.Lock()
        self._redactor = redactor
        self._ledger = ledger
        self._producer = producer
        self.resource: Mapping[str, Any] = {}
        """The attributes of this process's resource, as of the last snapshot (``target_info``)."""

    def _redact(self, attrs: Mapping[str, Any]) -> Mapping[str, Any]:
        if self._redactor is None:
            return attrs
        return self._redactor.redact_attributes(attrs, "metrics")

    def snapshot(self) -> Snapshot:
        """Collect now and return the cumulative snapshot of this process."""
        with self._snap_lock:
            data = self.get_metrics_data()
            if self._producer is not None:
                data = self._producer.merge_into(data)
        if data is not None and data.resource_metrics:
            self.resource = dict(data.resource_metrics[0].resource.attributes)
        resolved = self._ledger.was_exported if self._ledger is not None else None
        return from_metrics_data(data, redact=self._redact, resolved=resolved)


def build_readers(
    settings: Settings,
    redactor: Redactor | None,
    ledger: TraceLedger | None = None,
    producer: BucketProducer | None = None,
) -> list[Any]:
    """Return metric readers besides OTLP: the in-memory reader behind the management server's /metrics.

    Args:
        settings: the settings.
        redactor: the process's redaction engine: metric attributes pass through it before any exposition on
            /metrics (the OTLP path is redacted by the export transform); None while redaction is off.
        ledger: the traces this process exported, which exemplars may point to.
        producer: otelward's bucket histograms, merged into every snapshot.
    """
    return [PullReader(redactor, ledger, producer)] if settings.management.enabled else []


def pull_reader_for(readers: list[Any]) -> PullReader | None:
    """Return the :class:`PullReader` among ``readers``, if any."""
    return next((r for r in readers if isinstance(r, PullReader)), None)


def build_span_observers(settings: Settings, producer: BucketProducer) -> list[SpanObserver]:
    """Return observers that see every ended span (RED metrics for non-HTTP entry spans)."""
    operation = next(h for h in producer.histograms if h.name == OPERATION_METRIC)
    return [OperationObserver(operation, settings.metrics.cardinality_limit)]
