"""The benchmark service: one Flask route doing one sqlite3 query through a cursor and one ``logging.info``.

It knows nothing about OpenTelemetry; the harness runs it bare, under the stock distro and under otelward.
Log lines go to stdout (``basicConfig``), which the harness discards, as a container runtime would collect.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading

from flask import Flask

logging.basicConfig(
    level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s"
)

app = Flask(__name__)
log = logging.getLogger("bench")
_local = threading.local()


def _conn() -> sqlite3.Connection:
    # One connection per worker thread, opened after the fork (the instrumentation wraps `connect`).
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO users VALUES (?, ?)", [(1, "Ada"), (2, "Bob")])
        _local.conn = conn
    return conn


@app.get("/users/<int:user_id>")
def get_user(user_id: int):
    cur = _conn().cursor()
    cur.execute("SELECT id, name FROM users WHERE id = ?", (user_id,))
    row = cur.fetchone()
    cur.close()
    log.info("served user %s", user_id)
    if row is None:
        return {"error": "not found"}, 404
    return {"id": row[0], "name": row[1]}
