"""Configure logging one way (argv[1]), then log inside and outside a span, from threads, tasks and warnings.

Run under ``opentelemetry-instrument`` (or with ``before`` in the mode, plain python that starts otelward
after configuring logging). Every line it logs names the mode so the test can count them.
"""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import sys
import tempfile
import threading
import warnings

MODE = sys.argv[1]


def configure() -> None:
    fmt = "%(asctime)s %(levelname)s %(name)s %(message)s"
    if MODE in ("basicconfig", "basicconfig_before"):
        logging.basicConfig(level=logging.INFO, format=fmt)
    elif MODE == "basicconfig_force":
        logging.basicConfig(level=logging.INFO, format=fmt, stream=sys.stdout, force=True)
    elif MODE in ("dictconfig_root", "dictconfig_disable_existing"):
        logging.config.dictConfig(
            {
                "version": 1,
                "disable_existing_loggers": MODE == "dictconfig_disable_existing",
                "formatters": {"plain": {"format": fmt}},
                "handlers": {
                    "out": {
                        "class": "logging.StreamHandler",
                        "stream": "ext://sys.stdout",
                        "formatter": "plain",
                    }
                },
                "root": {"handlers": ["out"], "level": "INFO"},
            }
        )
    elif MODE == "fileconfig":
        with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as ini:
            ini.write(
                "[loggers]\nkeys=root\n[handlers]\nkeys=out\n[formatters]\nkeys=plain\n"
                "[logger_root]\nlevel=INFO\nhandlers=out\n"
                "[handler_out]\nclass=StreamHandler\nformatter=plain\nargs=(sys.stderr,)\n"
                "[formatter_plain]\nformat=%(levelname)s %(message)s\n"
            )
        logging.config.fileConfig(ini.name)
        os.unlink(ini.name)


def main() -> None:
    if MODE.endswith("_before"):
        configure()
        from otelward.startup.configurator import configure as start_otelward

        start_otelward()
    else:
        configure()
    from opentelemetry import trace

    log = logging.getLogger("app.setups")
    tracer = trace.get_tracer("setups")
    log.info("outside %s", MODE)
    with tracer.start_as_current_span("work"):
        log.info("inside %s", MODE, extra={"mode": MODE})
        warnings.warn(f"warned {MODE}", UserWarning, stacklevel=1)

    def in_thread() -> None:
        with tracer.start_as_current_span("thread-work"):
            log.info("thread %s", MODE)

    t = threading.Thread(target=in_thread)
    t.start()
    t.join()

    async def in_task() -> None:
        with tracer.start_as_current_span("task-work"):
            await asyncio.sleep(0)
            log.info("task %s", MODE)

    asyncio.run(in_task())


if __name__ == "__main__":
    main()
