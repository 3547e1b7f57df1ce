"""Redaction of secrets and personal data on every signal, before anything leaves the process."""

from __future__ import annotations

from otelward.redaction._api import Redactor
from otelward.redaction._build import build_redactor
from otelward.redaction._engine import RedactionEngine
from otelward.redaction._logs import log_transform
from otelward.redaction._metrics import metrics_transform, redact_metrics_data
from otelward.redaction._spans import span_transform

__all__ = [
    "RedactionEngine",
    "Redactor",
    "build_redactor",
    "log_transform",
    "metrics_transform",
    "redact_metrics_data",
    "span_transform",
]
