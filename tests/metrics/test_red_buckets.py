"""RED metrics counted in plain buckets: the same output through a real collector and /metrics.

``otelward.operation.duration`` is no SDK instrument any more; the OTLP reader and the pull reader
behind /metrics both merge the bucket histograms in at collection. A subprocess builds the real
runtime, ends entry spans, scrapes its own /metrics, and shuts down (the final OTLP export); the test
compares what the collector received with the scrape, parsed by prometheus_client.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from prometheus_client.parser import text_string_to_metric_families

from harness.collector import Collector, free_port
from otelward.config import Settings
from otelward.metrics import build_views

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "red-bucket-token"
BUCKETS = "0.05,0.1,0.3"

SCRIPT = textwrap.dedent(
    """
    import os, sys, time, urllib.request
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
    from otelward.config import Settings
    from otelward.startup._runtime import build_runtime

    rt = build_runtime(Settings.from_env(dict(os.environ)))
    tracer = trace.get_tracer("red")
    for seconds in (0.0, 0.0, 0.07, 0.2):
        with tracer.start_as_current_span("orders process", kind=SpanKind.CONSUMER):
            time.sleep(seconds)
    with tracer.start_as_current_span("shop.Cart/Add", kind=SpanKind.SERVER) as span:
        span.set_status(Status(StatusCode.ERROR))
    rt.span_pipeline.decide_pending()
    req = urllib.request.Request(
        f"http://127.0.0.1:{os.environ['OTELWARD_MANAGEMENT_PORT']}/metrics",
        headers={"Authorization": "Bearer " + os.environ["OTELWARD_MANAGEMENT_TOKEN"]},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        sys.stdout.write(resp.read().decode())
    rt.shutdown(10)
    """
)


@pytest.mark.integration
def test_operation_duration_is_the_same_through_the_collector_and_metrics(collector: Collector) -> None:
    env = {
        **collector.env(),
        "OTEL_SERVICE_NAME": "red-buckets",
        "OTELWARD_METRICS_DURATION_BUCKETS": BUCKETS,
        "OTELWARD_MANAGEMENT_PORT": str(free_port()),
        "OTELWARD_MANAGEMENT_TOKEN": TOKEN,
        "OTELWARD_SAMPLING": "off",
        "OTEL_METRIC_EXPORT_INTERVAL": "600000",  # only the export at shutdown
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr

    scraped: dict[tuple[str, str, str], dict[str, float]] = {}
    for fam in text_string_to_metric_families(out.stdout):
        if fam.name != "otelward_operation_duration_seconds":
            continue
        for s in fam.samples:
            key = (
                s.labels["otelward_operation"],
                s.labels["otelward_span_kind"],
                s.labels["otelward_outcome"],
            )
            suffix = s.name.removeprefix(fam.name)
            label = f"{suffix}{s.labels.get('le', '')}"
            scraped.setdefault(key, {})[label] = s.value
    assert scraped, out.stdout

    got = collector.wait_for(lambda r: bool(r.metric("otelward.operation.duration")))
    points = got.metric("otelward.operation.duration")
    sent = {}
    for p in points:
        a = p["attributes"]
        sent[(a["otelward.operation"], a["otelward.span.kind"], a["otelward.outcome"])] = p
    assert (
        set(sent)
        == set(scraped)
        == {
            ("orders process", "consumer", "ok"),
            ("shop.Cart/Add", "server", "error"),
        }
    )
    orders = sent[("orders process", "consumer", "ok")]
    assert orders["unit"] == "s"
    assert orders["scope"] == "otelward"
    assert orders["value"]["bounds"] == [0.05, 0.1, 0.3]
    assert orders["value"]["bucket_counts"] == [2, 1, 1, 0]
    for key, point in sent.items():
        cumulative = 0
        for bound, count in zip([*BUCKETS.split(","), "+Inf"], point["value"]["bucket_counts"], strict=True):
            cumulative += count
            le = bound if bound == "+Inf" else str(float(bound))
            assert scraped[key][f"_bucket{le}"] == cumulative, (key, le)
        assert scraped[key]["_count"] == point["value"]["count"]
        assert scraped[key]["_sum"] == pytest.approx(point["value"]["sum"])


def _metric_names(env: dict[str, str]) -> set[str]:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader], views=build_views(Settings.from_env(env)))
    app = Flask("active")

    @app.route("/hello")
    def hello() -> str:
        return "hi"

    FlaskInstrumentor().instrument_app(app, meter_provider=provider)
    try:
        assert app.test_client().get("/hello").status_code == 200
    finally:
        FlaskInstrumentor().uninstrument_app(app)
    data = reader.get_metrics_data()
    return {
        m.name
        for rm in (data.resource_metrics if data else [])
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.data.data_points
    }


@pytest.mark.parametrize(
    ("env", "present"),
    [({}, False), ({"OTELWARD_METRICS_ACTIVE_REQUESTS": "true"}, True)],
    ids=["absent-by-default", "kept-when-asked"],
)
def test_the_active_requests_counter_is_dropped_unless_asked_for(env: dict[str, str], present: bool) -> None:
    names = _metric_names(env)
    assert ("http.server.active_requests" in names) is present, names
    assert any(n.startswith("http.server") and "duration" in n for n in names), names


def test_exemplars_name_only_traces_this_process_exported() -> None:
    from otelward.metrics import build_red
    from otelward.metrics._exemplars import TraceLedger

    kept, dropped = 0xA1, 0xB2
    ledger = TraceLedger(decision=lambda tid: tid == kept)
    hist = build_red(Settings.from_env({"OTELWARD_METRICS_DURATION_BUCKETS": BUCKETS}), ledger).histograms[0]
    hist.record(("job", "consumer", "ok"), 0.07, kept, 0x11, False)
    hist.record(("job", "consumer", "ok"), 0.08, dropped, 0x22, True)
    ledger.exported([kept])
    (point,) = hist.points(0)
    assert [(e.trace_id, e.span_id, e.value) for e in point.exemplars] == [(kept, 0x11, 0.07)]
    assert list(point.bucket_counts) == [0, 2, 0, 0]


@pytest.mark.parametrize(
    ("exemplar_filter", "expected"),
    [("always_off", []), ("trace_based", [0xC3])],
    ids=["always-off", "trace-based-sampled-only"],
)
def test_the_exemplar_filter_applies(exemplar_filter: str, expected: list[int]) -> None:
    from otelward.metrics import build_red
    from otelward.metrics._exemplars import TraceLedger

    ledger = TraceLedger()
    settings = Settings.from_env({"OTEL_METRICS_EXEMPLAR_FILTER": exemplar_filter})
    hist = build_red(settings, ledger).histograms[0]
    hist.record(("job", "consumer", "ok"), 0.01, 0xC3, 0x1, True)
    hist.record(("job", "consumer", "ok"), 0.5, 0xD4, 0x2, False)
    ledger.exported([0xC3, 0xD4])
    (point,) = hist.points(0)
    assert [e.trace_id for e in point.exemplars] == expected
