"""Who may read /metrics and health details."""

from __future__ import annotations

import base64

import pytest

from otelward.management import _auth
from otelward.management._auth import Access, credentials_match, decide, is_loopback


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.8.0.3", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("::", False),
        ("my-pod", False),
    ],
    ids=["v4", "v4-range", "v6", "name", "any", "private", "v6-any", "hostname"],
)
def test_is_loopback(host, expected) -> None:
    assert is_loopback(host) is expected


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (None, False),
        ("", False),
        ("Bearer s3cr3t", True),
        ("bearer s3cr3t", True),
        ("Bearer s3cr3", False),
        ("Bearer s3cr3t-and-more", False),
        ("Token s3cr3t", False),
        (_basic("prometheus", "s3cr3t"), True),
        (_basic("", "s3cr3t"), True),
        (_basic("prometheus", "wrong"), False),
        ("Basic !!notbase64", False),
        ("Basic " + base64.b64encode(b"no-colon").decode(), False),
    ],
    ids=[
        "none",
        "empty",
        "bearer",
        "bearer-case",
        "prefix",
        "longer",
        "scheme",
        "basic",
        "basic-nouser",
        "basic-wrong",
        "basic-garbage",
        "basic-nocolon",
    ],
)
def test_credentials_match(header, ok) -> None:
    assert credentials_match(header, "s3cr3t") is ok


@pytest.mark.parametrize(
    ("host", "token", "header", "expected"),
    [
        ("127.0.0.1", None, None, Access.GRANTED),
        ("127.0.0.1", "t", None, Access.DENIED),
        ("127.0.0.1", "t", "Bearer t", Access.GRANTED),
        ("0.0.0.0", None, "Bearer anything", Access.NO_TOKEN),
        ("0.0.0.0", "t", "Bearer x", Access.DENIED),
        ("0.0.0.0", "t", "Bearer t", Access.GRANTED),
    ],
    ids=[
        "loopback-open",
        "loopback-token-required",
        "loopback-token",
        "public-no-token",
        "public-wrong",
        "public-right",
    ],
)
def test_decide(host, token, header, expected) -> None:
    assert decide(host, token, header) is expected


def test_token_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = _auth.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(_auth.hmac, "compare_digest", spy)
    assert not credentials_match("Bearer nope", "s3cr3t")
    assert credentials_match(_basic("u", "s3cr3t"), "s3cr3t")
    assert calls == [(b"nope", b"s3cr3t"), (b"s3cr3t", b"s3cr3t")]
