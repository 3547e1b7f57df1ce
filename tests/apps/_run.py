"""Run one published app bare or under a launcher, drive its steps, and collect what a user would look at."""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.app import base_env, bin_path, serve
from harness.collector import Collector, free_port
from tests.apps._apps import App
from tests.apps._client import Reply, Session

__all__ = ["LAUNCHERS", "PLANTED", "Outcome", "json_records", "metric_counts", "run_app", "stderr_is_new"]

LAUNCHERS = ("bare", "opentelemetry-instrument", "otelward-run")

PLANTED = {
    # Sent with every request (headers otelward captures by default); none may reach the collector or the console.
    "cookie": "s%3AQm9vbXNlc3Npb24tNzQyMQ.Kx9fPq2Lr8vTz1WmN4bYc6dEa",
    "api-key": "sk_live_51NvQ8rTq3HkPzWx2Yb7Lm4Dc",
}


@dataclass
class Outcome:
    """What one run produced."""

    replies: list[Reply]
    request_ids: list[str]
    stdout: str
    stderr: str
    returncode: int | None
    exit_seconds: float
    metrics_text: str


def _scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
            return str(resp.read().decode())
    except (urllib.error.URLError, OSError):
        return ""


def metric_counts(text: str) -> Counter[tuple[str, str, str]]:
    """Return ``http.server.request.duration`` counts by (method, route, status) from a /metrics page."""
    from prometheus_client.parser import text_string_to_metric_families

    out: Counter[tuple[str, str, str]] = Counter()
    for fam in text_string_to_metric_families(text):
        if fam.name != "http_server_request_duration_seconds":
            continue
        for s in fam.samples:
            if s.name.endswith("_count") and s.value:
                key = (
                    s.labels.get("http_request_method", ""),
                    s.labels.get("http_route", ""),
                    s.labels.get("http_response_status_code", ""),
                )
                out[key] += int(s.value)
    return out


def run_app(
    app: App, launcher: str, work: Path, collector: Collector | None, expected: Counter[tuple[str, str, str]]
) -> Outcome:
    """Start ``app`` under ``launcher``, drive every step, scrape /metrics until it shows ``expected``, SIGTERM it."""
    port = free_port()
    mgmt = free_port()
    env = base_env(
        collector if launcher != "bare" else None,
        OTEL_SERVICE_NAME=app.name,
        # The tail sampler as deployed, keeping every trace (ratio 1): each must arrive whole.
        OTELWARD_SAMPLING_RATIO="1",
        OTELWARD_MANAGEMENT_PORT=str(mgmt),
        **{k: v.format(work=work) for k, v in app.env.items()},
    )
    argv = app.argv(work, port)
    if launcher == "otelward-run":
        argv = [bin_path("otelward"), "run", "--", *argv]
    session = Session(port)
    session.cookies["connect.sid"] = PLANTED["cookie"]
    replies: list[Reply] = []
    ids: list[str] = []
    metrics = ""
    with serve(argv, env, port, cwd=app.cwd(work), instrument=launcher == "opentelemetry-instrument") as proc:
        for i, step in enumerate(app.steps):
            headers, body = dict(step.headers), step.body
            if step.build is not None:
                extra, body = step.build(replies, session)
                headers.update(extra)
            rid = f"{app.name}-{launcher}-{i}"
            headers["X-Request-ID"] = rid
            headers.setdefault("X-Api-Key", PLANTED["api-key"])
            ids.append(rid)
            replies.append(session.request(step.method, step.path, headers, body))
        if launcher != "bare":
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                metrics = _scrape(mgmt)
                if metrics and metric_counts(metrics) == expected:
                    break
                time.sleep(0.2)
        seconds = proc.stop()
    return Outcome(replies, ids, proc.stdout, proc.stderr, proc.proc.returncode, seconds, metrics)


def json_records(text: str) -> list[dict[str, Any]]:
    """Return the JSON object lines of ``text`` (other lines are skipped)."""
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                found.append(value)
    return found


_DIGITS = re.compile(r"\d+")


def stderr_is_new(otel_stderr: str, bare_stderr: str) -> list[str]:
    """Return the stderr lines of the instrumented run that say something the bare run did not.

    A JSON record counts as old when its message (numbers ignored: pids, ports, times) appears in a bare line;
    otelward renders the same message as JSON, it does not add one.
    """
    bare = _DIGITS.sub("#", bare_stderr)
    new = []
    for line in otel_stderr.splitlines():
        if not line.strip():
            continue
        text = line
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                text = str(json.loads(line).get("body", line))
        first = _DIGITS.sub("#", text.splitlines()[0] if text else text)
        # A redacted value is the same line, masked: it matches whatever the bare run printed there.
        pattern = ".*".join(re.escape(part) for part in first.split("[REDACTED]"))
        if not re.search(pattern, bare):
            new.append(line)
    return new
