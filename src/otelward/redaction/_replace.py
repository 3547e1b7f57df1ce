"""What a redacted value becomes: a mask, optionally naming the rule, or a keyed hash; never the value."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from otelward.redaction._detectors import Hit, marker_like

__all__ = ["Replacer", "cut_point"]

_SEPARATORS = " \n\t\r,;&"


def cut_point(text: str, limit: int) -> int:
    """Return where to stop scanning ``text``: the last separator before ``limit`` (0 if none).

    Cutting between tokens means no secret is split in two with its first half left unscanned.
    """
    return max(text.rfind(c, 0, limit) for c in _SEPARATORS) + 1


class Replacer:
    """Render replacements in mask or keyed-hash mode.

    Args:
        show_rule: write ``[REDACTED:<rule>]`` instead of ``[REDACTED]``.
        hash_key: when set, append a keyed hash (HMAC-SHA256, 16 hex digits) so equal secrets can be
            correlated without being revealed.
    """

    def __init__(self, show_rule: bool = False, hash_key: bytes | None = None) -> None:
        self._show_rule = show_rule
        self._key = hash_key

    def _digest(self, secret: str) -> str:
        assert self._key is not None
        return hmac.new(self._key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:16]

    def marker(self, secret: str, rule: str, style: str = "mask") -> str:
        """Return the replacement for ``secret`` found by ``rule``."""
        if style == "userinfo":
            return "REDACTED:REDACTED"  # OTel semconv for url.full credentials
        if style == "url":
            return "REDACTED" if self._key is None else f"REDACTED-{self._digest(secret)}"
        label = f":{rule}" if self._show_rule else ""
        if self._key is not None:
            return f"[REDACTED{label}#{self._digest(secret)}]"
        return f"[REDACTED{label}]"

    def apply(self, text: str, hits: Sequence[Hit], found: list[tuple[str, str]], path: str) -> str:
        """Return ``text`` with the merged ``hits`` replaced; append (path, rule) to ``found``."""
        if not hits:
            return text
        merged: list[Hit] = []
        for hit in sorted(hits, key=lambda h: (h[0], -h[1])):
            if merged and hit[0] < merged[-1][1]:
                last = merged[-1]
                if last[3] == "userinfo":
                    continue  # what follows user:password@ is the host, which e-mail rules mistake for one
                # Overlaps are merged so no fragment of either secret survives; the first rule names it.
                style = "url" if "url" in (last[3], hit[3]) else last[3]  # stay URL-safe inside URLs
                merged[-1] = (last[0], max(last[1], hit[1]), last[2], style)
            else:
                merged.append(hit)
        parts: list[str] = []
        pos = 0
        for start, end, rule, style in merged:
            secret = text[start:end]
            if marker_like(secret):
                continue
            parts.append(text[pos:start])
            parts.append(self.marker(secret, rule, style))
            found.append((path, rule))
            pos = end
        if not parts:
            return text
        parts.append(text[pos:])
        return "".join(parts)
