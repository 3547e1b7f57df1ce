"""Sampling: the head sampler the SDK consults, the tail selector that decides what is exported, and the
``traceresponse`` hooks and log filter that follow its decisions."""

from __future__ import annotations

from otelward.sampling._build import build_head_sampler, build_log_filters, build_selector
from otelward.sampling._consistent import threshold_for
from otelward.sampling._head import ConsistentRatioSampler
from otelward.sampling._keep_sampled import KeepSampled
from otelward.sampling._policy import Facts, Policy, reasons_to_keep
from otelward.sampling._tail import TailSelector
from otelward.sampling._traceresponse import format_traceresponse, parse_traceresponse

__all__ = [
    "ConsistentRatioSampler",
    "Facts",
    "KeepSampled",
    "Policy",
    "TailSelector",
    "build_head_sampler",
    "build_log_filters",
    "build_selector",
    "format_traceresponse",
    "parse_traceresponse",
    "reasons_to_keep",
    "threshold_for",
]
