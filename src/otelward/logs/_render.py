"""Renderers: one log event to one line (OTel-model JSON, ECS JSON, human-readable text).

OTLP-JSON, the collector's wire format, is in :mod:`otelward.logs._otlp_json`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from otelward.logs._encode import (
    dumps,
    encode_string,
    escape_control,
    rfc3339,
    severity_number,
    severity_text,
)
from otelward.logs._event import NO_RESOURCE, Event, event_attributes, extras_of, request_id_attributes
from otelward.logs._fields import correlation_of

if TYPE_CHECKING:
    from otelward.logs._processors import LineStep

__all__ = [
    "ECS_VERSION",
    "Renderer",
    "ecs_service_fields",
    "json_document",
    "record_json",
    "render_ecs",
    "render_json",
    "render_text",
]

ECS_VERSION = "8.11.0"

Renderer = Any  # Callable[[Event], str]; kept loose so a renderer may be a bound method or a partial


_JSON_RESOURCE_KEYS = ("service.version", "deployment.environment.name")
# resource mapping -> the readable JSON line's `resource` (the service's identity, not every attribute),
# as a mapping and encoded
_json_resource: tuple[Mapping[str, Any], str, dict[str, Any], str] = (NO_RESOURCE, "", {}, "")


def _json_resource_of(resource: Mapping[str, Any], service_name: str) -> tuple[dict[str, Any], str]:
    global _json_resource
    cached_resource, cached_service, doc, encoded = _json_resource
    if cached_resource is not resource or cached_service != service_name or (doc and not encoded):
        doc = {"service.name": service_name} if service_name else {}
        doc.update((k, resource[k]) for k in _JSON_RESOURCE_KEYS if resource.get(k))
        encoded = f',"resource":{dumps(doc)}' if doc else ""
        _json_resource = (resource, service_name, doc, encoded)
    return doc, encoded


def json_document(event: Event) -> dict[str, Any]:
    """Return the document :func:`render_json` writes for ``event`` (the reference its fast path matches)."""
    doc: dict[str, Any] = {
        "timestamp": rfc3339(event["time"]),
        "severity_text": severity_text(event["level"]),
        "severity_number": severity_number(event["levelno"]),
        "body": event["message"],
    }
    if event["trace_id"]:
        doc["trace_id"] = event["trace_id"]
        doc["span_id"] = event["span_id"]
        doc["trace_flags"] = event["trace_flags"]
    resource, _ = _json_resource_of(event.get("resource", NO_RESOURCE), event["service_name"])
    if resource:
        doc["resource"] = resource
    # The logger name first; an `extra=` of the same name does not replace it (as with the other fields).
    attributes: dict[str, Any] = {"logger.name": event["logger"]}
    attributes.update((k, v) for k, v in event_attributes(event).items() if k != "logger.name")
    doc["attributes"] = attributes
    return doc


# Strings that repeat on every line of a call site (logger, file, function, thread names), JSON-encoded once.
_MAX_ENCODED = 4096
_encoded: dict[str, str] = {}
_BASE_ATTRIBUTES = frozenset(
    {"logger.name", "code.file.path", "code.function.name", "code.line.number", "thread.id", "thread.name"}
)
_REQUEST_ATTRIBUTES = frozenset(request_id_attributes("x"))
_REQUEST_KEYS = tuple(f",{encode_string(k)}:" for k in request_id_attributes("x"))
_EXCEPTION_ATTRIBUTES = frozenset({"exception.type", "exception.message", "exception.stacktrace"})


def _enc(text: str) -> str:
    found = _encoded.get(text)
    if found is None:
        found = encode_string(text)
        if len(_encoded) < _MAX_ENCODED:
            _encoded[text] = found
    return found


_MAX_SITES = 4096
_sites: dict[tuple[Any, ...], str] = {}


def _site(logger: str, file_path: str, function: str, line: int, thread_id: int, thread_name: str) -> str:
    """Return the attributes' opening (logger, code location, thread): the same for every line of a call site."""
    key = (logger, file_path, function, line, thread_id, thread_name)
    found = _sites.get(key)
    if found is None:
        found = (
            f',"attributes":{{"logger.name":{_enc(logger)},"code.file.path":{_enc(file_path)},'
            f'"code.function.name":{_enc(function)},"code.line.number":{line},"thread.id":{thread_id},'
            f'"thread.name":{_enc(thread_name)}'
        )
        if len(_sites) >= _MAX_SITES:
            _sites.clear()
        _sites[key] = found
    return found


