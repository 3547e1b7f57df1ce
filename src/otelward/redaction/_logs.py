"""Redact OTLP log records (body, attributes, exception text) on the export worker thread."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from opentelemetry.attributes import BoundedAttributes

from otelward.redaction._engine import Found, RedactionEngine
from otelward.redaction._guard import guarded_batch
from otelward.redaction._spans import AUDIT_ATTRIBUTE, audit_entries

__all__ = ["log_transform", "redact_log_record"]


def redact_log_record(engine: RedactionEngine, item: Any) -> Any:
    """Return ``item`` (a ``ReadableLogRecord``) when clean, else a redacted copy with the audit attribute."""
    from opentelemetry.sdk._logs import ReadableLogRecord

    record = item.log_record
    found: Found = []
    body = record.body
    if isinstance(body, str):
        body = engine.redact_text_audited(body, "body", found)
    elif body is not None:
        body = engine.redact_value_audited("body", body, "body", found)
    original = record.attributes or {}
    attributes = engine.redact_attributes_audited(original, "", found)
    if not found:
        return item
    engine.count(found, "logs")
    bounded = BoundedAttributes(
        maxlen=None,
        attributes={**attributes, AUDIT_ATTRIBUTE: audit_entries(found)},
        immutable=False,
        extended_attributes=True,
    )
    bounded.dropped = getattr(original, "dropped", 0)
    new_record = copy.copy(record)
    new_record.body = body
    new_record.attributes = bounded
    return ReadableLogRecord(
        log_record=new_record,
        resource=item.resource,
        instrumentation_scope=item.instrumentation_scope,
        limits=item.limits,
    )


def log_transform(engine: RedactionEngine) -> Callable[[list[Any]], list[Any]]:
    """Return the batch transform; a record that cannot be redacted is dropped (and counted), not leaked."""

    return guarded_batch("logs", lambda item: redact_log_record(engine, item))
