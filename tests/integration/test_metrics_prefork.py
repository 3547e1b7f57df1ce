"""Pre-fork gunicorn: one /metrics sums every worker exactly, a real Prometheus agrees, probes drain.

The example app runs under the real entry point (`opentelemetry-instrument gunicorn -w 2`); the counts
on /metrics must equal the requests sent and failed, per route, whichever worker served them.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness.app import AppProcess, base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration

TOKEN = "prom-scrape-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# path -> (route, status): what the example app answers
PLAN = [
    ("/", "/", "200", 5),
    ("/profile/3", "/profile/<int:user_id>", "200", 7),
    ("/profile/3?fail=1", "/profile/<int:user_id>", "500", 3),
    ("/boom", "/boom", "500", 4),
    ("/users/99", "/users/<int:user_id>", "404", 2),
]


def _expected() -> Counter[tuple[str, str, str]]:
    out: Counter[tuple[str, str, str]] = Counter()
    for _, route, status, n in PLAN:
        out[(route, status, status if status.startswith("5") else "")] += n
    return out


def _send(app: AppProcess) -> None:
    for path, _, status, n in PLAN:
        for _ in range(n):
            # generous: a worker restarting under --max-requests boots slowly on a loaded machine
            got, _, _ = app.get(path, timeout_s=60)
            assert str(got) == status, path


def _mgmt_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except urllib.error.URLError:
        return 0, b""  # not listening (yet, or any more)


def _request_counts(text: str) -> Counter[tuple[str, str, str]]:
    out: Counter[tuple[str, str, str]] = Counter()
    for fam in text_string_to_metric_families(text):
        if fam.name != "http_server_request_duration_seconds":
            continue
        for s in fam.samples:
            if s.name.endswith("_count"):
                key = (
                    s.labels.get("http_route", ""),
                    s.labels["http_response_status_code"],
                    s.labels.get("error_type", ""),
                )
                out[key] += int(s.value)
    return out


def _wait_counts(port: int, expected: Counter[tuple[str, str, str]], timeout_s: float = 15.0) -> Counter:
    deadline = time.monotonic() + timeout_s
    while True:
        status, body = _mgmt_get(port, "/metrics", AUTH)
        assert status == 200
        got = _request_counts(body.decode())
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


@contextmanager
def _prometheus(tmp_path: Path, target_port: int, token_file: Path, *flags: str) -> Iterator[int]:
    """A real Prometheus on a free loopback port scraping the management server every second."""
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n  - job_name: shop\n"
        f"    authorization:\n      type: Bearer\n      credentials_file: {token_file}\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
    )
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            shutil.which("prometheus") or "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
            *flags,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while _mgmt_get(port, "/-/ready")[0] != 200:
            assert proc.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "prometheus did not become ready"
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _query(prom_port: int, expr: str) -> list[dict]:
    url = f"http://127.0.0.1:{prom_port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as resp:
        doc = json.loads(resp.read())
    assert doc["status"] == "success", doc
    return doc["data"]["result"]


def _prom_counts(prom_port: int) -> Counter[tuple[str, str, str]]:
    rows = _query(
        prom_port,
        "sum by (http_route, http_response_status_code, error_type) (http_server_request_duration_seconds_count)",
    )
    return Counter(
        {
            (
                r["metric"].get("http_route", ""),
                r["metric"]["http_response_status_code"],
                r["metric"].get("error_type", ""),
            ): int(float(r["value"][1]))
            for r in rows
        }
    )


def _app_env(collector: Collector, tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    return base_env(
        collector,
        OTEL_SERVICE_NAME="shop",
        PORT=str(port),
        OTELWARD_MANAGEMENT_TOKEN_FILE=str(token_file),
        **extra,
    )


def test_gunicorn_sync_workers_sum_exactly_and_prometheus_agrees(
    collector: Collector, tmp_path: Path
) -> None:
    port = free_port()
    env = _app_env(collector, tmp_path, port)
    mport = int(env["OTELWARD_MANAGEMENT_PORT"])
    argv = ["gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "examples.flask_app.app:app"]
    with serve(argv, env, port) as app:
        # both workers report (they boot slowly on a loaded machine), and only the master binds the port
        assert len(_wait_workers(mport, 2)) == 2
        _send(app)
        expected = _expected()
        assert _wait_counts(mport, expected) == expected
        status, body = _mgmt_get(mport, "/health", AUTH)
        assert status == 200, body
        assert _mgmt_get(mport, "/metrics")[0] == 401

        with _prometheus(tmp_path, mport, tmp_path / "token") as prom:
            deadline = time.monotonic() + 30
            while _prom_counts(prom) != expected and time.monotonic() < deadline:
                time.sleep(0.5)
            assert _prom_counts(prom) == expected
            up = _query(prom, 'up{job="shop"}')
            assert [r["value"][1] for r in up] == ["1"]
            out = subprocess.run(
                [
                    shutil.which("promtool") or "promtool",
                    "query",
                    "instant",
                    f"http://127.0.0.1:{prom}",
                    'sum(http_server_request_duration_seconds_count{error_type!=""})',
                ],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout
            errors = sum(n for (_, _, err), n in expected.items() if err)
            match = re.search(r"=> ([0-9.]+) @", out)
            assert match is not None, out
            assert float(match.group(1)) == errors

        # SIGTERM: readiness goes 503 (draining) while a slow request keeps the server alive
        slow = threading.Thread(target=app.get, args=("/slow?s=3",), daemon=True)
        slow.start()
        time.sleep(0.5)
        app.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 3
        status, body = _mgmt_get(mport, "/health/ready", AUTH)
        while status != 503 and time.monotonic() < deadline:
            time.sleep(0.05)
            status, body = _mgmt_get(mport, "/health/ready", AUTH)
        assert status == 503
        assert "draining" in json.loads(body)["checks"]
        assert _mgmt_get(mport, "/health/live")[0] == 200
        slow.join(10)
        app.stop()
    # workers never tried to bind the management port themselves
    assert "management server not started" not in app.stderr + app.stdout


def test_gthread_worker_restarts_lose_no_counts_with_one_percent_sampling(
    collector: Collector, tmp_path: Path
) -> None:
    port = free_port()
    env = _app_env(
        collector,
        tmp_path,
        port,
        OTELWARD_SAMPLING_RATIO="0.01",
        OTEL_TRACES_SAMPLER="parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG="0.01",
    )
    mport = int(env["OTELWARD_MANAGEMENT_PORT"])
    # --max-requests 12: each worker is replaced after 12 requests, several times during the run
    argv = [
        "gunicorn",
        "-w",
        "2",
        "--threads",
        "2",
        "--max-requests",
        "12",
        "-b",
        f"127.0.0.1:{port}",
        "examples.flask_app.app:app",
    ]
    with serve(argv, env, port) as app:
        _send(app)
        time.sleep(1.0)
        _send(app)
        expected = Counter({k: 2 * n for k, n in _expected().items()})
        assert _wait_counts(mport, expected) == expected
        assert "Booting worker" in app.read_stderr()
        assert app.read_stderr().count("Booting worker") > 2, "no worker was restarted"
        # OTLP metric export works in the workers too (the SDK restarts its export thread after fork)
        received = collector.wait_for(lambda r: bool(r.metric("http.server.request.duration")), timeout_s=20)
        assert received.metric("http.server.request.duration")


def _wait_workers(mport: int, n: int, timeout_s: float = 60.0) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while True:
        _, body = _mgmt_get(mport, "/health", AUTH)
        workers = [k for k in json.loads(body).get("checks", {}) if k.startswith("worker:")] if body else []
        if len(workers) >= n or time.monotonic() > deadline:
            return workers
        time.sleep(0.2)


def test_uvicorn_spawned_workers_report_to_one_endpoint(collector: Collector, tmp_path: Path) -> None:
    port = free_port()
    env = _app_env(collector, tmp_path, port)
    mport = int(env["OTELWARD_MANAGEMENT_PORT"])
    # Spawned (not forked) workers: each runs otelward's start-up again and finds the parent's mark.
    # Instrumented start-up on a loaded 2-core machine can exceed uvicorn's 5 s worker health check.
    argv = [
        "uvicorn",
        "--interface",
        "wsgi",
        "--workers",
        "2",
        "--timeout-worker-healthcheck",
        "60",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "examples.flask_app.app:app",
    ]
    with serve(argv, env, port) as app:
        assert len(_wait_workers(mport, 2)) == 2
        _send(app)
        expected = _expected()
        assert _wait_counts(mport, expected) == expected
        # the multiprocessing resource tracker runs otelward too, but is not counted as a worker
        assert len(_wait_workers(mport, 3, timeout_s=2)) == 2
        app.stop()
    assert "management server not started" not in app.stderr + app.stdout
    assert "could not write worker metrics" not in app.stderr + app.stdout
