"""Published applications nobody here wrote, run unmodified bare and under both launchers (issue #16).

Per app and launcher: the same status codes and bodies as bare, no new stderr lines, a clean SIGTERM exit,
one SERVER span per request named after the route template (or the method alone when the app exposes
none), the JSON access line and the app's own lines carrying the right trace and request id, and /metrics
counting exactly the requests sent, per route.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.collector import Collector, run_collector
from tests.apps._apps import ADMIN_PASSWORD, APPS, SLOW_APPS, App, prepare
from tests.apps._client import normalized
from tests.apps._run import PLANTED, Outcome, json_records, metric_counts, run_app, stderr_is_new

pytestmark = pytest.mark.integration

INSTRUMENTED = ("opentelemetry-instrument", "otelward-run")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("apps")
    prepare(path)
    return path


@pytest.fixture(scope="module")
def module_collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    with run_collector(tmp_path_factory.mktemp("collector")) as c:
        yield c


_KNOWN = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}


def _expected(app: App) -> Counter[tuple[str, str, str]]:
    # Semconv: a method outside the known set (WebDAV's PROPFIND) is counted as _OTHER.
    return Counter(
        (s.method if s.method in _KNOWN else "_OTHER", s.route or "", str(s.status)) for s in app.steps
    )


_bare: dict[str, Outcome] = {}


def _bare_run(app: App, work: Path) -> Outcome:
    if app.name not in _bare:
        _bare[app.name] = run_app(app, "bare", work, None, Counter())
    return _bare[app.name]


def _server_spans(collector: Collector, ids: list[str]) -> dict[str, dict[str, Any]]:
    def by_id() -> dict[str, dict[str, Any]]:
        return {
            s["attributes"]["http.request.id"]: s
            for s in collector.received.spans
            if s["kind"] == "SPAN_KIND_SERVER" and s["attributes"].get("http.request.id") in ids
        }

    collector.wait_for(lambda r: len(by_id()) == len(ids))
    return by_id()


def _params(apps: tuple[App, ...], *marks: Any) -> list[Any]:
    return [
        pytest.param(
            a,
            id=a.name,
            marks=[*marks, *([pytest.mark.xfail(reason=a.known_failure)] if a.known_failure else [])],
        )
        for a in apps
    ]


@pytest.mark.parametrize("launcher", INSTRUMENTED)
@pytest.mark.parametrize("app", _params(APPS) + _params(SLOW_APPS, pytest.mark.slow))
def test_published_app_works_as_bare_and_is_observed(
    app: App, launcher: str, work: Path, module_collector: Collector
) -> None:
    bare = _bare_run(app, work)
    assert [r.status for r in bare.replies] == [s.status for s in app.steps], "the app itself misbehaves"
    module_collector.sink.clear()
    got = run_app(app, launcher, work, module_collector, _expected(app))

    # The app answers exactly as without otelward.
    assert [r.status for r in got.replies] == [r.status for r in bare.replies]
    for step, mine, theirs in zip(app.steps, got.replies, bare.replies, strict=True):
        if step.compare_body:
            assert normalized(mine.body) == normalized(theirs.body), f"{step.method} {step.path}"
    assert [r.headers.get("x-request-id") for r in got.replies] == got.request_ids

    # Nothing new on stderr; SIGTERM ends it the way it ends the bare app.
    assert stderr_is_new(got.stderr, bare.stderr) == []
    assert got.returncode == bare.returncode
    assert got.exit_seconds < 20

    # One SERVER span per request, named by the route template, or the method alone.
    spans = _server_spans(module_collector, got.request_ids)
    for step, rid in zip(app.steps, got.request_ids, strict=True):
        span = spans[rid]
        assert (span["name"], span["attributes"].get("http.route")) == (step.span, step.route), step.path
        assert span["attributes"]["http.response.status_code"] == step.status
        assert ":" not in span["attributes"]["server.address"]

    # Each request's trace is complete: every span's parent arrived too (the tail sampler keeps fragments whole).
    for rid in got.request_ids:
        trace = [s for s in module_collector.received.spans if s["trace_id"] == spans[rid]["trace_id"]]
        ids = {s["span_id"] for s in trace}
        orphans = [s["name"] for s in trace if s["parent_span_id"] and s["parent_span_id"] not in ids]
        assert orphans == [], (rid, orphans)

    # Access lines and the app's own lines are JSON and carry the request's trace and request id.
    records = json_records(got.stdout) + json_records(got.stderr)
    for rid in got.request_ids:
        mine = [r for r in records if r.get("attributes", {}).get("http.request.id") == rid]
        assert {r["trace_id"] for r in mine} <= {spans[rid]["trace_id"]}, rid
        if app.access_logger is not None:
            access = [r for r in mine if r["attributes"]["logger.name"] == app.access_logger]
            assert len(access) == 1, (rid, [r["body"] for r in records if app.access_logger in str(r)])
            assert access[0]["trace_id"] == spans[rid]["trace_id"]
    if app.app_logger is not None:
        lines = [r for r in records if r["attributes"].get("logger.name", "").startswith(app.app_logger)]
        assert lines, f"no {app.app_logger} line"
        assert all(r.get("attributes", {}).get("http.request.id") in got.request_ids for r in lines)

    # /metrics counts every request once, per method, route and status, whichever worker served it.
    assert metric_counts(got.metrics_text) == _expected(app)

    # No secret of the requests (cookie, API-key header, the admin login's form password) leaves the process.
    sent = module_collector.debug_text()
    for secret in (*PLANTED.values(), ADMIN_PASSWORD):
        assert secret not in sent, secret
        assert secret not in got.stdout + got.stderr, secret
