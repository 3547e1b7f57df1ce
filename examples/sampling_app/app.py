"""A small Flask service for the sampling tests and demo. It knows nothing about otelward.

Routes: ``/work?mode=ok|fail|slow|hidden`` does two internal steps and, with ``DOWNSTREAM_URL`` set,
calls the downstream's ``/work`` with the same mode through ``?via=requests|httpx|urllib3|aiohttp``.
``fail`` raises (500), ``slow`` sleeps ``SLOW_S``, ``hidden`` records an exception on an inner span and
still answers 200 (a failure the caller cannot see; an error for sampling only with
``OTELWARD_SAMPLING_KEEP_INTERNAL_ERRORS=true``). With a downstream, the service only forwards the
mode and answers 200 itself. ``/leak`` starts a root span that never ends.

    opentelemetry-instrument gunicorn -w 1 -b 127.0.0.1:8000 examples.sampling_app.app:app
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

from flask import Flask, request
from opentelemetry import trace

app = Flask(__name__)
log = logging.getLogger("sampling_app")
tracer = trace.get_tracer("sampling_app")
DOWNSTREAM = os.environ.get("DOWNSTREAM_URL", "")
SLOW_S = float(os.environ.get("SLOW_S", "0.15"))


def _call(url: str, via: str) -> int:
    if via == "httpx":
        import httpx

        return httpx.get(url, timeout=5).status_code
    if via == "urllib3":
        import urllib3

        return int(urllib3.PoolManager().request("GET", url, timeout=5).status)
    if via == "aiohttp":
        import aiohttp

        async def fetch() -> int:
            async with aiohttp.ClientSession() as session, session.get(url) as resp:
                return resp.status

        return asyncio.run(fetch())
    import requests

    return requests.get(url, timeout=5).status_code


@app.get("/work")
def work():
    mode = request.args.get("mode", "ok")
    log.info("work started mode=%s", mode)
    with tracer.start_as_current_span("step-1"):
        pass
    downstream_status = None
    if DOWNSTREAM:
        # a caller only forwards the mode: the failure or the delay happens downstream
        via = request.args.get("via", "requests")
        downstream_status = _call(f"{DOWNSTREAM}/work?mode={mode}", via)
        mode = "ok"
    with tracer.start_as_current_span("step-2") as step:
        if mode == "hidden":
            try:
                raise TimeoutError("inventory lookup timed out; served a cached answer")
            except TimeoutError as err:
                step.record_exception(err)
    if mode == "slow":
        time.sleep(SLOW_S)
    if mode == "fail":
        log.warning("about to fail")
        raise RuntimeError("payment declined")
    trace_id = f"{trace.get_current_span().get_span_context().trace_id:032x}"
    return {"mode": request.args.get("mode", "ok"), "downstream": downstream_status, "trace_id": trace_id}


@app.get("/leak")
def leak():
    root = tracer.start_span("never-ends", context=trace.set_span_in_context(trace.INVALID_SPAN))
    ctx = trace.set_span_in_context(root)
    for _ in range(int(request.args.get("n", "3"))):
        with tracer.start_as_current_span("inside-never-ending", context=ctx):
            pass
    return {"leaked": True, "trace_id": f"{trace.get_current_span().get_span_context().trace_id:032x}"}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")), threaded=True)
