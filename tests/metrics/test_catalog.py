"""docs/metrics.md lists every metric otelward creates, under its real Prometheus name."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.sdk.metrics import MeterProvider

from otelward import _selfmetrics
from otelward.config import Settings
from otelward.metrics import (
    build_readers,
    build_red,
    build_span_observers,
    build_views,
    pull_reader_for,
    register_process_metrics,
)
from otelward.metrics._prometheus import render
from otelward.redaction import build_redactor

DOC = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text()


def test_every_metric_otelward_creates_is_in_the_catalog_with_its_prometheus_name() -> None:
    settings = Settings.from_env({})
    red = build_red(settings)
    readers = build_readers(settings, build_redactor(settings), producer=red)
    provider = MeterProvider(metric_readers=readers, views=build_views(settings))
    observers = build_span_observers(settings, red)
    register_process_metrics(provider)
    assert observers
    red.histograms[0].record(("job", "consumer", "ok"), 0.1)
    pull = pull_reader_for(readers)
    assert pull is not None
    snap = pull.snapshot()
    provider.shutdown()
    assert len(snap) >= 7
    from prometheus_client.parser import text_string_to_metric_families

    for key, fam in snap.items():
        assert f"`{fam['name']}`" in DOC, fam["name"]
        body, _ = render({key: fam}, {}, "")
        (exposed,) = [
            f.name for f in text_string_to_metric_families(body.decode()) if f.name != "target_info"
        ]
        assert f"`{exposed}" in DOC, (fam["name"], exposed)


def test_every_declared_self_metric_is_in_the_catalog() -> None:
    for name in _selfmetrics.DECLARED:
        assert f"`{name}`" in DOC, name
