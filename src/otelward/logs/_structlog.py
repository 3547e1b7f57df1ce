"""structlog: ids, redaction and OTLP export for every event, with the app's own renderer kept.

Installed by a post-import hook on ``structlog`` (nothing is imported otherwise). One
:class:`OtelwardProcessor` goes right before the last processor of every chain (the renderer, or
``ProcessorFormatter.wrap_for_formatter`` for the stdlib integration): the default chain, every chain given to
``configure``/``configure_once``/``reset_defaults`` later, chains passed to ``wrap_logger``, and the
``processors`` of every ``structlog.stdlib.ProcessorFormatter`` (which renders foreign stdlib records too).

The processor adds ``trace_id``/``span_id``/``trace_flags``/``request_id`` (values the app bound win), emits
one OTel log record for a native logger (``PrintLogger``, ``WriteLogger``, ``BytesLogger``...; a stdlib-backed
event is exported once by the stdlib bridge instead), and redacts the event dict before the renderer sees it.
With ``OTELWARD_LOG_FORMAT`` set explicitly, otelward's renderer replaces a native chain's renderer.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, MutableMapping, Sequence
from types import ModuleType
from typing import Any

from otelward._ratelimit import log_once
from otelward.logs._libs import (
    FIELDS,
    LibContext,
    add_fields,
    guarded_hook,
    redact_mapping,
    redacted_exception,
)
from otelward.logs._request_id import current_request_id

__all__ = ["OtelwardProcessor", "install_structlog", "uninstall_structlog", "with_processor"]

_log = logging.getLogger("otelward.logs")
_LEVELS = {
    "debug": 10,
    "info": 20,
    "msg": 20,
    "warning": 30,
    "warn": 30,
    "error": 40,
    "exception": 40,
    "err": 40,
    "critical": 50,
    "fatal": 50,
}
# Keys that are the record's own fields over OTLP (body, severity, time, exception), not attributes.
_NOT_ATTRIBUTES = frozenset(
    {"event", "level", "timestamp", "exc_info", "_record", "_from_structlog", *FIELDS}
)
_TEXT_KEYS = ("event", "exception", "stack")
_META = ("_record", "_from_structlog")


def _exception_of(value: Any) -> BaseException | None:
    if isinstance(value, BaseException):
        return value
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
        return value[1]
    if value is True:
        return sys.exc_info()[1]
    return None


def _redact_exc_info(redactor: Any, event_dict: MutableMapping[str, Any], exc_info: Any) -> None:
    """Hand the renderer (``ConsoleRenderer``, ``format_exc_info`` after us) an exception with a redacted
    message, as a 3-tuple, when the message holds a secret."""
    exc = _exception_of(exc_info)
    if exc is None:
        return
    value = redacted_exception(redactor, exc)
    if value is not None:
        event_dict["exc_info"] = (type(value), value, exc.__traceback__)


class OtelwardProcessor:
    """The processor otelward puts before a chain's renderer (see the module docstring).

    Args:
        ctx: service name, redaction engine, logger provider, optional renderer.
        in_formatter: True in a ``ProcessorFormatter``: only foreign stdlib records are handled there (events
            from structlog passed the chain's own processor already).
    """

    def __init__(self, ctx: LibContext, in_formatter: bool = False) -> None:
        self.ctx = ctx
        self.in_formatter = in_formatter

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
        """Add the ids, emit over OTLP, redact; return the event dict for the renderer."""
        try:
            self._process(logger, method_name, event_dict)
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            log_once(_log, "structlog", "otelward: structlog processor failed", exc_info=True)
        return event_dict

    def _process(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> None:
        if self.in_formatter:
            if event_dict.get("_from_structlog"):
                return
        elif not isinstance(logger, logging.Logger) and self.ctx.exports():
            self._emit(logger, method_name, event_dict)
        if self.ctx.redactor is not None:
            exc_info = event_dict.get("exc_info")
            redact_mapping(self.ctx.redactor, event_dict, _TEXT_KEYS, (*_META, "exc_info"))
            if exc_info is not None:
                _redact_exc_info(self.ctx.redactor, event_dict, exc_info)
        # after redaction: otelward's own hex ids need none
        add_fields(event_dict, self.ctx.service_name)

    def _emit(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> None:
        level = str(event_dict.get("level") or method_name).lower()
        levelno = _LEVELS.get(level, 20)
        attributes = {k: v for k, v in event_dict.items() if k not in _NOT_ATTRIBUTES}
        if "exception" in attributes:
            attributes["exception.stacktrace"] = attributes.pop("exception")
        request_id = event_dict.get("request_id") or current_request_id()
        if request_id:
            attributes["http.request.id"] = request_id
        name = str(event_dict.get("logger") or getattr(logger, "name", "") or "structlog")
        event = event_dict.get("event")
        self.ctx.emit(
            name,
            levelno,
            logging.getLevelName(levelno),
            event if isinstance(event, str) or event is None else repr(event),
            attributes,
            exception=_exception_of(event_dict.get("exc_info")),
        )


class OtelwardRenderer:
    """otelward's renderer in place of a native chain's own (``OTELWARD_LOG_FORMAT`` set explicitly)."""

    def __init__(self, render: Callable[[dict[str, Any]], str]) -> None:
        self.render = render

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
        """Return the event as one otelward line (bytes for a ``BytesLogger``)."""
        line = self.render(to_event(method_name, event_dict))
        return line.encode("utf-8", "backslashreplace") if type(logger).__name__ == "BytesLogger" else line


def to_event(method_name: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    """Return the otelward log event (:mod:`otelward.logs._event` keys) of a structlog event dict."""
    level = str(event_dict.get("level") or method_name).lower()
    levelno = _LEVELS.get(level, 20)
    thread = threading.current_thread()
    extra = {k: v for k, v in event_dict.items() if k not in _NOT_ATTRIBUTES and k != "logger"}
    stack = extra.pop("exception", None)
    return {
        "time": time.time(),
        "level": logging.getLevelName(levelno),
        "levelno": levelno,
        "logger": str(event_dict.get("logger") or "structlog"),
        "message": str(event_dict.get("event", "")),
        "trace_id": event_dict.get("trace_id", ""),
        "span_id": event_dict.get("span_id", ""),
        "trace_flags": event_dict.get("trace_flags", ""),
        "request_id": event_dict.get("request_id", ""),
        "transaction_id": "",
        "service_name": "",
        "file_path": "",
        "file_name": "",
        "function": "",
        "line": 0,
        "thread_id": thread.ident,
        "thread_name": thread.name,
        "pid": None,
        "process_name": "",
        "exception": None if stack is None else ("", "", str(stack)),
        "stack_info": None,
        "extra": extra,
    }


def with_processor(processors: Sequence[Any], ctx: LibContext, in_formatter: bool = False) -> list[Any]:
    """Return ``processors`` with otelward's processor before the last one (once; a copy, never in place)."""
    chain = [p for p in processors if not isinstance(p, OtelwardProcessor)]
    if not chain:
        return list(processors)
    last = chain[-1]
    native = getattr(last, "__name__", "") != "wrap_for_formatter" and not in_formatter
    if ctx.render is not None and native and not isinstance(last, OtelwardRenderer):
        chain[-1] = OtelwardRenderer(ctx.render)
    # In a ProcessorFormatter first: its `remove_processors_meta` would hide `_from_structlog`.
    chain.insert(0 if in_formatter else len(chain) - 1, OtelwardProcessor(ctx, in_formatter))
    return chain


def _extended(processors: Any, ctx: LibContext, in_formatter: bool = False) -> Any:
    """Return ``with_processor(...)``, or ``processors`` unchanged if that fails (never raise into the app)."""
    try:
        chain = list(processors)
    except Exception:  # noqa: BLE001 - not iterable: structlog will tell the app
        return processors
    try:
        return with_processor(chain, ctx, in_formatter)
    except Exception:  # noqa: BLE001
        log_once(_log, "structlog-chain", "otelward: could not extend the structlog chain", exc_info=True)
        return chain


_saved: list[tuple[Any, str, Any]] = []


def _patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    original = getattr(owner, name)
    original = getattr(original, "__otelward_original__", original)
    wrapper = make(original)
    wrapper.__otelward_original__ = original
    wrapper.__doc__ = original.__doc__
    _saved.append((owner, name, original))
    setattr(owner, name, wrapper)


def install_structlog(ctx: LibContext) -> Callable[[ModuleType], None]:
    """Return the post-import hook that instruments ``structlog`` with ``ctx``."""
    return guarded_hook("structlog", _install, ctx)


def _install(structlog: Any, ctx: LibContext) -> None:
    config_module = sys.modules["structlog._config"]
    config = config_module._CONFIG

    def rechain() -> None:
        try:
            config.default_processors = with_processor(config.default_processors, ctx)
        except Exception:  # noqa: BLE001 - the app's configure must not fail because of otelward
            log_once(_log, "structlog-chain", "otelward: could not extend the structlog chain", exc_info=True)

    def after(original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            rechain()
            return result

        return wrapper

    def wrap_logger(original: Any) -> Any:
        def wrapper(logger: Any = None, processors: Any = None, *args: Any, **kwargs: Any) -> Any:
            if processors is not None:
                processors = _extended(processors, ctx)
            return original(logger, processors, *args, **kwargs)

        return wrapper

    for owner in (config_module, structlog):
        for name in ("configure", "configure_once", "reset_defaults"):
            _patch(owner, name, after)
        _patch(owner, "wrap_logger", wrap_logger)
    rechain()

    formatter_cls = structlog.stdlib.ProcessorFormatter

    def formatter_init(original: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
            original(self, *args, **kwargs)
            self.processors = _extended(self.processors, ctx, in_formatter=True)

        return __init__

    _patch(formatter_cls, "__init__", formatter_init)
    if ctx.render is None:
        from otelward.logs import _console

        if formatter_cls not in _console.KEEP_FORMATTERS:
            _console.KEEP_FORMATTERS.append(formatter_cls)


def uninstall_structlog() -> None:
    """Undo the patches and take otelward's processor out of the default chain (tests)."""
    while _saved:
        owner, name, original = _saved.pop()
        setattr(owner, name, original)
    from otelward.logs import _console

    _console.KEEP_FORMATTERS.clear()
    config_module = sys.modules.get("structlog._config")
    if config_module is not None:
        config = config_module._CONFIG
        config.default_processors = [
            p for p in config.default_processors if not isinstance(p, (OtelwardProcessor, OtelwardRenderer))
        ]
