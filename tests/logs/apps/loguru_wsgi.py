"""A Flask service logging through loguru (serialized to stdout) for gunicorn; knows nothing about otelward."""

from __future__ import annotations

import sys

from flask import Flask, request
from loguru import logger

logger.remove()
logger.add(sys.stdout, serialize=True)
app = Flask(__name__)


@app.get("/work")
def work() -> dict[str, str]:
    logger.bind(order=5).info("served work token={}", request.args.get("token", ""))
    return {"ok": "yes"}
