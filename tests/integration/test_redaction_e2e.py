"""Secrets planted on every carrier never reach a real collector; the non-secret parts do."""

from __future__ import annotations

import pytest

from examples.secrets_app import app as secrets
from harness.app import base_env, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration

QUERY_SECRET = "qs-8f3k2p9x7w1m"
HEADER_SECRET = "hdr-5t7y9u1i3o"


def _secrets() -> dict[str, str]:
    return {
        "jwt": secrets.JWT,
        "stripe": secrets.STRIPE_KEY,
        "github": secrets.GITHUB_TOKEN,
        "db_password": secrets.DB_PASSWORD,
        "card": secrets.CARD,
        "card_digits": secrets.CARD.replace(" ", ""),
        "email": secrets.EMAIL,
        "aws": secrets.AWS_KEY_ID,
        "ssn": secrets.SSN,
        "query": QUERY_SECRET,
        "header": HEADER_SECRET,
    }


def _leaks(text: str) -> list[str]:
    return [name for name, value in _secrets().items() if value in text]


def test_no_secret_reaches_the_collector(collector: Collector) -> None:
    port = free_port()
    env = base_env(
        collector,
        PORT=str(port),
        OTELWARD_SAMPLING="off",
        OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST="x-debug-token,authorization,x-request-id",
    )
    with serve(["python", "examples/secrets_app/app.py"], env, port) as app:
        headers = {
            "Authorization": f"Bearer {secrets.JWT}",
            "X-Debug-Token": HEADER_SECRET,
            "X-Request-ID": "req-77",
        }
        status, _, _ = app.get(f"/checkout?api_key={QUERY_SECRET}&plan=gold", headers=headers)
        assert status == 200
        status, _, _ = app.get("/fail")
        assert status == 500
        received = collector.wait_for(
            lambda r: (
                bool(r.spans_named("GET /checkout"))
                and bool(r.spans_named("GET /fail"))
                and any(rec["body"] == "checkout done" for rec in r.logs)
                and any(rec["body"] == "payment failed for order 1234" for rec in r.logs)
                and bool(r.metric("demo.logins"))
            )
        )
        debug = collector.debug_text()
    sink_text = repr(received.spans) + repr(received.logs) + repr(received.metrics)
    assert _leaks(debug) == []
    assert _leaks(sink_text) == []

    server = received.spans_named("GET /checkout")[0]
    attrs = server["attributes"]
    # non-secret parts survive, secret parts are replaced where they were
    assert attrs["order.id"] == "ord-1234"
    assert attrs["payment.card"] == "card [REDACTED] for order 1234"
    assert attrs["customer.note"] == "contact [REDACTED] ssn [REDACTED]"
    assert "plan=gold" in attrs["url.query"]
    # Header keys keep their dashes (semconv; upstream used underscores, #16 item 10).
    assert attrs["http.request.header.x-request-id"] == ["req-77"]
    assert attrs["http.request.header.x-debug-token"] == ["[REDACTED]"]
    assert attrs["http.request.header.authorization"] == ["[REDACTED]"]
    assert "payment.card:credit_card" in attrs["otelward.redacted"]
    assert not any(HEADER_SECRET in entry for entry in attrs["otelward.redacted"])

    trace = received.traces()[server["trace_id"]]
    statements = [s["attributes"].get("db.query.text", s["attributes"].get("db.statement")) for s in trace]
    assert "SELECT plan FROM users WHERE email = ? AND api_key = ?" in statements
    client = next(s for s in trace if "url.full" in s["attributes"])
    assert client["attributes"]["url.full"].startswith("http://REDACTED:REDACTED@127.0.0.1:")
    assert client["attributes"]["url.full"].endswith("/inventory?access_token=REDACTED&item=42")

    failed = received.spans_named("GET /fail")[0]
    exc = next(e for e in failed["events"] if e["name"] == "exception")
    assert exc["attributes"]["exception.message"] == "payment gateway rejected key [REDACTED] for [REDACTED]"
    assert "RuntimeError" in exc["attributes"]["exception.stacktrace"]

    charged = next(rec for rec in received.logs if str(rec["body"]).startswith("charged card"))
    assert charged["body"] == "charged card [REDACTED] for [REDACTED] with token [REDACTED]"
    done = next(rec for rec in received.logs if rec["body"] == "checkout done")
    assert done["attributes"]["db_password"] == "[REDACTED]"
    assert done["attributes"]["items"] == 3
    payment_log = next(rec for rec in received.logs if rec["body"] == "payment failed for order 1234")
    assert "[REDACTED]" in payment_log["attributes"]["exception.message"]

    points = received.metric("demo.logins")
    assert points[-1]["attributes"] == {"api_key": "[REDACTED]", "plan": "gold"}
