"""``db.client.operation.duration`` of the native DB-API instrumentations, counted in plain buckets.

The same statements recorded through the SDK histogram the native instrumentation used to create and through
the runtime's bucket histogram must give the same points: scope, attributes, bounds, counts.
"""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from otelward._version import __version__
from otelward.config import Settings
from otelward.instrumentation.native import _dbapi
from otelward.metrics import build_red
from otelward.metrics._build import DB_BUCKETS, DB_METRIC, DB_SCOPES

SCOPE = "otelward.instrumentation.sqlite3"
STATEMENTS: list[tuple[str, BaseException | None, float]] = [
    ("SELECT", None, 0.0004),
    ("SELECT", None, 0.003),
    ("SELECT", None, 0.2),
    ("INSERT", None, 0.02),
    ("", None, 0.7),
    ("UPDATE", KeyError("x"), 6.0),
]


def _points(data: Any) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    for scope_name, metrics in data:
        for metric in metrics:
            if metric.name == DB_METRIC:
                out.setdefault(scope_name, []).extend(
                    sorted(
                        (
                            tuple(sorted(p.attributes.items())),
                            p.count,
                            round(p.sum, 9),
                            tuple(p.bucket_counts),
                            tuple(p.explicit_bounds),
                        )
                        for p in metric.data.data_points
                    )
                )
    return out


def _record(database: _dbapi.Database) -> None:
    for operation, error, seconds in STATEMENTS:
        database._record(seconds, operation, error)


def test_bucket_points_equal_the_sdk_histogram_points(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    monkeypatch.setattr("opentelemetry.metrics.get_meter", provider.get_meter)
    monkeypatch.setattr(_dbapi, "_buckets", lambda _scope: None)
    _record(_dbapi.Database("sqlite", scope=SCOPE))
    sdk = reader.get_metrics_data()
    assert sdk is not None
    want = _points((sm.scope.name, sm.metrics) for rm in sdk.resource_metrics for sm in rm.scope_metrics)

    producer = build_red(Settings.from_env({}))
    monkeypatch.setattr(_dbapi, "_buckets", lambda scope: producer.histogram(DB_METRIC, scope))
    database = _dbapi.Database("sqlite", scope=SCOPE)
    assert database.duration is producer.histogram(DB_METRIC, SCOPE)
    _record(database)
    got = _points((name, metrics) for (name, _version), metrics in producer.metrics().items())

    assert got == want
    assert set(got) == {SCOPE}
    assert producer.histogram(DB_METRIC, SCOPE).scope == (SCOPE, __version__)


def test_one_bucket_histogram_per_native_scope_with_the_advisory_bounds() -> None:
    producer = build_red(Settings.from_env({}))
    for scope in DB_SCOPES:
        hist = producer.histogram(DB_METRIC, scope)
        assert hist is not None
        assert tuple(hist.bounds) == DB_BUCKETS
    assert producer.histogram(DB_METRIC, "no.such.scope") is None
