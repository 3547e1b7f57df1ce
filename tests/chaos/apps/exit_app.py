"""A plain script that makes telemetry, then leaves by ``sys.exit``, an uncaught exception, or SIGTERM.

It prints the wall-clock time just before leaving, so the test measures exit latency alone.
"""

from __future__ import annotations

import logging
import sys
import time

from opentelemetry import trace

log = logging.getLogger("exit-app")
tracer = trace.get_tracer("exit-app")

for i in range(300):
    with tracer.start_as_current_span(f"work {i % 3}"):
        log.warning("unit of work %d", i)

how = sys.argv[1]
print(f"LEAVING {time.time():.6f}", flush=True)
if how == "exit":
    sys.exit(3)
if how == "raise":
    raise RuntimeError("uncaught on purpose")
time.sleep(60)  # "sigterm": wait to be killed
