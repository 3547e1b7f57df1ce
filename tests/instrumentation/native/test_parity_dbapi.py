"""Native sqlite3 makes the spans and metric points upstream's dbapi instrumentation makes under otelward.

Each side runs in its own process (``_parity_child``): upstream's ``SQLite3Instrumentor`` with otelward's
fix-ups (``Connection.execute*`` shortcuts, ``db.operation.name``, the parameterized mark: what
``OTELWARD_NATIVE_INSTRUMENTATION=false`` gives), against ``native._sqlite3``, both at stable semconv.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.instrumentation.native._parity import run_both
from tests.instrumentation.native._parity_db import DBAPI_CALLS

# Every intended difference, with why. Anything else that differs fails the test.
NATIVE_ONLY_CASES = {
    "cursor-executescript": "upstream's cursor proxy has no executescript: a script run on a cursor is untraced",
}
SAME_CASES = [case for case in DBAPI_CALLS if case not in NATIVE_ONLY_CASES]


@pytest.fixture(scope="module")
def runs() -> tuple[dict[str, Any], dict[str, Any]]:
    return run_both("sqlite3")


@pytest.mark.parametrize("case", SAME_CASES, ids=SAME_CASES)
def test_same_outcome_and_spans(runs: tuple[dict[str, Any], dict[str, Any]], case: str) -> None:
    upstream, native = runs[0][case], runs[1][case]
    assert native["outcome"] == upstream["outcome"]
    assert native["spans"] == upstream["spans"]  # names, kinds, parents, status, events, attributes


@pytest.mark.parametrize("case", list(NATIVE_ONLY_CASES), ids=list(NATIVE_ONLY_CASES))
def test_native_traces_what_upstream_misses(runs: tuple[dict[str, Any], dict[str, Any]], case: str) -> None:
    assert runs[0][case]["spans"] == []
    (span,) = runs[1][case]["spans"]
    assert (span["name"], span["kind"]) == ("DELETE", "CLIENT")


@pytest.mark.parametrize(
    ("case", "names", "parameterized"),
    [
        pytest.param("select", ["SELECT"], False, id="select"),
        pytest.param("insert-with-params", ["INSERT"], True, id="insert-with-params"),
        pytest.param("executemany", ["INSERT"], True, id="executemany"),
        pytest.param("connection-execute", ["SELECT"], True, id="conn-execute-shortcut"),
        pytest.param("leading-comment", ["SELECT"], False, id="leading-comment-skipped"),
        pytest.param("suppressed", [], False, id="suppress-instrumentation"),
    ],
)
def test_native_statement_spans(
    runs: tuple[dict[str, Any], dict[str, Any]], case: str, names: list[str], parameterized: bool
) -> None:
    spans = runs[1][case]["spans"]
    assert [(s["name"], s["kind"]) for s in spans] == [(n, "CLIENT") for n in names]
    for span in spans:
        attributes = span["attributes"]
        assert attributes["db.system.name"] == "sqlite"
        assert attributes["db.operation.name"] == span["name"]
        assert attributes.get("otelward.db.query.parameterized", False) is parameterized


def test_failing_statement_is_recorded(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    result = runs[1]["failing-statement"]
    assert result["outcome"] == "OperationalError"  # the app still gets the driver's exception
    (span,) = result["spans"]
    assert span["status"] == ["ERROR", "OperationalError: no such table: no_such_table"]
    assert [name for name, _ in span["events"]] == ["exception"]


def test_statement_under_a_parent_is_its_child(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    parent, statement = runs[1]["under-a-parent"]["spans"]
    assert (parent["name"], statement["name"], statement["parent"]) == ("request", "UPDATE", 0)


def test_same_duration_metric_points(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert runs[1]["durations"] == runs[0]["durations"]
    assert {
        "db.system.name": "sqlite",
        "db.operation.name": "SELECT",
        "error.type": "OperationalError",
    } in runs[1]["durations"]
