"""Logs: correlation fields on every record, console output, and the OTLP log bridge."""

from __future__ import annotations

from otelward.logs._install import install_logging, is_internal_record

__all__ = ["install_logging", "is_internal_record"]
