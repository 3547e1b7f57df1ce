from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.trace import TraceState

from otelward.sampling._consistent import (
    MAX_THRESHOLD,
    encode_threshold,
    keeps,
    randomness,
    threshold_for,
    with_threshold,
)


@pytest.mark.parametrize(
    ("ratio", "encoded"),
    [(1.0, "0"), (0.5, "8"), (0.25, "c"), (0.01, "fd70a3d70a3d71"), (0.1, "e6666666666666")],
    ids=["all", "half", "quarter", "one-percent", "ten-percent"],
)
def test_threshold_encoding_matches_otep_235(ratio: float, encoded: str) -> None:
    # values from the OTEP 235 / spec examples (th:8 is 50%, th:c is 25%, th:0 is 100%)
    assert encode_threshold(threshold_for(ratio)) == encoded


def test_zero_ratio_keeps_nothing() -> None:
    assert threshold_for(0.0) == MAX_THRESHOLD
    assert not keeps((1 << 128) - 1, threshold_for(0.0))


@given(st.integers(min_value=1, max_value=(1 << 128) - 1), st.floats(0, 1), st.floats(0, 1))
def test_higher_ratio_keeps_a_superset(trace_id: int, a: float, b: float) -> None:
    low, high = sorted((a, b))
    if keeps(trace_id, threshold_for(low)):
        assert keeps(trace_id, threshold_for(high))


def test_only_the_low_56_bits_decide() -> None:
    t = threshold_for(0.5)
    base = 0x80_0000_0000_0000
    assert keeps(base, t)
    assert keeps(base | (0xFFFF << 100), t)
    assert not keeps(0x7F_FFFF_FFFF_FFFF | (0xFFFF << 100), t)


def test_explicit_randomness_in_tracestate_wins() -> None:
    assert randomness(0, "rv:ffffffffffffff;th:8") == (1 << 56) - 1
    assert randomness(5, "rv:zz") == 5


def test_with_threshold_keeps_other_ot_members_and_vendors() -> None:
    state = TraceState([("vendor", "x"), ("ot", "rv:00000000000001;th:c")])
    out = with_threshold(state, threshold_for(0.5))
    assert out.get("vendor") == "x"
    assert out.get("ot") == "th:8;rv:00000000000001"
    assert with_threshold(None, threshold_for(1.0)).get("ot") == "th:0"


@given(st.floats(0, 1))
def test_agrees_with_the_sdk_experimental_composable_sampler(ratio: float) -> None:
    # the SDK's private OTEP 235 implementation; other languages' SDKs use the same formula
    from opentelemetry.sdk.trace._sampling_experimental._trace_state import serialize_th
    from opentelemetry.sdk.trace._sampling_experimental._util import calculate_threshold

    ours = threshold_for(ratio)
    assert ours == calculate_threshold(ratio)
    if ours:
        assert encode_threshold(ours) == serialize_th(ours)


@pytest.mark.parametrize("ratio", [0.0, 1.0], ids=["recorded-only", "sampled"])
@pytest.mark.parametrize("with_parent", [False, True], ids=["root", "child"])
def test_start_attributes_survive_the_head_sampler(ratio: float, with_parent: bool) -> None:
    # The SDK gives a new span the sampler result's attributes, not the ones it was started with.
    from opentelemetry.sdk.trace import TracerProvider

    from otelward.sampling import ConsistentRatioSampler

    tracer = TracerProvider(sampler=ConsistentRatioSampler(ratio), shutdown_on_exit=False).get_tracer("t")
    attrs = {"http.request.method": "GET", "url.path": "/users/1"}
    if with_parent:
        with tracer.start_as_current_span("parent"):
            span = tracer.start_span("child", attributes=attrs)
    else:
        span = tracer.start_span("root", attributes=attrs)
    assert dict(span.attributes or {}) == attrs
    assert span.get_span_context().trace_flags.sampled is (ratio == 1.0)
