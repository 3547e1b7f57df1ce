"""``otelward run -- <command>`` gives the same telemetry as ``opentelemetry-instrument <command>``.

It starts otelward from its own ``sitecustomize`` instead of the stock loader (start-up figures in
docs/performance.md); forked workers inherit it, and a ``sitecustomize`` of the app's still runs.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.app import base_env, bin_path, flask_example_span_shapes, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration


def _launch(*argv: str) -> list[str]:
    return [bin_path("otelward"), "run", "--", *argv]


def test_same_spans_as_under_opentelemetry_instrument(collector: Collector) -> None:
    ours = flask_example_span_shapes(collector, launcher=_launch())
    stock = flask_example_span_shapes(collector)
    assert ours == stock
    assert {kind for _, kind, _ in ours} >= {"SPAN_KIND_SERVER", "SPAN_KIND_CLIENT"}


def test_gunicorn_workers_are_instrumented(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTELWARD_SAMPLING="off", PORT=str(port))
    argv = _launch("gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "examples.flask_app.app:app")
    with serve(argv, env, port, instrument=False) as app, ThreadPoolExecutor(8) as pool:
        master = app.proc.pid  # `otelward run` execs: the launcher's pid is gunicorn's master
        assert list(pool.map(lambda i: app.get(f"/profile/{i}")[0], range(40))) == [200] * 40
        received = collector.wait_for(lambda r: len(r.spans_named("GET /profile/<int:user_id>")) >= 40)
    spans = received.spans_named("GET /profile/<int:user_id>")
    assert len(spans) == 40
    # Forked workers serve and export (which of the two gets the connections is up to the kernel).
    pids = {s["resource"]["process.pid"] for s in spans}
    assert pids
    assert master not in pids


def test_a_script_logs_and_the_apps_own_sitecustomize_still_runs(
    collector: Collector, tmp_path: Path
) -> None:
    (tmp_path / "sitecustomize.py").write_text("import os\nos.environ['APP_SITECUSTOMIZE'] = 'ran'\n")
    script = tmp_path / "job.py"
    script.write_text(
        "import logging, os, sys\n"
        "logging.getLogger('job').warning('job done %s', os.environ.get('APP_SITECUSTOMIZE'))\n"
        "print('otelward' in sys.modules)\n"
    )
    env = base_env(collector, PYTHONPATH=str(tmp_path))
    done = subprocess.run(
        _launch("python", str(script)), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "True" in done.stdout.splitlines(), done.stdout
    logs = collector.wait_for(lambda r: any(rec["body"].startswith("job done") for rec in r.logs)).logs
    assert [rec["body"] for rec in logs if rec["body"].startswith("job done")] == ["job done ran"]


def test_a_python_program_the_app_starts_starts_otelward_too(collector: Collector, tmp_path: Path) -> None:
    # uvicorn --workers and multiprocessing's spawn start fresh interpreters that must be instrumented too.
    script = tmp_path / "parent.py"
    script.write_text(
        "import subprocess, sys\n"
        "code = \"import sys; print('child', 'otelward.startup._boot' in sys.modules)\"\n"
        "print(subprocess.run([sys.executable, '-c', code], capture_output=True, text=True).stdout.strip())\n"
    )
    env = base_env(
        collector, OTEL_TRACES_EXPORTER="none", OTEL_LOGS_EXPORTER="none", OTEL_METRICS_EXPORTER="none"
    )
    done = subprocess.run(
        _launch("python", str(script)), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "child True" in done.stdout.splitlines(), done.stdout
