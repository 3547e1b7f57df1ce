"""The request id rides in baggage to trusted hosts only."""

from __future__ import annotations

import pytest
from opentelemetry import baggage, context, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from otelward.logs._baggage import TrustedBaggage
from otelward.logs._request_id import BAGGAGE_KEY
from otelward.sampling._trust import Trust


@pytest.mark.parametrize(
    ("attributes", "sent"),
    [
        ({"server.address": "api.thirdparty.example"}, False),
        ({"url.full": "https://api.stripe.com/v1/charges"}, False),
        ({"server.address": "8.8.8.8"}, False),
        ({}, False),
        ({"server.address": "orders"}, True),
        ({"server.address": "10.2.3.4"}, True),
        ({"url.full": "http://payments.default.svc.cluster.local/x"}, True),
    ],
    ids=["public-name", "public-url", "public-ip", "unknown", "single-label", "private-ip", "cluster-url"],
)
def test_the_request_id_goes_to_trusted_hosts_only(attributes: dict[str, str], sent: bool) -> None:
    # It rode in baggage on every outbound call, third-party APIs included.
    propagator = TrustedBaggage(
        CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()]), Trust()
    )
    tracer = TracerProvider(shutdown_on_exit=False).get_tracer("t")
    ctx = baggage.set_baggage("team", "payments", context=baggage.set_baggage(BAGGAGE_KEY, "req-42"))
    token = context.attach(ctx)
    try:
        with tracer.start_as_current_span("GET", kind=SpanKind.CLIENT, attributes=attributes):
            carrier: dict[str, str] = {}
            propagator.inject(carrier)
    finally:
        context.detach(token)
    assert "traceparent" in carrier
    assert "team=payments" in carrier["baggage"]  # the app's own baggage is untouched
    assert ("req-42" in carrier["baggage"]) is sent
    assert trace.get_current_span() is not None
