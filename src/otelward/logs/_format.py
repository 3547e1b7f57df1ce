"""Console formatters: OTel-model JSON, ECS JSON and human-readable text, all one line per record.

Each formatter reads otelward's :class:`~otelward.logs._fields.Correlation` from the record and passes the
message, ``extra=`` values and exception text through the redaction engine before anything is written.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from otelward._ratelimit import log_once
from otelward.logs._encode import dumps, escape_control, rfc3339, safe_repr, severity_number, severity_text
from otelward.logs._fields import CORRELATION_ATTR, Correlation, correlation_of
from otelward.redaction import Redactor

__all__ = [
    "EcsFormatter",
    "JsonFormatter",
    "TextFormatter",
    "build_formatter",
    "code_and_thread",
    "extras_of",
]

_log = logging.getLogger("otelward.logs")

ECS_VERSION = "8.11.0"
_REDACTION_FAILED = "[REDACTED: redaction failed]"
# Noise some libraries attach to every record (uvicorn: an ANSI-coloured copy of the message).
_DROPPED_EXTRAS = frozenset({"color_message"})
_STANDARD = frozenset(
    set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)
    | {"message", "asctime", "taskName", CORRELATION_ATTR}
    | _DROPPED_EXTRAS
)
_OWN_VALUE: dict[str, Callable[[Correlation], str]] = {
    "trace_id": lambda c: c.trace_id,
    "span_id": lambda c: c.span_id,
    "trace_flags": lambda c: c.trace_flags,
    "service.name": lambda c: c.service_name,
    "request_id": lambda c: c.request_id,
}


def extras_of(record: logging.LogRecord, corr: Correlation) -> dict[str, Any]:
    """Return the ``extra=`` fields of ``record`` (otelward's own fields excluded unless the app set them)."""
    fields = record.__dict__
    found: dict[str, Any] = {}
    # set difference runs in C: only the few non-standard keys are looked at in Python
    for key in sorted(fields.keys() - _STANDARD):
        value = fields[key]
        own = _OWN_VALUE.get(key)
        if own is not None and value == own(corr):
            continue
        found[key] = value
    return found


def code_and_thread(record: logging.LogRecord, corr: Correlation) -> dict[str, Any]:
    """Return the semantic-convention attributes of ``record``: code location, thread, request id."""
    attributes: dict[str, Any] = {
        "code.file.path": record.pathname,
        "code.function.name": record.funcName,
        "code.line.number": record.lineno,
        "thread.id": record.thread,
        "thread.name": record.threadName,
    }
    if corr.request_id:
        attributes["http.request.id"] = corr.request_id
    return attributes


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - `log.info("%d", "x")` must still produce a line
        return f"{safe_repr(record.msg)} (unformattable args: {safe_repr(record.args)})"


def _exception_type(exc_type: type[BaseException]) -> str:
    module = getattr(exc_type, "__module__", "builtins")
    name = getattr(exc_type, "__qualname__", exc_type.__name__)
    return name if module in ("builtins", "__main__") else f"{module}.{name}"


class _Base(logging.Formatter):
    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor

    def _text(self, text: str) -> str:
        if self.redactor is None:
            return text
        try:
            return self.redactor.redact_text(text)
        except Exception:  # noqa: BLE001 - fail closed: an unredacted secret must not reach the console
            log_once(_log, "redact-text", "otelward: log redaction failed", exc_info=True)
            return _REDACTION_FAILED

    def _extras(self, record: logging.LogRecord, corr: Correlation) -> dict[str, Any]:
        extras = extras_of(record, corr)
        if self.redactor is None or not extras:
            return extras
        redacted: dict[str, Any] = {}
        for key, value in extras.items():
            try:
                redacted[key] = self.redactor.redact_value(key, value)
            except Exception:  # noqa: BLE001 - fail closed
                log_once(_log, "redact-value", "otelward: log redaction failed", exc_info=True)
                redacted[key] = _REDACTION_FAILED
        return redacted

    def _exception(self, record: logging.LogRecord) -> tuple[str, str, str] | None:
        """Return (type, message, stacktrace) of the record's exception, redacted."""
        if not record.exc_info or not isinstance(record.exc_info, tuple) or record.exc_info[0] is None:
            return None
        exc_type, exc, tb = record.exc_info
        try:
            message = str(exc)
        except Exception:  # noqa: BLE001 - a broken __str__ must not cost the line
            message = safe_repr(exc)
        try:
            stack = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip("\n")
        except Exception:  # noqa: BLE001 - a broken exception must not cost the line
            stack = ""
        return _exception_type(exc_type), self._text(message), self._text(stack)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """Return the record's time as RFC 3339 UTC with microseconds."""
        return rfc3339(record.created)


class JsonFormatter(_Base):
    """One JSON object per line with OTel log data model names."""

    def format(self, record: logging.LogRecord) -> str:
        """Return ``record`` as a JSON line."""
        corr = correlation_of(record)
        doc: dict[str, Any] = {
            "timestamp": rfc3339(record.created),
            "severity_text": severity_text(record.levelname),
            "severity_number": severity_number(record.levelno),
            "body": self._text(_message(record)),
        }
        if corr.trace_id:
            doc["trace_id"] = corr.trace_id
            doc["span_id"] = corr.span_id
            doc["trace_flags"] = corr.trace_flags
        if corr.service_name:
            doc["resource"] = {"service.name": corr.service_name}
        attributes: dict[str, Any] = {"logger.name": record.name, **code_and_thread(record, corr)}
        exception = self._exception(record)
        if exception is not None:
            attributes["exception.type"], attributes["exception.message"] = exception[:2]
            attributes["exception.stacktrace"] = exception[2]
        if record.stack_info:
            attributes["code.stacktrace"] = self._text(record.stack_info)
        extras = self._extras(record, corr)
        if extras:
            attributes.update((k, v) for k, v in extras.items() if k not in attributes)
        doc["attributes"] = attributes
        return dumps(doc)


class EcsFormatter(_Base):
    """One JSON object per line with Elastic Common Schema names."""

    def format(self, record: logging.LogRecord) -> str:
        """Return ``record`` as an ECS JSON line."""
        corr = correlation_of(record)
        doc: dict[str, Any] = {
            "@timestamp": rfc3339(record.created),
            "log.level": record.levelname.lower(),
            "message": self._text(_message(record)),
            "ecs.version": ECS_VERSION,
            "log.logger": record.name,
            "log.origin.file.name": record.filename,
            "log.origin.file.line": record.lineno,
            "log.origin.function": record.funcName,
            "process.pid": record.process,
            "process.thread.id": record.thread,
            "process.thread.name": record.threadName,
        }
        if corr.service_name:
            doc["service.name"] = corr.service_name
        if corr.trace_id:
            doc["trace.id"] = corr.trace_id
            doc["span.id"] = corr.span_id
        if corr.transaction_id:
            doc["transaction.id"] = corr.transaction_id
        if corr.request_id:
            doc["http.request.id"] = corr.request_id
        exception = self._exception(record)
        if exception is not None:
            doc["error.type"], doc["error.message"], doc["error.stack_trace"] = exception
        extras = self._extras(record, corr)
        if extras:
            # Nested under one key: an `extra={"trace.id": ...}` must not overwrite the real one.
            doc["extra"] = extras
        return dumps(doc)


class TextFormatter(_Base):
    """Human-readable single lines with the ids appended; a traceback follows on ``|``-prefixed lines."""

    def format(self, record: logging.LogRecord) -> str:
        """Return ``record`` as text."""
        corr = correlation_of(record)
        parts = [
            rfc3339(record.created),
            f"{record.levelname:<8}",
            escape_control(f"{record.name}:"),
            escape_control(self._text(_message(record))),
        ]
        if corr.trace_id:
            parts.append(f"trace_id={corr.trace_id} span_id={corr.span_id}")
        if corr.request_id:
            parts.append(f"request_id={corr.request_id}")
        for key, value in self._extras(record, corr).items():
            shown = value if isinstance(value, str) else dumps({"v": value})[5:-1]
            parts.append(escape_control(f"{key}={shown}"))
        line = " ".join(parts)
        exception = self._exception(record)
        if exception is not None and exception[2]:
            line += "".join("\n  | " + escape_control(x) for x in exception[2].split("\n"))
        return line


def build_formatter(fmt: str, redactor: Redactor | None) -> logging.Formatter | None:
    """Return the console formatter for ``OTELWARD_LOG_FORMAT`` (None for ``off``)."""
    if fmt == "json":
        return JsonFormatter(redactor)
    if fmt == "ecs":
        return EcsFormatter(redactor)
    if fmt == "text":
        return TextFormatter(redactor)
    return None
