"""Metric export failures are counted by data point and logged twice per outage (failing, recovered).

Playbook: docs/ops/playbooks/collector-outage.md.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricExportResult

from otelward.export._lazy_metrics import LazyMetricExporter


class Flaky:
    def __init__(self) -> None:
        self.results: list[Any] = []
        self.shut = False

    def export(self, data: Any, timeout_millis: float = 0) -> Any:
        outcome = self.results.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def shutdown(self, timeout_millis: float = 0) -> None:
        self.shut = True


def _data() -> Any:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    counter = provider.get_meter("t").create_counter("c")
    counter.add(1, {"k": "a"})
    counter.add(1, {"k": "b"})
    data = reader.get_metrics_data()
    provider.shutdown()
    return data


def test_failures_are_counted_by_point_and_logged_once_per_transition(
    caplog: pytest.LogCaptureFixture,
) -> None:
    real = Flaky()
    real.results = [
        MetricExportResult.FAILURE,
        RuntimeError("collector gone"),
        MetricExportResult.FAILURE,
        MetricExportResult.SUCCESS,
        MetricExportResult.SUCCESS,
    ]
    failed_points: list[int] = []
    exporter = LazyMetricExporter(lambda: real, on_failure=failed_points.append)
    data = _data()
    with caplog.at_level(logging.WARNING, logger="otelward.export"):
        results = [exporter.export(data) for _ in range(5)]
    assert results == [MetricExportResult.FAILURE] * 3 + [MetricExportResult.SUCCESS] * 2
    assert failed_points == [2, 2, 2]
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "metrics export is failing" in messages[0]
    assert "recovered after 3 failed attempts" in messages[1]
    exporter.shutdown()
    assert real.shut
