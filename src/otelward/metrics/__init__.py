"""Metrics: views, extra readers and the span observers that record RED metrics."""

from __future__ import annotations

from otelward.metrics._build import build_readers, build_span_observers, build_views

__all__ = ["build_readers", "build_span_observers", "build_views"]
