"""Necessary conditions of the value detectors: cheap tests that rule detectors out before they run.

Each gate is implied by every match of the detectors behind it, so a failed gate never hides a secret.
:func:`quiet` combines them into one verdict for a whole string: most values (paths, ids, short log
messages) fail every gate, and the engine returns them after a few C-speed tests instead of a scan.
"""

from __future__ import annotations

import re

__all__ = [
    "AWS_TRIGGER",
    "D3",
    "DIGITS",
    "KEY_HINT",
    "PHONE_GATE",
    "RUN",
    "RUN40",
    "ZERO_DIGITS",
    "digit_shape",
    "has_bearer_word",
    "has_key_hint",
    "quiet",
    "vendor_marker",
]

# Every token-shaped secret is a run of 13+ non-space characters (Slack's legacy xoxa-12345678 is the
# shortest); an AWS secret key a run of 40.
RUN = re.compile(r"\S{13}")
RUN40 = re.compile(r"\S{40}")
# A3T's digit read by class, as every gate reads digits: see digit_shape.
AWS_TRIGGER = re.compile(r"A(?:KIA|SIA|BIA|CCA|[0-9]T)")
# Cards, SSNs and IBANs need a run of 8+ digits, spaces and dashes starting with a digit, and 3 digits in
# a row. ASCII digits: faster to match, and what the card and SSN checks read (Luhn uses ord(c) - 48).
D3 = re.compile(r"[0-9]{3}")
DIGITS = re.compile(r"[0-9][0-9 -]{7}")
PHONE_GATE = re.compile(r"\d[ .-]\d\d[ .-]\d")

# Every built-in sensitive key or URL parameter contains one of these (lowercase); text without any of
# them cannot hold a sensitive key=value pair, so the pair and query patterns are skipped.
_KEY_HINTS = (
    "pass", "pwd", "secret", "token", "key", "auth", "cred", "sess", "cookie", "csrf", "xsrf", "jwt",
    "ssn", "cvv", "cvc", "card", "ccnum", "sig", "otp", "pan", "amz", "goog", "code", "curl", "sid",
    "wordpress",
)  # fmt: skip
KEY_HINT = re.compile("|".join(_KEY_HINTS))


def has_key_hint(text: str) -> bool:
    """Return True when ``text`` contains a fragment every built-in sensitive key contains."""
    return KEY_HINT.search(text.lower()) is not None


def vendor_marker(text: str) -> bool:
    """Return True when ``text`` has a literal every vendor token shape contains (a separator, or the
    prefix of the families without one: AIza, SK…, GR1348941, ABSK, xox)."""
    return (
        "_" in text
        or "-" in text
        or ":A" in text
        or "~" in text
        or "Key=" in text
        or "hooks." in text
        or "/bot" in text
        or text.count(".") >= 2
        or "SK" in text
        or "AIza" in text
        or "GR" in text  # GR1348941, by its letters: see digit_shape
        or "ABSK" in text
        or "SG." in text
        or "ya" in text  # ya29., by its letters
    )


def has_bearer_word(text: str) -> bool:
    """Return True when ``text`` may hold an ``Authorization`` scheme word (bearer, basic, token)."""
    return (
        "earer" in text
        or "asic" in text
        or "oken" in text
        or "EARER" in text
        or "ASIC" in text
        or "OKEN" in text
    )


ZERO_DIGITS = bytes.maketrans(b"0123456789", b"0000000000")
"""The ``bytes.translate`` table of :func:`digit_shape`."""


def digit_shape(text: str) -> bytes:
    """Return ``text`` with every ASCII digit made ``0`` (UTF-8), a key :func:`quiet` answers the same for.

    Every gate reads digits by class (``[0-9]``, ``\\d``, ``\\S``; the token prefixes that hold digits by
    their letters), so a text's verdict holds for every text of its shape: ``order 18 charged 12.50``
    answers for ``order 73 charged 99.99``.
    """
    try:
        return text.encode().translate(ZERO_DIGITS)
    except UnicodeEncodeError:  # a lone surrogate: still one shape per text
        return text.encode("utf-8", "surrogatepass").translate(ZERO_DIGITS)


def quiet(text: str, phone: bool = False, any_key: bool = False) -> bool:
    """Return True when no value detector can match ``text``, nor any decoded view of it.

    The conjunction of the gates of ``_detectors._scan_view`` (which returns no hit when they all fail)
    and of the decoding triggers of ``_detectors.scan``, cheapest first.

    Args:
        text: the value, as written.
        phone: the opt-in phone detector is enabled (its own gate joins).
        any_key: user key patterns exist, so any ``key=value`` may be sensitive (no key-hint gate).
    """
    # "@" e-mail and userinfo; "%", "+", "\\" decoded views (percent, form and JSON escapes).
    if "@" in text or "%" in text or "+" in text or "\\" in text:
        return False
    n = len(text)
    if n >= 9 and DIGITS.search(text) is not None:
        return False  # cards, SSNs, IBANs (the scan also needs 3 digits in a row: one regex less here)
    # JWTs, AWS ids, vendor tokens: a run of 13 and their family's literal; AWS secret keys: a run of 40.
    # The run first: prose has none, and then no literal needs looking for.
    if (
        n >= 13
        and RUN.search(text) is not None
        and (
            (n >= 40 and RUN40.search(text) is not None)
            or "ey" in text
            or "ew" in text
            or ("A" in text and AWS_TRIGGER.search(text) is not None)
            or vendor_marker(text)
        )
    ):
        return False
    if (
        "earer" in text
        or "asic" in text
        or "oken" in text
        or "EARER" in text
        or "ASIC" in text
        or "OKEN" in text
    ):
        return False  # an Authorization scheme word (as has_bearer_word, inlined: this is the hot path)
    if ("=" in text or ":" in text or '",' in text or "'," in text or "</" in text or "--" in text) and (
        "-----BEGIN" in text or any_key or KEY_HINT.search(text.lower()) is not None
    ):
        return False  # pairs, URL query parameters, PEM blocks
    return not (phone and PHONE_GATE.search(text) is not None)
