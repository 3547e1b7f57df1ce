"""``OTELWARD_GC_FREEZE``: the objects that exist once otelward started are frozen, unless turned off."""

from __future__ import annotations

import pytest

from harness.app import base_env, run_script

pytestmark = pytest.mark.integration

SCRIPT = "import gc; print('frozen', gc.get_freeze_count())"


@pytest.mark.parametrize(("value", "frozen"), [(None, True), ("false", False)], ids=["default", "off"])
def test_start_up_objects_are_frozen_by_default(value: str | None, frozen: bool) -> None:
    env = base_env(None, OTEL_TRACES_EXPORTER="none", OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none")
    if value is not None:
        env["OTELWARD_GC_FREEZE"] = value
    done = run_script(["python", "-c", SCRIPT], env)
    assert done.returncode == 0, done.stderr
    counts = [int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("frozen ")]
    assert len(counts) == 1, done.stdout
    # the SDK, otelward and the standard library: tens of thousands of objects
    assert (counts[0] > 10_000) is frozen, counts
