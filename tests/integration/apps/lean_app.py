"""A Flask app whose views use the current span the way libraries do: attributes, events, exceptions, child spans.

Under otelward the server span is a lean span; under the stock SDK path an SDK span. The app cannot tell.
"""

from __future__ import annotations

import sqlite3

from flask import Flask
from opentelemetry import trace

app = Flask(__name__)
tracer = trace.get_tracer("shop.checkout")


@app.get("/orders/<int:order_id>")
def order(order_id: int) -> tuple[dict[str, object], int]:
    span = trace.get_current_span()
    span.set_attribute("shop.order_id", order_id)
    span.add_event("order.loaded", {"items": 3})
    with tracer.start_as_current_span("price order") as child:
        child.set_attribute("shop.total_cents", 1299)
        with sqlite3.connect(":memory:") as conn:
            conn.execute("SELECT 1")
    try:
        raise LookupError("no stock for order")
    except LookupError as err:
        span.record_exception(err)
    # A 500: the trace is kept whatever the ratio, so its spans are built and exported.
    return {"order_id": order_id, "span_type": type(span).__name__}, 500
