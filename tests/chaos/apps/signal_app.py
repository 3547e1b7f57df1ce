"""A plain script that never stops making telemetry, for signals sent at random moments.

Every loop: a local root with children (span start and end, the tail selector's lock), a log line (the console
formatter and the OTLP bridge), now and then an error trace (kept: queued for export) and a fork whose child
exits at once. It prints READY once otelward and the first spans exist.
"""

from __future__ import annotations

import logging
import os
import sys

from opentelemetry import trace

log = logging.getLogger("signal-app")
tracer = trace.get_tracer("signal-app")
fork = "--fork" in sys.argv

i = 0
while True:
    with tracer.start_as_current_span("root") as root:
        with tracer.start_as_current_span("child"):
            log.info("unit of work %d", i)
        if i % 7 == 0:
            root.set_attribute("error", True)
            root.record_exception(ValueError("planned"))
    if fork and i % 50 == 25:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    if i == 20:
        print("READY", flush=True)
    i += 1
