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

__all__ = ["DETECTORS", "Hit", "luhn_ok", "marker_like", "scan"]

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
    "email",
)
"""Detector classes, in the order their hits win when they overlap."""

_JWT = re.compile(
    r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,4096}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,4096}(?![A-Za-z0-9_-])"
)
_BEARER = re.compile(r"(?i)\b(?:bearer|token|basic)\s{1,5}([A-Za-z0-9._~+/-]{8,4096}=*)")
_PEM = re.compile(
    r"-----BEGIN[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,65536}?(?:-----END[A-Z ]{0,40}-----|\Z)"
)
_AWS_ID = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_VENDOR = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    r"gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_\w{22,255}"
    r"|gl(?:pat|dt|rt|ptt|cbt|soat)-[\w-]{20,255}"
    r"|xox[abposre]-[A-Za-z0-9-]{10,255}"
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,255}|whsec_[A-Za-z0-9]{20,255}"
    r"|AIza[\w-]{35}|ya29\.[\w-]{20,2048}|GOCSPX-[\w-]{20,255}"
    r"|sk-(?:proj-|ant-)?[\w-]{20,255}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,255}|pypi-[\w-]{50,512}"
    r"|SG\.[\w-]{22}\.[\w-]{43}"
    r")(?![\w-])"
    r"|hooks\.slack\.com/services/([A-Za-z0-9/]{20,255})"
)
_VENDOR_TRIGGER = re.compile(
    r"gh[pousr]_|github_pat_|gl[a-z]{1,5}-|xox|_live_|_test_|whsec_|AIza|ya29\.|GOCSPX-|sk-|npm_|hf_|pypi-|SG\."
    r"|hooks\.slack"
)
_BEARER_TRIGGER = re.compile(r"(?i:earer|asic|oken)\s")
_USERINFO = re.compile(r"(?i)\b[a-z][a-z0-9+.-]{1,20}://([^\s:/?#@\[\]]{0,256}:[^\s/?#]{1,256})@")
_QUERY = re.compile(r"[?&;]([A-Za-z0-9_.\-\[\]%]{1,64})=([^&#\s\"'<>]{1,4096})")
# key = value / key: value, optionally quoted (JSON, Python reprs, YAML, env files, connection strings).
_PAIR = re.compile(
    r"(?<![\w.-])([\"']?)([A-Za-z_][\w.-]{0,63})\1[ \t]{0,3}([:=])[ \t]{0,3}"
    # The value sits in a lookahead so a non-secret "key:" does not swallow a "password=..." after it.
    r"(?=(\"(?:[^\"\\\n]|\\.){1,1024}\"|'(?:[^'\\\n]|\\.){1,1024}'"
    r"|(?:(?:Bearer|Basic|Token|Digest|Negotiate)[ \t]{1,3})?[^\s,;&\"'<>(){}]{1,1024}))"
)
_WEAK_WITH_COLON = frozenset({"auth", "session", "cookie", "signature", "token"})
_CARD = re.compile(r"(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d-])")  # letters may touch a card: "card4111..."
_CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|3[068]|6(?:011|5|4[4-9]|2)|35")
_SSN = re.compile(r"(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}(?:@|%40)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_RUN = re.compile(r"[\w/+.-]{20}")
_DIGITS = re.compile(r"\d\d\d[\d -]\d")  # cards (13+ digits, or 4-digit groups) and SSNs (ddd-dd-dddd)
_ESCAPE = re.compile(r"\\[ntrbf\"'/\\]")
_MARKER = re.compile(r"\[REDACTED[^\]\s]{0,48}\]|REDACTED(?:-[0-9a-f]{16})?|REDACTED:REDACTED|\?")


# Every built-in sensitive key or URL parameter contains one of these (lowercase); text without any of
# them cannot hold a sensitive key=value pair, so the pair and query patterns are skipped.
_KEY_HINTS = (
    "pass", "pwd", "secret", "token", "key", "auth", "cred", "sess", "cookie", "csrf", "xsrf", "jwt",
    "ssn", "cvv", "cvc", "card", "ccnum", "sig", "otp", "pan", "amz", "goog", "code",
)  # fmt: skip


def _has_key_hint(text: str) -> bool:
    low = text.lower()
    for hint in _KEY_HINTS:  # noqa: SIM110 - a plain loop, no generator frame per value on the hot path
        if hint in low:
            return True
    return False


def _has_bearer_word(text: str) -> bool:
    return (
        "earer" in text
        or "asic" in text
        or "oken" in text
        or "EARER" in text
        or "ASIC" in text
        or "OKEN" in text
    )


def marker_like(text: str) -> bool:
    """Return True when ``text`` is already a redaction marker (keeps redaction idempotent)."""
    return _MARKER.fullmatch(text) is not None


def luhn_ok(digits: str) -> bool:
    """Return True when ``digits`` passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_ok(raw: str) -> bool:
    digits = raw.replace(" ", "").replace("-", "")
    if not 13 <= len(digits) <= 19 or not _CARD_PREFIX.match(digits):
        return False
    seps = {c for c in raw if c in " -"}
    if len(seps) > 1:
        return False
    if seps:
        groups = tuple(len(g) for g in re.split(r"[ -]", raw))
        if groups not in {(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 1), (4, 4, 4, 2)}:
            return False
    return luhn_ok(digits)


def _card_window(raw: str) -> tuple[int, int] | None:
    """Return the offsets of a card inside a run of digit groups, longest first ("4000 ... 0002 0")."""
    if _card_ok(raw):
        return 0, len(raw)
    bounds = [(g.start(), g.end()) for g in re.finditer(r"\d+", raw)]
    for size in range(len(bounds) - 1, 0, -1):
        for i in range(len(bounds) - size + 1):
            start, end = bounds[i][0], bounds[i + size - 1][1]
            if _card_ok(raw[start:end]):
                return start, end
    return None


def _aws_secret_ok(raw: str) -> bool:
    return any(c.isupper() for c in raw) and any(c.islower() for c in raw) and any(c.isdigit() for c in raw)


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
        elif not any(not c.isalpha() for c in token):
            continue  # prose ("bearer instrument"): real tokens carry digits or punctuation
        out.append((m.start(1), m.end(1), "bearer", "mask"))


def _pairs(text: str, out: list[Hit], sensitive: Callable[[str], bool]) -> None:
    for m in _PAIR.finditer(text):
        key, sep, value = m.group(2), m.group(3), m.group(4)
        if key.lower() in _WEAK_WITH_COLON and sep == ":" and m.group(1) == "":
            continue  # "session: started", "token: expired" read as prose in log lines
        if value[:1] in "\"'":
            start, end = m.start(4) + 1, m.end(4) - 1
        else:
            start, end = m.start(4), m.end(4)
        if end > start and sensitive(key):
            out.append((start, end, "password_pairs", "mask"))


def scan(
    text: str,
    enabled: frozenset[str],
    sensitive: Callable[[str], bool],
    url_param: Callable[[str], bool],
    extra: Sequence[re.Pattern[str]] = (),
    any_key: bool = False,
) -> list[Hit]:
    """Return every hit in ``text`` for the enabled detector classes (unsorted, may overlap).

    ``any_key`` says user key patterns exist, so any key may be sensitive (no key-hint gate).
    """
    if "\\" in text:
        # Escapes (JSON inside JSON, repr'd strings): "\nAKIA..." must not hide a key behind the "n".
        # Same-length blanking keeps hit positions valid for the original text.
        text = _ESCAPE.sub("  ", text)
    # Cheap gates first (C-speed substring tests, two tiny regexes): most values (paths, ids, user
    # agents) fail them all and cost well under a microsecond.
    has_sep = "=" in text or ":" in text
    has_at = "@" in text or "%40" in text
    has_run = _RUN.search(text) is not None  # every token-shaped secret is 20+ token characters
    has_digits = _DIGITS.search(text) is not None
    has_bearer = _has_bearer_word(text)
    if not (extra or has_sep or has_at or has_run or has_digits or has_bearer or "-----BEGIN" in text):
        return []
    out: list[Hit] = []
    if has_run and "eyJ" in text and "jwt" in enabled:
        out.extend((m.start(), m.end(), "jwt", "mask") for m in _JWT.finditer(text))
    if "-----BEGIN" in text and "pem" in enabled:
        out.extend((m.start(), m.end(), "pem", "mask") for m in _PEM.finditer(text))
    if has_run and "aws" in enabled:
        if "AKIA" in text or "ASIA" in text or "ABIA" in text or "ACCA" in text:
            out.extend((m.start(), m.end(), "aws", "mask") for m in _AWS_ID.finditer(text))
        if len(text) >= 40:
            for m in _AWS_SECRET.finditer(text):
                if _aws_secret_ok(m.group()):
                    out.append((m.start(), m.end(), "aws", "mask"))
    if has_run and "vendor_tokens" in enabled and _VENDOR_TRIGGER.search(text):
        for m in _VENDOR.finditer(text):
            g = 1 if m.group(1) else 0
            out.append((m.start(g), m.end(g), "vendor_tokens", "mask"))
    if "://" in text and "@" in text and "url_credentials" in enabled:
        out.extend((m.start(1), m.end(1), "url_credentials", "userinfo") for m in _USERINFO.finditer(text))
    if has_sep and not any_key and not _has_key_hint(text):
        has_sep = False
    has_eq = has_sep and "=" in text
    if has_eq and "url_query" in enabled and ("?" in text or "&" in text):
        for m in _QUERY.finditer(text):
            if url_param(m.group(1)):
                out.append((m.start(2), m.end(2), "url_query", "url"))
    if has_bearer and "bearer" in enabled and _BEARER_TRIGGER.search(text):
        _bearer(text, out)
    if has_sep and "password_pairs" in enabled:
        _pairs(text, out, sensitive)
    if has_digits and "credit_card" in enabled and len(text) >= 13:
        for m in _CARD.finditer(text):
            hit = _card_window(m.group())
            if hit is not None:
                out.append((m.start() + hit[0], m.start() + hit[1], "credit_card", "mask"))
    if has_digits and "ssn" in enabled and "-" in text:
        for m in _SSN.finditer(text):
            area, group, serial = m.groups()
            if area not in {"000", "666"} and area[0] != "9" and group != "00" and serial != "0000":
                out.append((m.start(), m.end(), "ssn", "mask"))
    if has_at and "email" in enabled:
        out.extend((m.start(), m.end(), "email", "mask") for m in _EMAIL.finditer(text))
    for pattern in extra:
        out.extend(
            (m.start(), m.end(), "extra", "mask") for m in pattern.finditer(text) if m.end() > m.start()
        )
    return out
