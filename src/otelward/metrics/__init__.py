"""Metrics: views, extra readers, the span observers that record RED metrics, and process metrics."""

from __future__ import annotations

from otelward.metrics._build import (
    PullReader,
    build_exemplar_filter,
    build_readers,
    build_red,
    build_span_observers,
    build_views,
    pull_reader_for,
)
from otelward.metrics._process import register_process_metrics

__all__ = [
    "PullReader",
    "build_exemplar_filter",
    "build_readers",
    "build_red",
    "build_span_observers",
    "build_views",
    "pull_reader_for",
    "register_process_metrics",
]
