"""A plain batch job (no web framework): manual spans, sqlite, a thread pool and an HTTP call.

Run it instrumented:  REPORT_URL=http://127.0.0.1:8000/profile/1 opentelemetry-instrument python -m examples.job.job
"""

from __future__ import annotations

import logging
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import requests

import otelward

log = logging.getLogger("job")


@otelward.traced("load orders", attributes_from=("region",))
def load_orders(conn: sqlite3.Connection, region: str) -> list[tuple[int, float]]:
    rows = conn.execute("SELECT id, total FROM orders WHERE region = ?", (region,)).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]


@otelward.traced("publish report")
def publish(url: str, total: float) -> int:
    return requests.get(url, params={"total": f"{total:.2f}"}, timeout=5).status_code


def main() -> None:
    url = os.environ.get("REPORT_URL", "")
    with otelward.span("nightly report", {"job.regions": 2}):
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, total REAL)")
        conn.executemany(
            "INSERT INTO orders (region, total) VALUES (?, ?)", [("eu", 10.0), ("us", 5.5), ("eu", 2.5)]
        )
        with ThreadPoolExecutor(max_workers=2) as pool:
            totals = list(pool.map(lambda region: sum(t for _, t in load_orders(conn, region)), ["eu", "us"]))
        log.info("report total %.2f", sum(totals))
        if url:
            publish(url, sum(totals))


if __name__ == "__main__":
    main()
