"""The example under `opentelemetry-instrument gunicorn -w 2` calling a second otelward service.

Request ids, trace ids and span ids must agree across stdout JSON lines, response headers, span attributes
and the downstream service's logs; hostile headers and messages must not crash, forge or flood anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest

from harness.app import AppProcess, base_env, serve
from harness.collector import Collector, free_port
from tests.integration.test_logs_setups import json_lines

pytestmark = pytest.mark.integration


@contextmanager
def two_services(collector: Collector) -> Iterator[tuple[AppProcess, AppProcess]]:
    shop_port, profile_port = free_port(), free_port()
    common = {"OTELWARD_SAMPLING": "off"}
    profile_env = base_env(collector, OTEL_SERVICE_NAME="profile", PORT=str(profile_port), **common)
    shop_env = base_env(
        collector,
        OTEL_SERVICE_NAME="shop",
        PORT=str(shop_port),
        DOWNSTREAM_URL=f"http://127.0.0.1:{profile_port}",
        **common,
    )
    app_ref = "examples.flask_app.app:app"
    with ExitStack() as stack:
        profile = stack.enter_context(
            serve(
                ["gunicorn", "-w", "1", "-b", f"127.0.0.1:{profile_port}", app_ref], profile_env, profile_port
            )
        )
        shop = stack.enter_context(
            serve(["gunicorn", "-w", "2", "-b", f"127.0.0.1:{shop_port}", app_ref], shop_env, shop_port)
        )
        yield shop, profile


def _one(records: list[dict[str, Any]], body: str, request_id: str) -> dict[str, Any]:
    found = [r for r in records if r["body"] == body and r["attributes"].get("http.request.id") == request_id]
    assert len(found) == 1, (body, request_id, [r for r in records if r["body"] == body])
    return found[0]


def test_request_ids_and_trace_ids_agree_across_two_services(collector: Collector) -> None:
    with two_services(collector) as (shop, profile):
        given = shop.get("/users/1", headers={"X-Request-ID": "given-id-123"}, timeout_s=60)
        generated = shop.get("/users/1", timeout_s=60)
        assert given[0] == generated[0] == 200
        received = collector.wait_for(
            lambda r: (
                len(r.spans_named("GET /users/<int:user_id>")) == 2
                and len(r.spans_named("GET /profile/<int:user_id>")) == 2
            )
        )
        shop.stop()
        profile.stop()
    assert given[1]["X-Request-ID"] == "given-id-123"
    new_id = generated[1]["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", new_id)
    shop_lines = json_lines(shop.stdout) + json_lines(shop.stderr)
    profile_lines = json_lines(profile.stdout) + json_lines(profile.stderr)
    for request_id in ("given-id-123", new_id):
        (server,) = [
            s
            for s in received.spans_named("GET /users/<int:user_id>")
            if s["attributes"].get("http.request.id") == request_id
        ]
        (downstream,) = [
            s
            for s in received.spans_named("GET /profile/<int:user_id>")
            if s["attributes"].get("http.request.id") == request_id
        ]
        assert downstream["trace_id"] == server["trace_id"]
        served = _one(shop_lines, "served user 1", request_id)
        assert (served["trace_id"], served["span_id"]) == (server["trace_id"], server["span_id"])
        assert served["resource"]["service.name"] == "shop"
        lookup = _one(profile_lines, "profile lookup for 1", request_id)
        assert (lookup["trace_id"], lookup["span_id"]) == (downstream["trace_id"], downstream["span_id"])
        assert lookup["resource"]["service.name"] == "profile"
        exported = [
            x for x in received.logs if x["body"] == "served user 1" and x["trace_id"] == server["trace_id"]
        ]
        assert len(exported) == 1
        assert exported[0]["attributes"]["http.request.id"] == request_id


HOSTILE_HEADERS = [
    {"X-Request-ID": "A" * 6000},
    {"X-Request-ID": "bad id\twith\x7fcontrols;<script>"},
    {"baggage": ",".join([f"k{i}={'v' * 4000}" for i in range(2)] + ["=;=;"] * 300)},
    {"baggage": "http.request.id=%0D%0AINFO%20forged," + "x" * 7000},
    {"traceparent": "00-" + "f" * 5000},
    {"traceparent": "zz-not-a-traceparent", "tracestate": "a=" + "b" * 7000},
]


def test_hostile_headers_and_messages_do_not_crash_forge_or_flood(collector: Collector) -> None:
    port = free_port()
    env = base_env(collector, OTEL_SERVICE_NAME="hostile", OTELWARD_SAMPLING="off")
    argv = ["gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "tests.logs.apps.wsgi_app:app"]
    messages = [
        "line1%0Aline2",
        "%1B%5B2J%1B%5B31mred",
        "%FF%FE%C3%28invalid",
        "%0D%0A%7B%22body%22%3A%22forged%22%7D",
    ]
    with serve(argv, env, port) as app:
        statuses = [app.get("/work", headers=headers, timeout_s=60)[0] for headers in HOSTILE_HEADERS]
        echoes = [app.get(f"/echo?{m}", timeout_s=60)[0] for m in messages]
        assert app.get("/work")[0] == 200  # still serving
        app.stop()
    # gunicorn itself refuses some oversized headers (400/431); otelward must never make it a 500
    assert all(s == 200 or 400 <= s < 500 for s in statuses), statuses
    assert echoes == [200] * len(messages)
    out = app.stdout + app.stderr
    records = json_lines(out)  # every line is one JSON object: nothing forged a line
    assert "AAAAAAAAAA" not in out
    assert "forged" not in "".join(r["body"] for r in records if r["attributes"]["logger.name"] != "app.wsgi")
    assert "\x1b" not in out
    echo_records = [r for r in records if r["body"].startswith("echo ")]
    assert len(echo_records) == len(messages)
    assert echo_records[0]["body"] == "echo line1\nline2"  # the newline is in the record, escaped in the line
    assert len(out) < 64 * 1024, len(out)
    # the propagators quote raw header values once per bad entry; otelward rate-limits them to one line
    propagation = [
        r
        for r in records
        if r["attributes"]["logger.name"].startswith(
            ("opentelemetry.baggage", "opentelemetry.trace.propagation")
        )
    ]
    assert len(propagation) <= 1, [r["body"] for r in propagation]
