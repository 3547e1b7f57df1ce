"""The redaction engine's interface, as the other signals' adapters (logs, metrics) call it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["Redactor"]


class Redactor(Protocol):
    """Replace secrets and personal data; never raises, never returns the matched text."""

    def redact_text(self, text: str) -> str:
        """Return ``text`` with every detected secret replaced (free text: log messages, exception text)."""

    def redact_value(self, key: str, value: Any) -> Any:
        """Return ``value`` redacted as the value of attribute ``key`` (key rules, URL/SQL rules, detectors)."""

    def redact_attributes(self, attributes: Mapping[str, Any], signal: str) -> Mapping[str, Any]:
        """Return redacted attributes (the same object when nothing changed); counts redactions by signal."""
