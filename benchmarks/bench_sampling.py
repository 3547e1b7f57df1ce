"""Per-span cost of otelward's tail sampling vs the SDK's head samplers, and memory per buffered span.

Run (timings):
    .venv/bin/pytest benchmarks/bench_sampling.py -o python_files='bench_*.py' --benchmark-enable \
        --benchmark-columns=median,iqr,ops -q
Memory per buffered span:
    .venv/bin/python benchmarks/bench_sampling.py

Every case builds one trace of a root and four children with five attributes each, ended in order,
through a real SDK TracerProvider and otelward's SpanPipeline into a queue that discards; divide the
per-round figure by 5 for a per-span cost.
"""

from __future__ import annotations

import gc
import itertools
import tracemalloc
from collections.abc import Sequence
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace import sampling as sdk_sampling

from otelward.export._pipelines import SpanPipeline
from otelward.sampling import ConsistentRatioSampler, KeepSampled, Policy, TailSelector, threshold_for

ATTRS = {
    "http.method": "GET",
    "http.route": "/users/<id>",
    "user.tier": "gold",
    "db.rows": 3,
    "cache.hit": True,
}
SPANS_PER_TRACE = 5


class NullQueue:
    """An export queue that counts and forgets."""

    def __init__(self) -> None:
        self.count = 0

    def put_many(self, spans: Sequence[ReadableSpan]) -> None:
        self.count += len(spans)

    def shutdown(self, timeout: float) -> None:
        return

    def flush(self, timeout: float) -> bool:
        return True


def tail_selector(ratio: float = 0.01, **bounds: Any) -> TailSelector:
    """Return a selector with the default policy (1 s latency, errors kept, no caps)."""
    return TailSelector(
        Policy(threshold_for(ratio), 1_000_000_000, True),
        max_spans=bounds.get("max_spans", 20_000),
        max_traces=bounds.get("max_traces", 5_000),
        max_wait_s=bounds.get("max_wait_s", 30.0),
    )


def provider(sampler: sdk_sampling.Sampler, selector: Any) -> tuple[TracerProvider, NullQueue]:
    queue = NullQueue()
    tp = TracerProvider(sampler=sampler, shutdown_on_exit=False)
    tp.add_span_processor(SpanPipeline([], selector, [queue]))  # type: ignore[list-item]
    return tp, queue


def one_trace(tracer: trace.Tracer) -> None:
    with tracer.start_as_current_span("GET /users/<id>", attributes=ATTRS):
        for _ in range(SPANS_PER_TRACE - 1):
            with tracer.start_as_current_span("child", attributes=ATTRS):
                pass


CASES = {
    "sdk-parentbased-always-on": lambda: provider(
        sdk_sampling.ParentBased(sdk_sampling.ALWAYS_ON), KeepSampled()
    ),
    "sdk-parentbased-ratio-0.01": lambda: provider(
        sdk_sampling.ParentBased(sdk_sampling.TraceIdRatioBased(0.01)), KeepSampled()
    ),
    "otelward-tail-0.01": lambda: provider(ConsistentRatioSampler(0.01), tail_selector()),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_trace_of_five_spans(benchmark: Any, case: str) -> None:
    tp, queue = CASES[case]()
    tracer = tp.get_tracer("bench")
    benchmark(one_trace, tracer)
    assert queue.count >= 0


def _ended_traces(n: int) -> list[list[ReadableSpan]]:
    # real ended spans, children first, recorded without any processor
    tp = TracerProvider(sampler=ConsistentRatioSampler(0.0), shutdown_on_exit=False)
    tracer = tp.get_tracer("bench")
    out: list[list[ReadableSpan]] = []
    for _ in range(n):
        spans: list[ReadableSpan] = []
        root = tracer.start_span("root", attributes=ATTRS)
        ctx = trace.set_span_in_context(root)
        for _ in range(SPANS_PER_TRACE - 1):
            child = tracer.start_span("child", context=ctx, attributes=ATTRS)
            child.end()
            spans.append(child)  # type: ignore[arg-type]
        root.end()
        spans.append(root)  # type: ignore[arg-type]
        out.append(spans)
    return out


def test_selector_buffer_decide_drop(benchmark: Any) -> None:
    """The selector alone: buffer four children, decide at the root, drop (ratio 0)."""
    selector = tail_selector(ratio=0.0, max_traces=100)  # small decision cache: every trace is new
    traces = itertools.cycle(_ended_traces(4_000))
    queue = NullQueue()

    def run() -> None:
        for span in next(traces):
            selector.on_end(span, queue.put_many)

    benchmark(run)
    assert queue.count == 0


def buffered_span_bytes(n: int = 20_000) -> tuple[float, float]:
    """Return (bytes per buffered span, bytes left per span after the trace was dropped)."""
    selector = tail_selector(ratio=0.0, max_spans=n + 10, max_traces=10, max_wait_s=3600)
    tp, _ = provider(ConsistentRatioSampler(0.0), selector)
    tracer = tp.get_tracer("bench")
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    root = tracer.start_span("never-ends-yet")
    ctx = trace.set_span_in_context(root)
    for _ in range(n):
        with tracer.start_as_current_span("child", context=ctx, attributes=ATTRS):
            pass
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    root.end()
    del root, ctx
    gc.collect()
    left = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return held / n, left / n


if __name__ == "__main__":
    held, left = buffered_span_bytes()
    print(f"buffered span (5 attributes): {held:.0f} bytes; after the drop: {left:.0f} bytes per span")
