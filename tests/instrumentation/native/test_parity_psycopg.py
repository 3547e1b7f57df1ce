"""Native psycopg makes the spans and metric points upstream's psycopg instrumentation makes under otelward.

Against a real PostgreSQL server (a throwaway cluster on a free loopback port). Each side runs in its own
process (``_parity_child``): upstream's ``PsycopgInstrumentor`` with otelward's DB-API fix-up
(``db.operation.name``, the parameterized mark), against ``native._psycopg``, both at stable semconv.
No intended differences.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.frameworks.servers import postgres
from tests.instrumentation.native._parity import run_both
from tests.instrumentation.native._parity_db import PSYCOPG_CALLS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def runs() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    with postgres() as pg:
        yield run_both("psycopg", pg)


@pytest.mark.parametrize("case", list(PSYCOPG_CALLS), ids=list(PSYCOPG_CALLS))
def test_same_outcome_and_spans(runs: tuple[dict[str, Any], dict[str, Any]], case: str) -> None:
    upstream, native = runs[0][case], runs[1][case]
    assert native["outcome"] == upstream["outcome"]
    assert native["spans"] == upstream["spans"]
    (span,) = native["spans"]  # one span per statement, the async driver's too
    assert span["kind"] == "CLIENT"
    attributes = span["attributes"]
    assert (attributes["db.system.name"], attributes["db.namespace"], attributes["server.address"]) == (
        "postgresql",
        "postgres",
        "127.0.0.1",
    )
    assert isinstance(attributes["server.port"], int)


def test_composed_statement_text_is_rendered(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    (span,) = runs[1]["composed-sql"]["spans"]
    assert span["attributes"]["db.query.text"] == 'SELECT "name" FROM "parity_users"'


def test_failing_statement_is_recorded(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    result = runs[1]["failing-statement"]
    assert result["outcome"] == "UndefinedTable"
    (span,) = result["spans"]
    assert span["status"][0] == "ERROR"
    assert [name for name, _ in span["events"]] == ["exception"]


def test_same_duration_metric_points(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert runs[1]["durations"] == runs[0]["durations"]
