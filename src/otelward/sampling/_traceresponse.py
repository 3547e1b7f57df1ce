"""Cross-service rescue with the W3C ``traceresponse`` header (Trace Context Level 3 draft).

A server answers ``traceresponse: 00-<trace-id>-<server-span-id>-<flags>``. The flags are the trace
flags of Level 3: the sampled bit (01) says whether this service keeps the trace (it failed, was slow,
or is in the ratio); the random-trace-id bit (02) is the trace's own, as the server span carries it —
inherited from the incoming ``traceparent`` (``-03`` is answered ``-03`` when kept, ``-02`` when not), or
on a new trace the one the forwarded ``traceparent`` carries. A client reading the sampled bit for its
own trace keeps its local fragment too, so the upstream half of a failed call is exported with the
downstream half.
"""

from __future__ import annotations

import re
from typing import Any

from otelward.instrumentation.hooks import HeaderGetter, HeaderSetter, register
from otelward.sampling._intent import keeps_now
from otelward.sampling._tail import TailSelector
from otelward.sampling._trust import Trust, peer_of

__all__ = ["HEADER", "TraceResponseHooks", "format_traceresponse", "parse_traceresponse"]

HEADER = "traceresponse"
_FORMAT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
SAMPLED = 0x01
RANDOM = 0x02


def format_traceresponse(trace_id: int, span_id: int, keep: bool, random: bool = False) -> str:
    """Return the header value for a response of span ``span_id`` in trace ``trace_id``.

    Args:
        trace_id: the trace.
        span_id: the server span.
        keep: whether this service keeps the trace (the sampled flag).
        random: whether the trace id is random (the random-trace-id flag of the trace).
    """
    flags = (SAMPLED if keep else 0) | (RANDOM if random else 0)
    return f"00-{trace_id:032x}-{span_id:016x}-{flags:02x}"


def parse_traceresponse(value: str | None) -> tuple[int, int, int] | None:
    """Return (trace id, span id, flags) from a header value, or None if it is malformed or all zeros."""
    if not value:
        return None
    match = _FORMAT.match(value.strip().lower())
    if match is None or match.group(1) == "ff":
        return None
    trace_id, span_id = int(match.group(2), 16), int(match.group(3), 16)
    if not trace_id or not span_id:
        return None
    return trace_id, span_id, int(match.group(4), 16)


class TraceResponseHooks:
    """Library-neutral hooks: set the header on server responses, read it on client responses."""

    def __init__(self, selector: TailSelector, trust: Trust | None = None, *, to_all: bool = False) -> None:
        self.selector = selector
        self.trust = trust if trust is not None else Trust()
        self.to_all = to_all

    def server_response(self, span: Any, set_header: HeaderSetter) -> None:
        """Answer with our keep intent for the server span's trace."""
        ctx = span.get_span_context()
        if not ctx.is_valid:
            return
        parent = getattr(span, "parent", None)
        if not self.to_all and (parent is None or not parent.is_remote):
            # No traceparent came in: a browser or a public client, which would learn internal ids.
            return
        keep = keeps_now(self.selector, span)
        random = bool(int(ctx.trace_flags) & RANDOM)
        set_header(HEADER, format_traceresponse(ctx.trace_id, ctx.span_id, keep, random))

    def client_response(self, span: Any, get_header: HeaderGetter) -> None:
        """Keep our fragment when the callee says it keeps the same trace."""
        parsed = parse_traceresponse(get_header(HEADER))
        if parsed is None or not parsed[2] & SAMPLED:
            return
        ctx = span.get_span_context()
        if not ctx.is_valid or ctx.trace_id != parsed[0]:
            return
        if self.trust.trusts(peer_of(getattr(span, "attributes", None) or {})):
            self.selector.rescue(ctx.trace_id, ctx.span_id)

    def install(self) -> None:
        """Register both hooks with ``otelward.instrumentation.hooks``."""
        register("server_response", self.server_response)
        register("client_response", self.client_response)
