"""Real scrapes of a pre-fork app, judged by the ecosystem's own tools.

``gunicorn -w 2`` under the real entry point, tail sampling at 10%: promtool lints the text scrape,
prometheus_client's OpenMetrics parser reads the OpenMetrics one, a real Prometheus with exemplar
storage scrapes it, and every trace id an exemplar names (OpenMetrics, Prometheus, OTLP) must be in the
collector — the tail sampler drops most traces, so an exemplar of a dropped one would be caught.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families

from harness.app import serve
from harness.collector import Collector, free_port
from tests.integration.test_metrics_prefork import AUTH, _app_env, _mgmt_get, _prometheus, _wait_workers

pytestmark = pytest.mark.integration

# Semantic-convention names (process.thread.count, process.unix.file_descriptor.count) are gauges ending
# in _count, which Prometheus reserves for histograms; the OTel spec keeps the name, and so do we.
SEMCONV_COUNT_GAUGES = {"process_thread_count", "process_unix_file_descriptor_count"}
OPENMETRICS = {**AUTH, "Accept": "application/openmetrics-text; version=1.0.0"}
TRAFFIC = [("/", 40), ("/profile/3", 30), ("/boom", 8), ("/slow?s=0.3", 4)]


def _openmetrics_exemplars(text: str) -> list[str]:
    return [
        s.exemplar.labels["trace_id"]
        for fam in parse_openmetrics(text)
        for s in fam.samples
        if s.exemplar is not None
    ]


def _wait_openmetrics(port: int, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        status, body = _mgmt_get(port, "/metrics", OPENMETRICS)
        assert status == 200
        text = body.decode()
        if _openmetrics_exemplars(text) or time.monotonic() > deadline:
            return text
        time.sleep(0.3)


def _prometheus_exemplars(prom: int, timeout_s: float = 30.0) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while True:
        now = time.time()
        query = urllib.parse.urlencode(
            {"query": "http_server_request_duration_seconds_bucket", "start": now - 600, "end": now + 60}
        )
        url = f"http://127.0.0.1:{prom}/api/v1/query_exemplars?{query}"
        with urllib.request.urlopen(url, timeout=10) as resp:
            doc = json.loads(resp.read())
        assert doc["status"] == "success", doc
        ids = [e["labels"]["trace_id"] for series in doc["data"] for e in series["exemplars"]]
        if ids or time.monotonic() > deadline:
            return ids
        time.sleep(0.5)


def _samples(text: str, family: str) -> list[tuple[dict[str, str], float]]:
    return [
        (s.labels, s.value)
        for fam in text_string_to_metric_families(text)
        if fam.name == family
        for s in fam.samples
    ]


def test_prefork_exposition_lints_keeps_gauges_apart_and_every_exemplar_resolves(
    collector: Collector, tmp_path: Path
) -> None:
    port = free_port()
    env = _app_env(
        collector,
        tmp_path,
        port,
        OTELWARD_SAMPLING_RATIO="0.1",
        OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS="250",
    )
    mport = int(env["OTELWARD_MANAGEMENT_PORT"])
    argv = ["gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "tests.integration.apps.prom_app:app"]
    with serve(argv, env, port) as app:
        assert len(_wait_workers(mport, 2)) == 2
        for path, n in TRAFFIC:
            for _ in range(n):
                app.get(path, timeout_s=60)
        om_text = _wait_openmetrics(mport)

        status, body = _mgmt_get(mport, "/metrics", AUTH)
        assert status == 200
        text = body.decode()
        lint = subprocess.run(
            [shutil.which("promtool") or "promtool", "check", "metrics"],
            input=text,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        problems = [
            line
            for line in (lint.stdout + lint.stderr).splitlines()
            if line.strip()
            and not (line.split()[0] in SEMCONV_COUNT_GAUGES and 'should not have "_count" suffix' in line)
        ]
        assert problems == [], lint.stdout + lint.stderr
        assert lint.returncode in (0, 3)  # 3: lint problems only (all of them the allowed ones above)

        # each worker's 41.5 °C is its own series (the bug: one series of 83.0)
        temps = _samples(text, "hw_temperature_celsius")
        assert [v for _, v in temps] == [41.5, 41.5]
        assert len({labels["pid"] for labels, _ in temps}) == 2
        # counters and up-down counters add over the workers
        assert sum(v for _, v in _samples(text, "hw_energy_joules")) == 25.0
        assert sum(v for _, v in _samples(text, "hw_network_bandwidth_limit_bytes_per_second")) == 2000
        dropped = [
            v
            for labels, v in _samples(text, "otelward_sampling_traces")
            if labels.get("decision") == "dropped"
        ]
        assert sum(dropped) > 0, "the tail sampler dropped nothing: the resolution check would prove nothing"

        assert "# UNIT hw_energy_joules joules" in om_text
        assert "# UNIT http_server_request_duration_seconds seconds" in om_text
        om_ids = _openmetrics_exemplars(om_text)
        assert om_ids
        print(next(line for line in om_text.splitlines() if " # {" in line))  # the excerpt for the notes

        with _prometheus(tmp_path, mport, tmp_path / "token", "--enable-feature=exemplar-storage") as prom:
            prom_ids = _prometheus_exemplars(prom)
        assert prom_ids

        received = collector.wait_for(
            lambda r: (
                bool(r.metric("http.server.request.duration"))
                and any(m["value"]["exemplars"] for m in r.metric("http.server.request.duration"))
            ),
            timeout_s=20,
        )
        otlp_ids = [
            e["trace_id"]
            for m in received.metric("http.server.request.duration")
            for e in m["value"]["exemplars"]
        ]
        app.stop()

    exported = set(collector.received.traces())
    for source, ids in (("openmetrics", om_ids), ("prometheus", prom_ids), ("otlp", otlp_ids)):
        found = [i for i in ids if i in exported]
        print(
            f"exemplar resolution {source}: {len(found)}/{len(ids)} exemplars "
            f"({len(set(found))}/{len(set(ids))} distinct trace ids) found in the collector"
        )
        assert found == ids, source
