"""A small FastAPI service for the framework tests. It knows nothing about otelward.

Run it instrumented:  opentelemetry-instrument uvicorn examples.fastapi_app.app:app --port 8000
with two workers:     opentelemetry-instrument uvicorn examples.fastapi_app.app:app --port 8000 --workers 2
"""

from __future__ import annotations

import logging
import os
import sqlite3

import httpx
from fastapi import FastAPI, HTTPException

app = FastAPI()
log = logging.getLogger("catalog")

DB_PATH = os.environ.get("CATALOG_DB", ":memory:")
DOWNSTREAM = os.environ.get("DOWNSTREAM_URL", "http://127.0.0.1:8000")


def _lookup(item_id: int) -> tuple[int, str] | None:
    with sqlite3.connect(DB_PATH) as conn:
        # The Connection.execute shortcut: no span under the stock sqlite3 instrumentation.
        conn.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT OR IGNORE INTO items VALUES (1, 'teapot'), (2, 'kettle')")
        row = conn.execute("SELECT id, name FROM items WHERE id = ?", (item_id,)).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


@app.get("/items/{item_id}")
async def get_item(item_id: int) -> dict[str, object]:
    row = _lookup(item_id)
    if row is None:
        raise HTTPException(status_code=404, detail="not found")
    async with httpx.AsyncClient(timeout=5) as client:
        stock = (await client.get(f"{DOWNSTREAM}/stock/{item_id}")).json()
    log.info("served item %s", item_id)
    return {"id": row[0], "name": row[1], "stock": stock}


@app.get("/stock/{item_id}")
async def get_stock(item_id: int) -> dict[str, int]:
    return {"item_id": item_id, "count": item_id * 3}


@app.get("/pid")
async def pid() -> dict[str, int]:
    return {"pid": os.getpid()}
