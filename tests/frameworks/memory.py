"""In-process span capture for adapter and propagation tests (the integration tests use the collector)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

__all__ = ["Spans", "capture"]


@dataclass
class Spans:
    """A tracer provider set as the global one, and what it finished."""

    provider: TracerProvider
    exporter: InMemorySpanExporter

    def finished(self) -> list[ReadableSpan]:
        """Return the finished spans in end order."""
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> ReadableSpan:
        """Return the one finished span called ``name``."""
        found = [s for s in self.finished() if s.name == name]
        assert len(found) == 1, f"{len(found)} spans named {name!r} in {[s.name for s in self.finished()]}"
        return found[0]

    def parent_of(self, span: ReadableSpan) -> ReadableSpan | None:
        """Return the finished span that is ``span``'s parent, if any."""
        if span.parent is None:
            return None
        return next((s for s in self.finished() if s.context.span_id == span.parent.span_id), None)


@contextmanager
def capture() -> Iterator[Spans]:
    """Install a global tracer provider exporting to memory (the autouse fixture resets it after)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    try:
        yield Spans(provider, exporter)
    finally:
        provider.shutdown()
