"""Native sqlite3 in process: real sqlite3 objects, the app's own factories, one span per statement."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from otelward.instrumentation.native import _sqlite3
from tests.frameworks.memory import Spans, capture


@pytest.fixture
def spans() -> Iterator[Spans]:
    with capture() as captured:
        _sqlite3.instrument()
        _sqlite3.instrument()  # idempotent: still one span per statement
        try:
            yield captured
        finally:
            _sqlite3.uninstrument()


class AppConnection(sqlite3.Connection):
    def greeting(self) -> str:
        return "hi"


class AppCursor(sqlite3.Cursor):
    def first(self) -> object:
        return self.fetchone()[0]


def test_connections_stay_real_sqlite3_connections(spans: Spans) -> None:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    assert isinstance(conn, sqlite3.Connection)
    assert isinstance(conn.cursor(), sqlite3.Cursor)
    assert conn.execute("SELECT 1 AS one").fetchone()["one"] == 1
    assert [s.name for s in spans.finished()] == ["SELECT"]


@pytest.mark.parametrize("positional", [False, True], ids=["factory-keyword", "factory-positional"])
def test_the_apps_connection_factory_is_kept(spans: Spans, positional: bool) -> None:
    if positional:
        conn = sqlite3.connect(":memory:", 5.0, 0, "DEFERRED", True, AppConnection)
    else:
        conn = sqlite3.connect(":memory:", factory=AppConnection)
    assert isinstance(conn, AppConnection)
    assert conn.greeting() == "hi"
    conn.execute("SELECT 1")
    assert len(spans.finished()) == 1


def test_the_apps_cursor_factory_is_kept(spans: Spans) -> None:
    cur = sqlite3.connect(":memory:").cursor(AppCursor)
    assert isinstance(cur, AppCursor)
    assert cur.execute("SELECT 7").first() == 7
    assert [s.name for s in spans.finished()] == ["SELECT"]


def _factory_function(*args: object, **kwargs: object) -> sqlite3.Connection:
    return sqlite3.Connection(*args, **kwargs)  # type: ignore[arg-type]


def test_a_factory_function_connects_untraced(spans: Spans) -> None:
    conn = sqlite3.connect(":memory:", factory=_factory_function)  # type: ignore[arg-type]
    assert conn.execute("SELECT 1").fetchall() == [(1,)]
    assert spans.finished() == []


def test_uninstrument_leaves_new_connections_untraced(spans: Spans) -> None:
    _sqlite3.uninstrument()
    sqlite3.connect(":memory:").execute("SELECT 1")
    assert spans.finished() == []
