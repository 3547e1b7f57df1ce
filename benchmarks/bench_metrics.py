"""RED recording cost per request and /metrics scrape time with 1,000 series.

Run:  .venv/bin/python benchmarks/bench_metrics.py

Figures are medians of several rounds; compare ratios against the baseline measured in the same run,
never absolute times across machines.
"""

from __future__ import annotations

import statistics
import time
import urllib.request

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind

from harness.collector import free_port
from otelward.config import Settings
from otelward.management import start_management
from otelward.metrics import build_readers, build_red, build_span_observers, build_views
from otelward.redaction import build_redactor

ROUNDS = 7


def _median_ns(fn, n: int) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        fn(n)
        samples.append((time.perf_counter_ns() - start) / n)
    return statistics.median(samples)


def bench_red() -> None:
    settings = Settings.from_env({"OTELWARD_RUNTIME_METRICS": "false"})
    attrs = {
        "http.request.method": "GET",
        "http.route": "/users/<int:user_id>",
        "http.response.status_code": 200,
        "url.scheme": "http",
        "network.protocol.version": "1.1",
    }
    plain = MeterProvider(metric_readers=build_readers(settings, build_redactor(settings)))
    viewed = MeterProvider(
        metric_readers=build_readers(settings, build_redactor(settings)), views=build_views(settings)
    )
    h_plain = plain.get_meter("b").create_histogram("http.server.request.duration", unit="s")
    h_viewed = viewed.get_meter("b").create_histogram("http.server.request.duration", unit="s")

    def rec(h):
        def run(n):
            for i in range(n):
                h.record(0.001 * (i % 50), attrs)

        return run

    base = _median_ns(rec(h_plain), 20_000)
    ours = _median_ns(rec(h_viewed), 20_000)
    print(f"http.server.request.duration record, SDK default view : {base:8.0f} ns")
    print(f"http.server.request.duration record, otelward views   : {ours:8.0f} ns  (x{ours / base:.2f})")

    (observer,) = build_span_observers(settings, build_red(settings))
    tracer = TracerProvider().get_tracer("b")
    with tracer.start_as_current_span("GET /x", kind=SpanKind.SERVER, attributes=attrs) as http_span:
        pass
    with tracer.start_as_current_span("orders process", kind=SpanKind.CONSUMER) as consumer:
        pass
    with tracer.start_as_current_span("SELECT users", kind=SpanKind.CLIENT) as client:
        pass

    def obs(span):
        def run(n):
            for _ in range(n):
                observer(span)

        return run

    print(f"observer on a client span (skipped at once)          : {_median_ns(obs(client), 20_000):8.0f} ns")
    print(
        f"observer on an HTTP server span (skipped)            : {_median_ns(obs(http_span), 20_000):8.0f} ns"
    )
    print(
        f"observer on a consumer span (records the histogram)  : {_median_ns(obs(consumer), 20_000):8.0f} ns"
    )
    plain.shutdown()
    viewed.shutdown()


def bench_exemplars() -> None:
    """Recording under a span: the SDK's aligned reservoir against otelward's resolving one."""
    from otelward.metrics import build_exemplar_filter
    from otelward.metrics._exemplars import TraceLedger

    settings = Settings.from_env({"OTELWARD_RUNTIME_METRICS": "false"})
    attrs = {"http.request.method": "GET", "http.route": "/u", "http.response.status_code": 200}
    ledger = TraceLedger(lambda _tid: None)  # every trace still undecided: the worst case for the queue
    sdk = MeterProvider(metric_readers=build_readers(settings, None), views=build_views(settings))
    ours = MeterProvider(
        metric_readers=build_readers(settings, None),
        views=build_views(settings, ledger),
        exemplar_filter=build_exemplar_filter(settings),
    )
    h_sdk = sdk.get_meter("b").create_histogram("http.server.request.duration", unit="s")
    h_ours = ours.get_meter("b").create_histogram("http.server.request.duration", unit="s")
    tracer = TracerProvider().get_tracer("b")

    def rec(h):
        def run(n):
            with tracer.start_as_current_span("GET /u"):
                for i in range(n):
                    h.record(0.001 * (i % 50), attrs)

        return run

    base = _median_ns(rec(h_sdk), 20_000)
    mine = _median_ns(rec(h_ours), 20_000)
    print(f"record under a sampled span, SDK reservoir            : {base:8.0f} ns")
    print(f"record under a sampled span, resolving reservoir      : {mine:8.0f} ns  (x{mine / base:.2f})")
    sdk.shutdown()
    ours.shutdown()


