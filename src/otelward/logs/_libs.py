"""What the structlog and loguru adapters share: correlation fields, redaction of a mapping, OTLP emission.

Both libraries hand otelward a plain mapping per record (structlog's event dict, loguru's ``record["extra"]``)
in the caller's thread and OTel context, so the same three steps serve both: add the ids of the current
span and request, pass the values through the process's one redaction engine, and emit one OTel log record
(which the export transform redacts again on the export thread, counting and auditing what it finds, as
for stdlib records).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from otelward._ratelimit import log_once
from otelward.logs._bridge import attribute_value, in_stdlib_bridge
from otelward.logs._encode import severity_number, severity_text
from otelward.logs._fields import current_correlation
from otelward.logs._processors import REDACTION_FAILED

if TYPE_CHECKING:
    from otelward.redaction import Redactor

__all__ = [
    "FIELDS",
    "LibContext",
    "add_fields",
    "guarded_hook",
    "otel_severity",
    "redact_mapping",
    "redact_text",
    "redacted_exception",
]

_log = logging.getLogger("otelward.logs")

FIELDS = ("trace_id", "span_id", "trace_flags", "request_id")
"""The keys added to every structlog event dict and loguru ``extra`` (absent outside a span/request)."""

_INTERNAL_LOGGERS = ("otelward", "opentelemetry")


def add_fields(target: MutableMapping[str, Any], service_name: str) -> None:
    """Add the current trace/span ids, flags and request id to ``target``; values the app set win."""
    corr = current_correlation(service_name)
    if corr.trace_id:
        target.setdefault("trace_id", corr.trace_id)
        target.setdefault("span_id", corr.span_id)
        target.setdefault("trace_flags", corr.trace_flags)
    if corr.request_id:
        target.setdefault("request_id", corr.request_id)


def redact_text(redactor: Redactor, text: str) -> str:
    """Return ``text`` redacted; fail closed (``REDACTION_FAILED``) when the engine raises."""
    try:
        return redactor.redact_text(text)
    except Exception:  # noqa: BLE001 - an unredacted secret must not reach the console
        log_once(_log, "redact-lib", "otelward: log redaction failed", exc_info=True)
        return REDACTION_FAILED


def redact_mapping(
    redactor: Redactor,
    values: MutableMapping[str, Any],
    text_keys: tuple[str, ...],
    skip: tuple[str, ...] = (),
) -> None:
    """Redact ``values`` in place: ``text_keys`` as free text, every other value by its key's rules."""
    for key, value in list(values.items()):
        if key in skip:
            continue
        try:
            if key in text_keys and isinstance(value, str):
                new = redactor.redact_text(value)
            else:
                new = redactor.redact_value(str(key), value)
        except Exception:  # noqa: BLE001 - fail closed: an unredacted secret must not reach the console
            log_once(_log, "redact-lib", "otelward: log redaction failed", exc_info=True)
            new = REDACTION_FAILED
        if new is not value:
            values[key] = new


def redacted_exception(redactor: Redactor, exc: BaseException) -> BaseException | None:
    """Return a stand-in for ``exc`` with its message redacted, or None when the message holds no secret.

    The stand-in has the same class name, module and traceback, so a rendered traceback differs only in the
    message; the app's exception object is left alone.
    """
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ has nothing to leak
        return None
    redacted = redact_text(redactor, text)
    if redacted == text:
        return None
    cls = type(exc)
    stand_in = type(
        cls.__name__, (Exception,), {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
    )
    value: BaseException = stand_in(redacted)
    value.__traceback__ = exc.__traceback__
    return value


@functools.cache
def otel_severity(levelno: int) -> Any:
    """Return the OTel ``SeverityNumber`` of a stdlib-scale level (loguru's TRACE, 5, is TRACE)."""
    from opentelemetry._logs import SeverityNumber

    if 0 < levelno < 10:
        return SeverityNumber.TRACE
    return SeverityNumber(severity_number(levelno))


@dataclass
class LibContext:
    """What an adapter needs from the process: names, redaction, where OTLP records go."""

    service_name: str
    redactor: Redactor | None
    logger_provider: Any
    render: Callable[[dict[str, Any]], str] | None = None
    """otelward's renderer when ``OTELWARD_LOG_FORMAT`` is set explicitly; None keeps the app's."""

    def __post_init__(self) -> None:
        self._loggers: dict[str, Any] = {}

    def exports(self) -> bool:
        """Return True when a record logged now should be emitted over OTLP by the adapter."""
        # A loguru/structlog record that is being handled as a stdlib record (an intercept handler)
        # is exported by the stdlib bridge already: once.
        return self.logger_provider is not None and not in_stdlib_bridge()

    def emit(
        self,
        name: str,
        levelno: int,
        level_text: str,
        body: Any,
        attributes: Mapping[str, Any],
        exception: BaseException | None = None,
        timestamp: float | None = None,
    ) -> None:
        """Emit one OTel log record in the caller's context (never raises, never recurses)."""
        provider = self.logger_provider
        if provider is None:
            return
        if name.startswith(_INTERNAL_LOGGERS) or threading.current_thread().name.startswith("otelward-"):
            return
        try:
            otel_logger = self._loggers.get(name)
            if otel_logger is None:
                otel_logger = self._loggers[name] = provider.get_logger(name or "root")
            otel_logger.emit(
                timestamp=int((time.time() if timestamp is None else timestamp) * 1e9),
                severity_number=otel_severity(levelno),
                severity_text=severity_text(level_text),
                body=body,
                attributes={str(k): attribute_value(v) for k, v in attributes.items()},
                exception=exception,
            )
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            log_once(_log, "otlp-lib", "otelward: exporting a log record failed", exc_info=True)


def guarded_hook(
    library: str, install: Callable[[Any, LibContext], None], ctx: LibContext
) -> Callable[[ModuleType], None]:
    """Return a post-import hook that runs ``install(module, ctx)``; a failure is one log line, never the app's."""

    def hook(module: ModuleType) -> None:
        try:
            install(module, ctx)
        except Exception:  # noqa: BLE001 - an unknown library version must not stop the app
            log_once(_log, f"{library}-install", f"otelward: could not instrument {library}", exc_info=True)

    return hook
