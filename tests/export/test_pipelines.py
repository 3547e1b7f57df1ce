"""The span and log pipelines: every span observed, selected spans exported, failures contained."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased

from otelward.export import BatchExporter
from otelward.export._pipelines import SpanPipeline
from otelward.sampling import KeepSampled


class ListExporter:
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def export(self, batch: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans.extend(batch)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def _pipeline(selector=None, observers=()) -> tuple[TracerProvider, SpanPipeline, ListExporter]:
    exporter = ListExporter()
    queue: BatchExporter[ReadableSpan] = BatchExporter("traces", lambda: exporter, schedule_delay_s=0.01)
    pipeline = SpanPipeline(list(observers), selector or KeepSampled(), [queue])
    provider = TracerProvider(sampler=ParentBased(ALWAYS_ON), shutdown_on_exit=False)
    provider.add_span_processor(pipeline)
    return provider, pipeline, exporter


def test_observers_see_unsampled_spans_that_are_not_exported() -> None:
    seen: list[str] = []
    exporter = ListExporter()
    queue: BatchExporter[ReadableSpan] = BatchExporter("traces", lambda: exporter, schedule_delay_s=0.01)
    pipeline = SpanPipeline([lambda s: seen.append(s.name)], KeepSampled(), [queue])
    # RECORD_ONLY spans are what the tail sampler produces for traces outside the ratio.
    from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult

    class RecordOnly(Sampler):
        def should_sample(self, *args, **kwargs) -> SamplingResult:
            return SamplingResult(Decision.RECORD_ONLY)

        def get_description(self) -> str:
            return "record-only"

    provider = TracerProvider(sampler=RecordOnly(), shutdown_on_exit=False)
    provider.add_span_processor(pipeline)
    with provider.get_tracer("t").start_as_current_span("unsampled"):
        pass
    provider.shutdown()
    assert seen == ["unsampled"]
    assert exporter.spans == []


def test_sampled_spans_reach_the_exporter_on_shutdown() -> None:
    provider, _, exporter = _pipeline()
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("parent"), tracer.start_as_current_span("child"):
        pass
    provider.shutdown()
    assert sorted(s.name for s in exporter.spans) == ["child", "parent"]


def test_a_failing_observer_or_selector_does_not_lose_the_span() -> None:
    class Broken(KeepSampled):
        def on_end(self, span):
            raise RuntimeError("selector bug")

    def bad_observer(span: ReadableSpan) -> None:
        raise ValueError("observer bug")

    provider, _, exporter = _pipeline(selector=Broken(), observers=[bad_observer])
    with provider.get_tracer("t").start_as_current_span("survivor"):
        pass
    provider.shutdown()
    assert [s.name for s in exporter.spans] == ["survivor"]


def test_always_off_exports_nothing() -> None:
    exporter = ListExporter()
    queue: BatchExporter[ReadableSpan] = BatchExporter("traces", lambda: exporter)
    provider = TracerProvider(sampler=ALWAYS_OFF, shutdown_on_exit=False)
    provider.add_span_processor(SpanPipeline([], KeepSampled(), [queue]))
    with provider.get_tracer("t").start_as_current_span("x"):
        pass
    provider.shutdown()
    assert exporter.spans == []
