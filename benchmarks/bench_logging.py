"""Cost of one `logger.info` call: plain logging text vs otelward JSON vs the stock correlation + OTel handler.

Run:  .venv/bin/python benchmarks/bench_logging.py [--calls 20000] [--rounds 5]

Every configuration logs the same call (a message with one %-argument and one `extra=` field) inside an
active span, to /dev/null, in the same process; rounds rotate the order and the report gives medians and
ratios to plain logging measured in the same round. The stock configuration runs in `.venv-stock`
(stock opentelemetry-distro; `opentelemetry-instrumentation-logging` installed there) as a child process
of this script, with its own plain-logging baseline.
"""

from __future__ import annotations

import argparse
import logging
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

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def _null_stream() -> Any:
    return open(os.devnull, "w", encoding="utf-8")


def _time_calls(log: logging.Logger, calls: int) -> float:
    """Return ns per `log.info` call."""
    extra = {"order_id": 1234}
    start = time.process_time_ns()
    for i in range(calls):
        log.info("served user %s", i, extra=extra)
    return (time.process_time_ns() - start) / calls


def _fresh_logger(name: str) -> logging.Logger:
    log = logging.getLogger(name)
    log.handlers.clear()
    log.propagate = False
    log.setLevel(logging.INFO)
    return log


def setup_plain() -> logging.Logger:
    log = _fresh_logger("bench.plain")
    handler = logging.StreamHandler(_null_stream())
    handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    log.addHandler(handler)
    return log


class _NullExporter:
    def export(self, batch: Any) -> Any:
        from opentelemetry.sdk._logs.export import LogRecordExportResult

        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 0) -> bool:
        return True


def _otelward(with_otlp: bool) -> Callable[[], logging.Logger]:
    def setup() -> logging.Logger:
        from opentelemetry.sdk._logs import LoggerProvider

        from otelward.config import Settings
        from otelward.export import BatchExporter
        from otelward.export._pipelines import LogPipeline
        from otelward.logs import install_logging, uninstall_logging

        uninstall_logging()
        provider = None
        if with_otlp:
            provider = LoggerProvider(shutdown_on_exit=False)
            queue = BatchExporter("logs", _NullExporter)
            provider.add_log_record_processor(LogPipeline(filters=[], queues=[queue]))
        settings = Settings.from_env({"OTELWARD_LOG_FORMAT": "json"})
        install_logging(settings, provider, service_name="bench", stream=_null_stream())
        # no handler anywhere: otelward's console fallback writes the JSON line
        return _fresh_logger("bench.otelward.otlp" if with_otlp else "bench.otelward")

    return setup


def _otelward_tail(held: bool) -> Callable[[], logging.Logger]:
    """otelward JSON + OTLP under tail sampling at ratio 0: every line belongs to a trace that is dropped.

    ``held=False`` is the bridge before lines were held by reference: an SDK log record built per line.
    """

    def setup() -> logging.Logger:
        from opentelemetry import trace
        from opentelemetry.sdk._logs import LoggerProvider

        from otelward.config import Settings
        from otelward.export import BatchExporter
        from otelward.export._pipelines import LogPipeline, SpanPipeline, log_sink
        from otelward.logs import install_logging, uninstall_logging
        from otelward.sampling import build_head_sampler, build_log_filters, build_selector

        uninstall_logging()
        # Every line held with its still-open trace (no early decision by size, age or slowness): the cost
        # a line pays while its request is in flight; the trace is dropped when the span ends.
        settings = Settings.from_env(
            {
                "OTELWARD_LOG_FORMAT": "json",
                "OTELWARD_SAMPLING_RATIO": "0",
                "OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS": "3600000",
                "OTELWARD_SAMPLING_MAX_BUFFERED_SPANS": "1000000",
                "OTELWARD_SAMPLING_MAX_TRACE_WAIT_S": "3600",
            }
        )
        selector = build_selector(settings)
        tracer_provider: Any = trace.get_tracer_provider()
        tracer_provider.add_span_processor(SpanPipeline([], selector, []))
        # the head sampler of the runtime: the sampled flag follows the ratio (0 here); read by get_tracer
        tracer_provider.sampler = build_head_sampler(settings)
        provider = LoggerProvider(shutdown_on_exit=False)
        queue = BatchExporter("logs", _NullExporter)
        pipeline = LogPipeline(build_log_filters(settings, selector, log_sink([queue])), [queue])
        provider.add_log_record_processor(pipeline)
        install_logging(
            settings,
            provider,
            service_name="bench",
            stream=_null_stream(),
            log_pipeline=pipeline if held else None,
        )
        return _fresh_logger(f"bench.otelward.tail.{held}")

    return setup


def setup_stock() -> logging.Logger:
    from opentelemetry.instrumentation.logging import LoggingInstrumentor
    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor

    LoggingInstrumentor().instrument(set_logging_format=False)
    provider = LoggerProvider(shutdown_on_exit=False)
    provider.add_log_record_processor(BatchLogRecordProcessor(_NullExporter()))
    log = _fresh_logger("bench.stock")
    text = logging.StreamHandler(_null_stream())
    text.setFormatter(logging.Formatter(TEXT_FORMAT + " trace_id=%(otelTraceID)s span_id=%(otelSpanID)s"))
    log.addHandler(text)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        log.addHandler(LoggingHandler(logger_provider=provider))
    return log


def measure_one(setup: Callable[[], logging.Logger], calls: int) -> float:
    """Return ns/call for one configuration, inside an active span, after a warm-up."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    trace.set_tracer_provider(TracerProvider())
    log = setup()
    with trace.get_tracer("bench").start_as_current_span("request"):
        _time_calls(log, max(calls // 10, 100))
        return _time_calls(log, calls)


CONFIGS: dict[str, tuple[str, Callable[[], logging.Logger]]] = {
    # name -> (venv, setup); each measurement runs in a fresh process: otelward's hooks are process-wide
    "plain logging, text": (".venv", setup_plain),
    "otelward JSON (console only)": (".venv", _otelward(with_otlp=False)),
    "otelward JSON + OTLP bridge": (".venv", _otelward(with_otlp=True)),
    "otelward JSON + OTLP, dropped, SDK rec": (".venv", _otelward_tail(held=False)),
    "otelward JSON + OTLP, dropped, held": (".venv", _otelward_tail(held=True)),
    "plain logging, text (stock venv)": (".venv-stock", setup_plain),
    "stock correlation + OTel handler": (".venv-stock", setup_stock),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--one", help="(internal) measure this configuration and print ns/call")
    args = parser.parse_args()
    if args.one:
        print(measure_one(CONFIGS[args.one][1], args.calls))
        return
    names = [n for n, (venv, _) in CONFIGS.items() if (REPO / venv / "bin" / "python").exists()]
    results: dict[str, list[float]] = {n: [] for n in names}
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            python = REPO / CONFIGS[name][0] / "bin" / "python"
            out = subprocess.run(
                [str(python), __file__, "--one", name, "--calls", str(args.calls)],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            results[name].append(float(out.stdout.strip().splitlines()[-1]))
    print(
        f"{'configuration':36} {'µs/call':>8} {'x plain':>8}   (medians of {args.rounds} rounds, {args.calls} calls each)"
    )
    for name in names:
        base = "plain logging, text (stock venv)" if "stock" in name else "plain logging, text"
        ratios = [v / b for v, b in zip(results[name], results[base], strict=True)]
        print(f"{name:36} {statistics.median(results[name]) / 1000:8.2f} {statistics.median(ratios):8.2f}")


if __name__ == "__main__":
    main()
