"""Value detectors: find secrets and personal data inside any string, whatever key it sits under.

Every pattern is compiled once at import, anchored on a boundary lookbehind and uses bounded quantifiers,
so a scan is linear in the text length (no catastrophic backtracking). Cheap substring triggers skip the
patterns that cannot match, which keeps the common case (short, benign values) fast.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence

from otelward.redaction import _shapes
from otelward.redaction._decode import decoded_views, map_hit
from otelward.redaction._gates import (
    AWS_TRIGGER,
    D3,
    DIGITS,
    KEY_HINT,
    PHONE_GATE,
    RUN,
    RUN40,
    has_bearer_word,
    vendor_marker,
)
from otelward.redaction._keys import URL_PARAMS
from otelward.redaction._pairs import PAIR_TRIGGER, pairs, placeholder
from otelward.redaction._personal import personal

__all__ = ["DETECTORS", "OPT_IN", "Hit", "marker_like", "scan"]

Hit = tuple[int, int, str, str]
"""(start, end, rule, style): style ``mask`` -> ``[REDACTED]``, ``url`` -> ``REDACTED``,
``userinfo`` -> ``REDACTED:REDACTED``."""

DETECTORS = (
    "jwt",
    "bearer",
    "pem",
    "aws",
    "vendor_tokens",
    "url_credentials",
    "url_query",
    "password_pairs",
    "credit_card",
    "ssn",
    "iban",
    "email",
    "phone",
)
"""Detector classes, in the order their hits win when they overlap."""

OPT_IN = frozenset({"phone"})
"""Detector classes off unless enabled (``OTELWARD_REDACTION_ENABLE``): their precision misses the target."""

# The credential must end at a boundary: "token_type=bearer expires_in=3600" is not "bearer <token>".
# A scheme word that ends a path segment is not a scheme, and a protocol version is not a credential:
# the access line "POST /oauth/token HTTP/1.1" must stay parseable.
_BEARER = re.compile(
    r"(?i)(?<![\w/.])(?:bearer|token|basic)\s{1,5}(?!HTTP/\d)([A-Za-z0-9._~+/-]{8,4096}=*)(?![\w=~+/.-])"
)
_PEM = re.compile(
    r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,65536}?(?:-----END[A-Z ]{0,40}-----|\Z)"
)
_AWS_ID = re.compile(r"(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])")
_AWS_SECRET = re.compile(r"(?<![\w/+=-])[A-Za-z0-9/+]{40}(?![\w/+=-])")
_BEARER_TRIGGER = re.compile(r"(?i:earer|asic|oken)\s")
_USERINFO = re.compile(r"(?i)\b[a-z][a-z0-9+.-]{1,20}://([^\s:/?#@\[\]\"'<>]{0,256}:[^\s/?#\"'<>]{1,256})@")
_QUERY = re.compile(r"[?&;]([A-Za-z0-9_.\-\[\]%]{1,64})=([^&#\s\"'<>]{1,4096})")
# Public key material and certificates are not secrets: their base64 must not look like AWS keys.
_PUBLIC_BLOCK = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*(?:PUBLIC KEY(?: BLOCK)?|CERTIFICATE(?: REQUEST)?)-----[\s\S]{0,65536}?"
    r"(?:-----END[A-Z0-9 ]{0,60}-----|\Z)"
)
_WORDS = re.compile(rb"[A-Za-z]{3,}")
_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|[ntrbf\"'/\\])")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=]{12}")
_MARKER = re.compile(r"\[REDACTED[^\]\s]{0,48}\]|REDACTED(?:-[0-9a-f]{16})?|REDACTED:REDACTED|\?")


def _blank(m: re.Match[str]) -> str:
    return " " * (m.end() - m.start())


def _semconv_param(name: str) -> bool:
    """The OTel semconv list is redacted whatever the value (``AWSAccessKeyId=A`` included)."""
    low = name.lower()
    return low in URL_PARAMS or low.startswith("x-amz-")


def marker_like(text: str) -> bool:
    """Return True when ``text`` is already a redaction marker (keeps redaction idempotent)."""
    return _MARKER.fullmatch(text) is not None


def _aws_secret_ok(raw: str) -> bool:
    if _HEX.fullmatch(raw) or _shapes.placeholder_token("k-" + raw):
        return False  # a SHA-1 in mixed case, a placeholder
    if not (
        any(c.isupper() for c in raw) and any(c.islower() for c in raw) and any(c.isdigit() for c in raw)
    ):
        return False
    # Base64 of ordinary text (an encoded log line, a header) decodes to printable words: not a key.
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return True
    printable = sum(32 <= b < 127 for b in decoded)
    return printable < len(decoded) * 0.9 or len(_WORDS.findall(decoded)) < 3


def _basic_ok(raw: str) -> bool:
    try:
        return b":" in base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False


def _bearer(text: str, out: list[Hit]) -> None:
    for m in _BEARER.finditer(text):
        token = m.group(1)
        scheme = m.group(0)[:5].lower()
        if scheme == "basic":
            if not _basic_ok(token):
                continue
        elif not any(not c.isalpha() and c != "_" for c in token):
            continue  # prose ("bearer instrument"), identifiers: real tokens carry digits or punctuation
        out.append((m.start(1), m.end(1), "bearer", "mask"))


def _scan_view(
    text: str,
    enabled: frozenset[str],
    sensitive: Callable[[str], bool],
    url_param: Callable[[str], bool],
    extra: Sequence[re.Pattern[str]],
    any_key: bool,
) -> list[Hit]:
    # Cheap gates first (C-speed substring tests, a few tiny regexes that fail fast): most values
    # (paths, ids, log messages, user agents) fail them all. Each is a necessary condition of the
    # detectors behind it, so a gate never hides a secret.
    has_sep = "=" in text or ":" in text
    has_at = "@" in text
    n = len(text)
    # Every token-shaped secret is a run of 13+ non-space characters (Slack's legacy xoxa-12345678 is
    # the shortest). The run test costs a regex search, so it runs only when a token family's literal
    # marker is present (jwt: "ey"/"ew", AWS: "A…", vendors: ``vendor_marker``).
    jwt_marker = aws_marker = vendor = has_run = False
    if n >= 13:
        jwt_marker = "ey" in text or "ew" in text
        aws_marker = "A" in text and AWS_TRIGGER.search(text) is not None
        vendor = vendor_marker(text)
        has_run = (jwt_marker or aws_marker or vendor) and RUN.search(text) is not None
    # Cards, SSNs and IBANs need a run of 8+ digits, spaces and dashes starting with a digit (so 3
    # digits in a row).
    has_digits = n >= 9 and D3.search(text) is not None and DIGITS.search(text) is not None
    has_bearer = has_bearer_word(text)
    has_pairish = has_sep or '",' in text or "'," in text or "</" in text or "--" in text
    aws_secret = n >= 40 and "aws" in enabled and RUN40.search(text) is not None
    if not (
        extra
        or has_pairish
        or has_at
        or has_run
        or has_digits
        or has_bearer
        or aws_secret
        or "-----BEGIN" in text
    ) and ("phone" not in enabled or PHONE_GATE.search(text) is None):
        return []
    out: list[Hit] = []
    if has_run and "jwt" in enabled and jwt_marker:
        for m in _shapes.JWT.finditer(text):
            if _shapes.jwt_ok(m.group(1), m.group(2), m.group(3)):
                out.append((m.start(), m.end(), "jwt", "mask"))
    if "-----BEGIN" in text and "pem" in enabled:
        # key material, even truncated: a base64 run of 12+ (not "anything", not an empty block)
        out.extend(
            (m.start(), m.end(), "pem", "mask")
            for m in _PEM.finditer(text)
            if _KEY_MATERIAL.search(m.group(), 20)
        )
    if "aws" in enabled:
        if has_run and aws_marker:
            for m in _AWS_ID.finditer(text):
                if not _shapes.placeholder_token(m.group()[4:], wordy=False):  # AKIAXXXX…, AWS's …EXAMPLE
                    out.append((m.start(), m.end(), "aws", "mask"))
        if aws_secret:
            for m in _AWS_SECRET.finditer(text):
                if _aws_secret_ok(m.group()):
                    out.append((m.start(), m.end(), "aws", "mask"))
    if has_run and vendor and "vendor_tokens" in enabled and _shapes.VENDOR_TRIGGER.search(text):
        for m in _shapes.VENDOR.finditer(text):
            g = m.lastindex or 0
            if not _shapes.vendor_ok(m.group(g)):
                continue
            out.append((m.start(g), m.end(g), "vendor_tokens", "mask"))
    if "://" in text and "@" in text and "url_credentials" in enabled:
        out.extend((m.start(1), m.end(1), "url_credentials", "userinfo") for m in _USERINFO.finditer(text))
    if has_pairish and not any_key and KEY_HINT.search(text.lower()) is None:
        has_pairish = has_sep = False
    if has_sep and "=" in text and "url_query" in enabled and ("?" in text or "&" in text):
        for m in _QUERY.finditer(text):
            name = m.group(1)
            if url_param(name) and (
                _semconv_param(name) or not placeholder(m.group(2), min_len=1, shapes=False)
            ):
                out.append((m.start(2), m.end(2), "url_query", "url"))
    if has_bearer and "bearer" in enabled and _BEARER_TRIGGER.search(text):
        _bearer(text, out)
    if has_pairish and "password_pairs" in enabled and PAIR_TRIGGER.search(text):
        pairs(text, sensitive, out)
    if has_digits or has_at or "phone" in enabled:
        personal(text, enabled, has_digits, has_at, out)
    for pattern in extra:
        out.extend(
            (m.start(), m.end(), "extra", "mask") for m in pattern.finditer(text) if m.end() > m.start()
        )
    if out and "-----BEGIN" in text:
        public = [(m.start(), m.end()) for m in _PUBLIC_BLOCK.finditer(text)]
        out = [h for h in out if not any(a <= h[0] and h[1] <= b for a, b in public)]
    return out


def scan(
    text: str,
    enabled: frozenset[str],
    sensitive: Callable[[str], bool],
    url_param: Callable[[str], bool],
    extra: Sequence[re.Pattern[str]] = (),
    any_key: bool = False,
) -> list[Hit]:
    """Return every hit in ``text`` for the enabled detector classes (unsorted, may overlap).

    Percent-encoded, form-encoded and JSON-escaped text is also scanned decoded; those hits are mapped
    back to the original offsets, so the escape sequences themselves are masked.
    ``any_key`` says user key patterns exist, so any key may be sensitive (no key-hint gate).
    """
    # Escapes (JSON inside JSON, repr'd strings) are blanked in the view of the text as written, same
    # length so offsets stay valid: "\nAKIA…" must neither hide a key behind the "n" nor have a mask
    # swallow half of the escape.
    plain = _ESCAPE.sub(_blank, text) if "\\" in text else text
    out = _scan_view(plain, enabled, sensitive, url_param, extra, any_key)
    if "%" in text or "\\" in text or "+" in text:
        for view in decoded_views(text):
            for start, end, rule, style in _scan_view(view[0], enabled, sensitive, url_param, extra, any_key):
                out.append((*map_hit(view, start, end), rule, style))
    return out
