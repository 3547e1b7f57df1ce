"""A loguru script: the default stderr sink plus a serialized sink on stdout; knows nothing about otelward."""

from __future__ import annotations

import sys

from loguru import logger
from opentelemetry import trace

SECRET = sys.argv[1]
logger.add(sys.stdout, serialize=True)
with trace.get_tracer("job").start_as_current_span("job-step"):
    logger.bind(order=11).info("charged card password={}", SECRET)
# an app patcher configured after start-up runs with otelward's
logger.configure(patcher=lambda record: record["extra"].update(app="patched"))
with trace.get_tracer("job").start_as_current_span("job-step-2"):
    logger.warning("after configure", api_key=SECRET)
