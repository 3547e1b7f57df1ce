"""sqlite3's Connection.execute shortcuts make the same span a cursor would, exactly once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor

from otelward.instrumentation import _dbapi, _sqlite3
from otelward.instrumentation import _lazy as _instrumentation
from otelward.instrumentation.native import NATIVE
from tests.frameworks.memory import Spans, capture


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spans]:
    # The upstream path with otelward's fix-ups (OTELWARD_NATIVE_INSTRUMENTATION=false); native: native/.
    monkeypatch.delitem(NATIVE, "sqlite3")
    with capture() as captured:
        ep = _instrumentation.entry_points_by_name()["sqlite3"]
        # Through otelward's loader, as under opentelemetry-instrument: instrument, then apply the fix.
        assert _instrumentation.load_now(ep)
        try:
            yield captured
        finally:
            SQLite3Instrumentor().uninstrument()
            _instrumentation.STATUS.pop("sqlite3", None)


def _shape(spans: Spans) -> list[tuple[str, str, dict[str, object]]]:
    return [(s.name, s.kind.name, dict(s.attributes or {})) for s in spans.finished()]


def test_connection_execute_makes_one_span_shaped_like_a_cursor_span(spans: Spans) -> None:
    conn = sqlite3.connect(":memory:")
    assert conn.execute("SELECT 1 WHERE 2 = ?", (2,)).fetchall() == [(1,)]
    shortcut = _shape(spans)
    spans.exporter.clear()
    cur = conn.cursor()
    cur.execute("SELECT 1 WHERE 2 = ?", (2,))
    assert _shape(spans) == shortcut
    assert len(shortcut) == 1
    assert shortcut[0][0] == "SELECT"
    assert shortcut[0][1] == "CLIENT"


@pytest.mark.parametrize(
    ("call", "statement"),
    [
        (lambda c: c.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)]), "INSERT INTO t VALUES (?)"),
        (lambda c: c.executescript("DELETE FROM t; SELECT 1;"), "DELETE FROM t; SELECT 1;"),
    ],
    ids=["executemany", "executescript"],
)
def test_other_shortcuts_are_traced_once(spans: Spans, call: object, statement: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.cursor().execute("CREATE TABLE t (a)")
    spans.exporter.clear()
    call(conn)  # type: ignore[operator]
    (span,) = spans.finished()
    statements = {v for k, v in (span.attributes or {}).items() if k in ("db.statement", "db.query.text")}
    assert statements == {statement}


def test_context_manager_connection_and_results_still_work(spans: Spans) -> None:
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE t (a)")
        conn.execute("INSERT INTO t VALUES (?)", (5,))
        rows = conn.execute("SELECT a FROM t").fetchall()
    assert rows == [(5,)]
    assert [s.name for s in spans.finished()] == ["CREATE", "INSERT", "SELECT"]


def test_sqlite_errors_reach_the_app_and_mark_the_span(spans: Spans) -> None:
    conn = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT * FROM missing")
    (span,) = spans.finished()
    assert span.status.status_code.name == "ERROR"


def test_apply_is_idempotent(spans: Spans) -> None:
    _sqlite3.apply()
    _sqlite3.apply()
    sqlite3.connect(":memory:").execute("SELECT 1")
    assert len(spans.finished()) == 1


@pytest.mark.parametrize(
    ("call", "operation", "parameterized"),
    [
        (lambda c: c.execute("SELECT a FROM t WHERE a = ? LIMIT 10", (1,)), "SELECT", True),
        (lambda c: c.execute("select a from t limit 10"), "select", False),
        (lambda c: c.execute("SELECT a FROM t WHERE a = :a", {"a": 1}), "SELECT", True),
        (lambda c: c.execute("SELECT a FROM t", ()), "SELECT", False),
        (lambda c: c.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)]), "INSERT", True),
        (lambda c: c.cursor().execute("/* tag */ DELETE FROM t WHERE a = ?", (3,)), "DELETE", True),
        (lambda c: c.executescript("UPDATE t SET a = 1;"), "UPDATE", False),
    ],
    ids=["qmark", "literal-lowercase", "named", "empty-params", "executemany", "comment-cursor", "script"],
)
def test_db_spans_carry_the_operation_name_and_whether_parameters_were_passed(
    spans: Spans, call: object, operation: str, parameterized: bool
) -> None:
    # before: no db.operation.name on the span (the stock instrumentation only put it on metrics)
    conn = sqlite3.connect(":memory:")
    conn.cursor().execute("CREATE TABLE t (a)")
    spans.exporter.clear()
    call(conn)  # type: ignore[operator]
    (span,) = spans.finished()
    attrs = dict(span.attributes or {})
    assert attrs["db.operation.name"] == operation
    assert attrs.get(_dbapi.PARAMETERIZED_ATTR, False) is parameterized
