"""One log event as a plain mapping, read from a stdlib ``LogRecord``: the input of the processor chain.

structlog's model: a record becomes an event dict once; small pure processors (:mod:`otelward.logs._processors`)
turn it into another; a renderer (:mod:`otelward.logs._render`) writes it as one line. The same chain serves
every console format and, later, structlog and loguru events.

Keys (all present; strings are '' when absent):

=================  ==========================================================================================
``time``           epoch seconds (float)
``level``          level name as logged (``WARNING``); ``levelno`` its number
``logger``         logger name
``message``        the formatted message
``trace_id`` ...   ``span_id``, ``trace_flags``, ``request_id``, ``transaction_id``, ``service_name``
``file_path``      and ``file_name``, ``function``, ``line``: where the call was made
``thread_id``      and ``thread_name``, ``pid``, ``process_name``
``exception``      ``(type, message, stacktrace)`` or None
``stack_info``     the ``stack_info=True`` text or None
``extra``          the record's ``extra=`` fields (otelward's own excluded unless the app set them)
``resource``       the process's resource attributes (the same read-only mapping for every event; empty until
                   the :func:`~otelward.logs._processors.add_resource` processor sets it)
=================  ==========================================================================================
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from otelward.logs._encode import safe_repr
from otelward.logs._fields import CORRELATION_ATTR, Correlation, correlation_of
from otelward.logs._request_id import LEGACY_REQUEST_ID_ATTRIBUTE, REQUEST_ID_ATTRIBUTE

__all__ = [
    "NO_RESOURCE",
    "Event",
    "code_and_thread",
    "event_attributes",
    "event_from_record",
    "exception_of",
    "extras_of",
    "message_of",
    "request_id_attributes",
]

Event = dict[str, Any]
"""A log event (see the module docstring for its keys)."""

NO_RESOURCE: Mapping[str, Any] = MappingProxyType({})
"""The ``resource`` of an event no processor has given one."""

# Noise some libraries attach to every record (uvicorn: an ANSI-coloured copy of the message).
_DROPPED_EXTRAS = frozenset({"color_message"})
# otelward's own record attributes (see _fields.install_fields), in Correlation's field order
_OWN_NAMES = ("trace_id", "span_id", "trace_flags", "service.name", "request_id")
_STANDARD = frozenset(
    set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)
    | {"message", "asctime", "taskName", CORRELATION_ATTR}
    | _DROPPED_EXTRAS
    | set(_OWN_NAMES)
)


# structlog's `ProcessorFormatter.wrap_for_formatter` logs its event dict as `msg`, with these extras.
_STRUCTLOG_EXTRAS = frozenset({"_logger", "_name"})
_STRUCTLOG_OWN = frozenset(
    {"event", "level", "timestamp", "trace_id", "span_id", "trace_flags", "request_id"}
)


def extras_of(record: logging.LogRecord, corr: Correlation) -> dict[str, Any]:
    """Return the ``extra=`` fields of ``record`` (otelward's own fields excluded unless the app set them).

    A structlog event dict logged as the message contributes its keys (its ``event`` is the message).
    """
    fields = record.__dict__
    # set difference runs in C: only the few non-standard keys are looked at in Python
    keys = fields.keys() - _STANDARD
    get = fields.get
    own = (get("trace_id"), get("span_id"), get("trace_flags"), get("service.name"), get("request_id"))
    if own != corr[:5]:
        # rare: the app set one of otelward's names itself (or the record predates otelward's fields)
        keys.update(
            name
            for name, value, ours in zip(_OWN_NAMES, own, corr, strict=False)
            if name in fields and value != ours
        )
    msg = record.msg
    if isinstance(msg, dict):
        # a structlog event dict logged through stdlib: its keys are the extras
        found = {key: fields[key] for key in sorted(keys - _STRUCTLOG_EXTRAS)}
        found.update((str(k), v) for k, v in msg.items() if k not in _STRUCTLOG_OWN)
        return found
    if not keys:
        return {}
    return {key: fields[key] for key in sorted(keys)}


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
        attributes.update(request_id_attributes(corr.request_id))
    return attributes


def request_id_attributes(request_id: str) -> dict[str, str]:
    """Return the log attributes naming ``request_id``: otelward's name and, for one release, the old one."""
    return {REQUEST_ID_ATTRIBUTE: request_id, LEGACY_REQUEST_ID_ATTRIBUTE: request_id}


def message_of(record: logging.LogRecord) -> str:
    """Return the record's message; unformattable arguments still give a line."""
    if isinstance(record.msg, dict) and "event" in record.msg:
        return str(record.msg["event"])
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - `log.info("%d", "x")` must still produce a line
        return f"{safe_repr(record.msg)} (unformattable args: {safe_repr(record.args)})"


def _exception_type(exc_type: type[BaseException]) -> str:
    module = getattr(exc_type, "__module__", "builtins")
    name = getattr(exc_type, "__qualname__", exc_type.__name__)
    return name if module in ("builtins", "__main__") else f"{module}.{name}"


def exception_of(record: logging.LogRecord) -> tuple[str, str, str] | None:
    """Return (type, message, stacktrace) of the record's exception, or None."""
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
    return _exception_type(exc_type), message, stack


def event_from_record(record: logging.LogRecord) -> Event:
    """Return the event of ``record`` (nothing redacted yet)."""
    corr = correlation_of(record)
    return {
        "time": record.created,
        "level": record.levelname,
        "levelno": record.levelno,
        "logger": record.name,
        "message": message_of(record),
        "trace_id": corr.trace_id,
        "span_id": corr.span_id,
        "trace_flags": corr.trace_flags,
        "request_id": corr.request_id,
        "transaction_id": corr.transaction_id,
        "service_name": corr.service_name,
        "file_path": record.pathname,
        "file_name": record.filename,
        "function": record.funcName,
        "line": record.lineno,
        "thread_id": record.thread,
        "thread_name": record.threadName,
        "pid": record.process,
        "process_name": record.processName,
        "exception": exception_of(record),
        "stack_info": record.stack_info or None,
        "extra": extras_of(record, corr),
        "resource": NO_RESOURCE,
    }


def event_attributes(event: Event) -> dict[str, Any]:
    """Return the OTel log attributes of an event: code location, thread, request id, exception, extras."""
    attributes: dict[str, Any] = {
        "code.file.path": event["file_path"],
        "code.function.name": event["function"],
        "code.line.number": event["line"],
        "thread.id": event["thread_id"],
        "thread.name": event["thread_name"],
    }
    if event["request_id"]:
        attributes.update(request_id_attributes(event["request_id"]))
    exception = event["exception"]
    if exception is not None:
        attributes["exception.type"], attributes["exception.message"], attributes["exception.stacktrace"] = (
            exception
        )
    if event["stack_info"]:
        attributes["code.stacktrace"] = event["stack_info"]
    extra = event["extra"]
    if extra:
        attributes.update((k, v) for k, v in extra.items() if k not in attributes)
    return attributes
