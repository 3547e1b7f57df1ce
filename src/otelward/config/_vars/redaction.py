"""Declarations: redaction."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import Kind, declare
from otelward.config._vars._constants import CAPTURE_HEADER_DEFAULTS, SANITIZE_DEFAULT

__all__ = ["VARS"]

VARS: tuple[EnvVar, ...] = (
    declare(
        "OTELWARD_REDACTION",
        Kind.BOOL,
        "true",
        "false",
        "Redact secrets and personal data before export.",
        "redaction",
    ),
    declare(
        "OTELWARD_REDACTION_MODE",
        Kind.ENUM,
        "mask",
        "hash",
        "`mask` replaces with [REDACTED]; `hash` with a keyed hash so equal values can be correlated.",
        "redaction",
        choices=("mask", "hash"),
    ),
    declare(
        "OTELWARD_REDACTION_HASH_KEY",
        Kind.SECRET,
        None,
        "a-long-random-string",
        "Key for hash mode.",
        "redaction",
    ),
    declare(
        "OTELWARD_REDACTION_HASH_KEY_FILE",
        Kind.PATH,
        None,
        "/var/run/secrets/otelward/hash-key",
        "File holding the key for hash mode (wins over OTELWARD_REDACTION_HASH_KEY).",
        "redaction",
    ),
    declare(
        "OTELWARD_REDACTION_SHOW_RULE",
        Kind.BOOL,
        "false",
        "true",
        "Replace with [REDACTED:<rule>] instead of [REDACTED]; never shows the matched text.",
        "redaction",
    ),
    declare(
        "OTELWARD_REDACTION_EXTRA_KEYS",
        Kind.LIST,
        None,
        "customer_ref,internal_id",
        "More attribute-key patterns (regular expressions, case-insensitive) whose values are redacted.",
        "redaction",
    ),
    declare(
        "OTELWARD_REDACTION_EXTRA_PATTERNS",
        Kind.LIST,
        None,
        r"ACME-[0-9]{8}",
        "More value patterns (regular expressions) redacted wherever they appear.",
        "redaction",
    ),
    declare(
        "OTELWARD_REDACTION_SAFE_KEYS",
        Kind.LIST,
        None,
        "session_count,auth_method",
        "Attribute keys never redacted by key rules (value detectors still apply).",
        "redaction",
    ),
    declare(
        "OTELWARD_REDACTION_DISABLE",
        Kind.LIST,
        None,
        "email",
        "Detector classes to switch off.",
        "redaction",
        choices=(
            "keys",
            "jwt",
            "bearer",
            "pem",
            "aws",
            "vendor_tokens",
            "password_pairs",
            "url_credentials",
            "url_query",
            "credit_card",
            "ssn",
            "iban",
            "email",
            "phone",
            "sql",
            "headers",
        ),
    ),
    declare(
        "OTELWARD_REDACTION_ENABLE",
        Kind.LIST,
        None,
        "phone",
        "Opt-in detector classes to switch on (phone numbers: off by default, their precision on "
        "telemetry misses the 1% false-redaction target).",
        "redaction",
        choices=("phone",),
    ),
    declare(
        "OTELWARD_REDACTION_MAX_SCAN_CHARS",
        Kind.INT,
        "16384",
        "65536",
        "Longest string scanned; the unscanned rest of a longer value is replaced.",
        "redaction",
        minimum=256,
    ),
    declare(
        "OTELWARD_CAPTURE_HEADERS",
        Kind.BOOL,
        "true",
        "false",
        "Capture common request/response headers on server spans (sensitive ones are redacted).",
        "redaction",
    ),
    *(
        declare(
            f"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_{which}",
            Kind.LIST,
            default,
            "content-type,x-request-id",
            f"Headers captured as span attributes ({which.lower().replace('_', ' ')}); otelward's default "
            "applies only while OTELWARD_CAPTURE_HEADERS=true. Empty string: capture none.",
            "redaction",
            passthrough=True,
        )
        for which, default in CAPTURE_HEADER_DEFAULTS
    ),
    declare(
        "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS",
        Kind.LIST,
        SANITIZE_DEFAULT,
        "authorization,cookie,.*session.*",
        "Captured headers the instrumentations replace with [REDACTED] at capture time (regexes, "
        "case-insensitive); otelward's redaction still applies to every captured header afterwards.",
        "redaction",
        passthrough=True,
    ),
)
