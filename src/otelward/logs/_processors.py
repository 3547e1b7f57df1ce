"""Small processors over log events: each takes an event and returns the next one.

The console chain is ``[add_resource(resource), redact(engine)]``; structlog and loguru events go through the
same processors. As in structlog, the event belongs to the chain: a processor may update it in place and
return it (no copy per step), but never keeps it or changes the values it holds (a ``resource`` mapping,
an ``extra`` dict the app passed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from otelward._ratelimit import log_once
from otelward.logs._event import Event

if TYPE_CHECKING:
    from otelward.logs._resource import LogResource
    from otelward.redaction import Redactor

__all__ = [
    "REDACTION_FAILED",
    "ExtrasStep",
    "LineStep",
    "Processor",
    "TextStep",
    "add_resource",
    "line_step",
    "redact",
    "redaction_steps",
    "run_chain",
]

_log = logging.getLogger("otelward.logs")

Processor = Callable[[Event], Event]
"""Turns one event into the next; never raises (a failing step is the processor's to handle)."""

REDACTION_FAILED = "[REDACTED: redaction failed]"
"""What a field becomes when its redaction raised: fail closed, a secret must not reach the console."""


def run_chain(processors: Sequence[Processor], event: Event) -> Event:
    """Return ``event`` after every processor in order."""
    for processor in processors:
        event = processor(event)
    return event


def add_resource(resource: LogResource) -> Processor:
    """Return the processor that sets the event's ``resource`` to ``resource``'s current attributes."""

    def processor(event: Event) -> Event:
        event["resource"] = resource.attributes
        return event

    return processor


TextStep = Callable[[str], str]
"""Redacts one text field of a line (message, exception message, stack); fails closed."""

ExtrasStep = Callable[[dict[str, Any]], Mapping[str, Any]]
"""Redacts a line's ``extra=`` fields; returns a new mapping when anything changed."""


def redaction_steps(redactor: Redactor) -> tuple[TextStep, ExtrasStep]:
    """Return the functions that redact a line's text fields and its extras with ``redactor``.

    The console processor (:func:`redact`) and the JSON formatter's record path use the same two.
    """
    # The engine's own attribute loop settles ordinary numbers, repeated values and values no detector can
    # match without a call per field; another Redactor gets one call per field.
    audited: Callable[[Mapping[str, Any], str, list[Any]], Mapping[str, Any]] | None = getattr(
        redactor, "redact_attributes_audited", None
    )

    quiet: Callable[[str], bool] | None = getattr(redactor, "quiet", None)

    def text(value: str) -> str:
        try:
            if quiet is not None and value.__class__ is str and quiet(value):
                return value  # nothing a detector could match (the common message)
            return redactor.redact_text(value)
        except Exception:  # noqa: BLE001 - fail closed: an unredacted secret must not reach the console
            log_once(_log, "redact-text", "otelward: log redaction failed", exc_info=True)
            return REDACTION_FAILED

    def value_of(key: str, value: Any) -> Any:
        try:
            return redactor.redact_value(key, value)
        except Exception:  # noqa: BLE001 - fail closed
            log_once(_log, "redact-value", "otelward: log redaction failed", exc_info=True)
            return REDACTION_FAILED

    def extras(extra: dict[str, Any]) -> Mapping[str, Any]:
        if audited is not None:
            try:
                return audited(extra, "", [])  # a new mapping when anything changed: `extra` is never changed
            except Exception:  # noqa: BLE001 - fail closed, field by field below
                log_once(_log, "redact-extras", "otelward: log redaction failed", exc_info=True)
        return {key: value_of(key, value) for key, value in extra.items()}

    return text, extras


LineStep = Callable[[str, dict[str, Any]], tuple[str, Mapping[str, Any]]]
"""Redacts a line's message and its ``extra=`` fields at once (the JSON formatter's record path); fails closed."""


def line_step(redactor: Redactor) -> LineStep:
    """Return the function that redacts a line's message and extras with ``redactor``, as :func:`redact` does.

    The engine does both in one call (its ``redact_line``; the JSON formatter falls back to the event chain,
    whose steps fail closed, if it raises); another Redactor gets the two steps of :func:`redaction_steps`.
    """
    whole: LineStep | None = getattr(redactor, "redact_line", None)
    if whole is not None:
        return whole
    text, extras = redaction_steps(redactor)

    def both(message: str, extra: dict[str, Any]) -> tuple[str, Mapping[str, Any]]:
        return text(message), extras(extra) if extra else extra

    return both


def redact(redactor: Redactor) -> Processor:
    """Return the processor that passes message, exception, stack and extras through ``redactor``."""
    text, extras = redaction_steps(redactor)

    def processor(event: Event) -> Event:
        event["message"] = text(event["message"])
        exception = event["exception"]
        if exception is not None:
            event["exception"] = (exception[0], text(exception[1]), text(exception[2]))
        if event["stack_info"]:
            event["stack_info"] = text(event["stack_info"])
        extra = event["extra"]
        if extra:
            event["extra"] = extras(extra)
        return event

    return processor
