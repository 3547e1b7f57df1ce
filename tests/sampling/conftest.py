"""Helpers: a real SDK TracerProvider wired to a tail selector, with fake clocks and collected output."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider

from otelward.export._pipelines import SpanPipeline
from otelward.sampling import ConsistentRatioSampler, Policy, TailSelector, threshold_for
from otelward.sampling._trust import Trust


class FakeClock:
    """Monotonic seconds and wall nanoseconds under the test's control."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def wall_ns(self) -> int:
        return int(self.now * 1e9)


@dataclass
class Queue:
    """Stands in for an export queue: remembers what was emitted."""

    spans: list[ReadableSpan] = field(default_factory=list)

    def put_many(self, spans: Sequence[ReadableSpan]) -> None:
        self.spans.extend(spans)

    def shutdown(self, timeout: float) -> None:
        return

    def flush(self, timeout: float) -> bool:
        return True

    def trace_ids(self) -> set[int]:
        return {s.context.trace_id for s in self.spans}


@dataclass
class Rig:
    provider: TracerProvider
    selector: TailSelector
    queue: Queue
    clock: FakeClock

    @property
    def tracer(self) -> Any:
        return self.provider.get_tracer("test")


def make_rig(
    ratio: float = 0.0,
    latency_s: float = 0.0,
    keep_errors: bool = True,
    max_spans: int = 10_000,
    max_traces: int = 1_000,
    max_wait_s: float = 30.0,
    max_per_s: float = 0.0,
    max_errors_per_s: float = 0.0,
    max_rescues_per_s: float = 0.0,
    keep_internal_errors: bool = False,
) -> Rig:
    clock = FakeClock()
    selector = TailSelector(
        Policy(threshold_for(ratio), round(latency_s * 1e9), keep_errors, keep_internal_errors),
        max_spans=max_spans,
        max_traces=max_traces,
        max_wait_s=max_wait_s,
        max_per_s=max_per_s,
        max_errors_per_s=max_errors_per_s,
        max_rescues_per_s=max_rescues_per_s,
        trust=Trust(),
        clock=clock,
        wall_ns=clock.wall_ns,
    )
    queue = Queue()
    provider = TracerProvider(sampler=ConsistentRatioSampler(ratio), shutdown_on_exit=False)
    provider.add_span_processor(SpanPipeline([], selector, [queue]))  # type: ignore[list-item]
    return Rig(provider, selector, queue, clock)


@pytest.fixture
def rig() -> Rig:
    return make_rig()


@pytest.fixture
def no_hooks() -> Iterator[None]:
    """Start and end with an empty hook registry (selectors register traceresponse hooks globally)."""
    from otelward.instrumentation import hooks

    hooks.clear()
    yield
    hooks.clear()
