"""The OTLP-JSON console format: each line is one ``ExportLogsServiceRequest`` holding one log record.

This is the OTLP/JSON encoding (the protobuf JSON mapping with OTLP's deviations: lowerCamelCase field names,
trace and span ids as hex strings, 64-bit integers as decimal strings, enums as numbers), which the
collector's ``otlpjsonfile`` receiver and OTLP/HTTP JSON receivers read. Attributes are the ones the OTLP
bridge exports; the instrumentation scope is the logger name, as in the bridge; the resource is the
process's, encoded once per resource snapshot.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Mapping
from typing import Any

from otelward.logs._encode import dumps, safe_repr, severity_number, severity_text
from otelward.logs._event import NO_RESOURCE, Event, event_attributes

__all__ = ["any_value", "key_values", "render_otlp_json"]

_MAX_DEPTH = 6
_INT64 = (-(2**63), 2**63 - 1)
_MAX_SCOPES = 1024


def _double(value: float) -> float | str:
    if math.isfinite(value):
        return value
    # the protobuf JSON mapping's spelling of the non-finite doubles
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def any_value(value: Any, depth: int = 0) -> dict[str, Any]:
    """Return ``value`` as an OTLP-JSON ``AnyValue``; what AnyValue cannot hold becomes a bounded repr.

    Args:
        value: a str, bool, int, float, bytes, None, mapping or sequence (others are written as their repr).
        depth: nesting so far; deeper values than the bridge keeps become reprs.
    """
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        if _INT64[0] <= value <= _INT64[1]:
            return {"intValue": str(value)}
        return {"stringValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": _double(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"bytesValue": base64.b64encode(value).decode("ascii")}
    if value is None:
        return {}
    if depth < _MAX_DEPTH and isinstance(value, (Mapping, list, tuple, set, frozenset)):
        try:
            if isinstance(value, Mapping):
                return {"kvlistValue": {"values": key_values(value, depth + 1)}}
            return {"arrayValue": {"values": [any_value(v, depth + 1) for v in list(value)]}}
        except Exception:  # noqa: BLE001 - a broken container degrades to its repr
            return {"stringValue": safe_repr(value)}
    return {"stringValue": safe_repr(value)}


def key_values(attributes: Mapping[Any, Any], depth: int = 0) -> list[dict[str, Any]]:
    """Return ``attributes`` as an OTLP-JSON ``KeyValue`` list (keys as strings)."""
    return [
        {"key": key if isinstance(key, str) else safe_repr(key), "value": any_value(value, depth)}
        for key, value in list(attributes.items())
    ]


# resource mapping -> the line's encoded opening up to the scope; one entry per process (renewed after fork)
_prefix: tuple[Mapping[str, Any], str, str] = (NO_RESOURCE, "", "")
_scopes: dict[str, str] = {}


def _line_prefix(resource: Mapping[str, Any], service_name: str) -> str:
    global _prefix
    cached_resource, cached_service, encoded = _prefix
    if cached_resource is not resource or cached_service != service_name or not encoded:
        attributes = dict(resource)
        if service_name and not attributes.get("service.name"):
            attributes["service.name"] = service_name
        encoded = dumps({"resource": {"attributes": key_values(attributes)}})[:-1]
        encoded = '{"resourceLogs":[' + encoded + ',"scopeLogs":[{"scope":'
        _prefix = (resource, service_name, encoded)
    return encoded


def _scope(name: str) -> str:
    encoded = _scopes.get(name)
    if encoded is None:
        encoded = dumps({"name": name})
        if len(_scopes) < _MAX_SCOPES:
            _scopes[name] = encoded
    return encoded


def render_otlp_json(event: Event) -> str:
    """Return the event as one OTLP-JSON ``ExportLogsServiceRequest`` on one line."""
    record: dict[str, Any] = {
        "timeUnixNano": str(int(event["time"] * 1e9)),
        "observedTimeUnixNano": str(time.time_ns()),
        "severityNumber": severity_number(event["levelno"]),
        "severityText": severity_text(event["level"]),
        "body": {"stringValue": event["message"]},
        "attributes": key_values(event_attributes(event)),
    }
    if event["trace_id"]:
        record["traceId"] = event["trace_id"]
        record["spanId"] = event["span_id"]
        record["flags"] = int(event["trace_flags"] or "0", 16)
    prefix = _line_prefix(event.get("resource", NO_RESOURCE), event["service_name"])
    return f'{prefix}{_scope(event["logger"])},"logRecords":[{dumps(record)}]}}]}}]}}'
