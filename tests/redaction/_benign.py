"""A benign corpus: normal log lines, routes, ids, LLM token counts and prose that must stay unchanged."""

from __future__ import annotations

import hashlib
import random
import uuid

__all__ = ["BENIGN_ATTRIBUTES", "BENIGN_TEXT", "DOCUMENTED_CHANGES"]

_rng = random.Random(20261125)

_LOG_LINES = [
    "GET /users/{n} 200 {ms}ms",
    "POST /api/v1/orders 201 in {ms} ms",
    "user {n} logged in from 10.0.{n}.7",
    "cache miss for key user:{n}",
    "retrying request in {n}s (attempt 2/5)",
    "processed {n} items in {ms} ms",
    "worker {n} started (pid={n})",
    "connected to postgres at db.internal:5432/shop",
    'Served 127.0.0.1 - - [25/Nov/2026 12:00:01] "GET /health HTTP/1.1" 200 -',
    "payment {n} settled: amount=12.50 currency=EUR status=ok",
    "job={n} queue=default state=done duration={ms}ms",
    "slow query took {ms} ms: SELECT id FROM users WHERE id = ?",
    "input_tokens={n} output_tokens={n} max_tokens=4096 total_tokens={n}",
    "gen_ai.usage.input_tokens: {n}, gen_ai.usage.output_tokens: {n}",
    "model=gpt-4o temperature=0.2 max_tokens=512 stop=None",
    "session_count={n} active_sessions={n}",
    "author: Ada Lovelace; authors: 3",
    "auth_method=oauth provider=github result=success",
    "token budget exceeded: used {n} of 8000 tokens",
    "upstream responded 503, falling back to cache",
    "feature flag new-checkout enabled for 25% of users",
    "deploy 2026-11-25T12:00:00Z version 1.4.{n} commit {sha}",
    "trace_id={trace} span_id={span}",
    "request id {uuid} finished",
    "uploaded object s3://bucket/reports/{n}.csv ({n} bytes)",
    "timestamp {epoch} ns {epoch_ns}",
    "ULID 01HZX3J6Q8R8M3Y0C4N1K6T5V2 created",
    "sha256 {sha256}",
    "key=value pairs: page=2 per_page=50 sort=desc",
    "memory rss=512MiB heap=200MiB gc=3",
]
_PROSE = [
    "The quick brown fox jumps over the lazy dog.",
    "Please contact support if the problem persists after a restart.",
    "We keep every error trace and sample the rest at the tail.",
    "The bearer of this letter is a trusted friend.",
    "Basic usage is described in the getting started guide.",
    "Tokens are counted per request; long prompts cost more.",
    "A session begins when the user opens the app and ends after thirty minutes of inactivity.",
    "Passwords must be at least twelve characters long.",
    "The secret to a good sourdough is patience.",
    "Credit card payments are processed by our provider.",
]
_ROUTES = [
    "/users/<int:user_id>",
    "/api/v1/orders/{order_id}/items",
    "/static/app.3f9a1c2b4d5e6f70.js",
    "/assets/{hash}",
    "/health/ready",
    "/v2/sessions/{session_id}/events",
    "/oauth/callback",
    "/tokens/usage",
]

DOCUMENTED_CHANGES: dict[str, str] = {
    # scp-style git remotes look exactly like e-mail addresses
    "cloning git@github.com:acme/shop.git": "cloning [REDACTED]:acme/shop.git",
    # a 16-digit id that starts like a card number and happens to pass Luhn (1 in 10 such ids)
    "order 4000000000000002 shipped": "order [REDACTED] shipped",
}
"""Corpus entries whose redaction is a documented trade-off (docs/redaction.md, "False positives")."""


def _fill(template: str) -> str:
    return template.format(
        n=_rng.randint(1, 99999),
        ms=round(_rng.uniform(0.1, 900), 1),
        sha=hashlib.sha1(str(_rng.random()).encode()).hexdigest(),
        sha256=hashlib.sha256(str(_rng.random()).encode()).hexdigest(),
        trace=f"{_rng.getrandbits(128):032x}",
        span=f"{_rng.getrandbits(64):016x}",
        uuid=uuid.UUID(int=_rng.getrandbits(128)),
        epoch=_rng.randint(1_700_000_000_000, 1_800_000_000_000),
        epoch_ns=_rng.randint(1_700_000_000_000_000_000, 1_800_000_000_000_000_000),
    )


BENIGN_TEXT: list[str] = (
    [_fill(t) for t in _LOG_LINES for _ in range(10)]
    + list(DOCUMENTED_CHANGES)
    + _PROSE
    + _ROUTES
    + [str(uuid.UUID(int=_rng.getrandbits(128))) for _ in range(20)]
    + [f"{_rng.getrandbits(128):032x}" for _ in range(20)]
    + [str(_rng.randint(10**15, 10**19)) for _ in range(40)]
)
"""Free-text values (log messages, ids, prose)."""

BENIGN_ATTRIBUTES: list[dict[str, object]] = [
    {
        "http.request.method": "GET",
        "http.route": route,
        "url.path": route.replace("<int:user_id>", str(i)),
        "url.query": f"page={i}&per_page=50",
        "http.response.status_code": 200,
        "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
        "server.address": "shop.internal",
        "trace_id": f"{_rng.getrandbits(128):032x}",
        "session.id": str(uuid.UUID(int=_rng.getrandbits(128))),
        "session_count": i,
        "gen_ai.usage.input_tokens": 100 + i,
        "gen_ai.usage.output_tokens": 10 + i,
        "gen_ai.request.max_tokens": 4096,
        "author": "Grace Hopper",
        "authors": ("Ada", "Grace"),
        "db.query.text": "SELECT id, name FROM users WHERE id = ?",
        "messaging.kafka.message.key": f"order-{i}",
        "browserSessionId": f"b-{i}",
    }
    for i, route in enumerate(_ROUTES)
]
"""Typical span/log attribute sets."""
