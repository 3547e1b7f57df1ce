"""``http.server.request.duration`` of otelward's server instrumentation, counted in plain buckets.

The metric used to be an SDK histogram (scope ``otelward.instrumentation.server``, otelward's view trimming its
attributes and setting its buckets). The same requests recorded both ways, under the same spans, must give
the same OTLP data and the same /metrics exposition — and promtool must still pass the exposition.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families

from harness.collector import Collector, free_port
from otelward._version import __version__
from otelward.config import Settings
from otelward.instrumentation._server import ServerState
from otelward.metrics import build_exemplar_filter, build_red, build_views
from otelward.metrics._build import PullReader
from otelward.metrics._exemplars import TraceLedger
from otelward.metrics._prometheus import render

ROOT = Path(__file__).resolve().parents[2]
OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"
ENV = {"OTELWARD_METRICS_DURATION_BUCKETS": "0.05,0.1,0.3,1"}
RESOURCE = Resource({"service.name": "shop"})
BASE = {
    "http.request.method": "GET",
    "url.scheme": "http",
    "server.address": "shop.example",
    "server.port": 8080,
    "network.protocol.version": "1.1",
}
REQUESTS = [
    ({**BASE, "http.route": "/users/<id>", "http.response.status_code": 200}, 0.02),
    ({**BASE, "http.route": "/users/<id>", "http.response.status_code": 200}, 0.07),
    ({**BASE, "http.route": "/users/<id>", "http.response.status_code": 200}, 0.5),
    ({**BASE, "http.route": "/users/<id>", "http.response.status_code": 500, "error.type": "500"}, 0.2),
    ({**BASE, "http.response.status_code": 404}, 0.001),
    ({**BASE, "http.request.method": "POST", "http.route": "/orders", "error.type": "KeyError"}, 2.0),
]


def _state(duration: Any) -> ServerState:
    return ServerState(None, duration, None, (), (), None)


class _Side:
    """One way of recording the metric: the SDK histogram with otelward's views, or the bucket histogram."""

    def __init__(self, buckets: bool) -> None:
        settings = Settings.from_env(ENV)
        self.ledger = TraceLedger()
        if buckets:
            producer = build_red(settings, self.ledger, RESOURCE)
            self.reader = PullReader(None, self.ledger, producer)
            self.provider = MeterProvider(metric_readers=[self.reader], resource=RESOURCE)
            self.state = _state(producer.histogram("http.server.request.duration"))
        else:
            self.reader = PullReader(None, self.ledger, None)
            self.provider = MeterProvider(
                metric_readers=[self.reader],
                views=build_views(settings, self.ledger),
                exemplar_filter=build_exemplar_filter(settings),
                resource=RESOURCE,
            )
            meter = self.provider.get_meter("otelward.instrumentation.server", __version__)
            self.state = _state(
                meter.create_histogram(
                    "http.server.request.duration", unit="s", description="Duration of HTTP server requests."
                )
            )

    def data(self) -> Any:
        data = self.reader.get_metrics_data()
        return self.reader._producer.merge_into(data) if self.reader._producer else data

    def exposition(self) -> str:
        body, _ = render(self.reader.snapshot(), self.reader.resource, OPENMETRICS)
        return body.decode()


def _record_both(exported: Callable[[int], bool]) -> tuple[_Side, _Side]:
    sdk, ours = _Side(buckets=False), _Side(buckets=True)
    tracer = TracerProvider().get_tracer("t")
    for attrs, seconds in REQUESTS:
        with tracer.start_as_current_span("GET", kind=SpanKind.SERVER) as span:
            sdk.state.record(seconds, attrs)
            ours.state.record(seconds, attrs)
            tid = span.get_span_context().trace_id
        if exported(tid):
            sdk.ledger.exported([tid])
            ours.ledger.exported([tid])
    return sdk, ours


def _shape(data: Any) -> list[Any]:
    out = []
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                if m.name != "http.server.request.duration":
                    continue
                points = sorted(
                    (
                        sorted(dict(p.attributes).items()),
                        list(p.bucket_counts),
                        list(p.explicit_bounds),
                        p.count,
                        round(p.sum, 9),
                        p.min,
                        p.max,
                        sorted(
                            (e.trace_id, e.span_id, e.value, sorted((e.filtered_attributes or {}).items()))
                            for e in p.exemplars
                        ),
                    )
                    for p in m.data.data_points
                )
                out.append(
                    (
                        dict(rm.resource.attributes),
                        sm.scope.name,
                        sm.scope.version,
                        m.name,
                        m.unit,
                        m.description,
                        type(m.data).__name__,
                        m.data.aggregation_temporality,
                        points,
                    )
                )
    return out


_TIMESTAMP = re.compile(r"( # \{[^}]*\} \S+) \S+$", re.M)


