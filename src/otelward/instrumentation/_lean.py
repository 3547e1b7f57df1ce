"""The tracer of otelward's own instrumentations: lean spans when otelward's pipeline gets them, else the SDK's.

:func:`lean_tracer` returns a tracer that starts a :class:`~otelward.instrumentation._lean_span.LeanSpan`
when the global tracer provider is the SDK's with otelward's span pipeline as its only span processor and
that pipeline accepts lean spans (``OTELWARD_LEAN_SPANS``, on by default). Anywhere else — a user's own
span processor added, another provider, the SDK's internal span metrics on, a tracer configurator that
disables the scope — it is the SDK tracer, unchanged. Checked on every span start (two attribute reads),
so a processor added at any time is honoured from the next span on.

The span is started as the SDK tracer would start it: the same ids from the provider's id generator, the
provider's sampler asked (otelward's consistent-ratio sampler directly, without a ``SamplingResult``), the
same trace flags and trace state, ``on_start`` of the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from time import time_ns
from typing import Any

from opentelemetry import trace as trace_api
from opentelemetry.trace import SpanContext, SpanKind, TraceFlags
from opentelemetry.util._decorator import _agnosticcontextmanager

from otelward.instrumentation._lean_span import LeanSpan
from otelward.sampling._head import ConsistentRatioSampler

__all__ = ["LeanTracer", "lean_tracer"]

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_DEFAULT = TraceFlags(TraceFlags.DEFAULT)
_RANDOM = getattr(TraceFlags, "RANDOM_TRACE_ID", 0)
_FLAGS = {
    (True, False): _SAMPLED,
    (False, False): _DEFAULT,
    (True, True): TraceFlags(TraceFlags.SAMPLED | _RANDOM),
    (False, True): TraceFlags(TraceFlags.DEFAULT | _RANDOM),
}
_SDK_PARTS = (
    "sampler",
    "resource",
    "span_processor",
    "id_generator",
    "_span_limits",
    "_instrumentation_scope",
)


def lean_tracer(name: str, version: str, schema_url: str | None = None) -> LeanTracer:
    """Return the tracer for one of otelward's instrumentations (``trace.get_tracer`` underneath)."""
    return LeanTracer(trace_api.get_tracer(name, version, schema_url=schema_url))


def _usable_sdk_tracer(tracer: Any) -> Any:
    """Return ``tracer`` if it is an SDK tracer a lean span can stand in for, else None."""
    from opentelemetry.sdk.trace import Tracer as SdkTracer

    if type(tracer) is not SdkTracer or not all(hasattr(tracer, part) for part in _SDK_PARTS):
        return None
    # The SDK's own span metrics count SDK span objects: with them on, lean spans would be missing there.
    if type(getattr(tracer, "_tracer_metrics", None)).__name__ != "NoOpTracerMetrics":
        return None
    return tracer


class LeanTracer(trace_api.Tracer):
    """Start lean spans into otelward's span pipeline when it is the only processor, else SDK spans.

    Args:
        tracer: the API tracer ``trace.get_tracer`` returned (the SDK's, or a proxy resolved on first use).
    """

    def __init__(self, tracer: trace_api.Tracer) -> None:
        self._api = tracer
        self._sdk: Any = None
        self._checked = False

    def _sdk_tracer(self) -> Any:
        if self._checked:
            return self._sdk
        api = self._api
        if isinstance(api, trace_api.ProxyTracer):
            real = getattr(api, "_real_tracer", None)
            if real is None:
                # Not resolved yet: ask again next time (the provider may be set later).
                return _usable_sdk_tracer(getattr(api, "_tracer", None))
            api = real
        self._sdk = _usable_sdk_tracer(api)
        self._checked = True
        return self._sdk

    def _pipeline(self, sdk: Any) -> Any:
        processors: Sequence[Any] = getattr(sdk.span_processor, "_span_processors", ())
        if len(processors) != 1:
            return None
        pipeline = processors[0]
        if not getattr(pipeline, "lean_spans", False):
            return None
        enabled = getattr(sdk, "_is_enabled", None)  # SDK 1.40+: a tracer configurator may disable the scope
        if enabled is not None and not enabled():
            return None
        return pipeline

    def start_span(
        self,
        name: str,
        context: Any = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        links: Sequence[trace_api.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> trace_api.Span:
        """Start a span as the SDK tracer would; a lean one when otelward's pipeline takes it."""
        sdk = self._sdk_tracer()
        pipeline = None if sdk is None or links else self._pipeline(sdk)
        if pipeline is None:
            return self._api.start_span(
                name,
                context=context,
                kind=kind,
                attributes=attributes,
                links=links,
                start_time=start_time,
                record_exception=record_exception,
                set_status_on_exception=set_status_on_exception,
            )
        parent: SpanContext | None = trace_api.get_current_span(context).get_span_context()
        ids = sdk.id_generator
        if parent is None or not parent.is_valid:
            parent = None
            trace_id = ids.generate_trace_id()
            random_id = ids.is_trace_id_random()
        else:
            trace_id = parent.trace_id
            random_id = bool(parent.trace_flags & _RANDOM)
        sampler = sdk.sampler
        attrs = dict(attributes) if attributes else {}
        recording = True  # otelward's sampler records every span: the tail decides what is kept
        if type(sampler) is ConsistentRatioSampler:
            sampled, state = sampler.flag(parent, trace_id)
        else:
            result = sampler.should_sample(context, trace_id, name, kind, attributes, links)
            sampled = result.decision.is_sampled()
            recording = result.decision.is_recording()
            state = result.trace_state
            attrs = dict(result.attributes) if result.attributes else {}
        span_context = SpanContext(
            trace_id,
            ids.generate_span_id(),
            is_remote=False,
            trace_flags=_FLAGS[(sampled, bool(random_id))],
            trace_state=state,
        )
        if not recording:
            return trace_api.NonRecordingSpan(span_context)
        span = LeanSpan(
            name, span_context, parent, kind, attrs, sdk, pipeline, start_time if start_time else time_ns()
        )
        pipeline.on_start(span, context)
        return span

    @_agnosticcontextmanager
    def start_as_current_span(
        self,
        name: str,
        context: Any = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        links: Sequence[trace_api.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[trace_api.Span]:
        """Start a span and make it current for the ``with`` block, as the SDK tracer does."""
        span = self.start_span(
            name, context, kind, attributes, links, start_time, record_exception, set_status_on_exception
        )
        with trace_api.use_span(
            span,
            end_on_exit=end_on_exit,
            record_exception=record_exception,
            set_status_on_exception=set_status_on_exception,
        ) as current:
            yield current
