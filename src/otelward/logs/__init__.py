"""Logs: correlation fields on every record, console output, request ids, and the OTLP log bridge."""

from __future__ import annotations

from otelward.logs._bridge import is_internal_record
from otelward.logs._encode import escape_control, rfc3339, severity_number
from otelward.logs._fields import Correlation, correlation_of, current_correlation
from otelward.logs._format import (
    EcsFormatter,
    JsonFormatter,
    OtlpJsonFormatter,
    TextFormatter,
    build_formatter,
)
from otelward.logs._install import install_logging, uninstall_logging
from otelward.logs._request_id import (
    RequestIdHooks,
    current_request_id,
    new_request_id,
    parse_request_id,
)

__all__ = [
    "Correlation",
    "EcsFormatter",
    "JsonFormatter",
    "OtlpJsonFormatter",
    "RequestIdHooks",
    "TextFormatter",
    "build_formatter",
    "correlation_of",
    "current_correlation",
    "current_request_id",
    "escape_control",
    "install_logging",
    "is_internal_record",
    "new_request_id",
    "parse_request_id",
    "rfc3339",
    "severity_number",
    "uninstall_logging",
]
