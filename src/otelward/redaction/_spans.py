"""Redact finished spans on the export worker thread by building new, redacted copies.

Finished SDK spans are immutable (editing them in ``on_end`` silently does nothing), so the transform
returns new :class:`ReadableSpan` objects carrying redacted attributes, events, links, status
description and name; the resource is left as is. Spans with nothing to redact are passed through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.trace import Link, Status

from otelward.redaction._engine import Found, RedactionEngine
from otelward.redaction._guard import guarded_batch
from otelward.redaction._keys import SQL_KEYS

__all__ = ["AUDIT_ATTRIBUTE", "AUDIT_LIMIT", "audit_entries", "redact_span", "span_transform"]

AUDIT_ATTRIBUTE = "otelward.redacted"
"""Attribute listing what was redacted as ``path:rule`` (never the values)."""
AUDIT_LIMIT = 32
PARAMETERIZED_ATTR = "otelward.db.query.parameterized"
"""Set by otelward's DB-API hook when the statement came with parameters (``instrumentation._dbapi``)."""


def audit_entries(found: Found) -> tuple[str, ...]:
    """Return the audit attribute value for ``found``: unique ``path:rule`` strings, at most 32."""
    entries = list(dict.fromkeys(f"{path}:{rule}" for path, rule in found))
    if len(entries) > AUDIT_LIMIT:
        entries = [*entries[: AUDIT_LIMIT - 1], f"...:{len(entries) - AUDIT_LIMIT + 1} more"]
    return tuple(entries)


class _RedactedSpan(ReadableSpan):
    """A redacted copy that still reports the original's dropped attribute/event/link counts."""

    def __init__(self, original: ReadableSpan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dropped = (original.dropped_attributes, original.dropped_events, original.dropped_links)

    @property
    def dropped_attributes(self) -> int:
        return self._dropped[0]

    @property
    def dropped_events(self) -> int:
        return self._dropped[1]

    @property
    def dropped_links(self) -> int:
        return self._dropped[2]


def _plain(attributes: Any) -> Mapping[str, Any]:
    # The SDK's BoundedAttributes dispatches every read through Python-level methods; reading its
    # backing dict directly halves the cost of the hot loop. Any other mapping is used as is.
    inner = getattr(attributes, "_dict", None)
    if isinstance(inner, dict):
        return inner
    return attributes if attributes is not None else {}


def _attributes(engine: RedactionEngine, source: Mapping[str, Any], found: Found) -> Mapping[str, Any]:
    if source.get(PARAMETERIZED_ATTR) is not True:
        return engine.redact_attributes_audited(source, "", found)
    # Semantic conventions: parameterized query text is not sanitized (the values are in the parameters);
    # its text still goes through the secret detectors, as free text.
    rest = {k: v for k, v in source.items() if k not in SQL_KEYS}
    out = engine.redact_attributes_audited(rest, "", found)
    changed = out is not rest
    texts = {}
    for key in SQL_KEYS & source.keys():
        value = source[key]
        new = engine.redact_text_audited(value, key, found) if isinstance(value, str) else value
        changed = changed or new != value
        texts[key] = new
    return {**out, **texts} if changed else source


def redact_span(engine: RedactionEngine, span: ReadableSpan) -> ReadableSpan:
    """Return ``span`` itself when clean, else a redacted copy with the audit attribute."""
    found: Found = []
    name = engine.redact_text_audited(span.name, "name", found)
    source = _plain(getattr(span, "_attributes", None)) if hasattr(span, "_attributes") else span.attributes
    attributes = _attributes(engine, source or {}, found)
    if "http.route" in attributes:
        attributes, name = engine.redact_route_params(attributes, name, found)
    events = []
    for i, event in enumerate(span.events):
        plain = _plain(event.attributes)
        attrs = engine.redact_attributes_audited(plain, f"events[{i}].", found)
        events.append(event if attrs is plain else Event(event.name, attrs, event.timestamp))
    links = []
    for i, link in enumerate(span.links):
        plain = _plain(link.attributes)
        attrs = engine.redact_attributes_audited(plain, f"links[{i}].", found)
        links.append(link if attrs is plain else Link(link.context, attrs))
    status = span.status
    if status.description:
        description = engine.redact_text_audited(status.description, "status.description", found)
        if description != status.description:
            status = Status(status.status_code, description)
    if not found:
        return span
    engine.count(found, "traces")
    attributes = {**attributes, AUDIT_ATTRIBUTE: audit_entries(found)}
    return _RedactedSpan(
        span,
        name=name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=events,
        links=links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def span_transform(engine: RedactionEngine) -> Callable[[list[ReadableSpan]], list[ReadableSpan]]:
    """Return the batch transform; a span that cannot be redacted is dropped (and counted), not leaked."""

    return guarded_batch("traces", lambda item: redact_span(engine, item))
