"""Attach otelward's handlers to the stdlib logging tree."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from otelward.config import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk._logs import LoggerProvider

__all__ = ["install_logging", "is_internal_record"]

_INTERNAL_PREFIXES = ("otelward", "opentelemetry", "urllib3.connectionpool", "grpc")


def is_internal_record(record: logging.LogRecord) -> bool:
    """Return True for records about telemetry itself, which must never be exported as telemetry.

    Exporting them would recurse: a failing exporter logs, the log is exported, the export fails...
    """
    if record.name.startswith(_INTERNAL_PREFIXES):
        return True
    return threading.current_thread().name.startswith("otelward-")


class _OtlpBridgeFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not is_internal_record(record)


def install_logging(settings: Settings, logger_provider: LoggerProvider | None) -> None:
    """Set levels from the settings and attach the OTLP bridge handler to the root logger."""
    root = logging.getLogger()
    root.setLevel(settings.logs.level.upper())
    for name, level in settings.logs.levels:
        logging.getLogger(name).setLevel(level.upper())
    if logger_provider is not None:
        from opentelemetry.sdk._logs import LoggingHandler

        handler = LoggingHandler(level=logging.NOTSET, logger_provider=logger_provider)
        handler.addFilter(_OtlpBridgeFilter())
        root.addHandler(handler)
