"""Engine options a user sets through OTELWARD_REDACTION_*: modes, switches, extra rules, safety limits."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from otelward.config import Settings
from otelward.redaction import RedactionEngine, build_redactor
from otelward.redaction._build import compile_patterns, engine_from

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"


def engine(**env: str) -> RedactionEngine:
    built = build_redactor(Settings.from_env(env))
    assert built is not None
    return built


def test_default_mask_never_shows_the_rule_or_the_value() -> None:
    assert engine().redact_value("note", f"token {JWT}") == "token [REDACTED]"


def test_show_rule_names_the_rule() -> None:
    assert engine(OTELWARD_REDACTION_SHOW_RULE="true").redact_text(JWT) == "[REDACTED:jwt]"


def test_hash_mode_correlates_equal_values_without_revealing_them() -> None:
    e = engine(OTELWARD_REDACTION_MODE="hash", OTELWARD_REDACTION_HASH_KEY="k1")
    a, b = e.redact_value("password", "hunter2"), e.redact_value("password", "hunter2")
    c = e.redact_value("password", "hunter3")
    assert a == b != c
    assert re.fullmatch(r"\[REDACTED#[0-9a-f]{16}\]", a)
    other_key = engine(OTELWARD_REDACTION_MODE="hash", OTELWARD_REDACTION_HASH_KEY="k2")
    assert other_key.redact_value("password", "hunter2") != a
    assert e.redact_value("password", a) == a


def test_redaction_off_builds_nothing() -> None:
    assert build_redactor(Settings.from_env({"OTELWARD_REDACTION": "false"})) is None


@pytest.mark.parametrize(
    ("switch", "text"),
    [
        ("email", "mail ada@example.com"),
        ("jwt", JWT),
        ("credit_card", "4111 1111 1111 1111"),
        ("ssn", "219-09-9999"),
        ("url_credentials", "redis://u:pw12345@h:6379"),
        ("password_pairs", "password=hunter2"),
    ],
    ids=lambda v: str(v)[:20],
)
def test_each_detector_can_be_switched_off(switch: str, text: str) -> None:
    assert engine().redact_text(text) != text
    assert engine(OTELWARD_REDACTION_DISABLE=switch).redact_text(text) == text


def test_keys_switch_and_safe_keys() -> None:
    assert engine(OTELWARD_REDACTION_DISABLE="keys").redact_value("password", "hunter2") == "hunter2"
    safe = engine(OTELWARD_REDACTION_SAFE_KEYS="auth_mode,Session_Kind")
    assert safe.redact_value("auth_mode", "oauth") == "oauth"
    assert safe.redact_value("session_kind", "web") == "web"
    # value detectors still apply under a safe key
    assert safe.redact_value("auth_mode", JWT) == "[REDACTED]"


def test_sql_switch_keeps_statements() -> None:
    stmt = "SELECT * FROM t WHERE id = 5"
    assert engine().redact_value("db.statement", stmt) == "SELECT * FROM t WHERE id = ?"
    assert engine(OTELWARD_REDACTION_DISABLE="sql").redact_value("db.statement", stmt) == stmt


def test_extra_keys_and_patterns() -> None:
    e = engine(
        OTELWARD_REDACTION_EXTRA_KEYS="customer_ref", OTELWARD_REDACTION_EXTRA_PATTERNS=r"ACME-[0-9]{8}"
    )
    assert e.redact_value("billing.customer_ref", "C-1") == "[REDACTED]"
    assert e.redact_text("order ACME-12345678 shipped") == "order [REDACTED] shipped"


def test_redos_prone_and_invalid_patterns_are_reported_and_skipped() -> None:
    good, problems = compile_patterns(
        "OTELWARD_REDACTION_EXTRA_PATTERNS", (r"(a+)+$", r"(\w*)*x", "ok-[0-9]+")
    )
    assert [p.pattern for p in good] == ["ok-[0-9]+"]
    assert len(problems) == 2
    assert all("OTELWARD_REDACTION_EXTRA_PATTERNS" in p and "nested quantifier" in p for p in problems)

    _, problems = engine_from(replace(Settings().redaction, extra_keys=("[unclosed",)))
    assert problems
    assert "[unclosed" in problems[0]
    assert "OTELWARD_REDACTION_EXTRA_KEYS" in problems[0]


def test_scan_cap_replaces_the_unscanned_rest_between_tokens() -> None:
    e = engine(OTELWARD_REDACTION_MAX_SCAN_CHARS="256")
    head = "word " * 40  # 200 chars, clean
    text = head + "x" * 50 + " tail-that-was-never-scanned " + "y" * 500
    out = e.redact_value("note", text)
    assert out.startswith(head)
    assert out.endswith("[REDACTED]")
    assert "never-scanned" not in out
    assert len(out) < 300


def test_huge_adversarial_input_is_fast_enough_to_finish() -> None:
    # Inputs that make naive patterns backtrack: long runs of e-mail/base64/digit characters.
    e = engine()
    for text in ("a" * 16000 + "@", "1 " * 8000, "eyJ" + "A" * 16000, "password=" + "x" * 16000):
        assert isinstance(e.redact_text(text), str)


def test_never_raises_and_fails_closed() -> None:
    class Exploding(dict[str, Any]):
        def items(self) -> Any:
            raise RuntimeError("broken mapping")

    e = engine()
    assert e.redact_value("payload", Exploding(a=1)) == "[REDACTED]"
    assert e.redact_text(Exploding(a=1)) == "[REDACTED]"  # type: ignore[arg-type]


def test_numbers_and_flags_under_sensitive_keys() -> None:
    e = engine()
    assert e.redact_value("pin_password", 1234) == "[REDACTED]"
    assert e.redact_value("session_count", 3) == 3
    assert e.redact_value("gen_ai.usage.input_tokens", 512) == 512
    assert e.redact_value("cookie_enabled", True) is True
    assert e.redact_value("card", 4111111111111111) == "[REDACTED]"
    assert e.redact_value("ts", 1732550000123) == 1732550000123


def test_attributes_same_object_when_clean_and_counted_when_not() -> None:
    counts: list[tuple[str, str, int]] = []
    e = RedactionEngine(on_redaction=lambda rule, signal, n: counts.append((rule, signal, n)))
    clean = {"http.route": "/users/<id>", "http.response.status_code": 200}
    assert e.redact_attributes(clean, "traces") is clean
    dirty = {"password": "x", "note": "mail a@b.example and c@d.example"}
    out = e.redact_attributes(dirty, "logs")
    assert out == {"password": "[REDACTED]", "note": "mail [REDACTED] and [REDACTED]"}
    assert sorted(counts) == [("email", "logs", 2), ("key", "logs", 1)]


def test_url_keys_follow_semconv() -> None:
    e = engine()
    url = "https://bob:pw@s3.example/o?X-Amz-Signature=abc&X-Amz-Credential=AK%2F&AWSAccessKeyId=A&part=1"
    assert e.redact_value("url.full", url) == (
        "https://REDACTED:REDACTED@s3.example/o?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED"
        "&AWSAccessKeyId=REDACTED&part=1"
    )
    assert e.redact_value("url.query", "sig=abc&page=2") == "sig=REDACTED&page=2"
    assert e.redact_value("http.target", "/cb?access_token=zz&x=1") == "/cb?access_token=REDACTED&x=1"


def test_phone_is_opt_in() -> None:
    from otelward.config import _read
    from otelward.redaction._detectors import OPT_IN

    text = "call me on +44 20 7946 0958 after 5"
    assert engine().redact_text(text) == text
    assert engine(OTELWARD_REDACTION_ENABLE="phone").redact_text(text) == "call me on [REDACTED] after 5"
    assert (
        engine(OTELWARD_REDACTION_ENABLE="phone", OTELWARD_REDACTION_DISABLE="phone").redact_text(text)
        == text
    )
    assert _read._OPT_IN_DETECTORS == OPT_IN  # config does not import the engine: the two must agree


def test_an_unknown_opt_in_is_reported_by_name() -> None:
    settings = Settings.from_env({"OTELWARD_REDACTION_ENABLE": "fax"})
    assert any("OTELWARD_REDACTION_ENABLE" in p and "phone" in p for p in settings.problems)
