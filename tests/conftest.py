"""Shared fixtures: a clean environment and global providers per test, and a real collector on demand."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.collector import Collector, run_collector


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False, help="run long load/chaos tests")
    parser.addoption(
        "--fault-runs", type=int, default=200, help="processes tests/chaos/test_signals.py signals (CI: 200)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or os.environ.get("OTELWARD_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="long run: pass --run-slow (or OTELWARD_RUN_SLOW=1); .ci/run does")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _reset_globals() -> None:
    from opentelemetry import _logs, metrics, trace
    from opentelemetry.util._once import Once

    # The API allows setting each provider once per process; tests need a fresh one each time.
    trace._TRACER_PROVIDER_SET_ONCE = Once()  # type: ignore[attr-defined]
    trace._TRACER_PROVIDER = None  # type: ignore[attr-defined]
    metrics._internal._METER_PROVIDER_SET_ONCE = Once()  # type: ignore[attr-defined]
    metrics._internal._METER_PROVIDER = None  # type: ignore[attr-defined]
    _logs._internal._LOGGER_PROVIDER_SET_ONCE = Once()  # type: ignore[attr-defined]
    _logs._internal._LOGGER_PROVIDER = None  # type: ignore[attr-defined]

    from otelward import _ratelimit, _selfmetrics
    from otelward.startup import _state

    _state.set_runtime(None)
    _selfmetrics.reset()
    _ratelimit.reset()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Remove OTEL_*/OTELWARD_* variables and reset global providers around every test."""
    for key in list(os.environ):
        if key.startswith(("OTEL_", "OTELWARD_")):
            monkeypatch.delenv(key)
    _reset_globals()
    yield
    _reset_globals()


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    """A real rotel collector on free loopback ports, forwarding to a decoding sink."""
    with run_collector(tmp_path) as c:
        yield c
