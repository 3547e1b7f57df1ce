"""What Prometheus sees: names, units, scope labels, target_info and exemplars from real SDK instruments.

The expected names are the OTel compatibility spec's (compatibility/prometheus_and_openmetrics.md:
unit words, ``_total``, ``# UNIT``); the checks are prometheus_client's own parsers and promtool.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families

from otelward.config import Settings
from otelward.metrics import build_readers, build_views, pull_reader_for
from otelward.metrics._exemplars import TraceLedger
from otelward.metrics._prometheus import render
from otelward.redaction import build_redactor

OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"


def _body(env: dict[str, str], record, accept: str = "", ledger: TraceLedger | None = None) -> str:
    settings = Settings.from_env(env)
    readers = build_readers(settings, build_redactor(settings), ledger)
    provider = MeterProvider(
        metric_readers=readers,
        views=build_views(settings, ledger),
        resource=Resource({"service.name": "shop", "service.version": "1.4"}),
    )
    record(provider.get_meter("shop.scope", "2.0"))
    pull = pull_reader_for(readers)
    assert pull is not None
    body, ctype = render(pull.snapshot(), pull.resource, accept)
    provider.shutdown()
    assert ctype.startswith("application/openmetrics-text" if accept else "text/plain")
    return body.decode()


def _families(env: dict[str, str], record) -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(_body(env, record))}


@pytest.mark.parametrize(
    ("instrument", "name", "unit", "sample"),
    [
        ("counter", "hw.energy", "J", "hw_energy_joules_total"),
        ("gauge", "hw.temperature", "Cel", "hw_temperature_celsius"),
        ("gauge", "hw.network.bandwidth", "By/s", "hw_network_bandwidth_bytes_per_second"),
        ("counter", "orders.placed", "{order}", "orders_placed_total"),
        ("counter", "jobs.total", "1", "jobs_total"),
        ("histogram", "http.server.request.duration", "s", "http_server_request_duration_seconds_count"),
        ("gauge", "process.memory.usage", "By", "process_memory_usage_bytes"),
        ("updown", "db.client.connection.count", "{connection}", "db_client_connection_count"),
        ("gauge", "cache.hit-rate", "%", "cache_hit_rate_percent"),
    ],
    ids=["joules", "celsius", "per-second", "braces", "total-once", "seconds", "bytes", "updown", "dash"],
)
def test_names_follow_the_compatibility_spec(instrument, name, unit, sample) -> None:
    def record(meter):
        if instrument == "counter":
            meter.create_counter(name, unit=unit).add(2)
        elif instrument == "gauge":
            meter.create_gauge(name, unit=unit).set(41.5)
        elif instrument == "updown":
            meter.create_up_down_counter(name, unit=unit).add(-1)
        else:
            meter.create_histogram(name, unit=unit).record(0.2)

    body = _body({}, record)
    names = {s.name for f in text_string_to_metric_families(body) for s in f.samples}
    assert sample in names


def test_every_series_carries_scope_labels_and_target_info_the_resource() -> None:
    fams = _families({}, lambda m: m.create_counter("orders.placed").add(3, {"payment.method": "card"}))
    (sample,) = fams["orders_placed"].samples
    assert sample.labels == {
        "payment_method": "card",
        "otel_scope_name": "shop.scope",
        "otel_scope_version": "2.0",
        "otel_scope_schema_url": "",
    }
    (info,) = fams["target_info"].samples
    assert info.labels["service_name"] == "shop"
    assert info.labels["service_version"] == "1.4"


def test_http_duration_keeps_url_scheme_and_the_configured_buckets() -> None:
    def record(meter):
        h = meter.create_histogram("http.server.request.duration", unit="s")
        base = {"http.request.method": "GET", "http.route": "/users/<id>", "url.scheme": "https"}
        h.record(0.04, {**base, "http.response.status_code": 200, "server.address": "a.example"})
        h.record(0.2, {**base, "http.response.status_code": 500, "error.type": "500"})

    fams = _families({"OTELWARD_METRICS_DURATION_BUCKETS": "0.05,0.1,0.3,1"}, record)
    fam = fams["http_server_request_duration_seconds"]
    buckets = [s for s in fam.samples if s.name.endswith("_bucket")]
    assert sorted({s.labels["le"] for s in buckets}) == sorted(["0.05", "0.1", "0.3", "1.0", "+Inf"])
    counts = [s for s in fam.samples if s.name.endswith("_count")]
    assert {s.labels["url_scheme"] for s in counts} == {"https"}
    assert all("server_address" not in s.labels for s in counts)


def test_openmetrics_has_unit_lines_and_parses() -> None:
    body = _body({}, lambda m: m.create_counter("hw.energy", unit="J").add(5), accept=OPENMETRICS)
    assert "# UNIT hw_energy_joules joules" in body
    assert body.endswith("# EOF\n")
    fams = {f.name: f for f in parse_openmetrics(body)}
    assert fams["hw_energy_joules"].unit == "joules"
    assert fams["target"].type == "info"


def _traced_duration(ledger: TraceLedger, export: bool):
    tracer = TracerProvider().get_tracer("t")
    seen: list[int] = []

    def record(meter):
        h = meter.create_histogram("http.server.request.duration", unit="s")
        with tracer.start_as_current_span("GET /") as span:
            h.record(0.2, {"http.request.method": "GET", "user.id": "7"})
            seen.append(span.get_span_context().trace_id)
        if export:
            ledger.exported(seen)

    return record, seen


@pytest.mark.parametrize("export", [True, False], ids=["exported", "never-exported"])
def test_openmetrics_exemplar_names_only_an_exported_trace(export) -> None:
    ledger = TraceLedger()
    record, seen = _traced_duration(ledger, export)
    body = _body({}, record, accept=OPENMETRICS, ledger=ledger)
    fam = next(f for f in parse_openmetrics(body) if f.name == "http_server_request_duration_seconds")
    exemplars = [s.exemplar for s in fam.samples if s.exemplar is not None]
    if not export:
        assert exemplars == []
        return
    (ex,) = exemplars
    assert ex.labels["trace_id"] == f"{seen[0]:032x}"
    assert len(ex.labels["span_id"]) == 16
    assert ex.value == 0.2
    bucket = next(s for s in fam.samples if s.exemplar is not None)
    assert bucket.labels["le"] == "0.25"


def test_text_format_never_carries_exemplars() -> None:
    ledger = TraceLedger()
    record, _ = _traced_duration(ledger, True)
    assert "trace_id" not in _body({}, record, ledger=ledger)


def test_promtool_lints_the_exposition_clean() -> None:
    def record(meter):
        meter.create_counter("hw.energy", unit="J", description="Energy used.").add(5)
        meter.create_gauge("hw.temperature", unit="Cel", description="Temperature.").set(41.5)
        meter.create_histogram("http.server.request.duration", unit="s").record(0.2)

    out = subprocess.run(
        [shutil.which("promtool") or "promtool", "check", "metrics"],
        input=_body({}, record),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
