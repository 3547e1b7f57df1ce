"""psycopg (3), natively: each connection's ``cursor_factory`` is a traced subclass of the one it had.

``Connection.connect`` and ``AsyncConnection.connect`` (and ``psycopg.connect``, bound to the former) are
wrapped: once connected, the connection's database, host and port pick a shared
:class:`~otelward.instrumentation.native._dbapi.Database`, and the connection's cursor factory (psycopg's
own or the app's ``cursor_factory=``) is replaced by a cached subclass whose ``execute``/``executemany``
run through it. ``conn.execute(...)`` makes its cursor through the factory, so it is traced too; server-side
(named) cursors are not, as upstream. ``sql.Composed`` statements are rendered for ``db.query.text``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from otelward._ratelimit import log_once
from otelward.instrumentation.native._dbapi import Database

__all__ = ["instrument", "uninstrument"]

_log = logging.getLogger("otelward.instrumentation")
_lock = threading.Lock()
_MARK = "_otelward_native"
_SCOPE = "otelward.instrumentation.psycopg"
_databases: dict[tuple[str, str, int | None], Database] = {}
_originals: dict[type, Any] = {}


def _render(statement: Any, cursor: Any) -> str:
    as_string = getattr(statement, "as_string", None)
    return str(as_string(cursor)) if as_string is not None else ""


def _database(connection: Any) -> Database:
    info = connection.info
    port = getattr(info, "port", None)
    key = (str(info.dbname or ""), str(info.host or ""), port if isinstance(port, int) else None)
    found = _databases.get(key)
    if found is None:
        found = _databases.setdefault(
            key, Database("postgresql", key[0], key[1] or None, key[2], scope=_SCOPE, render=_render)
        )
    return found


@functools.lru_cache(maxsize=64)
def _cursor_class(base: type, db: Database, is_async: bool) -> type:
    execute, executemany = base.execute, base.executemany  # type: ignore[attr-defined]

    if is_async:

        class TracedAsyncCursor(base):  # type: ignore[misc]
            async def execute(self, *args: Any, **kwargs: Any) -> Any:
                return await db.run_async(execute, self, args, kwargs)

            async def executemany(self, *args: Any, **kwargs: Any) -> Any:
                return await db.run_async(executemany, self, args, kwargs)

        cls: type = TracedAsyncCursor
    else:

        class TracedCursor(base):  # type: ignore[misc]
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                return db.run(execute, self, args, kwargs)

            def executemany(self, *args: Any, **kwargs: Any) -> Any:
                return db.run(executemany, self, args, kwargs)

        cls = TracedCursor
    cls.__name__ = cls.__qualname__ = base.__name__
    setattr(cls, _MARK, True)
    return cls


def _trace(connection: Any, is_async: bool) -> None:
    try:
        base = connection.cursor_factory
        if isinstance(base, type) and not getattr(base, _MARK, False):
            connection.cursor_factory = _cursor_class(base, _database(connection), is_async)
    except Exception:  # noqa: BLE001 - an untraced connection beats no connection
        log_once(_log, "psycopg-connect", "otelward: could not trace a psycopg connection", exc_info=True)


def _sync_connect(original: Callable[..., Any]) -> Any:
    @functools.wraps(original)
    def connect(cls: type, *args: Any, **kwargs: Any) -> Any:
        connection = original(cls, *args, **kwargs)
        _trace(connection, is_async=False)
        return connection

    setattr(connect, _MARK, True)
    return classmethod(connect)


def _async_connect(original: Callable[..., Any]) -> Any:
    @functools.wraps(original)
    async def connect(cls: type, *args: Any, **kwargs: Any) -> Any:
        connection = await original(cls, *args, **kwargs)
        _trace(connection, is_async=True)
        return connection

    setattr(connect, _MARK, True)
    return classmethod(connect)


def instrument() -> None:
    """Trace the statements of every psycopg connection opened from now on (idempotent, never raises)."""
    with _lock:
        try:
            import psycopg

            for cls, wrap in ((psycopg.Connection, _sync_connect), (psycopg.AsyncConnection, _async_connect)):
                current = vars(cls)["connect"]
                if getattr(current.__func__, _MARK, False):
                    continue
                _originals[cls] = current
                setattr(cls, "connect", wrap(current.__func__))  # noqa: B010 - a classmethod object
            psycopg.connect = psycopg.Connection.connect
        except Exception:  # noqa: BLE001 - untraced beats broken
            log_once(_log, "psycopg-native", "otelward: could not instrument psycopg", exc_info=True)


def uninstrument() -> None:
    """Restore psycopg's ``connect`` methods (tests); connections already open stay traced."""
    with _lock:
        import psycopg

        for cls, original in _originals.items():
            setattr(cls, "connect", original)  # noqa: B010 - the classmethod object as it was
        _originals.clear()
        _databases.clear()
        _cursor_class.cache_clear()
        psycopg.connect = psycopg.Connection.connect
