"""Adapters from the redaction engine to the export queues' transform hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan

from otelward.config import Settings
from otelward.redaction._api import Redactor

__all__ = ["build_log_transform", "build_redactor", "build_span_transform"]

SpanTransform = Callable[[list[ReadableSpan]], list[ReadableSpan]]
LogTransform = Callable[[list[Any]], list[Any]]


def build_redactor(settings: Settings) -> Redactor | None:
    """Return the engine configured by ``settings``, or None when redaction is off."""
    return None


def build_span_transform(settings: Settings) -> SpanTransform | None:
    """Return the batch transform that redacts spans on the export thread, or None when off."""
    return None


def build_log_transform(settings: Settings) -> LogTransform | None:
    """Return the batch transform that redacts OTLP log records on the export thread, or None when off."""
    return None
