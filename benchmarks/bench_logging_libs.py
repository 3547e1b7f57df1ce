"""Per-record cost otelward adds to structlog and loguru, against the same library without otelward.

Run:  .venv/bin/python benchmarks/bench_logging_libs.py [--calls 20000] [--rounds 5]

Each library logs the same call (a message and two key/value fields, one of them a key the redaction rules
mask) inside an active span, to /dev/null, with the app's own format: structlog with ``add_log_level`` and
``JSONRenderer`` on a ``PrintLogger``, loguru with one file sink in its default format. Every measurement
runs in a fresh process (otelward's hooks are process-wide); rounds rotate the order, and the report gives
medians and the ratio to the same library without otelward measured in the same round.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from benchmarks.bench_logging import _NullExporter  # noqa: E402


def _install_otelward(with_otlp: bool) -> None:
    from opentelemetry.sdk._logs import LoggerProvider

    from otelward.config import Settings
    from otelward.export import BatchExporter
    from otelward.export._pipelines import LogPipeline
    from otelward.logs import install_logging

    provider = None
    if with_otlp:
        provider = LoggerProvider(shutdown_on_exit=False)
        queue = BatchExporter("logs", _NullExporter)
        provider.add_log_record_processor(LogPipeline(filters=[], queues=[queue]))
    install_logging(Settings.from_env({}), provider, service_name="bench", stream=open(os.devnull, "w"))  # noqa: SIM115


def _structlog(otelward: bool, with_otlp: bool = False) -> Callable[[], Callable[[int], None]]:
    def setup() -> Callable[[int], None]:
        if otelward:
            _install_otelward(
                with_otlp
            )  # before the app imports structlog, as under opentelemetry-instrument
        import structlog

        structlog.configure(
            processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
            logger_factory=structlog.PrintLoggerFactory(open(os.devnull, "w")),  # noqa: SIM115
        )
        log = structlog.get_logger("bench")

        def call(i: int) -> None:
            log.info("served user", user=i, password="hunter2")

        return call

    return setup


def _loguru(otelward: bool, with_otlp: bool = False) -> Callable[[], Callable[[int], None]]:
    def setup() -> Callable[[int], None]:
        if otelward:
            _install_otelward(with_otlp)
        from loguru import logger

        logger.remove()
        logger.add(open(os.devnull, "w"))  # noqa: SIM115 - the default format, to a file sink

        def call(i: int) -> None:
            logger.info("served user {}", i, password="hunter2")

        return call

    return setup


CONFIGS: dict[str, Callable[[], Callable[[int], None]]] = {
    "structlog": _structlog(otelward=False),
    "structlog + otelward (console)": _structlog(otelward=True),
    "structlog + otelward + OTLP": _structlog(otelward=True, with_otlp=True),
    "loguru": _loguru(otelward=False),
    "loguru + otelward (console)": _loguru(otelward=True),
    "loguru + otelward + OTLP": _loguru(otelward=True, with_otlp=True),
}


def measure_one(setup: Callable[[], Callable[[int], None]], calls: int) -> float:
    """Return ns/call for one configuration, inside an active span, after a warm-up."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    trace.set_tracer_provider(TracerProvider())
    call = setup()
    with trace.get_tracer("bench").start_as_current_span("request"):
        for i in range(max(calls // 10, 100)):
            call(i)
        start = time.perf_counter_ns()
        for i in range(calls):
            call(i)
        return (time.perf_counter_ns() - start) / calls


def _baseline(name: str) -> str:
    return name.split(" ", maxsplit=1)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--one", help="(internal) measure this configuration and print ns/call")
    args = parser.parse_args()
    if args.one:
        print(measure_one(CONFIGS[args.one], args.calls))
        return
    names = list(CONFIGS)
    results: dict[str, list[float]] = {n: [] for n in names}
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            out = subprocess.run(
                [sys.executable, __file__, "--one", name, "--calls", str(args.calls)],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            results[name].append(float(out.stdout.strip().splitlines()[-1]))
    print(
        f"{'configuration':32} {'µs/call':>8} {'x lib':>7}   (medians of {args.rounds} rounds, {args.calls} calls)"
    )
    for name in names:
        base = results[_baseline(name)]
        ratios: list[Any] = [v / b for v, b in zip(results[name], base, strict=True)]
        print(f"{name:32} {statistics.median(results[name]) / 1000:8.2f} {statistics.median(ratios):7.2f}")


if __name__ == "__main__":
    main()
