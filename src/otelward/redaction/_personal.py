"""Personal data in free text: payment cards (Luhn), US SSNs, IBANs (mod 97), e-mail addresses, phones."""

from __future__ import annotations

import re

from otelward.redaction import _shapes
from otelward.redaction._gates import PHONE_GATE

__all__ = ["Hit", "luhn_ok", "personal"]

Hit = tuple[int, int, str, str]

_CARD = re.compile(r"(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d-])")  # letters may touch a card: "card4111..."
_CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|3[068]|6(?:011|5|4[4-9]|2)|35")
_CARD_GROUPS = frozenset({(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 1), (4, 4, 4, 2)})
_SSN = re.compile(r"(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])")
# Percent-encoded addresses are found in the decoded view; one "+" (sub-addressing) at most, so the words of
# form-encoded text ("where+email+ada@...") are not taken for the local part.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._-]{1,64}(?:\+[A-Za-z0-9._-]{1,64})?@[A-Za-z0-9-]{1,63}"
    r"(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)


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
    if seps and tuple(len(g) for g in re.split(r"[ -]", raw)) not in _CARD_GROUPS:
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


def personal(text: str, enabled: frozenset[str], has_digits: bool, has_at: bool, out: list[Hit]) -> None:
    """Append the hits for personal data in ``text`` to ``out``.

    Args:
        text: the text (one view of it).
        enabled: the enabled detector classes.
        has_digits: the digit-run gate passed (cards, SSNs, IBANs are possible).
        has_at: ``text`` contains ``@`` (an e-mail address is possible).
        out: receives ``(start, end, rule, style)``.
    """
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
    if has_digits and "iban" in enabled and len(text) >= 15:
        out.extend(
            (m.start(), m.end(), "iban", "mask")
            for m in _shapes.IBAN.finditer(text)
            if _shapes.iban_ok(m.group())
        )
    if has_at and "email" in enabled:
        out.extend((m.start(), m.end(), "email", "mask") for m in _EMAIL.finditer(text))
    if "phone" in enabled and (has_digits or PHONE_GATE.search(text)):
        out.extend(
            (m.start(), m.end(), "phone", "mask")
            for m in _shapes.PHONE.finditer(text)
            if _shapes.phone_ok(m.group())
        )
