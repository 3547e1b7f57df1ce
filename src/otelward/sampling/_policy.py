"""The tail policy as a pure function: which reasons, if any, keep a finished local trace fragment."""

from __future__ import annotations

from dataclasses import dataclass

from otelward.sampling._consistent import keeps

__all__ = [
    "CAP",
    "DOWNSTREAM",
    "ERROR",
    "ERROR_REASONS",
    "LATE",
    "OVERFLOW",
    "PARENT",
    "RATIO",
    "SLOW",
    "Facts",
    "Policy",
    "reasons_to_keep",
]

ERROR = "error"
"""The local root failed (5xx, or an exception left it) or a client or database call failed."""
DOWNSTREAM = "downstream"
"""A service we called answered ``traceresponse`` with the sampled flag: it keeps the trace."""
SLOW = "slow"
"""The local root lasted at least the latency threshold."""
PARENT = "parent"
"""The remote parent was flagged sampled: the upstream keeps the trace."""
RATIO = "ratio"
"""Chosen by the consistent trace-id ratio (as kept reason), or not chosen by anything (as drop reason)."""
CAP = "cap"
"""Dropped because the per-second budget of its kind was spent."""
OVERFLOW = "overflow"
"""Dropped by an early decision taken because the buffer was full."""
LATE = "late"
"""A span that ended after its trace was decided and followed that decision."""

ERROR_REASONS = frozenset({ERROR, DOWNSTREAM})
"""Reasons outside the ordinary budget (errors and rescues each have a budget of their own)."""


@dataclass(frozen=True)
class Policy:
    """The tail policy's parameters.

    Args:
        threshold: consistent-sampling threshold of the ratio (see ``_consistent``).
        latency_ns: keep when the local root lasted at least this; 0 turns the rule off.
        keep_errors: keep traces that failed (``_errors.is_error_span``).
        keep_internal_errors: also count errors on internal spans of a request that succeeded.
    """

    threshold: int
    latency_ns: int
    keep_errors: bool = True
    keep_internal_errors: bool = False


@dataclass(frozen=True)
class Facts:
    """What is known about a local trace fragment when it is decided."""

    trace_id: int
    mark: str | None = None
    parent_sampled: bool = False
    duration_ns: int | None = None
    ot: str | None = None


def reasons_to_keep(policy: Policy, facts: Facts) -> tuple[str, ...]:
    """Return every reason that keeps the fragment, most important first; empty means drop."""
    out: list[str] = []
    if facts.mark is not None and (facts.mark != ERROR or policy.keep_errors):
        out.append(facts.mark)
    if policy.latency_ns > 0 and facts.duration_ns is not None and facts.duration_ns >= policy.latency_ns:
        out.append(SLOW)
    if facts.parent_sampled:
        out.append(PARENT)
    if keeps(facts.trace_id, policy.threshold, facts.ot):
        out.append(RATIO)
    return tuple(out)
