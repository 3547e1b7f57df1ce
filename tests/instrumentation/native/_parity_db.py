"""The DB-API parity scenarios (sqlite3, psycopg), run by ``_parity_child`` in a fresh process."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from opentelemetry import trace

from tests.instrumentation.native._parity_child import durations, providers, shape


def _under_parent(conn: sqlite3.Connection) -> Any:
    with trace.get_tracer("parity").start_as_current_span("request"):
        return conn.cursor().execute("UPDATE users SET name = 'x' WHERE id = 1")


def _suppressed(conn: sqlite3.Connection) -> Any:
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    with suppress_instrumentation():
        return conn.execute("SELECT 1").fetchall()


def _with_block(conn: sqlite3.Connection) -> Any:
    with conn:
        conn.execute("INSERT INTO users (name) VALUES ('dee')")
    return conn.execute("SELECT name FROM users").fetchall()


DBAPI_CALLS: dict[str, Callable[[sqlite3.Connection], Any]] = {
    "select": lambda conn: conn.cursor().execute("SELECT id, name FROM users WHERE id = 1").fetchall(),
    "insert-with-params": lambda conn: conn.cursor().execute("INSERT INTO users (name) VALUES (?)", ("ada",)),
    "executemany": lambda conn: conn.cursor().executemany(
        "INSERT INTO users (name) VALUES (?)", [("bob",), ("cy",)]
    ),
    "failing-statement": lambda conn: conn.cursor().execute("SELECT * FROM no_such_table"),
    "connection-execute": lambda conn: conn.execute(
        "SELECT count(*) FROM users WHERE id > ?", (0,)
    ).fetchall(),
    "connection-executemany": lambda conn: conn.executemany("DELETE FROM users WHERE id = ?", [(5,), (6,)]),
    "executescript": lambda conn: conn.executescript("DELETE FROM users WHERE id = 7; SELECT 1;"),
    "under-a-parent": _under_parent,
    "cursor-executescript": lambda conn: conn.cursor().executescript("DELETE FROM users WHERE id = 8;"),
    "suppressed": _suppressed,
    "leading-comment": lambda conn: conn.execute("/* app=shop */ SELECT 1").fetchall(),
    "with-block-commit": _with_block,
}


def run_sqlite3(mode: str) -> dict[str, Any]:
    """Run every call of :data:`DBAPI_CALLS` on a fresh connection; return spans and the outcome per call."""
    exporter, reader = providers()
    if mode == "native":
        from otelward.instrumentation.native import _sqlite3

        _sqlite3.instrument()
    else:
        from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor

        from otelward.instrumentation import _sqlite3 as fixup

        SQLite3Instrumentor().instrument()
        fixup.apply()
    results: dict[str, Any] = {}
    for case, call in DBAPI_CALLS.items():
        conn = sqlite3.connect(":memory:")
        conn.cursor().execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        exporter.clear()
        try:
            call(conn)
            outcome = "ok"
        except Exception as err:  # noqa: BLE001 - the outcome is compared
            outcome = type(err).__name__
        results[case] = {"outcome": outcome, "spans": shape(exporter.get_finished_spans())}
        conn.close()
    results["durations"] = durations(reader, "db.client.operation.duration")
    return results


def _composed(conn: Any) -> Any:
    from psycopg import sql

    query = sql.SQL("SELECT {} FROM {}").format(sql.Identifier("name"), sql.Identifier("parity_users"))
    return conn.execute(query).fetchall()


def _async_select(conn: Any) -> Any:
    import asyncio

    import psycopg

    async def go() -> Any:
        async with await psycopg.AsyncConnection.connect("", autocommit=True) as aconn:
            cur = await aconn.execute("SELECT name FROM parity_users WHERE id = %s", (1,))
            return await cur.fetchall()

    return asyncio.run(go())


PSYCOPG_CALLS: dict[str, Callable[[Any], Any]] = {
    "select": lambda conn: conn.cursor().execute("SELECT id, name FROM parity_users WHERE id = 1").fetchall(),
    "insert-with-params": lambda conn: conn.cursor().execute(
        "INSERT INTO parity_users (name) VALUES (%s)", ("ada",)
    ),
    "executemany": lambda conn: conn.cursor().executemany(
        "INSERT INTO parity_users (name) VALUES (%s)", [("bob",), ("cy",)]
    ),
    "failing-statement": lambda conn: conn.execute("SELECT * FROM no_such_table"),
    "connection-execute": lambda conn: conn.execute("SELECT count(*) FROM parity_users").fetchall(),
    "composed-sql": _composed,
    "async-execute": _async_select,
}


def run_psycopg(mode: str) -> dict[str, Any]:
    """Run every call of :data:`PSYCOPG_CALLS` against the PostgreSQL server in ``PG*``."""
    exporter, reader = providers()
    if mode == "native":
        from otelward.instrumentation.native import _psycopg

        _psycopg.instrument()
    else:
        from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

        from otelward.instrumentation import _dbapi

        PsycopgInstrumentor().instrument()
        _dbapi.apply()
    import psycopg

    results: dict[str, Any] = {}
    for case, call in PSYCOPG_CALLS.items():
        with psycopg.connect("", autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS parity_users")
            conn.execute("CREATE TABLE parity_users (id SERIAL PRIMARY KEY, name TEXT)")
            conn.execute("INSERT INTO parity_users (name) VALUES ('zed')")
            exporter.clear()
            try:
                call(conn)
                outcome = "ok"
            except Exception as err:  # noqa: BLE001 - the outcome is compared
                outcome = type(err).__name__
            results[case] = {"outcome": outcome, "spans": shape(exporter.get_finished_spans())}
    results["durations"] = durations(reader, "db.client.operation.duration")
    return results
