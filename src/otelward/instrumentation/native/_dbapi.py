"""DB-API statements, natively: one CLIENT span per ``execute``/``executemany``, as upstream's dbapi makes it.

The span is upstream's at ``OTEL_SEMCONV_STABILITY_OPT_IN=database``: named after the statement's first
keyword (else the database, else the system), with ``db.system.name``, ``db.namespace``, ``db.query.text``,
``server.address``/``server.port``, an ``exception`` event and ERROR status when the statement fails, and
the ``db.client.operation.duration`` metric point. Plus what otelward adds over upstream
(:mod:`otelward.instrumentation._dbapi`): ``db.operation.name`` and the parameterized mark redaction reads.

Upstream wraps every cursor in a ``wrapt`` proxy and goes through a per-cursor tracer object; here the
driver-specific modules (``_sqlite3.py``, ``_psycopg.py``) subclass the driver's own cursor and call
:meth:`Database.run`, which builds the attributes in one dict and starts the span with them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY
from opentelemetry.trace import SpanKind, Status, StatusCode

from otelward.instrumentation._dbapi import OPERATION_ATTR, PARAMETERIZED_ATTR, is_parameterized
from otelward.instrumentation._lean import lean_tracer

__all__ = ["Database", "operation_name", "statement_text"]

_LEADING_COMMENT = re.compile(r"^/\*.*?\*/")
_FIRST_WORD = re.compile(r"\s*(\S+)")
_PLAIN_SUPPRESS_KEY = "suppress_instrumentation"  # what older instrumentations set
_DURATION_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0)


def operation_name(statement: Any) -> str:
    """Return the statement's first keyword after a leading ``/* comment */`` ('' when there is none)."""
    if not isinstance(statement, str) or not statement:
        return ""
    if statement.startswith("/*"):
        statement = _LEADING_COMMENT.sub("", statement, count=1)
    match = _FIRST_WORD.match(statement)
    return match.group(1) if match else ""


def statement_text(statement: Any) -> str:
    """Return the statement as ``db.query.text`` carries it ('' for an object that is not text)."""
    if isinstance(statement, str):
        return statement
    if isinstance(statement, bytes):
        return statement.decode("utf8", "replace")
    return ""


def _suppressed() -> bool:
    get = otel_context.get_value
    return bool(get(_SUPPRESS_INSTRUMENTATION_KEY) or get(_PLAIN_SUPPRESS_KEY))


def _failed(span: Any, exc: Exception) -> None:
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))


def _buckets(scope: str) -> Any:
    """Return the runtime's bucket histogram for this scope's DB metric (None without a runtime)."""
    from otelward.startup._state import runtime

    rt = runtime()
    red = getattr(rt, "red", None)
    return red.histogram("db.client.operation.duration", scope) if red is not None else None


class Database:
    """What every statement on one kind of connection shares: the tracer, the metric, the fixed attributes."""

    __slots__ = ("attributes", "duration", "fallback_name", "metric_attributes", "render", "tracer")

    def __init__(
        self,
        system: str,
        namespace: str = "",
        address: str | None = None,
        port: int | None = None,
        *,
        scope: str = "otelward.instrumentation.dbapi",
        render: Callable[[Any, Any], str] | None = None,
    ) -> None:
        """Describe a kind of connection.

        Args:
            system, namespace, address, port: ``db.system.name``, ``db.namespace``, ``server.*``.
            scope: the instrumentation scope of the spans and the metric.
            render: ``(statement, cursor) -> text`` for a statement object that is not text (psycopg's
                ``sql.Composed``); without it, such a statement's text is ''.
        """
        from opentelemetry import metrics

        from otelward._version import __version__

        attributes: dict[str, Any] = {"db.system.name": system}
        if namespace:
            attributes["db.namespace"] = namespace
        if address:
            attributes["server.address"] = address
        if port is not None:
            attributes["server.port"] = port
        self.attributes = attributes
        self.metric_attributes = dict(attributes)
        self.fallback_name = namespace or system
        self.render = render
        self.tracer = lean_tracer(scope, __version__)
        self.duration = _buckets(scope) or metrics.get_meter(scope, __version__).create_histogram(
            "db.client.operation.duration",
            unit="s",
            description="Duration of database client operations.",
            explicit_bucket_boundaries_advisory=list(_DURATION_BUCKETS),
        )

    def run(
        self, method: Callable[..., Any], cursor: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Call ``method(cursor, *args, **kwargs)`` (the driver's ``execute``) inside the statement's span."""
        if _suppressed():
            return method(cursor, *args, **kwargs)
        span, operation = self._start(cursor, args, kwargs)
        token = otel_context.attach(trace.set_span_in_context(span))
        start = time.perf_counter()
        error: BaseException | None = None
        try:
            return method(cursor, *args, **kwargs)
        except Exception as exc:
            error = exc
            _failed(span, exc)
            raise
        finally:
            elapsed = time.perf_counter() - start
            otel_context.detach(token)
            span.end()
            self._record(elapsed, operation, error)

    async def run_async(
        self, method: Callable[..., Any], cursor: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Await ``method(cursor, *args, **kwargs)`` (an async driver's ``execute``) inside the span."""
        if _suppressed():
            return await method(cursor, *args, **kwargs)
        span, operation = self._start(cursor, args, kwargs)
        token = otel_context.attach(trace.set_span_in_context(span))
        start = time.perf_counter()
        error: BaseException | None = None
        try:
            return await method(cursor, *args, **kwargs)
        except Exception as exc:
            error = exc
            _failed(span, exc)
            raise
        finally:
            elapsed = time.perf_counter() - start
            otel_context.detach(token)
            span.end()
            self._record(elapsed, operation, error)

    def _start(self, cursor: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, str]:
        statement = args[0] if args else kwargs.get("query", kwargs.get("sql"))
        if self.render is not None and statement is not None and not isinstance(statement, (str, bytes)):
            text = self.render(statement, cursor)
            operation = operation_name(text)
        else:
            text = statement_text(statement)
            operation = operation_name(statement)  # '' for bytes, as upstream
        attributes = dict(self.attributes)
        attributes["db.query.text"] = text
        if operation:
            attributes[OPERATION_ATTR] = operation
        if is_parameterized(args):
            attributes[PARAMETERIZED_ATTR] = True
        span = self.tracer.start_span(
            operation or self.fallback_name, kind=SpanKind.CLIENT, attributes=attributes
        )
        return span, operation

    def _record(self, elapsed: float, operation: str, error: BaseException | None) -> None:
        attributes = self.metric_attributes
        if operation or error is not None:
            attributes = dict(attributes)
            if operation:
                attributes[OPERATION_ATTR] = operation
            if error is not None:
                attributes["error.type"] = type(error).__qualname__
        record = getattr(self.duration, "record_attributes", None)
        if record is not None:
            record(attributes, elapsed)  # otelward's bucket histogram: ~1 µs, an SDK record 13-22 µs
        else:
            self.duration.record(elapsed, attributes)
