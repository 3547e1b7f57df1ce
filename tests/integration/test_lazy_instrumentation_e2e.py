"""Lazy instrumentation: unused libraries are not imported, and spans equal eager instrumentation's."""

from __future__ import annotations

import pytest

from harness.app import base_env, flask_example_span_shapes, run_script
from harness.collector import Collector

pytestmark = pytest.mark.integration


def test_a_script_that_never_imports_flask_does_not_pay_for_it(collector: Collector) -> None:
    result = run_script(["python", "tests/integration/apps/job.py"], base_env(collector))
    assert "modules_flask=False" in result.stdout, result.stdout + result.stderr
    eager = run_script(
        ["python", "tests/integration/apps/job.py"],
        base_env(collector, OTELWARD_LAZY_INSTRUMENTATION="false"),
    )
    assert "modules_flask=True" in eager.stdout


def test_lazy_and_eager_instrumentation_produce_the_same_spans(collector: Collector) -> None:
    lazy = flask_example_span_shapes(collector, OTELWARD_LAZY_INSTRUMENTATION="true")
    eager = flask_example_span_shapes(collector, OTELWARD_LAZY_INSTRUMENTATION="false")
    assert lazy == eager
    assert {kind for _, kind, _ in lazy} >= {"SPAN_KIND_SERVER", "SPAN_KIND_CLIENT"}
