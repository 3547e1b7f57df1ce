"""Estimate the bytes a queued span or log record keeps alive, for the export queues' byte bound.

An estimate, not ``sys.getsizeof`` of every object: strings count their length (4 bytes a character
outside ASCII), other values a word, and each object a fixed overhead. It runs once per queued item, on
the thread that hands kept spans over, so it reads only what the SDK already holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["log_size", "span_size"]

_SPAN_OVERHEAD = 600
_LOG_OVERHEAD = 400
_EVENT_OVERHEAD = 120
_ATTR_OVERHEAD = 60


def _value(value: Any) -> int:
    cls = value.__class__
    if cls is str:
        return len(value) if value.isascii() else 4 * len(value)
    if cls is bytes:
        return len(value)
    if cls is tuple or cls is list:
        return sum(_value(v) + 8 for v in value)
    if isinstance(value, Mapping):
        return _attrs(value)
    return 16


def _attrs(attrs: Mapping[str, Any] | None) -> int:
    if not attrs:
        return 0
    return sum(_ATTR_OVERHEAD + len(k) + _value(v) for k, v in attrs.items())


def span_size(span: Any) -> int:
    """Return about how many bytes an ended SDK span holds (name, attributes, events, links)."""
    size = _SPAN_OVERHEAD + len(span.name or "") + _attrs(span.attributes)
    for event in span.events or ():
        size += _EVENT_OVERHEAD + len(event.name) + _attrs(event.attributes)
    for link in span.links or ():
        size += _EVENT_OVERHEAD + _attrs(link.attributes)
    return size


def log_size(record: Any) -> int:
    """Return about how many bytes an SDK log record holds (body and attributes)."""
    inner = getattr(record, "log_record", record)
    return _LOG_OVERHEAD + _value(inner.body) + _attrs(inner.attributes)
