"""Consistent probability sampling (OTEP 235): the same trace id gives the same answer in every process.

The randomness is the low 56 bits of the trace id (or an explicit ``ot=rv:`` in tracestate); a trace is
kept at probability ``p`` when ``randomness >= threshold`` with ``threshold = 2**56 - round(p * 2**56)``.
Keeping at a higher probability keeps a superset, so services with different ratios stay nested.
The threshold travels as ``ot=th:<hex>`` in tracestate, which lets a backend extrapolate counts.
"""

from __future__ import annotations

from opentelemetry.trace import TraceState

__all__ = [
    "MAX_THRESHOLD",
    "encode_threshold",
    "keeps",
    "randomness",
    "threshold_for",
    "with_threshold",
]

_BITS = 56
MAX_THRESHOLD = 1 << _BITS
"""Threshold of probability 0: no randomness value reaches it."""
_MASK = MAX_THRESHOLD - 1
_SCALE = float.fromhex("0x1p56")


def threshold_for(ratio: float) -> int:
    """Return the rejection threshold of a keep probability in [0, 1]."""
    ratio = min(1.0, max(0.0, ratio))
    return MAX_THRESHOLD - round(ratio * _SCALE)


def encode_threshold(threshold: int) -> str:
    """Return the ``th`` value for tracestate: 14 hex digits with trailing zeros removed ("0" for 100%)."""
    if threshold <= 0:
        return "0"
    return f"{threshold:014x}".rstrip("0")


def _ot_member(ot: str, key: str) -> str | None:
    for member in ot.split(";"):
        if member.startswith(key):
            return member[len(key) :]
    return None


def randomness(trace_id: int, ot: str | None = None) -> int:
    """Return the 56-bit randomness of a trace: ``ot=rv:`` when present and valid, else the trace id's."""
    if ot:
        rv = _ot_member(ot, "rv:")
        if rv is not None and len(rv) == 14:
            try:
                return int(rv, 16)
            except ValueError:
                pass
    return trace_id & _MASK


def keeps(trace_id: int, threshold: int, ot: str | None = None) -> bool:
    """Return whether the consistent rule keeps this trace at ``threshold``."""
    return randomness(trace_id, ot) >= threshold


def with_threshold(state: TraceState | None, threshold: int) -> TraceState:
    """Return ``state`` with ``ot=th:`` set to ``threshold``, keeping the other ``ot`` sub-keys."""
    state = state if state is not None else TraceState()
    members = [m for m in (state.get("ot") or "").split(";") if m and not m.startswith("th:")]
    value = ";".join([f"th:{encode_threshold(threshold)}", *members])
    if "ot" in state:
        return state.update("ot", value)
    return state.add("ot", value)
