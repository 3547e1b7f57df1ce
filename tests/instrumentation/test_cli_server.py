"""Issue 16 item 2: a CLI command's span ends when the command starts a server, and the server runs without it."""

from __future__ import annotations

import logging
import types

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otelward.instrumentation._cli import ATTRIBUTE, wrap_server_start


def _provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.mark.parametrize(
    ("scope", "ended_early"),
    [
        pytest.param("opentelemetry.instrumentation.click", True, id="click-command"),
        pytest.param("shop", False, id="app-span-left-alone"),
    ],
)
def test_server_started_inside_a_command_span(
    scope: str, ended_early: bool, caplog: pytest.LogCaptureFixture
) -> None:
    provider, exporter = _provider()
    seen: list[bool] = []
    server = types.SimpleNamespace(serve_forever=lambda: seen.append(trace.get_current_span().is_recording()))
    wrap_server_start(server, "serve_forever")
    with caplog.at_level(logging.WARNING):
        with provider.get_tracer(scope).start_as_current_span("serve") as span:
            server.serve_forever()
            assert (len(exporter.get_finished_spans()) == 1) is ended_early  # ended before the server ran
        assert trace.get_current_span() is trace.INVALID_SPAN
    assert seen == [not ended_early]  # requests would start their own traces
    [finished] = exporter.get_finished_spans()
    assert isinstance(finished, ReadableSpan)
    assert (finished.attributes or {}).get(ATTRIBUTE, False) is ended_early
    assert span.get_span_context().span_id == finished.context.span_id
    assert caplog.records == []  # click's own end() afterwards is silent
