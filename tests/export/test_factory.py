"""Exporter construction: the options otelward passes to the SDK's OTLP exporters."""

from __future__ import annotations

from otelward.config import Settings
from otelward.export import span_exporter
from otelward.export._health import MAX_BACKOFF_S


def test_grpc_reconnect_back_off_is_capped_at_the_queue_retry_cap() -> None:
    # gRPC's default grows to 120 s and is shared by every channel to the target: after a long outage export
    # stayed down for minutes after the collector was back (tests/chaos: the 60 s outage over gRPC).
    env = {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317"}
    exporter = span_exporter(Settings.from_env(env).traces, "otlp")
    try:
        options = dict(exporter._channel_options)  # the options the channel was built with
        assert options["grpc.max_reconnect_backoff_ms"] == int(MAX_BACKOFF_S * 1000)
    finally:
        exporter.shutdown()
