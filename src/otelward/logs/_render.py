"""Renderers: one log event to one line (OTel-model JSON, ECS JSON, human-readable text)."""

from __future__ import annotations

from typing import Any

from otelward.logs._encode import dumps, escape_control, rfc3339, severity_number, severity_text
from otelward.logs._event import Event

__all__ = ["ECS_VERSION", "Renderer", "render_ecs", "render_json", "render_text"]

ECS_VERSION = "8.11.0"

Renderer = Any  # Callable[[Event], str]; kept loose so a renderer may be a bound method or a partial


def render_json(event: Event) -> str:
    """Return the event as one JSON object with OTel log data model names."""
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
    if event["service_name"]:
        doc["resource"] = {"service.name": event["service_name"]}
    attributes: dict[str, Any] = {
        "logger.name": event["logger"],
        "code.file.path": event["file_path"],
        "code.function.name": event["function"],
        "code.line.number": event["line"],
        "thread.id": event["thread_id"],
        "thread.name": event["thread_name"],
    }
    if event["request_id"]:
        attributes["http.request.id"] = event["request_id"]
    exception = event["exception"]
    if exception is not None:
        attributes["exception.type"], attributes["exception.message"], attributes["exception.stacktrace"] = (
            exception
        )
    if event["stack_info"]:
        attributes["code.stacktrace"] = event["stack_info"]
    extra = event["extra"]
    if extra:
        attributes.update((k, v) for k, v in extra.items() if k not in attributes)
    doc["attributes"] = attributes
    return dumps(doc)


def render_ecs(event: Event) -> str:
    """Return the event as one JSON object with Elastic Common Schema names."""
    doc: dict[str, Any] = {
        "@timestamp": rfc3339(event["time"]),
        "log.level": event["level"].lower(),
        "message": event["message"],
        "ecs.version": ECS_VERSION,
        "log.logger": event["logger"],
        "log.origin.file.name": event["file_name"],
        "log.origin.file.line": event["line"],
        "log.origin.function": event["function"],
        "process.pid": event["pid"],
        "process.thread.id": event["thread_id"],
        "process.thread.name": event["thread_name"],
    }
    if event["service_name"]:
        doc["service.name"] = event["service_name"]
    if event["trace_id"]:
        doc["trace.id"] = event["trace_id"]
        doc["span.id"] = event["span_id"]
    if event["transaction_id"]:
        doc["transaction.id"] = event["transaction_id"]
    if event["request_id"]:
        doc["http.request.id"] = event["request_id"]
    exception = event["exception"]
    if exception is not None:
        doc["error.type"], doc["error.message"], doc["error.stack_trace"] = exception
    extra = event["extra"]
    if extra:
        # Nested under one key: an `extra={"trace.id": ...}` must not overwrite the real one.
        doc["extra"] = extra
    return dumps(doc)


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
