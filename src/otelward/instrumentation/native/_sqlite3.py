"""sqlite3, natively: connections are a ``sqlite3.Connection`` subclass whose cursors trace their statements.

``sqlite3.connect`` is wrapped to pass a traced ``factory`` (a subclass of the app's own factory when it
gives one); that connection hands out cursors of a traced ``sqlite3.Cursor`` subclass, and its
``execute``/``executemany``/``executescript`` shortcuts go through such a cursor, so every statement makes
exactly one span, a cursor's or a shortcut's (upstream's proxy misses the shortcuts; otelward's fix-up over
it, ``instrumentation/_sqlite3.py``, adds them). The connection stays a real ``sqlite3.Connection``: no
proxy object between the app and the driver, and ``isinstance`` checks hold.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from otelward._ratelimit import log_once
from otelward.instrumentation.native._dbapi import Database

__all__ = ["instrument", "uninstrument"]

_log = logging.getLogger("otelward.instrumentation")
_lock = threading.Lock()
_MARK = "_otelward_native"
_FACTORY_ARG = 5  # connect(database, timeout, detect_types, isolation_level, check_same_thread, factory, ...)
_database: Database | None = None
_original: Callable[..., Any] | None = None


def _db() -> Database:
    global _database
    if _database is None:
        _database = Database("sqlite", scope="otelward.instrumentation.sqlite3")
    return _database


@functools.lru_cache(maxsize=32)
def cursor_class(base: type[sqlite3.Cursor]) -> type[sqlite3.Cursor]:
    """Return the traced subclass of the cursor class ``base``."""
    execute, executemany, executescript = base.execute, base.executemany, base.executescript

    class TracedCursor(base):  # type: ignore[valid-type,misc]
        __slots__ = ()

        def execute(self, *args: Any, **kwargs: Any) -> Any:
            return _db().run(execute, self, args, kwargs)

        def executemany(self, *args: Any, **kwargs: Any) -> Any:
            return _db().run(executemany, self, args, kwargs)

        def executescript(self, *args: Any, **kwargs: Any) -> Any:
            return _db().run(executescript, self, args, kwargs)

    TracedCursor.__name__ = TracedCursor.__qualname__ = base.__name__
    setattr(TracedCursor, _MARK, True)
    return TracedCursor


@functools.lru_cache(maxsize=32)
def connection_class(base: type[sqlite3.Connection]) -> type[sqlite3.Connection]:
    """Return the traced subclass of the connection class ``base``."""
    cursor: Any = base.cursor

    class TracedConnection(base):  # type: ignore[valid-type,misc]
        def cursor(self, factory: Any = sqlite3.Cursor) -> Any:
            if isinstance(factory, type) and issubclass(factory, sqlite3.Cursor):
                factory = factory if getattr(factory, _MARK, False) else cursor_class(factory)
            return cursor(self, factory)

        # sqlite3's C shortcuts run the statement on a cursor without calling its Python execute.
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            return self.cursor().execute(*args, **kwargs)

        def executemany(self, *args: Any, **kwargs: Any) -> Any:
            return self.cursor().executemany(*args, **kwargs)

        def executescript(self, *args: Any, **kwargs: Any) -> Any:
            return self.cursor().executescript(*args, **kwargs)

    TracedConnection.__name__ = TracedConnection.__qualname__ = base.__name__
    setattr(TracedConnection, _MARK, True)
    return TracedConnection


def _traced_factory(factory: Any) -> Any:
    if not isinstance(factory, type) or not issubclass(factory, sqlite3.Connection):
        return factory  # a factory function: its connections stay untraced rather than broken
    return factory if getattr(factory, _MARK, False) else connection_class(factory)  # type: ignore[arg-type]


def _traced_connect(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def connect(*args: Any, **kwargs: Any) -> Any:
        try:
            if len(args) > _FACTORY_ARG:
                args = (*args[:_FACTORY_ARG], _traced_factory(args[_FACTORY_ARG]), *args[_FACTORY_ARG + 1 :])
            else:
                kwargs["factory"] = _traced_factory(kwargs.get("factory", sqlite3.Connection))
        except Exception:  # noqa: BLE001 - an untraced connection beats no connection
            log_once(_log, "sqlite3-connect", "otelward: could not trace a sqlite3 connection", exc_info=True)
        return original(*args, **kwargs)

    setattr(connect, _MARK, True)
    return connect


def instrument() -> None:
    """Trace the statements of every sqlite3 connection opened from now on (idempotent, never raises)."""
    global _original
    with _lock:
        try:
            from sqlite3 import dbapi2

            current = sqlite3.connect
            if getattr(current, _MARK, False):
                return
            traced = _traced_connect(current)
            _original = current
            sqlite3.connect = dbapi2.connect = traced
        except Exception:  # noqa: BLE001 - untraced beats broken
            log_once(_log, "sqlite3-native", "otelward: could not instrument sqlite3", exc_info=True)


def uninstrument() -> None:
    """Restore ``sqlite3.connect`` (tests); connections already open stay traced."""
    global _original, _database
    with _lock:
        if _original is None:
            return
        from sqlite3 import dbapi2

        sqlite3.connect = dbapi2.connect = _original
        _original = None
        _database = None
