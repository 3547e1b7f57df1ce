"""Console formatters: a record becomes an event, passes the processor chain, and a renderer writes one line.

``JsonFormatter`` (OTel log data model names), ``EcsFormatter`` (Elastic Common Schema), ``OtlpJsonFormatter``
(one OTLP-JSON ``ExportLogsServiceRequest`` per line) and ``TextFormatter`` differ only in their renderer; the
resource and redaction processors are the same for all four.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from otelward._ratelimit import log_once
from otelward.logs._encode import rfc3339
from otelward.logs._event import Event, event_from_record
from otelward.logs._otlp_json import render_otlp_json
from otelward.logs._processors import Processor, add_resource, line_step, redact, run_chain
from otelward.logs._render import record_json, render_ecs, render_json, render_text
from otelward.logs._resource import PROCESS_RESOURCE, LogResource
from otelward.redaction import Redactor

__all__ = [
    "ChainFormatter",
    "EcsFormatter",
    "JsonFormatter",
    "OtlpJsonFormatter",
    "TextFormatter",
    "build_formatter",
]


_log = logging.getLogger("otelward.logs")


class ChainFormatter(logging.Formatter):
    """Format a record as ``renderer(processors(event_from_record(record)))``.

    Args:
        renderer: writes the final event as one line.
        processors: run in order on the event before rendering.
    """

    def __init__(self, renderer: Callable[[Event], str], processors: Sequence[Processor] = ()) -> None:
        super().__init__()
        self.renderer = renderer
        self.processors = tuple(processors)

    def format(self, record: logging.LogRecord) -> str:
        """Return ``record`` as one line."""
        return self.renderer(run_chain(self.processors, event_from_record(record)))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """Return the record's time as RFC 3339 UTC with microseconds."""
        return rfc3339(record.created)


def _chain(redactor: Redactor | None, resource: LogResource | None) -> tuple[Processor, ...]:
    chain = (add_resource(PROCESS_RESOURCE if resource is None else resource),)
    return chain if redactor is None else (*chain, redact(redactor))


class JsonFormatter(ChainFormatter):
    """One JSON object per line with OTel log data model names.

    An ordinary record (text message, no exception or stack) is written straight from the record
    (:func:`~otelward.logs._render.record_json`); any other goes through the event chain. Same line either way.
    """

    def __init__(self, redactor: Redactor | None = None, resource: LogResource | None = None) -> None:
        super().__init__(render_json, _chain(redactor, resource))
        self._resource = PROCESS_RESOURCE if resource is None else resource
        self._steps = None if redactor is None else line_step(redactor)

    def format(self, record: logging.LogRecord) -> str:
        """Return ``record`` as one JSON line."""
        try:
            line = record_json(record, self._resource.attributes, self._steps)
        except (TypeError, ValueError):
            line = None  # a field of an unexpected type: the event chain and the reference document decide
        except Exception:  # noqa: BLE001 - the chain's steps fail closed field by field: the line is still written
            log_once(
                _log, "record-json", "otelward: console line fell back to the event chain", exc_info=True
            )
            line = None
        return line if line is not None else super().format(record)


class EcsFormatter(ChainFormatter):
    """One JSON object per line with Elastic Common Schema names."""

    def __init__(self, redactor: Redactor | None = None, resource: LogResource | None = None) -> None:
        super().__init__(render_ecs, _chain(redactor, resource))


class OtlpJsonFormatter(ChainFormatter):
    """One OTLP-JSON ``ExportLogsServiceRequest`` per line (what the collector's OTLP JSON file receiver reads)."""

    def __init__(self, redactor: Redactor | None = None, resource: LogResource | None = None) -> None:
        super().__init__(render_otlp_json, _chain(redactor, resource))


class TextFormatter(ChainFormatter):
    """Human-readable single lines with the ids appended; a traceback follows on ``|``-prefixed lines."""

    def __init__(self, redactor: Redactor | None = None, resource: LogResource | None = None) -> None:
        super().__init__(render_text, _chain(redactor, resource))


_FORMATTERS: dict[str, type[JsonFormatter | EcsFormatter | OtlpJsonFormatter | TextFormatter]] = {
    "json": JsonFormatter,
    "ecs": EcsFormatter,
    "otlp-json": OtlpJsonFormatter,
    "text": TextFormatter,
}


def build_formatter(
    fmt: str, redactor: Redactor | None, resource: LogResource | None = None
) -> logging.Formatter | None:
    """Return the console formatter for ``OTELWARD_LOG_FORMAT`` (None for ``off``).

    Args:
        fmt: the format name.
        redactor: the process's redaction engine (None: redaction off).
        resource: the resource snapshot the lines name (default: this process's, ``PROCESS_RESOURCE``).
    """
    formatter = _FORMATTERS.get(fmt)
    return None if formatter is None else formatter(redactor, resource)
