"""The fast path is exact: a string ``quiet`` lets through is one the full scan would have left unchanged."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otelward.redaction import RedactionEngine
from otelward.redaction._detectors import DETECTORS, scan
from otelward.redaction._gates import digit_shape, quiet
from tests.redaction._corpus import benign_items, secret_items
from tests.redaction._secrets import planted

ALL = frozenset(DETECTORS)

# Fragments each detector family keys on, so random text crosses every gate (and many at once).
_FRAGMENTS = [
    *"abcXYZ019 .-_/:=@%+\\\"',<>~\n\t",
    "ey", "ew", "AKIA", "A3T", "Bearer ", "token ", "basic ", "Basic ", "TOKEN\t", "--", "-----BEGIN ",
    "123", "4111", "1111 ", "-", "password", "pass", "key", "sk_live_", "ghp_", "xoxb-", "AIza", "SK",
    "ya29.", "GR1348941", "hooks.", "/bot", "SG.", "://", "user@", "example.com", "?a=", "&", "%3D", "+", "\\n",
    "DE89", "3704", "0044", "555-12-3456", "+1 202 555 0142", "{", "[", "}", "]", '":"', "</x>",
]  # fmt: skip
_TEXT = st.lists(st.sampled_from(_FRAGMENTS), max_size=24).map("".join)
_EXACT = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_RULES = RedactionEngine()._keys


def _scan_all(text: str, any_key: bool) -> list[tuple[int, int, str, str]]:
    if any_key:  # user key patterns: any key may be sensitive
        return scan(text, ALL, lambda k: True, lambda k: True, (), any_key=True)
    return scan(text, ALL, _RULES.is_sensitive, _RULES.url_param)


@_EXACT
@given(text=_TEXT, any_key=st.booleans())
def test_quiet_text_has_no_hit_for_any_detector(text: str, any_key: bool) -> None:
    if quiet(text, phone=True, any_key=any_key):
        assert _scan_all(text, any_key) == []


@_EXACT
@given(case=planted())
def test_no_planted_secret_is_quiet(case: tuple[str, str]) -> None:
    text, _ = case
    assert not quiet(text, phone=True)
    assert not quiet(quote(text), phone=True)


def test_no_corpus_secret_is_quiet() -> None:
    loud = [x["text"] for x in secret_items() if quiet(x["text"], phone=True)]
    assert loud == []


@pytest.mark.parametrize(
    ("engine_args"),
    [{}, {"disabled": frozenset()}, {"safe_keys": frozenset({"note"})}],
    ids=["defaults", "phone-on", "safe-keys"],
)
def test_the_fast_path_changes_no_result_on_the_corpora(engine_args: dict[str, frozenset[str]]) -> None:
    fast = RedactionEngine(**engine_args)
    slow = RedactionEngine(**engine_args)
    slow._gated = False  # the reference: every value through the full scan
    texts = [x["text"] for x in secret_items()] + [x["text"] for x in benign_items()]
    for key in ("", "note", "url.full", "url.query", "http.request.header.x_trace"):
        differ = [t for t in texts if fast.redact_value(key, t) != slow.redact_value(key, t)]
        assert differ == [], key
    assert [t for t in texts if fast.redact_text(t) != slow.redact_text(t)] == []


@_EXACT
@given(text=_TEXT, key=st.sampled_from(["", "note", "url.full", "url.query", "db.statement"]))
def test_the_fast_path_changes_no_result_on_random_text(text: str, key: str) -> None:
    fast, slow = RedactionEngine(), RedactionEngine()
    slow._gated = False
    assert fast.redact_value(key, text) == slow.redact_value(key, text)
    assert fast.redact_attributes({key or "body": text}, "logs") == slow.redact_attributes(
        {key or "body": text}, "logs"
    )


def _redigit(text: str, digits: list[int]) -> str:
    """Return ``text`` with its ASCII digits replaced, in turn, by ``digits`` (cycled)."""
    out, i = [], 0
    for ch in text:
        if "0" <= ch <= "9":
            out.append(str(digits[i % len(digits)]))
            i += 1
        else:
            out.append(ch)
    return "".join(out)


_DIGIT_LISTS = st.lists(st.integers(0, 9), min_size=1, max_size=8)


@_EXACT
@given(text=_TEXT, digits=_DIGIT_LISTS, phone=st.booleans(), any_key=st.booleans())
def test_a_verdict_holds_for_every_text_of_its_shape(
    text: str, digits: list[int], phone: bool, any_key: bool
) -> None:
    # What lets the engine answer "order 73 charged 9.99" from "order 18 charged 12.50": every gate reads
    # digits by class. The fragments include the token prefixes that hold digits (A3T, ya29., 4111, ...).
    other = _redigit(text, digits)
    assert digit_shape(other) == digit_shape(text)
    assert quiet(other, phone, any_key) is quiet(text, phone, any_key)


@_EXACT
@given(text=_TEXT, digits=_DIGIT_LISTS, key=st.sampled_from(["", "note", "url.full", "url.query"]))
def test_an_engine_that_saw_a_shape_answers_as_a_fresh_one(text: str, digits: list[int], key: str) -> None:
    other = _redigit(text, digits)
    seasoned = RedactionEngine()
    seasoned.redact_value(key, text)
    assert seasoned.redact_value(key, other) == RedactionEngine().redact_value(key, other)
    assert seasoned.quiet(other) is RedactionEngine().quiet(other)


@pytest.mark.parametrize(
    ("first", "secret"),
    [
        ("runner GR2348941xK9vQ2mZ7pL4wR8tY3nB", "runner GR1348941xK9vQ2mZ7pL4wR8tY3nB"),
        ("id A4TXK9VQ2MZ7PL4WR8TY", "id A3TXK9VQ2MZ7PL4WR8TY"),
        ("auth ya39.a0AfH6SMCxK9vQ2mZ7pL4wR8tY3nB", "auth ya29.a0AfH6SMCxK9vQ2mZ7pL4wR8tY3nB"),
        ("card 5111 1111 1111 1111", "card 4111 1111 1111 1111"),
    ],
    ids=["gitlab-runner", "aws-a3t", "google-ya29", "card-luhn"],
)
def test_a_token_whose_prefix_holds_digits_is_caught_after_a_lookalike(first: str, secret: str) -> None:
    # The lookalike differs only in a digit of the token's prefix (or its checksum): same shape.
    engine = RedactionEngine()
    assert engine.redact_text(first) == first
    assert engine.redact_text(secret) != secret


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("order 123456 charged 12.50 EUR for user 345", True),
        ("served user 17", True),
        ("/users/12345", True),
        ("page=3&ref=home", True),  # a pair, but no key could be sensitive
        ("ref=home1234567", True),  # a run, but no token family's literal
        ("page=3&token=x", False),
        ("user ada@example.com", False),
        ("q=a%3Db", False),
        ("a super-califragilistic word", False),  # a 13+ run with a separator: a token shape
        ("card 4111 1111", False),
        ("Authorization: Bearer x", False),
        ("-----BEGIN RSA PRIVATE KEY-----", False),
    ],
    ids=lambda v: str(v)[:24],
)
def test_quiet_examples(text: str, expected: bool) -> None:
    assert quiet(text) is expected
