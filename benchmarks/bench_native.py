"""The instrumentations' own cost: upstream's against otelward's native ones, with and without the SDK.

    .venv/bin/python benchmarks/bench_native.py --rounds 5

Two workloads, each called directly in process: ``statement`` (one sqlite3 cursor ``execute`` +
``fetchone``) and ``request`` (the benchmark Flask route without its query: ``/hello``, a WSGI call).
Each runs bare, under upstream's instrumentation and under otelward's native one, with ``api`` (no SDK:
OpenTelemetry's no-op tracer and meter, so what remains is the instrumentation's own bookkeeping: proxies,
attribute collection, hooks) and with ``sdk`` (an SDK tracer provider with a batch processor and an
exporter that does nothing, and an SDK meter provider). Every variant runs in a fresh process, once per
round, in an order rotated per round; the table gives medians of µs per call and the added cost over bare
paired within each round.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import timeit
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORKLOADS = ("statement", "request")
MODES = ("bare", "upstream-api", "native-api", "upstream-sdk", "native-sdk")


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


def _instrument(workload: str, mode: str) -> None:
    if mode.endswith("-sdk"):
        _sdk()
    if mode.startswith("upstream"):
        if workload == "statement":
            from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor

            SQLite3Instrumentor().instrument()
        else:
            from opentelemetry.instrumentation.flask import FlaskInstrumentor

            FlaskInstrumentor().instrument()
    elif mode.startswith("native"):
        from otelward.instrumentation.native import _flask, _sqlite3

        (_sqlite3 if workload == "statement" else _flask).instrument()


def _statement() -> Any:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO users VALUES (1, 'Ada')")

    def call() -> None:
        cur = conn.cursor()
        cur.execute("SELECT id, name FROM users WHERE id = ?", (1,))
        cur.fetchone()

    return call


def _request() -> Any:
    from flask import Flask

    app = Flask("bench")

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        return None

    def call() -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/hello",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        body = app(environ, start_response)
        for _ in body:
            pass
        body.close()

    return call


def child(workload: str, mode: str, calls: int) -> float:
    """Set ``mode`` up for ``workload`` in this process; return the best µs per call of five repeats."""
    _instrument(workload, mode)
    call = _statement() if workload == "statement" else _request()
    for _ in range(max(200, calls // 10)):
        call()
    return min(timeit.repeat(call, number=calls, repeat=5)) / calls * 1e6


def _run_child(workload: str, mode: str, calls: int) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--child", f"{workload}:{mode}", "--calls", str(calls)],
        cwd=REPO,
        # Upstream at the stable semconv otelward sets, as the native ones always are.
        env={
            "PYTHONPATH": str(REPO),
            "PATH": "/usr/bin:/bin",
            "OTEL_SEMCONV_STABILITY_OPT_IN": "http,database",
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run every workload under every mode and print a markdown table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--calls", type=int, default=3000)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, help="also write the rounds here")
    args = p.parse_args(argv)
    if args.child:
        workload, mode = args.child.split(":")
        sys.stdout.write(f"\n{child(workload, mode, args.calls)}\n")
        return 0
    rounds: list[dict[str, dict[str, float]]] = []
    for i in range(args.rounds):
        order = MODES[i % len(MODES) :] + MODES[: i % len(MODES)]
        rnd = {w: {m: _run_child(w, m, args.calls) for m in order} for w in WORKLOADS}
        rounds.append(rnd)
        print(f"round {i + 1}: {json.dumps(rnd)}", file=sys.stderr)
    lines = [
        f"{args.rounds} rounds; µs per call, medians; added = minus bare, paired per round.",
        "",
        "| workload | mode | µs/call | added µs/call |",
        "|---|---|---|---|",
    ]
    for w in WORKLOADS:
        for m in MODES:
            value = statistics.median(r[w][m] for r in rounds)
            added = statistics.median(r[w][m] - r[w]["bare"] for r in rounds)
            lines.append(f"| {w} | {m} | {value:.1f} | {added:+.1f} |")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(rounds, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
