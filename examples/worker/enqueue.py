"""Enqueue one task inside a manual span and wait for its result (the producer side of the worker example)."""

from __future__ import annotations

import os

import otelward
from examples.worker.tasks import fulfil


def main() -> None:
    order_id = int(os.environ.get("ORDER_ID", "7"))
    with otelward.span("checkout", {"order.id": order_id}):
        result = fulfil.delay(order_id)
        print(result.get(timeout=30))


if __name__ == "__main__":
    main()
