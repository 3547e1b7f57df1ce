"""Metric data-point labels are redacted for OTLP export and for the /metrics path."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricExportResult

from otelward.export._lazy_metrics import LazyMetricExporter
from otelward.redaction import RedactionEngine, redact_metrics_data
from otelward.redaction._metrics import metrics_transform

ENGINE = RedactionEngine()


def _collect(record: Any) -> Any:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    record(provider.get_meter("t"))
    data = reader.get_metrics_data()
    provider.shutdown()
    return data


def _points(data: Any) -> list[tuple[str, dict[str, Any], Any]]:
    return [
        (m.name, dict(p.attributes or {}), getattr(p, "value", getattr(p, "count", None)))
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        for p in m.data.data_points
    ]


def test_label_values_are_redacted_and_other_labels_kept() -> None:
    def record(meter: Any) -> None:
        meter.create_counter("logins").add(2, {"api_key": "k-1", "plan": "gold"})
        meter.create_histogram("latency").record(0.2, {"user": "ada@example.com"})

    out = _points(redact_metrics_data(ENGINE, _collect(record)))
    assert ("logins", {"api_key": "[REDACTED]", "plan": "gold"}, 2) in out
    assert ("latency", {"user": "[REDACTED]"}, 1) in out


def test_series_that_collide_after_masking_stay_distinct() -> None:
    def record(meter: Any) -> None:
        c = meter.create_counter("logins")
        c.add(1, {"api_key": "k-1"})
        c.add(5, {"api_key": "k-2"})

    out = _points(redact_metrics_data(ENGINE, _collect(record)))
    labels = sorted(p[1]["api_key"] for p in out)
    assert labels == ["[REDACTED]", "[REDACTED]~2"]
    assert sorted(p[2] for p in out) == [1, 5]


def test_clean_data_is_returned_as_is() -> None:
    data = _collect(lambda meter: meter.create_counter("requests").add(1, {"route": "/users/<id>"}))
    assert redact_metrics_data(ENGINE, data) is data


def test_lazy_exporter_exports_the_transformed_data() -> None:
    sent: list[Any] = []

    class Real:
        def export(self, data: Any, timeout_millis: float = 0) -> MetricExportResult:
            sent.append(data)
            return MetricExportResult.SUCCESS

    exporter = LazyMetricExporter(Real, transform=metrics_transform(ENGINE))
    data = _collect(lambda meter: meter.create_counter("c").add(1, {"password": "pw"}))
    assert exporter.export(data) is MetricExportResult.SUCCESS
    assert _points(sent[0]) == [("c", {"password": "[REDACTED]"}, 1)]
