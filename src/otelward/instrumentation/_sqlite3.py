"""sqlite3: trace the ``Connection.execute`` shortcuts the stock instrumentation misses.

The stock instrumentation returns a connection proxy that traces cursors made with ``conn.cursor()``;
``conn.execute(...)``, ``conn.executemany(...)`` and ``conn.executescript(...)`` run on the real
connection and make no span. Here the proxy factory of the DB-API instrumentation is wrapped so that
sqlite connections get a subclass whose shortcuts go through a traced cursor: the span is the one a
cursor would make, and exactly one per statement.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from otelward._ratelimit import log_once

__all__ = ["apply"]

_log = logging.getLogger("otelward.instrumentation")
_lock = threading.Lock()
_applied = False


def _proxy_class(base: type) -> type:
    class SqliteConnectionProxy(base):  # type: ignore[misc]
        """A traced sqlite connection whose ``execute*`` shortcuts make cursor spans."""

        def execute(self, *args: Any, **kwargs: Any) -> Any:
            cursor = self.cursor()
            cursor.execute(*args, **kwargs)
            return cursor

        def executemany(self, *args: Any, **kwargs: Any) -> Any:
            cursor = self.cursor()
            cursor.executemany(*args, **kwargs)
            return cursor

        def executescript(self, *args: Any, **kwargs: Any) -> Any:
            cursor = self.cursor()
            # The DB-API proxy has no traced executescript; run it through the same tracer as execute.
            tracer = cursor._self_cursor_tracer
            tracer.traced_execution(cursor.__wrapped__, cursor.__wrapped__.executescript, *args, **kwargs)
            return cursor

    return SqliteConnectionProxy


def _wrapper(proxy_class: type) -> Any:
    def get_proxy(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        integration = args[1] if len(args) > 1 else kwargs.get("db_api_integration")
        if getattr(integration, "database_system", None) != "sqlite":
            return wrapped(*args, **kwargs)
        connection = args[0] if args else kwargs["connection"]
        return proxy_class(connection, integration)

    return get_proxy


def apply() -> None:
    """Make sqlite connections created from now on trace their ``execute*`` shortcuts (idempotent)."""
    global _applied
    from otelward.instrumentation import _dbapi

    _dbapi.apply()  # db.operation.name and the parameterized mark, as on every DB-API span
    with _lock:
        if _applied:
            return
        try:
            import wrapt
            from opentelemetry.instrumentation import dbapi

            wrapt.wrap_function_wrapper(
                dbapi, "get_traced_connection_proxy", _wrapper(_proxy_class(dbapi.TracedConnectionProxy))
            )
        except Exception:  # noqa: BLE001 - without the fix the stock spans still flow
            log_once(
                _log, "sqlite3-fix", "otelward: could not trace sqlite3 Connection.execute", exc_info=True
            )
            return
        _applied = True
