"""The export path: bounded batch queues and lazily built exporters."""

from __future__ import annotations

from otelward.export._batch import BatchExporter, DropCounter, Exporter
from otelward.export._factory import log_exporter, metric_exporter, span_exporter

__all__ = ["BatchExporter", "DropCounter", "Exporter", "log_exporter", "metric_exporter", "span_exporter"]
