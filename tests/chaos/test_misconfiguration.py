"""Chaos: an operator sets an invalid sampling mode or queue size on a running service's deployment.

The service starts anyway, one stderr line names the variable, the value and the accepted values, and telemetry
flows with the default. Playbook: docs/ops/playbooks/sampling-misconfiguration.md.
"""

from __future__ import annotations

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("name", "value"),
    [("OTELWARD_SAMPLING", "sometimes"), ("OTELWARD_EXPORT_QUEUE_SIZE", "-5")],
    ids=["sampling-mode", "queue-size"],
)
def test_bad_value_is_named_once_and_telemetry_still_flows(
    collector: Collector, name: str, value: str
) -> None:
    port = free_port()
    env = base_env(collector, PORT=str(port), **{name: value})
    with serve(["python", "examples/flask_app/app.py"], env, port) as app:
        for _ in range(5):
            assert app.get("/boom")[0] == 500  # errors are always kept by the default policy
        collector.wait_for(lambda r: len(r.spans_named("GET /boom")) >= 1)
        app.stop()
    lines = [line for line in app.stderr.splitlines() if name in line]
    assert len(lines) == 1, app.stderr[-2000:]
    assert value in lines[0]