def bench_server_duration() -> None:
    """``http.server.request.duration`` as the server instrumentation records it, one request per trace.

    1% of traces kept (the default ratio), decided before the duration is recorded, as otelward's own
    middlewares do; the SDK instrument with otelward's views was the path before the bucket histograms.
    """
    from otelward.instrumentation._server import ServerState
    from otelward.metrics import build_exemplar_filter
    from otelward.metrics._exemplars import TraceLedger

    attrs = {
        "http.request.method": "GET",
        "url.scheme": "http",
        "http.route": "/users/<int:user_id>",
        "http.response.status_code": 200,
        "server.address": "127.0.0.1",
        "server.port": 8000,
        "network.protocol.version": "1.1",
    }
    tracer = TracerProvider().get_tracer("b")
    spans = []
    for _ in range(2000):
        with tracer.start_as_current_span("GET", kind=SpanKind.SERVER) as span:
            spans.append(span)

    def side(env: dict[str, str], buckets: bool):
        settings = Settings.from_env({"OTELWARD_RUNTIME_METRICS": "false", **env})
        ledger = TraceLedger(lambda tid: tid % 100 == 0)
        if buckets:
            red = build_red(settings, ledger)
            provider = MeterProvider(metric_readers=build_readers(settings, None, ledger, red))
            duration = red.histogram("http.server.request.duration")
        else:
            provider = MeterProvider(
                metric_readers=build_readers(settings, None, ledger),
                views=build_views(settings, ledger),
                exemplar_filter=build_exemplar_filter(settings),
            )
            meter = provider.get_meter("otelward.instrumentation.server")
            duration = meter.create_histogram("http.server.request.duration", unit="s")
        state = ServerState(None, duration, None, (), (), None)

        def run(n):
            from opentelemetry import context, trace

            for i in range(n):
                token = context.attach(trace.set_span_in_context(spans[i % len(spans)]))
                state.record(0.001 * (i % 50), attrs)
                context.detach(token)

        return provider, run

    def overhead(n):
        from opentelemetry import context, trace

        for i in range(n):
            token = context.attach(trace.set_span_in_context(spans[i % len(spans)]))
            context.detach(token)

    loop = _median_ns(overhead, 20_000)
    print(f"server duration, loop overhead (context attach/detach, subtracted): {loop:8.0f} ns")
    rows = [
        ("SDK histogram + otelward views (before)", {}, False),
        ("bucket histogram, exemplars offered", {}, True),
        ("bucket histogram, exemplars off", {"OTEL_METRICS_EXEMPLAR_FILTER": "always_off"}, True),
    ]
    base = None
    for label, env, buckets in rows:
        provider, run = side(env, buckets)
        ns = _median_ns(run, 20_000) - loop
        base = base or ns
        print(f"server duration, {label:40s}: {ns:8.0f} ns  (x{ns / base:.2f})")
        provider.shutdown()


def bench_scrape(series: int = 1000) -> None:
    port = free_port()
    settings = Settings.from_env({"OTELWARD_MANAGEMENT_PORT": str(port), "OTELWARD_RUNTIME_METRICS": "false"})
    readers = build_readers(settings, build_redactor(settings))
    provider = MeterProvider(metric_readers=readers, views=build_views(settings))
    meter = provider.get_meter("b")
    counter = meter.create_counter("orders.placed")
    hist = meter.create_histogram("http.server.request.duration", unit="s")
    # 900 counter series + 100 histogram series (each histogram series is 18 Prometheus samples)
    for i in range(series - 100):
        counter.add(1, {"customer.tier": f"t{i}"})
    for i in range(100):
        hist.record(
            0.01, {"http.request.method": "GET", "http.route": f"/r{i}", "http.response.status_code": 200}
        )
    handle = start_management(settings, readers=readers, process_hooks=False)
    assert handle is not None

    from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

    native = CollectorRegistry()
    nc = Counter("orders_placed", "x", ["customer_tier"], registry=native)
    nh = Histogram("http_server_request_duration_seconds", "x", ["method", "route", "code"], registry=native)
    for i in range(series - 100):
        nc.labels(f"t{i}").inc()
    for i in range(100):
        nh.labels("GET", f"/r{i}", "200").observe(0.01)

    def http_scrape(n):
        for _ in range(n):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
                resp.read()

    def native_render(n):
        for _ in range(n):
            generate_latest(native)

    ours = _median_ns(http_scrape, 20) / 1e6
    base = _median_ns(native_render, 20) / 1e6
    size = len(urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read())
    print(f"/metrics over HTTP, {series} series ({size} bytes)      : {ours:8.2f} ms")
    print(
        f"prometheus_client native render, same series          : {base:8.2f} ms  (ours x{ours / base:.1f})"
    )
    handle.stop()
    provider.shutdown()


if __name__ == "__main__":
    bench_red()
    bench_exemplars()
    bench_server_duration()
    bench_scrape()
