"""The engine's hot loop: redact one attribute mapping (every attribute of every exported span and record).

Inlined on purpose: a number under an ordinary key, a repeated value (memo) and a unique value no detector
can match (``quiet``) cost a few dict lookups and C-speed tests, without a call into the engine's walk.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from otelward.redaction._memo import Result
from otelward.redaction._plans import NUMBER_SAFE, PLAIN, QUERY, SCANNED, URL

if TYPE_CHECKING:
    from otelward.redaction._engine import RedactionEngine

__all__ = ["MINUS_SMALL", "SEEN_PLANS", "SMALL", "redact_attributes"]

SEEN_PLANS = frozenset({PLAIN, URL})
"""Plans under which a string seen quiet is kept as is (a query is probed with its "?": not looked up)."""
SMALL, MINUS_SMALL = 10**12, -(10**12)
"""Integers strictly between these cannot be card numbers (13+ digits)."""


def redact_attributes(
    engine: RedactionEngine,
    plans: dict[str, int],
    memo: dict[tuple[int | None, Any], Result],
    seen: set[str],
    attributes: Mapping[str, Any],
    prefix: str,
    found: list[tuple[str, str]],
) -> Mapping[str, Any]:
    """Return ``attributes`` redacted (the same object when nothing changed); append (path, rule) to ``found``.

    Args:
        engine: the engine (its full walk for what the fast paths do not settle).
        plans: the engine's key -> plan memo (a miss is planned by the engine).
        memo: the engine's value memo entries.
        seen: the engine's short quiet strings (a query is probed with its "?": not looked up here).
        attributes: the mapping to redact.
        prefix: prepended to each key in ``found`` (``events[0].``).
        found: receives ``(path, rule)`` for every replacement.
    """
    out: dict[str, Any] | None = None
    done = 0
    for key, value in attributes.items():
        cls = value.__class__
        plan = plans.get(key)
        new: Any = value
        if (
            (cls is int or cls is float or cls is bool)
            and plan in NUMBER_SAFE
            and (cls is not int or MINUS_SMALL < value < SMALL)
        ) or (cls is str and value in seen and plan in SEEN_PLANS):
            if out is not None:
                out[key] = value
            done += 1
            continue
        if cls is str or cls is tuple or cls is int:
            cached = memo.get((plan, value))
            if cached is not None:
                new, subs = cached
                if subs:
                    found.extend((prefix + key + sub, rule) for sub, rule in subs)
            elif not (
                cls is str
                and plan in SCANNED
                and engine.quiet("?" + value if plan == QUERY and value[:1] not in "?&" else value)
            ):
                new = engine.redact_value_audited(key, value, prefix + key, found)
        else:
            new = engine.redact_value_audited(key, value, prefix + key, found)
        if new is not value and out is None:
            out = dict(itertools.islice(attributes.items(), done))
        if out is not None:
            out[key] = new
        done += 1
    return attributes if out is None else out
