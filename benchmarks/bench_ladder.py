"""The in-process request ladder: bare / upstream / otelward, one layer of instrumentation at a time.

    .venv/bin/python benchmarks/bench_ladder.py --rounds 7 --requests 2000

The benchmark route (``benchmarks/app.py``: one sqlite3 query through a cursor, one log line) is called
directly as a WSGI app, no server. Every variant runs in a fresh process (instrumentation cannot be
undone in place), once per round, in an order rotated per round; the table gives medians over rounds
and the ratio to bare paired within each round. ``cpu`` is the process's CPU time per request, so it
includes background threads (export queues, metric readers); ``wall`` is the request thread's time.

Variants:

- ``bare``: no OpenTelemetry.
- ``upstream-flask`` / ``upstream-flask+sqlite3``: the upstream instrumentations with an SDK tracer
  provider (batch processor, exporter that does nothing) and an SDK meter provider: what the stock
  distro does in process, without the network.
- ``native-flask`` / ``native-flask+sqlite3``: the same SDK set-up as ``upstream-*``, with otelward's
  native instrumentations (``instrumentation/native/``) instead of upstream's: the instrumentation's own
  cost, like for like.
- ``otelward-flask`` / ``otelward-flask+sqlite3``: otelward's own start-up (``_boot.initialize``: lazy
  instrumentation with its hooks, native where tested, tail sampling, RED buckets, views, JSON console
  logs, redaction), exporters ``none`` so the network is out of the picture.
- ``otelward-fallback-flask+sqlite3``: the same with ``OTELWARD_NATIVE_INSTRUMENTATION=false`` (upstream's
  instrumentations under otelward, as before the native ones).
- ``otelward-sdkspans-flask+sqlite3``: native instrumentations with ``OTELWARD_LEAN_SPANS=false`` (an SDK span
  object per span, as before lean spans).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VARIANTS = (
    "bare",
    "upstream-flask",
    "upstream-flask+sqlite3",
    "native-flask",
    "native-flask+sqlite3",
    "otelward-flask",
    "otelward-flask+sqlite3",
    "otelward-fallback-flask+sqlite3",
    "otelward-sdkspans-flask+sqlite3",
)


def _environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/users/1",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "ladder/1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def _sdk() -> None:
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Nothing(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Nothing()))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))


def _upstream(sqlite3: bool) -> None:
    _sdk()
    from opentelemetry.instrumentation.flask import FlaskInstrumentor

    FlaskInstrumentor().instrument()
    if sqlite3:
        from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor

        SQLite3Instrumentor().instrument()


def _native(sqlite3: bool) -> None:
    _sdk()
    from otelward.instrumentation.native import _flask, _sqlite3

    _flask.instrument()
    if sqlite3:
        _sqlite3.instrument()


def _otelward(sqlite3: bool, native: bool = True, lean: bool = True) -> None:
    os.environ.update(
        {
            "OTEL_TRACES_EXPORTER": "none",
            "OTEL_METRICS_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "none",
            "OTELWARD_MANAGEMENT_ENABLED": "false",
            "OTEL_SERVICE_NAME": "ladder",
        }
    )
    if not sqlite3:
        os.environ["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] = "sqlite3"
    if not native:
        os.environ["OTELWARD_NATIVE_INSTRUMENTATION"] = "false"
    if not lean:
        os.environ["OTELWARD_LEAN_SPANS"] = "false"
    from otelward.startup._boot import initialize

    initialize()


def child(variant: str, requests: int) -> dict[str, float]:
    """Set ``variant`` up in this process, call the route ``requests`` times; return µs per request."""
    if variant.startswith("upstream"):
        _upstream("sqlite3" in variant)
    elif variant.startswith("native"):
        _native("sqlite3" in variant)
    elif variant.startswith("otelward"):
        _otelward("sqlite3" in variant, native="fallback" not in variant, lean="sdkspans" not in variant)
    sys.path.insert(0, str(REPO))
    # The app's log lines go to stdout (basicConfig); a pipe back to the parent would cost a write per
    # request that a log shipper's pipe does not: they go to /dev/null, as in benchmarks/run.py.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the child
    from benchmarks.app import app

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        return None

    def call() -> None:
        body = app(_environ(), start_response)
        for _ in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()

    for _ in range(max(200, requests // 10)):
        call()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(requests):
        call()
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    return {"wall_us": wall / requests * 1e6, "cpu_us": cpu / requests * 1e6}


def _run_child(variant: str, requests: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELWARD_"))}
    env["PYTHONPATH"] = str(REPO)
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--requests", str(requests)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    """Run the ladder and print a markdown table (and JSON with ``--json``)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, help="also write the rounds and summary here")
    args = p.parse_args(argv)
    if args.child:
        result = child(args.child, args.requests)
        sys.__stdout__.write("\n" + json.dumps(result) + "\n")
        return 0
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    if "bare" not in names:
        names.insert(0, "bare")
    rounds: list[dict[str, dict[str, float]]] = []
    for i in range(args.rounds):
        order = names[i % len(names) :] + names[: i % len(names)]
        rnd = {name: _run_child(name, args.requests) for name in order}
        rounds.append(rnd)
        print(
            f"round {i + 1}: " + ", ".join(f"{n} {r['cpu_us']:.0f}" for n, r in rnd.items()), file=sys.stderr
        )
    lines = [
        f"{args.rounds} rounds x {args.requests} requests; medians (min-max); ratios paired per round.",
        "",
        "| variant | wall µs/req | CPU µs/req | added CPU µs/req | CPU vs bare |",
        "|---|---|---|---|---|",
    ]
    summary: dict[str, dict[str, float]] = {}
    for name in names:
        cpu = [r[name]["cpu_us"] for r in rounds]
        wall = [r[name]["wall_us"] for r in rounds]
        added = statistics.median(r[name]["cpu_us"] - r["bare"]["cpu_us"] for r in rounds)
        ratio = statistics.median(r[name]["cpu_us"] / r["bare"]["cpu_us"] for r in rounds)
        summary[name] = {
            "wall_us": statistics.median(wall),
            "cpu_us": statistics.median(cpu),
            "added_cpu_us": added,
            "cpu_ratio": ratio,
        }
        lines.append(
            f"| {name} | {statistics.median(wall):.1f} | {statistics.median(cpu):.1f} "
            f"({min(cpu):.0f}-{max(cpu):.0f}) | {added:+.1f} | {ratio:.2f} |"
        )
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"rounds": rounds, "summary": summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