@pytest.mark.parametrize(
    "exported", [lambda tid: True, lambda tid: tid % 2 == 0, lambda tid: False], ids=["all", "some", "none"]
)
def test_otlp_data_is_the_same_as_the_sdk_histogram_gave(exported: Callable[[int], bool]) -> None:
    sdk, ours = _record_both(exported)
    before, after = _shape(sdk.data()), _shape(ours.data())
    assert before
    assert after == before
    (shape,) = after
    assert shape[1:3] == ("otelward.instrumentation.server", __version__)


def test_metrics_exposition_is_the_same_and_promtool_passes_it() -> None:
    sdk, ours = _record_both(lambda tid: True)
    # Exemplar timestamps are the measurement's clock reading, which differs between the two recordings.
    before, after = _TIMESTAMP.sub(r"\1", sdk.exposition()), _TIMESTAMP.sub(r"\1", ours.exposition())
    assert after == before
    fam = next(f for f in parse_openmetrics(after) if f.name == "http_server_request_duration_seconds")
    assert sum(1 for s in fam.samples if s.exemplar is not None) >= len(REQUESTS) - 1
    text, _ = render(ours.reader.snapshot(), ours.reader.resource, "")
    out = subprocess.run(
        [shutil.which("promtool") or "promtool", "check", "metrics"],
        input=text.decode(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_busy_bucket_takes_candidates_until_one_is_kept_then_none_until_collection() -> None:
    verdicts: dict[int, bool] = {}
    ledger = TraceLedger(decision=verdicts.get)
    hist = build_red(Settings.from_env(ENV), ledger).histogram("http.server.request.duration")
    assert hist is not None
    state = _state(hist)
    tracer = TracerProvider().get_tracer("t")
    attrs = {**BASE, "http.route": "/users/<id>", "http.response.status_code": 200}
    ids = []
    for i in range(20):
        with tracer.start_as_current_span("GET", kind=SpanKind.SERVER) as span:
            tid = span.get_span_context().trace_id
            verdicts[tid] = i in (5, 9)  # decided when the server span ends, before the duration is recorded
            state.record(0.02, attrs)
            ids.append(tid)
    ledger.exported(ids)
    (point,) = hist.points(0)
    # The first kept trace of the interval; the second kept one came after the bucket was satisfied.
    assert [e.trace_id for e in point.exemplars] == [ids[5]]
    assert point.exemplars[0].filtered_attributes == {
        "server.address": "shop.example",
        "server.port": 8080,
        "network.protocol.version": "1.1",
    }
    with tracer.start_as_current_span("GET", kind=SpanKind.SERVER) as span:
        tid = span.get_span_context().trace_id
        verdicts[tid] = True
        state.record(0.03, attrs)
    ledger.exported([tid])
    (point,) = hist.points(0)
    assert [e.trace_id for e in point.exemplars] == [tid]  # a new interval: the newest kept one
    assert point.count == 21


SCRIPT = textwrap.dedent(
    """
    import os, sys, urllib.request
    from wsgiref.util import setup_testing_defaults
    from otelward.config import Settings
    from otelward.startup._runtime import build_runtime
    from otelward.instrumentation._wsgi import OtelwardWSGIMiddleware

    rt = build_runtime(Settings.from_env(dict(os.environ)))

    def app(environ, start_response):
        status = "500 Internal Server Error" if environ["PATH_INFO"] == "/fail" else "200 OK"
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]

    wrapped = OtelwardWSGIMiddleware(app)
    for path in ("/a", "/a", "/fail"):
        environ = {"PATH_INFO": path}
        setup_testing_defaults(environ)
        body = wrapped(environ, lambda status, headers, exc_info=None: None)
        b"".join(body)
        body.close()
    rt.span_pipeline.force_flush()
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
def test_the_collector_and_metrics_see_the_same_http_duration(collector: Collector) -> None:
    env = {
        **collector.env(),
        "OTEL_SERVICE_NAME": "http-buckets",
        "OTELWARD_METRICS_DURATION_BUCKETS": "0.05,0.1,0.3",
        "OTELWARD_MANAGEMENT_PORT": str(free_port()),
        "OTELWARD_MANAGEMENT_TOKEN": "http-bucket-token",
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
    scraped = {}
    for fam in text_string_to_metric_families(out.stdout):
        if fam.name == "http_server_request_duration_seconds":
            for s in fam.samples:
                if s.name.endswith("_count"):
                    scraped[s.labels["http_response_status_code"]] = s.value
    got = collector.wait_for(lambda r: bool(r.metric("http.server.request.duration")))
    sent = {
        p["attributes"]["http.response.status_code"]: p for p in got.metric("http.server.request.duration")
    }
    assert scraped == {"200": 2.0, "500": 1.0}
    assert {k: p["value"]["count"] for k, p in sent.items()} == {200: 2, 500: 1}
    ok = sent[200]
    assert ok["scope"] == "otelward.instrumentation.server"
    assert ok["unit"] == "s"
    assert ok["value"]["bounds"] == [0.05, 0.1, 0.3]
    assert set(ok["attributes"]) == {"http.request.method", "url.scheme", "http.response.status_code"}
