"""structlog and loguru records in a dropped trace and in an error trace (logs follow traces)."""

from __future__ import annotations

import sys

import structlog
from loguru import logger
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

structlog.configure(
    processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
    logger_factory=structlog.PrintLoggerFactory(sys.stdout),
)
log = structlog.get_logger("job")
tracer = trace.get_tracer("job")
with tracer.start_as_current_span("ordinary"):
    log.info("structlog info in a dropped trace")
    logger.info("loguru info in a dropped trace")
    log.warning("structlog warning in a dropped trace")
    logger.warning("loguru warning in a dropped trace")
with tracer.start_as_current_span("failing") as span:
    log.info("structlog info in an error trace")
    logger.info("loguru info in an error trace")
    span.set_status(Status(StatusCode.ERROR, "boom"))
