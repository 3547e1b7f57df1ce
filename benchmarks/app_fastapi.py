"""The FastAPI benchmark service: the Flask benchmark's route (one sqlite3 query, one log line) on FastAPI.

Run by ``benchmarks/run_frameworks.py`` under uvicorn (one process); like ``benchmarks/app.py`` it knows nothing
about OpenTelemetry.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

logging.basicConfig(
    level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s"
)

app = FastAPI()
log = logging.getLogger("bench")
_local = threading.local()


def _conn() -> sqlite3.Connection:
    # One connection per thread of uvicorn's thread pool (sync endpoints run there).
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO users VALUES (?, ?)", [(1, "Ada"), (2, "Bob")])
        _local.conn = conn
    return conn


@app.get("/users/{user_id}")
def get_user(user_id: int) -> Any:
    cur = _conn().cursor()
    cur.execute("SELECT id, name FROM users WHERE id = ?", (user_id,))
    row = cur.fetchone()
    cur.close()
    log.info("served user %s", user_id)
    if row is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return {"id": row[0], "name": row[1]}
