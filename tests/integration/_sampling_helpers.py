"""Shared helpers of the sampling integration tests: drive requests, read traceresponse, predict the ratio."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from harness.app import AppProcess
from otelward.sampling import parse_traceresponse
from otelward.sampling._consistent import keeps, threshold_for

__all__ = ["Outcome", "binomial_bounds", "drive", "gunicorn_argv", "predicted", "trace_hex"]


@dataclass(frozen=True)
class Outcome:
    """One request as the client saw it."""

    path: str
    status: int
    trace_id: int
    seconds: float


def _one(app: AppProcess, path: str, header: bool) -> Outcome:
    start = time.monotonic()
    status, headers, body = app.get(path, timeout_s=20)
    took = time.monotonic() - start
    if not header:
        return Outcome(path, status, int(json.loads(body)["trace_id"], 16), took)
    parsed = parse_traceresponse(headers.get("traceresponse") or headers.get("Traceresponse"))
    assert parsed is not None, f"no traceresponse on {path}: {headers}"
    return Outcome(path, status, parsed[0], took)


def drive(app: AppProcess, paths: Iterable[str], concurrency: int = 4, header: bool = True) -> list[Outcome]:
    """GET every path (a few at a time) and return what happened, in order.

    The trace id comes from the ``traceresponse`` header, or with ``header=False`` from the JSON body.
    """
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda p: _one(app, p, header), paths))


def predicted(trace_ids: Iterable[int], ratio: float) -> set[int]:
    """Return the trace ids the consistent ratio keeps."""
    threshold = threshold_for(ratio)
    return {t for t in trace_ids if keeps(t, threshold)}


def binomial_bounds(n: int, p: float, sigmas: float = 5.0) -> tuple[float, float]:
    """Return a generous (mean ± sigmas·sd) interval for a Binomial(n, p) count."""
    sd = math.sqrt(n * p * (1 - p))
    return n * p - sigmas * sd, n * p + sigmas * sd


def trace_hex(trace_id: int) -> str:
    """Return the trace id as the collector sink spells it."""
    return f"{trace_id:032x}"


def gunicorn_argv(port: int, gunicorn: str = "gunicorn") -> list[str]:
    """Return the command serving the sampling example with one worker of four threads on ``port``."""
    return [gunicorn, "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "examples.sampling_app.app:app"]
