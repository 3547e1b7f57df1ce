"""OTLP-JSON console lines of a `gunicorn -w 2` app, ingested by a real collector as OTLP.

Each stdout line is POSTed as it is (``Content-Type: application/json``) to a second rotel collector's
OTLP/HTTP receiver; what that collector forwards must match what the app exported itself over OTLP:
same record, same trace and span ids, same request id, same worker resource.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from harness.app import base_env, serve
from harness.collector import Collector, free_port, run_collector
from tests.logs.test_otlp_json import parse

pytestmark = pytest.mark.integration


def _post(collector: Collector, line: str) -> int:
    request = urllib.request.Request(
        f"{collector.http_endpoint}/v1/logs", data=line.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def test_console_lines_are_ingested_as_otlp_and_match_the_export(
    collector: Collector, tmp_path: Path
) -> None:
    port = free_port()
    env = base_env(
        collector,
        OTEL_SERVICE_NAME="shop",
        OTELWARD_SAMPLING="off",
        OTELWARD_LOG_FORMAT="otlp-json",
        PORT=str(port),
    )
    argv = ["gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "examples.flask_app.app:app"]
    with serve(argv, env, port) as app:
        ids = [f"json-{i}" for i in range(6)]
        for request_id in ids:
            assert app.get("/users/1", headers={"X-Request-ID": request_id}, timeout_s=60)[0] == 200
        exported = collector.wait_for(
            lambda r: sum(1 for x in r.logs if x["body"] == "served user 1") == len(ids)
        ).logs
        app.stop()
    lines = [ln for ln in (app.stdout + app.stderr).splitlines() if ln.strip()]
    for line in lines:
        parse(line)  # every console line is an ExportLogsServiceRequest
    served = [ln for ln in lines if '"served user 1"' in ln]
    assert len(served) == len(ids)
    (tmp_path / "console").mkdir()
    with run_collector(tmp_path / "console") as reader:
        assert all(_post(reader, line) == 200 for line in served)
        ingested = reader.wait_for(lambda r: len(r.logs) == len(ids)).logs
    by_id = {x["attributes"]["otelward.request.id"]: x for x in exported if x["body"] == "served user 1"}
    assert sorted(by_id) == ids
    for record in ingested:
        request_id = record["attributes"]["otelward.request.id"]
        original = by_id[request_id]
        assert record["attributes"]["http.request.id"] == request_id
        assert (record["trace_id"], record["span_id"]) == (original["trace_id"], original["span_id"])
        assert record["scope"] == original["scope"]
        assert (record["severity_number"], record["severity_text"]) == ("SEVERITY_NUMBER_INFO", "INFO")
        for key in ("code.function.name", "code.line.number", "thread.name"):
            assert record["attributes"][key] == original["attributes"][key]
        # the worker's own resource: its pid and the service.instance.id renewed after the fork
        for key in ("service.name", "process.pid", "service.instance.id", "host.name"):
            assert record["resource"][key] == original["resource"][key], key
