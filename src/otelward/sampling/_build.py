"""Choose the head sampler, the selector stage and the log filters from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otelward.config import Settings
from otelward.export._pipelines import LogFilter, LogSink, SpanSelector
from otelward.sampling._keep_sampled import KeepSampled

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.sampling import Sampler

    from otelward.sampling._tail import TailSelector

__all__ = ["build_head_sampler", "build_log_filters", "build_selector"]


def _user_sampler(name: str, arg: float | None) -> Sampler:
    from opentelemetry.sdk.trace import sampling

    ratio = 1.0 if arg is None else arg
    table: dict[str, Sampler] = {
        "always_on": sampling.ALWAYS_ON,
        "always_off": sampling.ALWAYS_OFF,
        "parentbased_always_on": sampling.ParentBased(sampling.ALWAYS_ON),
        "parentbased_always_off": sampling.ParentBased(sampling.ALWAYS_OFF),
        "traceidratio": sampling.TraceIdRatioBased(ratio),
        "parentbased_traceidratio": sampling.ParentBased(sampling.TraceIdRatioBased(ratio)),
    }
    return table[name]


def _tail_on(settings: Settings) -> bool:
    return settings.sampling.mode == "tail"


def build_head_sampler(settings: Settings) -> Sampler:
    """Return the sampler the TracerProvider consults when a span starts.

    A sampler the user names in ``OTEL_TRACES_SAMPLER`` always wins (the tail stage then sees only
    the spans it records). Otherwise, with tail sampling, every span is recorded and the sampled
    flag follows the consistent ratio; without it, ``parentbased_always_on``.
    """
    s = settings.sampling
    if s.user_sampler:
        return _user_sampler(s.user_sampler, s.user_sampler_arg)
    if _tail_on(settings):
        from otelward.sampling._head import ConsistentRatioSampler

        return ConsistentRatioSampler(s.ratio)
    return _user_sampler("parentbased_always_on", None)


def build_selector(settings: Settings) -> SpanSelector:
    """Return the stage that decides which ended spans are exported (and register its hooks)."""
    if not _tail_on(settings):
        return KeepSampled()
    from otelward.sampling._consistent import threshold_for
    from otelward.sampling._metrics import observe
    from otelward.sampling._policy import Policy
    from otelward.sampling._tail import TailSelector
    from otelward.sampling._trust import Trust

    s = settings.sampling
    trust = Trust(settings.general.trusted_hosts)
    selector = TailSelector(
        Policy(
            threshold=threshold_for(s.ratio),
            latency_ns=round(s.latency_threshold_s * 1e9),
            keep_errors=s.keep_errors,
            keep_internal_errors=s.keep_internal_errors,
        ),
        max_spans=s.max_buffered_spans,
        max_traces=s.max_buffered_traces,
        max_wait_s=s.max_trace_wait_s,
        max_per_s=s.max_traces_per_second,
        max_errors_per_s=s.max_error_traces_per_second,
        max_rescues_per_s=s.max_rescued_traces_per_second,
        trust=trust,
    )
    observe(selector)
    if s.traceresponse:
        from otelward.sampling._traceresponse import TraceResponseHooks

        TraceResponseHooks(selector, trust, to_all=s.traceresponse_to == "all").install()
    return selector


def build_log_filters(settings: Settings, selector: SpanSelector, release: LogSink) -> list[LogFilter]:
    """Return the log filters of the sampling feature (logs follow traces, when enabled).

    Args:
        settings: the settings.
        selector: the span selector in use (held records are buffered with its fragments).
        release: where held records of kept traces go (the log export queues); the filter subscribes it to the
            selector's decisions.
    """
    if not settings.sampling.logs_follow_traces:
        return []
    from otelward.sampling._logs import LogsFollowTraces
    from otelward.sampling._tail import TailSelector

    tail: TailSelector | None = selector if isinstance(selector, TailSelector) else None
    if tail is not None:
        tail.subscribe_logs(release)
    return [LogsFollowTraces(tail)]
