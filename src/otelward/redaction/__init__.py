"""Redaction of secrets and personal data on every signal, before anything leaves the process."""

from __future__ import annotations

from otelward.redaction._api import Redactor
from otelward.redaction._build import (
    build_log_transform,
    build_metrics_transform,
    build_redactor,
    build_span_transform,
)
from otelward.redaction._engine import RedactionEngine
from otelward.redaction._metrics import redact_metrics_data

__all__ = [
    "RedactionEngine",
    "Redactor",
    "build_log_transform",
    "build_metrics_transform",
    "build_redactor",
    "build_span_transform",
    "redact_metrics_data",
]