def _json_text(  # one line's fields, passed flat: this runs once per console line
    time: float,
    level: str,
    levelno: int,
    message: str,
    trace_id: str,
    span_id: str,
    trace_flags: str,
    request_id: str,
    service_name: str,
    resource: Mapping[str, Any],
    site: str,
    exception: tuple[str, str, str] | None,
    stack_info: str | None,
    extra: Mapping[str, Any],
) -> str:
    """Write the line by concatenation: the reference document's exact text, without building it."""
    parts = [
        f'{{"timestamp":"{rfc3339(time)}","severity_text":{_enc(severity_text(level))},'
        f'"severity_number":{severity_number(levelno)},"body":{encode_string(message)}'
    ]
    if trace_id:
        parts.append(
            f',"trace_id":{encode_string(trace_id)},"span_id":{encode_string(span_id)},'
            f'"trace_flags":{encode_string(trace_flags)}'
        )
    parts.append(_json_resource_of(resource, service_name)[1])
    parts.append(site)
    taken = _BASE_ATTRIBUTES
    if request_id:
        encoded = encode_string(request_id)
        parts.extend(key + encoded for key in _REQUEST_KEYS)
        taken = taken | _REQUEST_ATTRIBUTES
    if exception is not None:
        kind, text, stack = exception
        parts.append(
            f',"exception.type":{encode_string(kind)},"exception.message":{encode_string(text)},'
            f'"exception.stacktrace":{encode_string(stack)}'
        )
        taken = taken | _EXCEPTION_ATTRIBUTES
    if stack_info:
        parts.append(f',"code.stacktrace":{encode_string(stack_info)}')
        taken = taken | {"code.stacktrace"}
    if extra:
        rest = {k: v for k, v in extra.items() if k not in taken}
        if rest:
            parts.append(_extras(rest))
    parts.append("}}")
    return "".join(parts)


def _fast_json(event: Event) -> str:
    """Write the event's line (see :func:`_json_text`); TypeError for a field of an unexpected type."""
    line, thread_id = event["line"], event["thread_id"]
    if line.__class__ is not int or thread_id.__class__ is not int:
        raise TypeError("not an int")
    return _json_text(
        event["time"],
        event["level"],
        event["levelno"],
        event["message"],
        event["trace_id"],
        event["span_id"],
        event["trace_flags"],
        event["request_id"],
        event["service_name"],
        event.get("resource", NO_RESOURCE),
        _site(event["logger"], event["file_path"], event["function"], line, thread_id, event["thread_name"]),
        event["exception"],
        event["stack_info"],
        event["extra"],
    )


def record_json(
    record: logging.LogRecord, resource: Mapping[str, Any], redact: LineStep | None
) -> str | None:
    """Return ``record``'s JSON line as the event chain writes it, straight from the record; None when the
    line needs the general path (an exception or stack, a message that is not text, odd field types).

    The same line as ``render_json(redact(add_resource(event_from_record(record))))``, without building the
    event: ``tests/logs/test_record_json.py`` holds the two equal.

    Args:
        record: the stdlib record.
        resource: the resource attributes the console lines carry.
        redact: the redaction of message and extras (:func:`~otelward.logs._processors.line_step`), None
            when off.
    """
    line, thread_id, thread_name = record.lineno, record.thread, record.threadName
    if (
        record.exc_info
        or record.stack_info
        or record.msg.__class__ is not str
        or line.__class__ is not int
        or thread_id.__class__ is not int
        or thread_name.__class__ is not str
    ):
        return None
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - the general path writes the unformattable-arguments line
        return None
    corr = correlation_of(record)
    extra: Mapping[str, Any] = extras_of(record, corr)
    if redact is not None:
        message, extra = redact(message, extra)  # type: ignore[arg-type]
    return _json_text(
        record.created,
        record.levelname,
        record.levelno,
        message,
        corr.trace_id,
        corr.span_id,
        corr.trace_flags,
        corr.request_id,
        corr.service_name,
        resource,
        _site(record.name, record.pathname, record.funcName, line, thread_id, thread_name),
        None,
        None,
        extra,
    )


