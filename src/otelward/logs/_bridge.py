"""The OTLP log bridge: every record a logger handles is emitted to the OTel logger provider exactly once.

A handler on the root logger (the stock approach) is removed by ``dictConfig`` and ``basicConfig(force=
True)``, never sees loggers that do not propagate (gunicorn, uvicorn), and is duplicated when a second
integration attaches its own. Instead the bridge wraps ``Logger.callHandlers``, which runs once per record,
on the logger the record was logged to, after that logger's level and filters and in the caller's thread
and context — so the exported record carries the right trace context, whatever handlers are configured.
Records about telemetry itself are never exported (that would recurse when an exporter logs).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from otelward._ratelimit import log_once
from otelward.logs._encode import severity_number, severity_text
from otelward.logs._event import code_and_thread, extras_of
from otelward.logs._fields import Correlation, correlation_of

__all__ = [
    "attribute_value",
    "in_stdlib_bridge",
    "install_bridge",
    "is_internal_record",
    "to_otel_attributes",
    "uninstall_bridge",
]

_log = logging.getLogger("otelward.logs")
_INTERNAL_PREFIXES = ("otelward", "opentelemetry", "urllib3.connectionpool", "grpc")
# gunicorn's own loggers are written to the console but not exported: most of their records come from the
# pre-fork master, and an export from the master before it forks stalls the workers' exports for seconds
# (tests/integration/test_fork_e2e.py). The app's records in the workers are exported as usual.
_CONSOLE_ONLY_PREFIXES = ("gunicorn.",)
_MAX_DEPTH = 6
# Set while a stdlib record's handlers run: a handler that forwards to loguru/structlog (an "intercept
# handler") must not make those adapters export the record a second time.
_handling = threading.local()


def in_stdlib_bridge() -> bool:
    """Return True while this thread runs the handlers of a stdlib record the bridge exports."""
    return bool(getattr(_handling, "depth", 0))


def is_internal_record(record: logging.LogRecord) -> bool:
    """Return True for records about telemetry itself, which must never be exported as telemetry.

    Exporting them would recurse: a failing exporter logs, the log is exported, the export fails...
    """
    if record.name.startswith(_INTERNAL_PREFIXES):
        return True
    return threading.current_thread().name.startswith("otelward-")


def attribute_value(value: Any, depth: int = 0) -> Any:
    """Return ``value`` as an OTel AnyValue (primitives, lists, string-keyed maps); others become repr."""
    from otelward.logs._encode import safe_repr

    if value is None or isinstance(value, (str, bool, int, float, bytes)):
        return value
    if depth < _MAX_DEPTH:
        if isinstance(value, Mapping):
            return {str(k): attribute_value(v, depth + 1) for k, v in list(value.items())}
        if isinstance(value, (list, tuple)):
            return [attribute_value(v, depth + 1) for v in value]
    return safe_repr(value)


def to_otel_attributes(record: logging.LogRecord, corr: Correlation) -> dict[str, Any]:
    """Return the OTLP attributes of ``record``: code location, thread, request id, extras."""
    attributes = code_and_thread(record, corr)
    if record.stack_info:
        attributes["code.stacktrace"] = record.stack_info
    for key, value in extras_of(record, corr).items():
        if key not in attributes:
            try:
                attributes[key] = attribute_value(value)
            except Exception:  # noqa: BLE001 - a hostile extra must not cost the record
                attributes[key] = "<unrepresentable>"
    return attributes


def _body(record: logging.LogRecord) -> str:
    if isinstance(record.msg, dict) and "event" in record.msg:
        return str(record.msg["event"])
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - unformattable args still produce a record
        return str(record.msg)


def _emitter(logger_provider: Any, pipeline: Any = None) -> Callable[[logging.LogRecord], None]:
    loggers: dict[str, Any] = {}
    if pipeline is not None:
        return _holder(logger_provider, pipeline, loggers)

    def emit(record: logging.LogRecord) -> None:
        if is_internal_record(record) or record.name.startswith(_CONSOLE_ONLY_PREFIXES):
            return
        otel_logger = loggers.get(record.name)
        if otel_logger is None:
            otel_logger = loggers[record.name] = logger_provider.get_logger(record.name)
        exc = record.exc_info[1] if isinstance(record.exc_info, tuple) else None
        otel_logger.emit(
            timestamp=int(record.created * 1e9),
            severity_number=_severity(record.levelno),
            severity_text=severity_text(record.levelname),
            body=_body(record),
            attributes=to_otel_attributes(record, correlation_of(record)),
            exception=exc,
        )

    return emit


def _attributes(record: logging.LogRecord) -> dict[str, Any]:
    return to_otel_attributes(record, correlation_of(record))


def _holder(
    logger_provider: Any, pipeline: Any, loggers: dict[str, Any]
) -> Callable[[logging.LogRecord], None]:
    """Return the emitter that offers each record to ``pipeline`` as a :class:`HeldLog` (built if exported)."""
    import time

    from opentelemetry.context import get_current

    from otelward.logs._held import HeldLog

    offer = pipeline.offer

    def emit(record: logging.LogRecord) -> None:
        if is_internal_record(record) or record.name.startswith(_CONSOLE_ONLY_PREFIXES):
            return
        otel_logger = loggers.get(record.name)
        if otel_logger is None:
            otel_logger = loggers[record.name] = logger_provider.get_logger(record.name)
        # The message now: the app may change its arguments once the call returns. A formatter that ran
        # already left it on the record.
        body = record.__dict__.get("message") if record.msg.__class__ is str else None
        offer(
            HeldLog(
                otel_logger,
                get_current(),
                record,
                _severity(record.levelno),
                severity_text(record.levelname),
                _body(record) if body is None else body,
                time.time_ns(),
                _attributes,
            )
        )

    return emit


@functools.cache
def _severity(levelno: int) -> Any:
    # Cached: an enum lookup by value costs a tenth of the bridge's time per record.
    from opentelemetry._logs import SeverityNumber

    return SeverityNumber(severity_number(levelno))


_original_call_handlers: Callable[[logging.Logger, logging.LogRecord], None] | None = None


def install_bridge(logger_provider: Any, pipeline: Any = None) -> None:
    """Wrap ``Logger.callHandlers`` so handled records also go to ``logger_provider`` (idempotent).

    With otelward's log ``pipeline`` (a :class:`~otelward.export._pipelines.LogPipeline` registered on the
    provider), each record is offered to it held by reference and becomes an SDK record only if exported.
    """
    global _original_call_handlers
    if _original_call_handlers is None:
        _original_call_handlers = logging.Logger.callHandlers
    original = _original_call_handlers
    emit = _emitter(logger_provider, pipeline)

    def callHandlers(self: logging.Logger, record: logging.LogRecord) -> None:  # noqa: N802
        _handling.depth = getattr(_handling, "depth", 0) + 1
        try:
            original(self, record)
        finally:
            _handling.depth -= 1
        try:
            emit(record)
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            log_once(_log, "otlp-bridge", "otelward: exporting a log record failed", exc_info=True)

    callHandlers.__wrapped__ = original  # type: ignore[attr-defined]
    logging.Logger.callHandlers = callHandlers  # type: ignore[method-assign]


def uninstall_bridge() -> None:
    """Restore the original ``Logger.callHandlers`` (tests)."""
    global _original_call_handlers
    if _original_call_handlers is not None:
        logging.Logger.callHandlers = _original_call_handlers  # type: ignore[method-assign,assignment]
        _original_call_handlers = None
