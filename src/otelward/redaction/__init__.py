"""Redaction of secrets and personal data on every signal, before anything leaves the process."""

from __future__ import annotations

from otelward.redaction._api import Redactor
from otelward.redaction._build import build_log_transform, build_redactor, build_span_transform

__all__ = ["Redactor", "build_log_transform", "build_redactor", "build_span_transform"]
