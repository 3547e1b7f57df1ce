"""The keep intent of a trace while its server span is still open (what ``traceresponse`` announces)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from otelward.sampling._consistent import keeps
from otelward.sampling._errors import answers_error

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import Span

    from otelward.sampling._tail import TailSelector

__all__ = ["keeps_now"]


def keeps_now(selector: TailSelector, span: Span, wall_ns: Callable[[], int] = time.time_ns) -> bool:
    """Return whether this service will keep the trace of ``span`` as far as is known now.

    Errors so far, a 5xx answer, elapsed time, the parent's flag and the ratio count; the rate caps cannot be
    known yet.
    """
    ctx = span.get_span_context()
    peek = selector.peek(ctx.trace_id, ctx.span_id)
    if peek.marked or peek.parent_sampled or peek.kept_reason is not None:
        return True
    policy = selector.policy
    if keeps(ctx.trace_id, policy.threshold, peek.ot):
        return True
    if policy.keep_errors and answers_error(span):
        return True
    start = getattr(span, "start_time", None)
    latency = policy.latency_ns
    return bool(latency and start is not None and wall_ns() - start >= latency)
