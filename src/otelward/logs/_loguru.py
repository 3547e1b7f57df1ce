"""loguru: ids in ``record["extra"]``, redacted output on every sink, one OTLP record per log call.

Installed by a post-import hook on ``loguru``. otelward's patcher is the core patcher of loguru's one
``logger`` (the app's own ``configure(patcher=...)`` is chained after it, not replaced), so it runs once per
record, before any sink: the default stderr sink, and every sink the app adds, format the redacted record.
The sinks keep the app's format; the ids are there for it as ``{extra[trace_id]}`` and in ``serialize=True``
output. With ``OTELWARD_LOG_FORMAT`` set explicitly, the default stderr sink is replaced by one writing
otelward's format.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from otelward._ratelimit import log_once
from otelward.logs._libs import (
    FIELDS,
    LibContext,
    add_fields,
    guarded_hook,
    redact_mapping,
    redact_text,
    redacted_exception,
)
from otelward.logs._request_id import current_request_id

__all__ = ["install_loguru", "to_event", "uninstall_loguru"]

_log = logging.getLogger("otelward.logs")
_saved: list[tuple[Any, str, Any]] = []
_NOT_ATTRIBUTES = frozenset(FIELDS)


def _otlp_attributes(record: dict[str, Any]) -> dict[str, Any]:
    thread = record["thread"]
    attributes: dict[str, Any] = {
        "code.file.path": record["file"].path,
        "code.function.name": record["function"],
        "code.line.number": record["line"],
        "thread.id": thread.id,
        "thread.name": thread.name,
    }
    extra = record["extra"]
    for key, value in extra.items():
        if key not in _NOT_ATTRIBUTES and key not in attributes:
            attributes[key] = value
    request_id = extra.get("request_id") or current_request_id()
    if request_id:
        attributes["http.request.id"] = request_id
    return attributes


def _redact_exception(ctx: LibContext, record: dict[str, Any]) -> None:
    """Replace the exception by one whose message is redacted (only when the message holds a secret)."""
    exception = record["exception"]
    if exception is None or exception.value is None or ctx.redactor is None:
        return
    value = redacted_exception(ctx.redactor, exception.value)
    if value is not None:
        record["exception"] = type(exception)(type(value), value, exception.traceback)


def _emit(ctx: LibContext, record: dict[str, Any]) -> None:
    level = record["level"]
    exception = record["exception"]
    ctx.emit(
        str(record["name"] or "loguru"),
        level.no,
        level.name,
        record["message"],
        _otlp_attributes(record),
        exception=None if exception is None else exception.value,
        timestamp=record["time"].timestamp(),
    )


def make_patcher(ctx: LibContext) -> Callable[[dict[str, Any]], None]:
    """Return the loguru patcher: fields, OTLP emission (raw: the export transform redacts), redaction."""

    def patcher(record: dict[str, Any]) -> None:
        try:
            extra = record["extra"]
            if ctx.exports():
                _emit(ctx, record)
            if ctx.redactor is not None:
                record["message"] = redact_text(ctx.redactor, record["message"])
                redact_mapping(ctx.redactor, extra, ())
                _redact_exception(ctx, record)
            # after redaction: otelward's own hex ids need none
            add_fields(extra, ctx.service_name)
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            log_once(_log, "loguru", "otelward: loguru patcher failed", exc_info=True)

    patcher.__otelward__ = True  # type: ignore[attr-defined]
    return patcher


def _chain(first: Callable[[dict[str, Any]], None], then: Callable[[dict[str, Any]], None] | None) -> Any:
    if then is None or getattr(then, "__otelward__", False):
        return first

    def chained(record: dict[str, Any]) -> None:
        first(record)
        then(record)

    chained.__otelward__ = True  # type: ignore[attr-defined]
    chained.__otelward_app_patcher__ = then  # type: ignore[attr-defined]
    return chained


def to_event(record: dict[str, Any]) -> dict[str, Any]:
    """Return the otelward log event (:mod:`otelward.logs._event` keys) of a loguru record."""
    level = record["level"]
    extra = record["extra"]
    exception = record["exception"]
    exc = None
    if exception is not None and exception.type is not None:
        import traceback

        stack = "".join(traceback.format_exception(exception.type, exception.value, exception.traceback))
        exc = (exception.type.__name__, str(exception.value), stack.rstrip("\n"))
    levelno = int(level.no)
    return {
        "time": record["time"].timestamp(),
        "level": level.name,
        "levelno": 10 if levelno < 10 else levelno,
        "logger": str(record["name"] or "loguru"),
        "message": record["message"],
        "trace_id": extra.get("trace_id", ""),
        "span_id": extra.get("span_id", ""),
        "trace_flags": extra.get("trace_flags", ""),
        "request_id": extra.get("request_id", ""),
        "transaction_id": "",
        "service_name": "",
        "file_path": record["file"].path,
        "file_name": record["file"].name,
        "function": record["function"],
        "line": record["line"],
        "thread_id": record["thread"].id,
        "thread_name": record["thread"].name,
        "pid": record["process"].id,
        "process_name": record["process"].name,
        "exception": exc,
        "stack_info": None,
        "extra": {k: v for k, v in extra.items() if k not in _NOT_ATTRIBUTES},
    }


def install_loguru(ctx: LibContext) -> Callable[[ModuleType], None]:
    """Return the post-import hook that instruments ``loguru`` with ``ctx``."""
    return guarded_hook("loguru", _install, ctx)


def _install(loguru: Any, ctx: LibContext) -> None:
    logger = loguru.logger
    core = logger._core
    patcher = make_patcher(ctx)
    app_patcher = core.patcher
    if getattr(app_patcher, "__otelward__", False):  # installed before (tests): keep only the app's part
        app_patcher = getattr(app_patcher, "__otelward_app_patcher__", None)
    _saved.append((core, "patcher", app_patcher))
    core.patcher = _chain(patcher, app_patcher)
    logger_cls = type(logger)
    original = getattr(logger_cls.configure, "__otelward_original__", logger_cls.configure)

    def configure(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        if kwargs.get("patcher") is not None and self._core is core:
            core.patcher = _chain(patcher, kwargs["patcher"])
        return result

    configure.__doc__ = original.__doc__
    configure.__otelward_original__ = original  # type: ignore[attr-defined]
    _saved.append((logger_cls, "configure", original))
    logger_cls.configure = configure
    if ctx.render is not None:
        _replace_default_sink(logger, ctx.render)


def _replace_default_sink(logger: Any, render: Callable[[dict[str, Any]], str]) -> None:
    """Swap loguru's default stderr handler (id 0) for one writing otelward's lines to the same stream."""
    try:
        logger.remove(0)
    except ValueError:
        return  # the app (or LOGURU_AUTOINIT=0) removed it already: its own sinks keep their format

    def sink(message: Any) -> None:
        sys.stderr.write(render(to_event(message.record)) + "\n")

    logger.add(sink, level="DEBUG", format="{message}", colorize=False, catch=True)


def uninstall_loguru() -> None:
    """Restore loguru's core patcher and ``Logger.configure`` (tests)."""
    while _saved:
        owner, name, original = _saved.pop()
        setattr(owner, name, original)
