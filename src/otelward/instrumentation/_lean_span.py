"""A light span for otelward's own instrumentations: the OpenTelemetry ``Span`` API, no SDK span object.

Most traces are dropped by the tail sampler, yet an SDK span costs every request its bounded-attribute
dict, its lock, its processor chain and a ``ReadableSpan`` copy at the end. A :class:`LeanSpan` holds what
the span will carry in plain slots; the tail selector and the RED observers read it as they read a
``ReadableSpan`` (same property names), and :meth:`LeanSpan.to_readable` builds the SDK ``ReadableSpan``
(with the SDK's attribute limits and cleaning) only when its trace is kept.

Any code that calls ``trace.get_current_span()`` gets a real ``opentelemetry.trace.Span``: it can set
attributes, add events, record exceptions and read the span context; propagation is unchanged.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from time import time_ns
from types import TracebackType
from typing import Any

from opentelemetry import trace as trace_api
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode

__all__ = ["LeanSpan"]

_log = logging.getLogger("otelward.instrumentation")
_UNSET = Status(StatusCode.UNSET)


def _bounded(
    max_attributes: int | None, max_length: int | None, attributes: Mapping[str, Any] | None
) -> BoundedAttributes:
    """Return an event's or a link's attributes bounded as the SDK bounds them (count, value length)."""
    return BoundedAttributes(max_attributes, attributes, max_value_len=max_length, immutable=True)


class LeanSpan(trace_api.Span):
    """A recording span whose ``end()`` hands it to otelward's span pipeline directly.

    Args:
        name, context, parent, kind, attributes: as the SDK span takes them.
        tracer: the SDK tracer it stands for (resource, scope and limits are read from it when exported).
        pipeline: otelward's span pipeline (``on_start``/``on_end``).
        start_time: epoch nanoseconds.
    """

    __slots__ = (
        "_attributes",
        "_end_time",
        "_events",
        "_links",
        "_name",
        "_pipeline",
        "_status",
        "_tracer",
        "context",
        "kind",
        "parent",
        "start_time",
    )

    def __init__(
        self,
        name: str,
        context: SpanContext,
        parent: SpanContext | None,
        kind: SpanKind,
        attributes: dict[str, Any],
        tracer: Any,
        pipeline: Any,
        start_time: int,
    ) -> None:
        self._name = name
        self.context = context
        self.parent = parent
        self.kind = kind
        self._attributes = attributes
        self._tracer = tracer
        self._pipeline = pipeline
        self.start_time = start_time
        self._end_time: int | None = None
        self._status = _UNSET
        self._events: list[Event] = []
        self._links: list[Link] = []

    # -- the ReadableSpan side, read by the tail selector and the observers --------------------------

    @property
    def name(self) -> str:
        """Return the span name."""
        return self._name

    @property
    def attributes(self) -> Mapping[str, Any]:
        """Return the attributes set so far (not yet cleaned by the SDK's limits)."""
        return self._attributes

    @property
    def end_time(self) -> int | None:
        """Return the end in epoch nanoseconds (None while open)."""
        return self._end_time

    @property
    def status(self) -> Status:
        """Return the span status."""
        return self._status

    @property
    def events(self) -> tuple[Event, ...]:
        """Return the events added so far."""
        return tuple(self._events)

    @property
    def links(self) -> tuple[Link, ...]:
        """Return the links added so far."""
        return tuple(self._links)

    @property
    def resource(self) -> Any:
        """Return the tracer provider's resource."""
        return self._tracer.resource

    @property
    def instrumentation_scope(self) -> Any:
        """Return the instrumentation scope of the tracer that started the span."""
        return self._tracer._instrumentation_scope

    def to_readable(self) -> ReadableSpan:
        """Build the SDK ``ReadableSpan`` this span stands for, with the tracer provider's limits applied."""
        limits = self._tracer._span_limits
        return ReadableSpan(
            name=self._name,
            context=self.context,
            parent=self.parent,
            resource=self._tracer.resource,
            attributes=BoundedAttributes(
                limits.max_span_attributes,
                self._attributes,
                immutable=True,
                max_value_len=limits.max_span_attribute_length,
            ),
            events=_last(self._events, limits.max_events),
            links=_last(self._links, limits.max_links),
            kind=self.kind,
            status=self._status,
            start_time=self.start_time,
            end_time=self._end_time,
            instrumentation_scope=self._tracer._instrumentation_scope,
        )

    # -- the Span API -----------------------------------------------------------------------------------

    def get_span_context(self) -> SpanContext:
        """Return the span context."""
        return self.context

    def is_recording(self) -> bool:
        """Return True until the span ended."""
        return self._end_time is None

    def set_attribute(self, key: str, value: Any) -> None:
        """Set one attribute (ignored once the span ended, as the SDK does)."""
        if self._end_time is None:
            self._attributes[key] = value

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        """Set several attributes (ignored once the span ended)."""
        if self._end_time is None:
            self._attributes.update(attributes)

    def update_name(self, name: str) -> None:
        """Rename the span."""
        if self._end_time is None:
            self._name = name

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        """Set the status with the SDK's rules: OK is final, UNSET is ignored."""
        if self._end_time is not None or self._status.status_code is StatusCode.OK:
            return
        if isinstance(status, Status):
            if status.status_code is not StatusCode.UNSET:
                self._status = status
        elif status is not StatusCode.UNSET:
            self._status = Status(status, description)

    def add_event(
        self, name: str, attributes: Mapping[str, Any] | None = None, timestamp: int | None = None
    ) -> None:
        """Add an event, its attributes bounded as the SDK bounds them."""
        if self._end_time is not None:
            return
        limits = self._tracer._span_limits
        bounded = _bounded(limits.max_event_attributes, limits.max_attribute_length, attributes)
        self._events.append(Event(name=name, attributes=bounded, timestamp=timestamp))

    def add_link(self, context: SpanContext, attributes: Mapping[str, Any] | None = None) -> None:
        """Add a link to another span (an invalid context without attributes is ignored, as in the SDK)."""
        if self._end_time is not None or (not context.is_valid and not attributes):
            return
        limits = self._tracer._span_limits
        bounded = _bounded(limits.max_link_attributes, limits.max_attribute_length, attributes)
        self._links.append(Link(context, bounded))

    def record_exception(
        self,
        exception: BaseException,
        attributes: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        """Record an ``exception`` event with the attributes the SDK gives it."""
        module = type(exception).__module__
        qualname = type(exception).__qualname__
        event: dict[str, Any] = {
            "exception.type": f"{module}.{qualname}" if module and module != "builtins" else qualname,
            "exception.message": str(exception),
            "exception.stacktrace": "".join(traceback.format_exception(exception)),
            "exception.escaped": str(escaped),
        }
        if attributes:
            event.update(attributes)
        self.add_event("exception", event, timestamp)

    def end(self, end_time: int | None = None) -> None:
        """End the span and hand it to otelward's span pipeline (a second call is ignored)."""
        if self._end_time is not None:
            _log.debug("end() called on an ended span %s", self._name)
            return
        self._end_time = end_time if end_time is not None else time_ns()
        self._pipeline.on_end(self)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        """End the span; an exception leaving the block is recorded and sets ERROR, as the SDK span does."""
        if exc_val is not None and self._end_time is None:
            self.record_exception(exc_val, escaped=True)
            self.set_status(Status(StatusCode.ERROR, f"{type(exc_val).__name__}: {exc_val}"))
        self.end()

    def __repr__(self) -> str:
        return f'LeanSpan(name="{self._name}", context={self.context})'


def _last(items: Sequence[Any], limit: int | None) -> tuple[Any, ...]:
    # The SDK's bounded list keeps the newest items when there are more than its limit.
    if limit is None or len(items) <= limit:
        return tuple(items)
    return tuple(items[len(items) - limit :])
