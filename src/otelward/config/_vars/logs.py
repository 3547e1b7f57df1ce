"""Declarations: logs."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import LOG_LEVELS, Kind, declare

__all__ = ["VARS"]

VARS: tuple[EnvVar, ...] = (
    declare(
        "OTELWARD_LOG_FORMAT",
        Kind.ENUM,
        "json",
        "ecs",
        "Console log format: OTel-model JSON (readable), ECS JSON, OTLP-JSON (one ExportLogsServiceRequest per "
        "line, as the collector's OTLP JSON file receiver reads it), text with ids, or off (the app's own "
        "formatting).",
        "logs",
        choices=("json", "ecs", "otlp-json", "text", "off"),
    ),
    declare(
        "OTELWARD_LOG_STREAM",
        Kind.ENUM,
        "stdout",
        "stderr",
        "Where console log lines go.",
        "logs",
        choices=("stdout", "stderr"),
    ),
    declare(
        "OTELWARD_LOG_LEVEL", Kind.ENUM, "info", "warning", "Root logger level.", "logs", choices=LOG_LEVELS
    ),
    declare(
        "OTELWARD_LOG_LEVELS",
        Kind.KEYVALUES,
        None,
        "sqlalchemy.engine=warning,myapp.db=debug",
        "Per-logger levels.",
        "logs",
    ),
    declare(
        "OTELWARD_REQUEST_ID_HEADER",
        Kind.STR,
        "X-Request-ID",
        "X-Correlation-ID",
        "Incoming/outgoing header carrying the request correlation id.",
        "logs",
    ),
)
