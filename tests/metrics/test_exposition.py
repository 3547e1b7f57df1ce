"""What Prometheus sees: names, labels and buckets from real SDK instruments through the pull reader."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from prometheus_client.parser import text_string_to_metric_families

from otelward.config import Settings
from otelward.metrics import build_readers, build_views, pull_reader_for
from otelward.metrics._prometheus import prometheus_name
from otelward.redaction import build_redactor


@pytest.mark.parametrize(
    ("name", "unit", "kind", "expected"),
    [
        ("http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds"),
        ("otelward.operation.duration", "s", "histogram", "otelward_operation_duration_seconds"),
        ("process.memory.usage", "By", "gauge", "process_memory_usage_bytes"),
        ("orders.placed", "{order}", "counter", "orders_placed"),
        ("cache.hit_ratio", "1", "gauge", "cache_hit_ratio"),
        ("cache.fill", "1", "gauge", "cache_fill_ratio"),
        ("jobs.total", "1", "counter", "jobs"),
        ("latency.duration_seconds", "s", "histogram", "latency_duration_seconds"),
        ("9lives", "", "gauge", "_9lives"),
    ],
    ids=[
        "http",
        "operation",
        "bytes",
        "braces",
        "ratio-kept",
        "ratio-added",
        "total-stripped",
        "no-dup",
        "digit",
    ],
)
def test_prometheus_name(name, unit, kind, expected) -> None:
    assert prometheus_name(name, unit, kind) == expected


def _exposition(env: dict[str, str], record) -> dict[str, object]:
    settings = Settings.from_env(env)
    readers = build_readers(settings, build_redactor(settings))
    provider = MeterProvider(metric_readers=readers, views=build_views(settings))
    record(provider.get_meter("test"))
    from prometheus_client import CollectorRegistry, generate_latest

    from otelward.metrics._prometheus import SnapshotCollector

    pull = pull_reader_for(readers)
    assert pull is not None
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(pull.snapshot))
    text = generate_latest(registry).decode()
    provider.shutdown()
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_http_duration_keeps_the_contract_labels_and_configured_buckets() -> None:
    def record(meter):
        h = meter.create_histogram("http.server.request.duration", unit="s")
        base = {"http.request.method": "GET", "http.route": "/users/<id>", "url.scheme": "http"}
        h.record(0.04, {**base, "http.response.status_code": 200})
        h.record(0.2, {**base, "http.response.status_code": 500, "error.type": "500"})

    fams = _exposition({"OTELWARD_METRICS_DURATION_BUCKETS": "0.05,0.1,0.3,1"}, record)
    fam = fams["http_server_request_duration_seconds"]
    assert fam.type == "histogram"
    buckets = [s for s in fam.samples if s.name.endswith("_bucket")]
    assert sorted({s.labels["le"] for s in buckets}) == sorted(["0.05", "0.1", "0.3", "1.0", "+Inf"])
    counts = {
        s.labels["http_response_status_code"]: s.value for s in fam.samples if s.name.endswith("_count")
    }
    assert counts == {"200": 1.0, "500": 1.0}
    err = next(s for s in fam.samples if s.name.endswith("_count") and "error_type" in s.labels)
    assert set(err.labels) == {"http_request_method", "http_route", "http_response_status_code", "error_type"}


def test_business_counter_is_exposed_with_total_suffix() -> None:
    def record(meter):
        meter.create_counter("orders.placed", unit="{order}").add(3, {"payment.method": "card"})

    fams = _exposition({}, record)
    (sample,) = [s for s in fams["orders_placed"].samples if s.name == "orders_placed_total"]
    assert sample.value == 3.0
    assert sample.labels == {"payment_method": "card"}
