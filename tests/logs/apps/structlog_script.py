"""A structlog script (native PrintLogger, JSONRenderer) that knows nothing about otelward.

It configures structlog after otelward started, logs inside a span, then reconfigures (as apps that extend
the chain at run time do) and logs again.
"""

from __future__ import annotations

import sys

import structlog
from opentelemetry import trace

SECRET = sys.argv[1]

structlog.configure(
    processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
    logger_factory=structlog.PrintLoggerFactory(sys.stdout),
)
log = structlog.get_logger("job")
with trace.get_tracer("job").start_as_current_span("job-step"):
    log.info("charged card", password=SECRET, order=11)

structlog.configure(
    processors=[
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.processors.JSONRenderer(),
    ]
)
with trace.get_tracer("job").start_as_current_span("job-step-2"):
    structlog.get_logger("job").warning("after reconfigure", api_key=SECRET)
