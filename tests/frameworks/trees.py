"""Assertions on the span trees the collector received (flat span dicts from harness.collector)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "by_id",
    "children",
    "db_statement",
    "descendants",
    "downstream_chain",
    "single",
    "statement_shape",
]

Span = dict[str, Any]


def by_id(spans: list[Span]) -> dict[str, Span]:
    """Return spans keyed by span id."""
    return {s["span_id"]: s for s in spans}


def single(spans: list[Span], name: str) -> Span:
    """Return the one span called ``name``."""
    found = [s for s in spans if s["name"] == name]
    assert len(found) == 1, f"{len(found)} spans named {name!r} in {sorted({s['name'] for s in spans})}"
    return found[0]


def children(spans: list[Span], parent: Span) -> list[Span]:
    """Return the direct children of ``parent``."""
    return [s for s in spans if s["parent_span_id"] == parent["span_id"]]


def db_statement(span: Span) -> str | None:
    """Return the query text of a database span (stable or old semantic conventions)."""
    attrs = span["attributes"]
    value = attrs.get("db.query.text", attrs.get("db.statement"))
    return value if isinstance(value, str) else None


def descendants(spans: list[Span], root: Span) -> list[Span]:
    """Return every span below ``root`` in its trace."""
    out: list[Span] = []
    frontier = [root]
    while frontier:
        nxt = [s for p in frontier for s in children(spans, p)]
        out.extend(nxt)
        frontier = nxt
    return out


def downstream_chain(trace: list[Span], server: Span, downstream: Span) -> Span:
    """Assert ``downstream``'s parent is a CLIENT span below ``server`` in one trace; return that client."""
    assert downstream["trace_id"] == server["trace_id"]
    ids = by_id(trace)
    client = ids[downstream["parent_span_id"]]
    assert client["kind"] == "SPAN_KIND_CLIENT", client
    assert client in descendants(trace, server), "the client span is not under the server span"
    return client


def statement_shape(statement: str | None) -> str:
    """Return ``statement`` with string and number literals replaced by ``?``.

    Equal before and after otelward's SQL sanitisation (which replaces literals), so the tests assert
    the shape a user sees either way; the redaction tests own the exact sanitised text.
    """
    import re

    assert statement is not None
    text = re.sub(r"'(?:[^']|'')*'", "?", statement)
    return re.sub(r"(?<![\w$])-?\d+(?:\.\d+)?\b", "?", text)