def _extras(extra: dict[str, Any]) -> str:
    """Return ``extra``'s members (with a leading comma) as :func:`dumps` writes them; strings and ints inline."""
    out = []
    for key, value in extra.items():
        cls = value.__class__
        if key.__class__ is not str or (cls is not str and cls is not int):
            return "," + dumps(extra)[1:-1]  # anything else: the encoder and its fallbacks decide
        out.append(f",{_enc(key)}:{encode_string(value) if cls is str else int.__repr__(value)}")
    return "".join(out)


def render_json(event: Event) -> str:
    """Return the event as one JSON object with OTel log data model names."""
    try:
        return _fast_json(event)
    except (TypeError, ValueError):
        # a field of an unexpected type (an event from elsewhere): the reference document decides
        return dumps(json_document(event))


def ecs_service_fields(resource: Mapping[str, Any], service_name: str) -> dict[str, Any]:
    """Return the ECS fields that are the same on every line of this process, from its resource attributes.

    ``event.dataset`` is the service name, the ecs-logging spec's default for a library that is not told
    otherwise; ``process.name`` is OTel's ``process.executable.name`` (the ECS mapping of the two).
    """
    service = service_name or str(resource.get("service.name") or "")
    fields: dict[str, Any] = {"ecs.version": ECS_VERSION}
    if service:
        fields["service.name"] = service
    version = resource.get("service.version")
    if version:
        fields["service.version"] = str(version)
    environment = resource.get("deployment.environment.name") or resource.get("deployment.environment")
    if environment:
        fields["service.environment"] = str(environment)
    if service:
        fields["event.dataset"] = service
    process_name = resource.get("process.executable.name")
    if process_name:
        fields["process.name"] = str(process_name)
    return fields


# (resource mapping, service name) -> the encoded static ECS fields, without braces; one entry per process
_ecs_static: tuple[Mapping[str, Any], str, str] = (NO_RESOURCE, "", "")


def _ecs_static_fields(resource: Mapping[str, Any], service_name: str) -> str:
    global _ecs_static
    cached_resource, cached_service, encoded = _ecs_static
    if cached_resource is not resource or cached_service != service_name or not encoded:
        encoded = dumps(ecs_service_fields(resource, service_name))[1:-1]
        _ecs_static = (resource, service_name, encoded)
    return encoded


def render_ecs(event: Event) -> str:
    """Return the event as one JSON object with Elastic Common Schema names (spec field order first)."""
    doc: dict[str, Any] = {
        "@timestamp": rfc3339(event["time"]),
        "log.level": event["level"].lower(),
        "message": event["message"],
        "log.logger": event["logger"],
        "log.origin.file.name": event["file_name"],
        "log.origin.file.line": event["line"],
        "log.origin.function": event["function"],
        "process.pid": event["pid"],
        "process.thread.id": event["thread_id"],
        "process.thread.name": event["thread_name"],
    }
    if event["trace_id"]:
        doc["trace.id"] = event["trace_id"]
        doc["span.id"] = event["span_id"]
    if event["transaction_id"]:
        doc["transaction.id"] = event["transaction_id"]
    if event["request_id"]:
        # ECS defines http.request.id (the OTel conventions do not): the one name here.
        doc["http.request.id"] = event["request_id"]
    exception = event["exception"]
    if exception is not None:
        doc["error.type"], doc["error.message"], doc["error.stack_trace"] = exception
    extra = event["extra"]
    if extra:
        # Nested under one key: an `extra={"trace.id": ...}` must not overwrite the real one.
        doc["extra"] = extra
    static = _ecs_static_fields(event.get("resource", NO_RESOURCE), event["service_name"])
    return f"{dumps(doc)[:-1]},{static}}}"


def render_text(event: Event) -> str:
    """Return the event as a readable line with the ids appended; a traceback follows on ``|`` lines."""
    parts = [
        rfc3339(event["time"]),
        f"{event['level']:<8}",
        escape_control(f"{event['logger']}:"),
        escape_control(event["message"]),
    ]
    if event["trace_id"]:
        parts.append(f"trace_id={event['trace_id']} span_id={event['span_id']}")
    if event["request_id"]:
        parts.append(f"request_id={event['request_id']}")
    for key, value in event["extra"].items():
        shown = value if isinstance(value, str) else dumps({"v": value})[5:-1]
        parts.append(escape_control(f"{key}={shown}"))
    line = " ".join(parts)
    exception = event["exception"]
    if exception is not None and exception[2]:
        line += "".join("\n  | " + escape_control(x) for x in exception[2].split("\n"))
    return line
