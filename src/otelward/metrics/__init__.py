"""Metrics: views, extra readers and the span observers that record RED metrics."""

from __future__ import annotations

from otelward.metrics._build import (
    PullReader,
    build_exemplar_filter,
    build_readers,
    build_span_observers,
    build_views,
    pull_reader_for,
)

__all__ = [
    "PullReader",
    "build_exemplar_filter",
    "build_readers",
    "build_span_observers",
    "build_views",
    "pull_reader_for",
]
