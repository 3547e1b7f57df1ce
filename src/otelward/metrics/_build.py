"""Wire metric views, readers and RED-metric span observers from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from otelward.config import Settings
from otelward.pipeline import SpanObserver

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider

__all__ = ["build_readers", "build_span_observers", "build_views"]


def build_views(settings: Settings) -> list[Any]:
    """Return the SDK views (histogram buckets, cardinality limits)."""
    return []


def build_readers(settings: Settings) -> list[Any]:
    """Return metric readers besides OTLP (the management server's Prometheus reader)."""
    return []


def build_span_observers(settings: Settings, meter_provider: MeterProvider) -> list[SpanObserver]:
    """Return observers that see every ended span (RED metrics for non-HTTP entry spans)."""
    return []
