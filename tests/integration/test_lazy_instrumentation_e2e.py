"""Lazy instrumentation: unused libraries are not imported, and spans equal eager instrumentation's."""

from __future__ import annotations

import pytest

from tests.harness.app import base_env, run_script, serve
from tests.harness.collector import Collector, free_port

pytestmark = pytest.mark.integration


def test_a_script_that_never_imports_flask_does_not_pay_for_it(collector: Collector) -> None:
    result = run_script(["python", "tests/integration/apps/job.py"], base_env(collector))
    assert "modules_flask=False" in result.stdout, result.stdout + result.stderr
    eager = run_script(
        ["python", "tests/integration/apps/job.py"],
        base_env(collector, OTELWARD_LAZY_INSTRUMENTATION="false"),
    )
    assert "modules_flask=True" in eager.stdout


def _shape(collector: Collector, lazy: str) -> list[tuple[str, str, tuple[str, ...]]]:
    port = free_port()
    env = base_env(collector, OTELWARD_SAMPLING="off", PORT=str(port), OTELWARD_LAZY_INSTRUMENTATION=lazy)
    collector.sink.clear()
    with serve(["python", "examples/flask_app/app.py"], env, port) as app:
        assert app.get("/users/2")[0] == 200
        received = collector.wait_for(lambda r: len(r.spans) >= 4)
    return sorted((s["name"], s["kind"], tuple(sorted(s["attributes"]))) for s in received.spans)


def test_lazy_and_eager_instrumentation_produce_the_same_spans(collector: Collector) -> None:
    lazy = _shape(collector, "true")
    eager = _shape(collector, "false")
    assert lazy == eager
    assert {kind for _, kind, _ in lazy} >= {"SPAN_KIND_SERVER", "SPAN_KIND_CLIENT"}
