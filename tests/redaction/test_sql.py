"""SQL literals become ``?``; statement shape, identifiers and placeholders stay."""

from __future__ import annotations

import pytest

from otelward.redaction._sql import sanitize_sql

CASES = [
    ("SELECT * FROM users WHERE email = 'ada@example.com'", "SELECT * FROM users WHERE email = ?"),
    ("SELECT * FROM t WHERE id = 42 AND score > 1.5e3", "SELECT * FROM t WHERE id = ? AND score > ?"),
    ("INSERT INTO t VALUES ('it''s', 0x1F, -7)", "INSERT INTO t VALUES (?, ?, -?)"),
    ("SELECT $1, col2 FROM t1 WHERE a = :name AND b = %s AND c = ?", "SELECT $1, col2 FROM t1 WHERE a = :name AND b = %s AND c = ?"),
    ('SELECT "weird col" FROM `tbl` LIMIT 10', 'SELECT "weird col" FROM `tbl` LIMIT ?'),
    ("SELECT $$secret body$$, $tag$x$tag$", "SELECT ?, ?"),
    ("UPDATE u SET pw = 'unterminated", "UPDATE u SET pw = ?"),
    ("SELECT E'esc\\'aped' FROM t", "SELECT ? FROM t"),
    ("SELECT * FROM t2 -- id 5\nWHERE x = 3", "SELECT * FROM t2 -- id 5\nWHERE x = ?"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_literals_are_replaced(raw: str, expected: str) -> None:
    assert sanitize_sql(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_sanitizing_is_idempotent(raw: str, expected: str) -> None:
    assert sanitize_sql(expected) == expected
