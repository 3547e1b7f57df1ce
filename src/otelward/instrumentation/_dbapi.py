"""DB-API spans (sqlite3, psycopg, …): ``db.operation.name``, and a mark on parameterized statements.

The stock DB-API instrumentation names the span after the statement's first keyword but does not set
``db.operation.name`` (it only puts it on its metrics). It also cannot tell an exporter whether the
application passed parameters, which the semantic conventions make the rule for sanitizing
``db.query.text``: parameterized text is kept as written (the application put its values in the
parameters), literals in a non-parameterized statement are masked. The mark
:data:`PARAMETERIZED_ATTR` carries that fact to the redaction stage.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from otelward._ratelimit import log_once

__all__ = ["OPERATION_ATTR", "PARAMETERIZED_ATTR", "apply", "is_parameterized"]

OPERATION_ATTR = "db.operation.name"
PARAMETERIZED_ATTR = "otelward.db.query.parameterized"
"""Set (True) on DB spans whose statement came with parameters: its text is not sanitized."""

_log = logging.getLogger("otelward.instrumentation")
_lock = threading.Lock()
_applied = False


def is_parameterized(args: Sequence[Any]) -> bool:
    """Return whether ``execute(statement, params)`` / ``executemany(statement, seq)`` passed parameters."""
    if len(args) < 2:
        return False
    params = args[1]
    if params is None:
        return False
    try:
        return len(params) > 0
    except TypeError:
        return True  # an iterator of parameter sets (executemany)


def _populate(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    result = wrapped(*args, **kwargs)
    try:
        span, cursor, query_args = args[0], args[1], args[2:]
        if not span.is_recording():
            return result
        operation = instance.get_operation_name(cursor, query_args)
        if operation:
            span.set_attribute(OPERATION_ATTR, operation)
        if is_parameterized(query_args):
            span.set_attribute(PARAMETERIZED_ATTR, True)
    except Exception:  # noqa: BLE001 - the stock span still flows
        log_once(_log, "dbapi-attrs", "otelward: could not add DB span attributes", exc_info=True)
    return result


def apply() -> None:
    """Add the attributes to every DB-API span made from now on (idempotent)."""
    global _applied
    with _lock:
        if _applied:
            return
        try:
            import wrapt
            from opentelemetry.instrumentation import dbapi

            wrapt.wrap_function_wrapper(dbapi, "CursorTracer._populate_span", _populate)
        except Exception:  # noqa: BLE001 - without it the stock spans still flow
            log_once(_log, "dbapi-fix", "otelward: could not extend DB-API spans", exc_info=True)
            return
        _applied = True
