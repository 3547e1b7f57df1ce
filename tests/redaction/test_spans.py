"""The span transform exports redacted copies (finished spans are immutable) and leaves clean spans alone."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider

from otelward.redaction import RedactionEngine
from otelward.redaction._spans import (
    AUDIT_ATTRIBUTE,
    AUDIT_LIMIT,
    PARAMETERIZED_ATTR,
    audit_entries,
    span_transform,
)
from tests.redaction._carriers import ended_span

ENGINE = RedactionEngine()
SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"


def test_redacted_copy_replaces_secrets_on_every_part_of_the_span() -> None:
    span = ended_span(SECRET)
    [out] = span_transform(ENGINE)([span])
    assert out is not span
    assert span.attributes is not None
    assert span.attributes["note"] == SECRET
    assert out.attributes is not None
    assert out.attributes["note"] == "[REDACTED]"
    assert out.attributes["tags"] == ("a", "[REDACTED]")
    events = {e.name: dict(e.attributes or {}) for e in out.events}
    assert events["evt"] == {"detail": "[REDACTED]"}
    assert events["exception"]["exception.message"] == "failed: [REDACTED]"
    assert SECRET not in events["exception"]["exception.stacktrace"]
    assert "RuntimeError" in events["exception"]["exception.stacktrace"]
    assert dict(out.links[0].attributes or {}) == {"link.note": "[REDACTED]"}
    assert out.links[0].context == span.links[0].context
    assert out.status.description == "error with [REDACTED]"
    assert out.status.status_code == span.status.status_code
    assert out.resource is span.resource
    assert (out.context, out.parent, out.kind, out.start_time, out.end_time) == (
        span.context,
        span.parent,
        span.kind,
        span.start_time,
        span.end_time,
    )
    assert out.instrumentation_scope == span.instrumentation_scope


def test_audit_lists_paths_and_rules_never_values() -> None:
    [out] = span_transform(ENGINE)([ended_span(SECRET)])
    audit = (out.attributes or {})[AUDIT_ATTRIBUTE]
    assert "note:vendor_tokens" in audit
    assert "events[1].exception.message:vendor_tokens" in audit
    assert "status.description:vendor_tokens" in audit
    assert all(SECRET not in entry for entry in audit)


def test_audit_is_bounded() -> None:
    entries = audit_entries([(f"k{i}", "key") for i in range(100)])
    assert len(entries) == AUDIT_LIMIT
    assert entries[-1] == "...:69 more"


def test_clean_spans_pass_through_as_is() -> None:
    span = ended_span("nothing to see")
    assert span_transform(ENGINE)([span])[0] is span


def test_dropped_counts_survive_the_copy() -> None:
    from opentelemetry.sdk.trace import SpanLimits

    provider = TracerProvider(span_limits=SpanLimits(max_span_attributes=2))
    with provider.get_tracer("t").start_as_current_span("s") as span:
        span.set_attribute("b", 1)  # the oldest attribute is the one dropped
        span.set_attribute("password", "x")
        span.set_attribute("c", 2)
    assert isinstance(span, ReadableSpan)
    assert span.dropped_attributes == 1
    [out] = span_transform(ENGINE)([span])
    assert out is not span
    assert out.dropped_attributes == 1


def test_a_span_that_cannot_be_redacted_is_dropped_not_leaked() -> None:
    class Broken(RedactionEngine):
        def redact_attributes_audited(self, *args: object, **kwargs: object) -> dict[str, object]:
            raise RuntimeError("bug")

    assert span_transform(Broken())([ended_span(SECRET)]) == []


def test_the_exporter_receives_the_redacted_copy() -> None:
    """Through the real SDK pipeline and otelward's export queue, not just the function."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from otelward.export import BatchExporter
    from otelward.export._pipelines import SpanPipeline
    from otelward.sampling import KeepSampled

    exporter = InMemorySpanExporter()
    queue: BatchExporter[ReadableSpan] = BatchExporter(
        "traces", lambda: exporter, schedule_delay_s=0.01, transform=span_transform(ENGINE)
    )
    provider = TracerProvider()
    provider.add_span_processor(SpanPipeline([], KeepSampled(), [queue]))
    with provider.get_tracer("t").start_as_current_span("s") as span:
        span.set_attribute("api_key", SECRET)
    assert queue.flush(5.0)
    [exported] = exporter.get_finished_spans()
    assert (exported.attributes or {})["api_key"] == "[REDACTED]"
    queue.shutdown(1.0)


def _db_span(statement: str, parameterized: bool) -> ReadableSpan:
    tracer = TracerProvider().get_tracer("t")
    attrs: dict[str, object] = {"db.system": "sqlite", "db.statement": statement}
    if parameterized:
        attrs[PARAMETERIZED_ATTR] = True
    with tracer.start_as_current_span("SELECT", attributes=attrs) as span:
        pass
    return span  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("statement", "parameterized", "exported"),
    [
        ("SELECT a FROM t WHERE id = ? LIMIT 10", True, "SELECT a FROM t WHERE id = ? LIMIT 10"),
        ("SELECT a FROM t WHERE id = 7 LIMIT 10", False, "SELECT a FROM t WHERE id = ? LIMIT ?"),
        ("SELECT a FROM t WHERE kind = 'x' AND id = ?", True, "SELECT a FROM t WHERE kind = 'x' AND id = ?"),
        (
            "SELECT a FROM t WHERE mail = 'ada@example.com' AND id = ?",
            True,
            "SELECT a FROM t WHERE mail = '[REDACTED]' AND id = ?",
        ),
    ],
    ids=["parameterized-kept", "literal-masked", "parameterized-literal-kept", "secret-still-found"],
)
def test_parameterized_statements_are_kept_as_written(statement, parameterized, exported) -> None:
    # the bug of issue 18: a parameterized statement's LIMIT 10 was exported as LIMIT ?
    [out] = span_transform(ENGINE)([_db_span(statement, parameterized)])
    assert (out.attributes or {})["db.statement"] == exported


def test_the_mark_is_the_one_the_db_hook_sets() -> None:
    from otelward.instrumentation import _dbapi

    assert _dbapi.PARAMETERIZED_ATTR == PARAMETERIZED_ATTR
