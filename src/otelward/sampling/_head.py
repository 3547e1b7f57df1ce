"""The head sampler used with tail sampling: record every span, set the sampled flag by the consistent ratio.

Every span is recorded so the tail stage can look at it; only the W3C sampled flag, which is what
downstream parent-based services follow, reflects the ratio. A downstream on plain
``parentbased_always_on`` therefore keeps the same fraction we keep by ratio, not 100%.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import get_current_span

from otelward.sampling._consistent import keeps, threshold_for, with_threshold

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.trace import Link, SpanContext, SpanKind, TraceState
    from opentelemetry.util.types import Attributes

__all__ = ["ConsistentRatioSampler"]


class ConsistentRatioSampler(Sampler):
    """Record everything; sample (flag) a root by the consistent ratio, a child as its parent.

    A remote parent's sampled flag is honoured as is: when an upstream kept the trace we flag ours
    too (and the tail keeps it), when it did not we only record and let the tail decide.

    Args:
        ratio: probability with which a new trace is flagged sampled.
    """

    def __init__(self, ratio: float) -> None:
        self.ratio = ratio
        self.threshold = threshold_for(ratio)

    def flag(self, parent: SpanContext | None, trace_id: int) -> tuple[bool, TraceState | None]:
        """Return (sampled flag, trace state) for a new span under ``parent`` (None or invalid: a root).

        The whole decision, without a ``SamplingResult``: otelward's lean spans ask this directly.
        """
        if parent is not None and parent.is_valid:
            return bool(parent.trace_flags.sampled), parent.trace_state
        if keeps(trace_id, self.threshold):
            return True, with_threshold(None, self.threshold)
        return False, None

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        """Return RECORD_AND_SAMPLE or RECORD_ONLY; never DROP.

        The span's start attributes are passed through: the SDK gives a new span the result's attributes,
        not the ones the instrumentation asked for.
        """
        sampled, state = self.flag(get_current_span(parent_context).get_span_context(), trace_id)
        decision = Decision.RECORD_AND_SAMPLE if sampled else Decision.RECORD_ONLY
        return SamplingResult(decision, attributes, state)

    def get_description(self) -> str:
        """Name the sampler and its ratio."""
        return f"OtelwardConsistentRatio{{{self.ratio}}}"
