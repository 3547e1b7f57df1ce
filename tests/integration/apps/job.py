"""A short job: one span with a child, one log line, one counter; prints a marker line when done."""

import logging
import sys
import time

from opentelemetry import metrics, trace

log = logging.getLogger("job")
tracer = trace.get_tracer("job")
counter = metrics.get_meter("job").create_counter("job.items", unit="{item}")

with tracer.start_as_current_span("job.run"):
    with tracer.start_as_current_span("job.step"):
        counter.add(3)
    log.warning("job finished")
print(f"DONE {time.monotonic():.6f} modules_flask={'flask' in sys.modules}", flush=True)
if len(sys.argv) > 1 and sys.argv[1] == "sleep":
    time.sleep(60)
if len(sys.argv) > 1 and sys.argv[1] == "raise":
    raise RuntimeError("uncaught at exit")
