"""Keep the request id in ``baggage`` inside the trusted set: a propagator wrapper that drops it for outsiders.

The request id rides in W3C ``baggage`` so the next otelward service logs the same id; a third-party API has no
use for it and should not learn it. The instrumentations inject headers inside the client span, whose attributes
name the host called, so the wrapper can tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import baggage, trace
from opentelemetry.context import Context, get_current
from opentelemetry.propagators.textmap import (
    CarrierT,
    Getter,
    Setter,
    TextMapPropagator,
    default_getter,
    default_setter,
)

from otelward.logs._request_id import BAGGAGE_KEY
from otelward.sampling._trust import peer_of

if TYPE_CHECKING:
    from otelward.sampling._trust import Trust

__all__ = ["TrustedBaggage", "install_trusted_baggage"]


class TrustedBaggage(TextMapPropagator):
    """Delegate to ``inner``, without otelward's request id when the called host is not trusted."""

    def __init__(self, inner: TextMapPropagator, trust: Trust) -> None:
        self.inner = inner
        self.trust = trust

    def inject(
        self, carrier: CarrierT, context: Context | None = None, setter: Setter[CarrierT] = default_setter
    ) -> None:
        """Inject as ``inner`` does; the request id only for trusted hosts."""
        ctx = context if context is not None else get_current()
        if baggage.get_baggage(BAGGAGE_KEY, ctx) is not None:
            attributes: Mapping[str, Any] = getattr(trace.get_current_span(ctx), "attributes", None) or {}
            if not self.trust.trusts(peer_of(attributes)):
                ctx = baggage.remove_baggage(BAGGAGE_KEY, ctx)
        self.inner.inject(carrier, ctx, setter)

    def extract(
        self, carrier: CarrierT, context: Context | None = None, getter: Getter[CarrierT] = default_getter
    ) -> Context:
        """Extract as ``inner`` does."""
        return self.inner.extract(carrier, context, getter)

    @property
    def fields(self) -> set[str]:
        """The header names ``inner`` sets."""
        return self.inner.fields


def install_trusted_baggage(trust: Trust) -> None:
    """Wrap the global propagator (idempotent)."""
    from opentelemetry import propagate

    current = propagate.get_global_textmap()
    if not isinstance(current, TrustedBaggage):
        propagate.set_global_textmap(TrustedBaggage(current, trust))
