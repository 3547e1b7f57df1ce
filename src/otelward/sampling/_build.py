"""Choose the head sampler and the selector stage from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otelward.config import Settings
from otelward.pipeline import KeepSampled, SpanSelector

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.sampling import Sampler

__all__ = ["build_head_sampler", "build_selector"]


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


def build_head_sampler(settings: Settings) -> Sampler:
    """Return the sampler the TracerProvider consults when a span starts.

    A sampler the user names in ``OTEL_TRACES_SAMPLER`` always wins.
    """
    s = settings.sampling
    if s.user_sampler:
        return _user_sampler(s.user_sampler, s.user_sampler_arg)
    return _user_sampler("parentbased_always_on", None)


def build_selector(settings: Settings) -> SpanSelector:
    """Return the stage that decides which ended spans are exported."""
    return KeepSampled()
