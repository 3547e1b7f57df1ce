"""Value detectors fire on their secret shape wherever it appears, and not on look-alikes."""

from __future__ import annotations

import pytest

from otelward.redaction import RedactionEngine
from otelward.redaction._detectors import luhn_ok
from otelward.redaction._replace import Replacer

ENGINE = RedactionEngine()
SHOW = RedactionEngine(replacer=Replacer(show_rule=True))

FOUND = [
    ("jwt", "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl ok", "tok [REDACTED:jwt] ok"),
    ("bearer", "Authorization: Bearer abc123.def-456", "Authorization: [REDACTED:password_pairs]"),
    ("bearer-free", "sent bearer 9f8e7d6c5b4a to upstream", "sent bearer [REDACTED:bearer] to upstream"),
    ("basic", "Basic dXNlcjpwYXNzd29yZA== was sent", "Basic [REDACTED:bearer] was sent"),
    ("pem", "k=-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end", "k=[REDACTED:pem] end"),
    ("pem-truncated", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r", "[REDACTED:pem]"),
    ("aws-id", "key AKIAIOSFODNN7EXAMPL3 used", "key [REDACTED:aws] used"),
    ("aws-secret", "s wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY x", "s [REDACTED:aws] x"),
    ("github", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 push", "[REDACTED:vendor_tokens] push"),
    ("github-pat", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "[REDACTED:vendor_tokens]"),
    ("gitlab", "glpat-xxxxxxxxxxxxxxxxxxxx", "[REDACTED:vendor_tokens]"),
    ("slack", "xoxb-1234567890-abcdefghij", "[REDACTED:vendor_tokens]"),
    ("slack-webhook", "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", "https://hooks.slack.com/services/[REDACTED:vendor_tokens]"),
    ("stripe", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "[REDACTED:vendor_tokens]"),
    ("google", "AIzaSyA-1234567890abcdefghijklmnopqrstu", "[REDACTED:vendor_tokens]"),
    ("openai", "sk-proj-abcdefghijklmnopqrstuvwxyz012345", "[REDACTED:vendor_tokens]"),
    ("pair", "login password=hunter2; ok", "login password=[REDACTED:password_pairs]; ok"),
    ("pair-json", '{"client_secret": "s3cr3t"}', '{"client_secret": "[REDACTED:key]"}'),
    ("pair-json-in-text", 'body {"client_secret": "s3cr3t"', 'body {"client_secret": "[REDACTED:password_pairs]"'),
    ("pair-conn", "Server=db;User Id=app;Password=p@ss;", "Server=db;User Id=app;Password=[REDACTED:password_pairs];"),
    ("userinfo", "postgresql://app:pw0rd@db:5432/shop", "postgresql://REDACTED:REDACTED@db:5432/shop"),
    ("query", "GET /cb?code=abc123&state=xyz", "GET /cb?code=REDACTED&state=xyz"),
    ("card-spaces", "card 4111 1111 1111 1111 ok", "card [REDACTED:credit_card] ok"),
    ("card-plain", "card 5500000000000004", "card [REDACTED:credit_card]"),
    ("card-amex", "amex 3782-822463-10005", "amex [REDACTED:credit_card]"),
    ("ssn", "ssn 219-09-9999.", "ssn [REDACTED:ssn]."),
    ("email", "mail ada.l+x@example.co.uk now", "mail [REDACTED:email] now"),
    ("email-encoded", "to=ada%40example.com", "to=[REDACTED:email]"),
]  # fmt: skip

KEPT = [
    ("uuid", "req 550e8400-e29b-41d4-a716-446655440000 done"),
    ("trace-id", "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7"),
    ("sha1", "commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
    ("sha256", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("epoch-ms", "at 1732550000123 and 1732550000123456789"),
    ("luhn-bad", "card 4111 1111 1111 1112"),
    ("no-prefix", "order 9111111111111111"),
    ("date", "on 2026-11-25 at 12:00:01"),
    ("ssn-invalid", "id 000-12-3456 and 666-12-3456"),
    ("prose-bearer", "the bearer instrument and basic authentication"),
    ("decorator", "@app.get and user@localhost"),
    ("tokens", "input_tokens=512 output_tokens=128 max_tokens=4096"),
    ("key-prose", "session: started; token: expired"),
    ("phone", "call +1 415 555 0100"),
    ("ip", "client 10.0.0.12:51234 -> 192.168.1.1"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in FOUND], ids=[c[0] for c in FOUND])
def test_detectors_replace_the_secret_only(text: str, expected: str) -> None:
    assert SHOW.redact_text(text) == expected


@pytest.mark.parametrize("text", [c[1] for c in KEPT], ids=[c[0] for c in KEPT])
def test_look_alikes_are_kept(text: str) -> None:
    assert ENGINE.redact_text(text) == text


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True)],
    ids=str,
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok
