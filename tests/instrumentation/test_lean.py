"""Lean spans: the same exported span as the SDK's, no SDK span object for a dropped trace, SDK spans when
anything else listens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanLimits, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from otelward.export._pipelines import SpanPipeline
from otelward.instrumentation._lean import LeanTracer
from otelward.instrumentation._lean_span import LeanSpan
from otelward.sampling import ConsistentRatioSampler, KeepSampled, Policy, TailSelector, threshold_for


class Counting(IdGenerator):
    """Deterministic ids, so an SDK run and a lean run can be compared field by field."""

    def __init__(self) -> None:
        self.n = 0

    def generate_span_id(self) -> int:
        self.n += 1
        return 0x1000 + self.n

    def generate_trace_id(self) -> int:
        self.n += 1
        return (0xABC << 64) + self.n


class Queue:
    def __init__(self) -> None:
        self.spans: list[Any] = []
        self.dropped: dict[str, int] = {}

    def put_many(self, spans: Sequence[Any]) -> None:
        self.spans.extend(spans)

    def count_dropped(self, reason: str, count: int) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + count

    def shutdown(self, timeout: float) -> None:
        return

    def flush(self, timeout: float) -> bool:
        return True


def _rig(
    *, lean: bool, sampler: Any = None, selector: Any = None, limits: SpanLimits | None = None
) -> tuple[LeanTracer, SpanPipeline, Queue, list[Any]]:
    queue = Queue()
    seen: list[Any] = []
    pipeline = SpanPipeline([seen.append], selector or KeepSampled(), [queue], lean_spans=lean)  # type: ignore[list-item]
    provider = TracerProvider(
        sampler=sampler or ConsistentRatioSampler(1.0),
        id_generator=Counting(),
        span_limits=limits,
        shutdown_on_exit=False,
    )
    provider.add_span_processor(pipeline)
    return LeanTracer(provider.get_tracer("otelward.test", "1.0")), pipeline, queue, seen


def _t(ns: int | None) -> int | str | None:
    # Explicit test times are small; a clock reading (the SDK's and ours differ by nanoseconds) is "now".
    return "now" if ns is not None and ns > 10**15 else ns


def _shape(span: ReadableSpan) -> dict[str, Any]:
    ctx, parent = span.context, span.parent
    return {
        "type": type(span).__name__,
        "name": span.name,
        "kind": span.kind,
        "ids": (ctx.trace_id, ctx.span_id, int(ctx.trace_flags), ctx.trace_state.to_header()),
        "parent": None if parent is None else (parent.trace_id, parent.span_id, parent.is_remote),
        "attributes": dict(span.attributes or {}),
        "dropped_attributes": span.dropped_attributes,
        "events": [(e.name, dict(e.attributes or {}), _t(e.timestamp)) for e in span.events],
        "links": [(link.context.span_id, dict(link.attributes or {})) for link in span.links],
        "status": (span.status.status_code, span.status.description),
        "times": (_t(span.start_time), _t(span.end_time)),
        "scope": (span.instrumentation_scope.name, span.instrumentation_scope.version),
        "resource": dict(span.resource.attributes),
    }


def _boom() -> ValueError:
    try:
        raise ValueError("no such user")
    except ValueError as err:
        return err


def _plain(tracer: Any) -> None:
    span = tracer.start_span(
        "GET", kind=SpanKind.SERVER, attributes={"http.request.method": "GET"}, start_time=10
    )
    span.set_attribute("http.route", "/users/<id>")
    span.update_name("GET /users/<id>")
    span.set_attributes({"http.response.status_code": 200, "tags": ["a", "b"]})
    span.end(end_time=20)


def _failure(tracer: Any) -> None:
    span = tracer.start_span("SELECT", kind=SpanKind.CLIENT, start_time=10)
    span.record_exception(_boom(), timestamp=15)
    span.set_status(Status(StatusCode.ERROR, "ValueError: no such user"))
    span.end(end_time=20)


def _ok_is_final(tracer: Any) -> None:
    span = tracer.start_span("job", start_time=10)
    span.set_status(StatusCode.OK)
    span.set_status(Status(StatusCode.ERROR, "later"))
    span.end(end_time=20)
    span.set_attribute("after", "end")
    span.add_event("after-end")
    span.end(end_time=30)


def _limits(tracer: Any) -> None:
    span = tracer.start_span("many", attributes={f"k{i}": i for i in range(5)}, start_time=10)
    span.set_attribute("long", "x" * 50)
    for i in range(4):
        span.add_event(f"e{i}", {"n": i, "m": i, "o": i}, timestamp=11 + i)
    span.add_link(SpanContext(1, 2, False), {"why": "fan-in"})
    span.add_link(SpanContext(0, 0, False))  # invalid, no attributes: ignored by the SDK
    span.end(end_time=20)


def _child_of_remote(tracer: Any) -> None:
    carrier = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "v=1"}
    parent = TraceContextTextMapPropagator().extract(carrier)
    outer = tracer.start_span("GET", context=parent, kind=SpanKind.SERVER, start_time=10)
    token = otel_context.attach(trace.set_span_in_context(outer))
    try:
        inner = tracer.start_span("SELECT", kind=SpanKind.CLIENT, start_time=11)
        inner.end(end_time=12)
    finally:
        otel_context.detach(token)
    outer.end(end_time=20)


def _context_manager(tracer: Any) -> None:
    with pytest.raises(ValueError, match="inside"), tracer.start_as_current_span("work", start_time=10):
        raise ValueError("inside")


SCENARIOS: list[Callable[[Any], None]] = [
    _plain,
    _failure,
    _ok_is_final,
    _limits,
    _child_of_remote,
    _context_manager,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__.strip("_") for s in SCENARIOS])
def test_a_lean_span_is_exported_exactly_as_the_sdk_span(scenario: Callable[[Any], None]) -> None:
    limits = SpanLimits(max_span_attributes=4, max_events=3, max_event_attributes=2, max_attribute_length=8)
    shapes = []
    for lean in (False, True):
        tracer, _, queue, _ = _rig(lean=lean, limits=limits)
        scenario(tracer)
        shapes.append([_shape(s) for s in queue.spans])
    sdk, ours = shapes
    assert sdk, "the scenario exported nothing"
    # The stack trace of a recorded exception names the line that formatted it; compare the rest.
    for spans in shapes:
        for span in spans:
            for _, attrs, _ in span["events"]:
                attrs.pop("exception.stacktrace", None)
    assert ours == sdk


def test_lean_spans_are_what_the_pipeline_sees_and_only_kept_ones_are_built() -> None:
    selector = TailSelector(Policy(threshold_for(0.0), 0), max_spans=100, max_traces=10, max_wait_s=30)
    tracer, _, queue, seen = _rig(lean=True, sampler=ConsistentRatioSampler(0.0), selector=selector)
    span = tracer.start_span("GET", kind=SpanKind.SERVER)
    assert isinstance(span, LeanSpan)
    assert isinstance(span, trace.Span)
    assert span.get_span_context().is_valid
    assert not span.get_span_context().trace_flags.sampled
    span.end()
    assert seen == [span]  # RED observers got it
    assert queue.spans == []  # dropped: never built
    failed = tracer.start_span("GET", kind=SpanKind.SERVER)
    failed.set_attribute("http.response.status_code", 503)
    failed.end()
    assert [type(s) for s in queue.spans] == [ReadableSpan]  # an error trace is kept, as an SDK span
    assert queue.spans[0].attributes["http.response.status_code"] == 503


class Recorder(SpanProcessor):
    def __init__(self) -> None:
        self.started: list[Any] = []
        self.ended: list[Any] = []

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        self.started.append(span)

    def on_end(self, span: Any) -> None:
        self.ended.append(span)


def test_another_span_processor_gets_sdk_spans_from_the_next_span_on() -> None:
    tracer, _, queue, _ = _rig(lean=True)
    assert isinstance(tracer.start_span("before"), LeanSpan)
    provider = trace.get_tracer_provider()  # not ours: the rig's provider is local
    assert provider is not None
    sdk_provider = tracer._sdk_tracer()  # type: ignore[attr-defined]
    recorder = Recorder()
    sdk_provider.span_processor.add_span_processor(recorder)
    span = tracer.start_span("after")
    assert isinstance(span, SdkSpan)
    span.end()
    assert [s.name for s in recorder.ended] == ["after"]
    assert [s.name for s in queue.spans] == ["after"]


@pytest.mark.parametrize(
    ("lean", "sampler", "expected"),
    [
        pytest.param(False, None, SdkSpan, id="pipeline-without-lean-spans"),
        pytest.param(True, ParentBased(ALWAYS_OFF), trace.NonRecordingSpan, id="sampler-drops"),
        pytest.param(True, ParentBased(ALWAYS_ON), LeanSpan, id="other-sampler-records"),
    ],
)
def test_which_span_is_started(lean: bool, sampler: Any, expected: type) -> None:
    tracer, _, _, _ = _rig(lean=lean, sampler=sampler)
    span = tracer.start_span("x")
    assert isinstance(span, expected)
    assert span.get_span_context().is_valid


def test_links_and_foreign_tracers_use_the_sdk() -> None:
    tracer, _, _, _ = _rig(lean=True)
    linked = tracer.start_span("x", links=[Link(SpanContext(1, 2, False))])
    assert isinstance(linked, SdkSpan)
    # No SDK provider at all (the API's no-op): the tracer is the API's, spans are non-recording.
    assert not LeanTracer(trace.NoOpTracer()).start_span("y").is_recording()


def test_a_lean_span_that_cannot_be_built_is_counted_as_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    tracer, _, queue, _ = _rig(lean=True)

    def broken(self: LeanSpan) -> ReadableSpan:
        raise RuntimeError("hostile attribute")

    monkeypatch.setattr(LeanSpan, "to_readable", broken)
    tracer.start_span("x").end()
    assert queue.spans == []
    assert queue.dropped == {"build_failed": 1}


def test_random_trace_id_flag_follows_the_sdk() -> None:
    tracer, _, _, _ = _rig(lean=True)
    span = tracer.start_span("x")
    # Counting ids are not random: the W3C random flag stays off, exactly as the SDK tracer sets it.
    assert span.get_span_context().trace_flags == TraceFlags(TraceFlags.SAMPLED)


def test_a_scope_disabled_by_a_tracer_configurator_gets_no_recording_span() -> None:
    from opentelemetry.sdk.trace import _TracerConfig

    tracer, _, queue, seen = _rig(lean=True)
    provider_tracer = tracer._sdk_tracer()  # type: ignore[attr-defined]
    provider_tracer._set_tracer_config(_TracerConfig(is_enabled=False))
    span = tracer.start_span("x")
    assert not span.is_recording()
    span.end()
    assert queue.spans == []
    assert seen == []
