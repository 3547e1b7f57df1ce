"""Which sampler and selector a configuration gets, and how a user's OTEL_TRACES_SAMPLER combines."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace import sampling as sdk

from otelward.config import Settings
from otelward.export._pipelines import SpanPipeline
from otelward.instrumentation import hooks
from otelward.sampling import (
    ConsistentRatioSampler,
    KeepSampled,
    TailSelector,
    build_head_sampler,
    build_selector,
)
from tests.sampling.conftest import Queue

pytestmark = pytest.mark.usefixtures("no_hooks")


@pytest.mark.parametrize(
    ("env", "sampler", "selector"),
    [
        ({}, ConsistentRatioSampler, TailSelector),
        ({"OTELWARD_SAMPLING": "off"}, sdk.ParentBased, KeepSampled),
        (
            {"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.5"},
            sdk.TraceIdRatioBased,
            TailSelector,
        ),
        ({"OTEL_TRACES_SAMPLER": "always_on", "OTELWARD_SAMPLING": "off"}, sdk.StaticSampler, KeepSampled),
    ],
    ids=["default-tail", "off", "user-sampler-with-tail", "user-sampler-without-tail"],
)
def test_choice(env: dict[str, str], sampler: type, selector: type) -> None:
    settings = Settings.from_env(env)
    assert isinstance(build_head_sampler(settings), sampler)
    assert isinstance(build_selector(settings), selector)


def test_user_sampler_prefilters_and_tail_still_applies_its_policy() -> None:
    # always_on flags every trace sampled; the tail keeps only its ratio (0 here) and errors
    settings = Settings.from_env({"OTEL_TRACES_SAMPLER": "always_on", "OTELWARD_SAMPLING_RATIO": "0"})
    queue = Queue()
    tp = TracerProvider(sampler=build_head_sampler(settings), shutdown_on_exit=False)
    tp.add_span_processor(SpanPipeline([], build_selector(settings), [queue]))  # type: ignore[list-item]
    tracer = tp.get_tracer("t")
    for _ in range(20):
        with tracer.start_as_current_span("ok") as span:
            assert span.get_span_context().trace_flags.sampled
    with tracer.start_as_current_span("bad") as span:
        span.record_exception(RuntimeError("x"))
    assert [s.name for s in queue.spans] == ["bad"]


def test_traceresponse_hooks_registered_only_when_enabled() -> None:
    build_selector(Settings.from_env({"OTELWARD_SAMPLING_TRACERESPONSE": "false"}))
    headers: dict[str, str] = {}
    hooks.run_set("server_response", object(), headers.__setitem__)
    assert headers == {}
