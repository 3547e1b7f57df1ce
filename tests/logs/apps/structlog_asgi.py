"""A FastAPI service logging through structlog's stdlib integration, set up with dictConfig at import.

Knows nothing about otelward: uvicorn imports it after otelward started and after its own dictConfig.
"""

from __future__ import annotations

import logging.config

import structlog
from fastapi import FastAPI

logging.config.dictConfig(
    {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processor": structlog.processors.JSONRenderer(),
                "foreign_pre_chain": [structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name],
            }
        },
        "handlers": {
            "out": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
        },
        "loggers": {"shop": {"handlers": ["out"], "level": "INFO", "propagate": False}},
    }
)
structlog.configure(
    processors=[
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
)
log = structlog.get_logger("shop")
app = FastAPI()


@app.get("/work")
def work(token: str = "") -> dict[str, str]:
    log.info("served work", password=token, order=5)
    logging.getLogger("shop").warning("plain stdlib line with token %s", token)
    return {"ok": "yes"}
