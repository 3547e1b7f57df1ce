"""Adapters from settings to the engine and to the export queues' transform hooks."""

from __future__ import annotations

import logging
import re

from otelward import _selfmetrics
from otelward._ratelimit import log_once
from otelward.config import RedactionSettings, Settings
from otelward.redaction._engine import RedactionEngine
from otelward.redaction._replace import Replacer

__all__ = ["build_redactor", "compile_patterns", "engine_from"]

_log = logging.getLogger("otelward.redaction")
# A quantified group that itself contains a quantifier, e.g. (a+)+ or (\w*)*: the classic ReDoS shape.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})")


def compile_patterns(
    var: str, patterns: tuple[str, ...], flags: int = 0
) -> tuple[list[re.Pattern[str]], list[str]]:
    """Compile user patterns once; return them and one problem line per rejected pattern.

    A pattern is rejected when it does not compile or has a nested quantifier (catastrophic
    backtracking would stall the export thread).
    """
    good: list[re.Pattern[str]] = []
    problems: list[str] = []
    for pattern in patterns:
        if _NESTED_QUANTIFIER.search(pattern):
            problems.append(
                f"otelward: {var}: pattern {pattern!r} has a nested quantifier (catastrophic backtracking); skipping it"
            )
            continue
        try:
            good.append(re.compile(pattern, flags))
        except re.error as err:
            problems.append(
                f"otelward: {var}: pattern {pattern!r} is not a valid regular expression ({err}); skipping it"
            )
    return good, problems


def _count(rule: str, signal: str, n: int) -> None:
    _selfmetrics.add("otelward.redactions", n, {"rule": rule, "signal": signal})


def engine_from(settings: RedactionSettings) -> tuple[RedactionEngine, list[str]]:
    """Return the engine for ``settings`` and the problems found in user patterns."""
    keys, key_problems = compile_patterns("OTELWARD_REDACTION_EXTRA_KEYS", settings.extra_keys, re.IGNORECASE)
    values, value_problems = compile_patterns("OTELWARD_REDACTION_EXTRA_PATTERNS", settings.extra_patterns)
    hash_key = settings.hash_key.encode() if settings.mode == "hash" and settings.hash_key else None
    engine = RedactionEngine(
        disabled=settings.disabled,
        replacer=Replacer(show_rule=settings.show_rule, hash_key=hash_key),
        extra_keys=tuple(keys),
        extra_patterns=tuple(values),
        safe_keys=frozenset(settings.safe_keys),
        max_scan_chars=settings.max_scan_chars,
        on_redaction=_count,
    )
    return engine, key_problems + value_problems


def build_redactor(settings: Settings) -> RedactionEngine | None:
    """Return the engine configured by ``settings``, or None when redaction is off.

    The runtime calls this once per process and hands the engine to every signal (one memo, patterns compiled
    once, problems reported once).
    """
    if not settings.redaction.enabled:
        return None
    engine, problems = engine_from(settings.redaction)
    for line in problems:
        log_once(_log, line, line)
    return engine
