"""A Celery worker with a Redis broker: tasks consumed with the producer's trace context.

Worker:    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 opentelemetry-instrument celery -A examples.worker.tasks worker
Producer:  CELERY_BROKER_URL=redis://127.0.0.1:6379/0 opentelemetry-instrument python -m examples.worker.enqueue
"""

from __future__ import annotations

import logging
import os
import sqlite3

from celery import Celery

BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
app = Celery("examples.worker", broker=BROKER, backend=os.environ.get("CELERY_RESULT_BACKEND", BROKER))
app.conf.update(
    task_ignore_result=False, worker_hijack_root_logger=False, broker_connection_retry_on_startup=True
)
log = logging.getLogger("worker")


@app.task(name="orders.fulfil")
def fulfil(order_id: int) -> dict[str, object]:
    """Mark an order fulfilled (a database write inside the consumer span)."""
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE fulfilled (order_id INTEGER, status TEXT)")
        conn.execute("INSERT INTO fulfilled VALUES (?, 'done')", (order_id,))
    log.info("fulfilled order %s", order_id)
    return {"order_id": order_id, "status": "done"}
