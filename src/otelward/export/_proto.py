"""OTLP protobuf encoding on the standard library: spans, log records and metrics, no ``google.protobuf``.

The SDK's encoders build protobuf message objects, which imports ``google.protobuf`` and the generated OTLP
modules: 4.2 MiB of RSS in every worker at its first export, a third of what otelward adds to a process. The
wire format of the few OTLP messages is small (varints, fixed-width numbers, length-delimited fields), so
this module writes the bytes directly, field for field what the SDK's encoders produce (tests parse both
with protobuf and compare). Data it does not know (exponential histograms, summaries) raises
:class:`UnsupportedError`, and the caller falls back to the SDK's encoder for that batch.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["UnsupportedError", "decode_partial", "encode_logs", "encode_metrics", "encode_spans"]

_I64 = (1 << 63) - 1
_U64 = (1 << 64) - 1
_pack_f64 = struct.Struct("<d").pack
_pack_i64 = struct.Struct("<q").pack
_pack_u64 = struct.Struct("<Q").pack
_pack_u32 = struct.Struct("<I").pack


class UnsupportedError(Exception):
    """The data holds something this encoder does not write (use the SDK's encoder)."""


def _varint(n: int) -> bytes:
    n &= _U64
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _tag(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _msg(field: int, payload: bytes) -> bytes:
    """A length-delimited field, written even when empty (a set sub-message)."""
    return _tag(field, 2) + _varint(len(payload)) + payload


def _bytes(field: int, value: bytes | None) -> bytes:
    return _msg(field, value) if value else b""


def _str(field: int, value: str | None) -> bytes:
    return _msg(field, value.encode()) if value else b""


def _uint(field: int, value: int | None) -> bytes:
    return _tag(field, 0) + _varint(value) if value else b""


def _fixed64(field: int, value: int | None) -> bytes:
    return _tag(field, 1) + _pack_u64(value) if value else b""


def _fixed32(field: int, value: int | None) -> bytes:
    return _tag(field, 5) + _pack_u32(value) if value else b""


def _double(field: int, value: float | None, *, present: bool = False) -> bytes:
    if value is None or (not value and not present):
        return b""
    return _tag(field, 1) + _pack_f64(value)


def _any(value: Any) -> bytes:
    """Return an ``AnyValue`` message's payload (as the SDK's ``_encode_value``: bool before int)."""
    if value is None:
        return b""
    # A oneof: every member is written even when it holds its zero value.
    if isinstance(value, bool):
        return _tag(2, 0) + _varint(int(value))
    if isinstance(value, str):
        return _msg(1, value.encode())
    if isinstance(value, int):
        if not -_I64 - 1 <= value <= _I64:
            raise ValueError(f"int {value} out of int64 range")
        return _tag(3, 0) + _varint(value)
    if isinstance(value, float):
        return _tag(4, 1) + _pack_f64(value)
    if isinstance(value, bytes):
        return _msg(7, value)
    if isinstance(value, Sequence):
        return _msg(5, b"".join(_msg(1, _any(v)) for v in value))
    if isinstance(value, Mapping):
        return _msg(6, b"".join(_msg(1, _kv(str(k), v)) for k, v in value.items()))
    raise ValueError(f"Invalid type {type(value)} of value {value}")


def _kv(key: str, value: Any) -> bytes:
    return _str(1, key) + _msg(2, _any(value))


def _attrs(field: int, attributes: Mapping[str, Any] | None) -> bytes:
    if not attributes:
        return b""
    out = []
    for key, value in attributes.items():
        try:
            out.append(_msg(field, _kv(key, value)))
        except (ValueError, UnicodeEncodeError):
            continue  # the SDK's encoder logs and skips such an attribute too
    return b"".join(out)


def _resource(resource: Any) -> bytes:
    return _attrs(1, resource.attributes)


def _scope(scope: Any) -> bytes:
    if scope is None:
        return b""
    return _str(1, scope.name) + _str(2, scope.version) + _attrs(3, scope.attributes)


def _group(items: Sequence[Any], resource_of: Callable[[Any], Any], scope_of: Callable[[Any], Any]) -> Any:
    groups: dict[Any, dict[Any, list[Any]]] = {}
    for item in items:
        groups.setdefault(resource_of(item), {}).setdefault(scope_of(item) or None, []).append(item)
    return groups


def _request(groups: Any, encode_one: Callable[[Any], bytes]) -> bytes:
    """``Export*ServiceRequest``: resource (1), scope groups (2), schema URL (3), as traces and logs share."""
    out = []
    for resource, scopes in groups.items():
        scoped = b"".join(
            _msg(
                2,
                _msg(1, _scope(scope))
                + b"".join(_msg(2, encode_one(item)) for item in items)
                + _str(3, scope.schema_url if scope else None),
            )
            for scope, items in scopes.items()
        )
        out.append(_msg(1, _msg(1, _resource(resource)) + scoped + _str(3, resource.schema_url)))
    return b"".join(out)


# -- traces ---------------------------------------------------------------------------------------

_KINDS = {"INTERNAL": 1, "SERVER": 2, "CLIENT": 3, "PRODUCER": 4, "CONSUMER": 5}
_HAS_IS_REMOTE, _IS_REMOTE = 0x100, 0x200


def _flags(parent: Any) -> int:
    return _HAS_IS_REMOTE | (_IS_REMOTE if parent is not None and parent.is_remote else 0)


def _span(span: Any) -> bytes:
    ctx = span.get_span_context()
    parent = span.parent
    state = ctx.trace_state
    out = [
        _bytes(1, ctx.trace_id.to_bytes(16, "big")),
        _bytes(2, ctx.span_id.to_bytes(8, "big")),
        _str(3, ",".join(f"{k}={v}" for k, v in state.items()) if state is not None else None),
        _bytes(4, parent.span_id.to_bytes(8, "big") if parent else None),
        _str(5, span.name),
        _uint(6, _KINDS[span.kind.name]),
        _fixed64(7, span.start_time),
        _fixed64(8, span.end_time),
        _attrs(9, span.attributes),
        _uint(10, span.dropped_attributes),
    ]
    for event in span.events or ():
        out.append(
            _msg(
                11,
                _fixed64(1, event.timestamp)
                + _str(2, event.name)
                + _attrs(3, event.attributes)
                + _uint(4, event.dropped_attributes),
            )
        )
    out.append(_uint(12, span.dropped_events))
    for link in span.links or ():
        out.append(
            _msg(
                13,
                _bytes(1, link.context.trace_id.to_bytes(16, "big"))
                + _bytes(2, link.context.span_id.to_bytes(8, "big"))
                + _attrs(4, link.attributes)
                + _uint(5, link.dropped_attributes)
                + _fixed32(6, _flags(link.context)),
            )
        )
    out.append(_uint(14, span.dropped_links))
    status = span.status
    if status is not None:
        out.append(_msg(15, _str(2, status.description) + _uint(3, status.status_code.value)))
    out.append(_fixed32(16, _flags(parent)))
    return b"".join(out)


def encode_spans(spans: Sequence[Any]) -> bytes:
    """Return the serialized ``ExportTraceServiceRequest`` of SDK ``ReadableSpan`` objects."""
    return _request(_group(spans, lambda s: s.resource, lambda s: s.instrumentation_scope), _span)


# -- logs -----------------------------------------------------------------------------------------


def _log(item: Any) -> bytes:
    rec = item.log_record
    severity = getattr(rec.severity_number, "value", None)
    return b"".join(
        (
            _fixed64(1, rec.timestamp),
            _uint(2, severity),
            _str(3, rec.severity_text),
            _msg(5, _any(rec.body)),
            _attrs(6, rec.attributes),
            _uint(7, item.dropped_attributes),
            _fixed32(8, int(rec.trace_flags) if rec.trace_flags is not None else 0),
            _bytes(9, rec.trace_id.to_bytes(16, "big") if rec.trace_id else None),
            _bytes(10, rec.span_id.to_bytes(8, "big") if rec.span_id else None),
            _fixed64(11, rec.observed_timestamp),
            _str(12, rec.event_name),
        )
    )


def encode_logs(records: Sequence[Any]) -> bytes:
    """Return the serialized ``ExportLogsServiceRequest`` of SDK ``ReadableLogRecord`` objects."""
    return _request(_group(records, lambda r: r.resource, lambda r: r.instrumentation_scope), _log)


# -- metrics --------------------------------------------------------------------------------------


def _exemplar(ex: Any) -> bytes:
    ids = b""
    if ex.span_id is not None and ex.trace_id is not None:
        ids = _bytes(4, ex.span_id.to_bytes(8, "big")) + _bytes(5, ex.trace_id.to_bytes(16, "big"))
    # ``as_double`` / ``as_int`` are a oneof: written even when zero.
    if isinstance(ex.value, float):
        value = _tag(3, 1) + _pack_f64(ex.value)
    elif isinstance(ex.value, int):
        value = _tag(6, 1) + _pack_i64(ex.value)
    else:
        raise UnsupportedError("exemplar value")
    return _attrs(7, ex.filtered_attributes) + _fixed64(2, ex.time_unix_nano) + value + ids


def _exemplars(field: int, exemplars: Sequence[Any] | None) -> bytes:
    return b"".join(_msg(field, _exemplar(e)) for e in exemplars or ())


def _number(point: Any, start: bool) -> bytes:
    value = point.value
    encoded = _tag(6, 1) + _pack_i64(value) if isinstance(value, int) else _tag(4, 1) + _pack_f64(value)
    return (
        _attrs(7, point.attributes)
        + (_fixed64(2, point.start_time_unix_nano) if start else b"")
        + _fixed64(3, point.time_unix_nano)
        + encoded
        + _exemplars(5, point.exemplars)
    )


def _histogram_point(point: Any) -> bytes:
    counts = b"".join(_pack_u64(c) for c in point.bucket_counts)
    bounds = b"".join(_pack_f64(b) for b in point.explicit_bounds)
    return (
        _attrs(9, point.attributes)
        + _fixed64(2, point.start_time_unix_nano)
        + _fixed64(3, point.time_unix_nano)
        + _fixed64(4, point.count)
        + _double(5, point.sum, present=point.sum is not None)
        + (_msg(6, counts) if counts else b"")
        + (_msg(7, bounds) if bounds else b"")
        + _exemplars(8, point.exemplars)
        + _double(11, point.min, present=point.min is not None)
        + _double(12, point.max, present=point.max is not None)
    )


def _metric(metric: Any) -> bytes:
    from opentelemetry.sdk.metrics.export import Gauge, Histogram, Sum

    data = metric.data
    head = _str(1, metric.name) + _str(2, metric.description) + _str(3, metric.unit)
    if isinstance(data, Gauge):
        points = b"".join(_msg(1, _number(p, start=False)) for p in data.data_points)
        return head + (_msg(5, points) if points else b"")
    if isinstance(data, Sum):
        points = b"".join(_msg(1, _number(p, start=True)) for p in data.data_points)
        body = points + _uint(2, data.aggregation_temporality.value) + _uint(3, int(data.is_monotonic))
        return head + _msg(7, body)
    if isinstance(data, Histogram):
        points = b"".join(_msg(1, _histogram_point(p)) for p in data.data_points)
        return head + _msg(9, points + _uint(2, data.aggregation_temporality.value))
    raise UnsupportedError(type(data).__name__)


def encode_metrics(metrics_data: Any) -> bytes:
    """Return the serialized ``ExportMetricsServiceRequest`` of an SDK ``MetricsData``."""
    out = []
    for rm in metrics_data.resource_metrics:
        scopes = b"".join(
            _msg(
                2,
                _msg(1, _scope(sm.scope))
                + b"".join(_msg(2, _metric(m)) for m in sm.metrics)
                + _str(3, sm.scope.schema_url),
            )
            for sm in rm.scope_metrics
        )
        out.append(_msg(1, _msg(1, _resource(rm.resource)) + scopes + _str(3, rm.resource.schema_url)))
    return b"".join(out)


# -- responses ------------------------------------------------------------------------------------


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    """Return ``(field, wire type, value)`` of a message's fields (length-delimited ones as bytes)."""
    out = []
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        field, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = _read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _read_varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire}")
        if pos > len(data):
            raise ValueError("truncated field")
        out.append((field, wire, value))
    return out


def decode_partial(answer: bytes) -> tuple[int, str]:
    """Return (rejected items, error message) of an ``Export*ServiceResponse``'s ``partial_success``.

    Raises:
        ValueError: the answer is not a valid response.
    """
    rejected, message = 0, ""
    for field, wire, value in _fields(answer):
        if field == 1 and wire == 2:
            for inner, inner_wire, inner_value in _fields(value):
                if inner == 1 and inner_wire == 0:
                    rejected = inner_value - (1 << 64) if inner_value > _I64 else inner_value
                elif inner == 2 and inner_wire == 2:
                    message = inner_value.decode(errors="replace")
    return rejected, message
