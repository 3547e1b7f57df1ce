from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otelward.logs._encode import MAX_REPR_CHARS, dumps, escape_control, rfc3339, safe_repr, severity_number

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@pytest.mark.parametrize(
    ("levelno", "expected"),
    [
        (0, 0),
        (5, 0),
        (10, 5),
        (13, 8),
        (19, 8),
        (20, 9),
        (25, 12),
        (30, 13),
        (40, 17),
        (50, 21),
        (53, 24),
        (99, 24),
    ],
    ids=[
        "notset",
        "below-debug",
        "debug",
        "debug4",
        "debug-band-end",
        "info",
        "info-band",
        "warning",
        "error",
        "critical",
        "fatal4",
        "above",
    ],
)
def test_severity_number_follows_the_otel_bands(levelno: int, expected: int) -> None:
    assert severity_number(levelno) == expected


def test_rfc3339_is_utc_with_microseconds() -> None:
    assert rfc3339(0.25) == "1970-01-01T00:00:00.250000Z"
    assert rfc3339(1_764_113_999.000001).startswith("2025-11-25T23:39:59.00000")
    # the per-second cache must not leak one second's prefix into the next
    assert rfc3339(1.5) == "1970-01-01T00:00:01.500000Z"
    assert rfc3339(2.0) == "1970-01-01T00:00:02.000000Z"


class _Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


def test_safe_repr_is_bounded_and_never_raises() -> None:
    assert len(safe_repr("x" * 10_000)) == MAX_REPR_CHARS + 1
    assert safe_repr(_Hostile()) == "<unrepresentable _Hostile>"


def test_dumps_degrades_odd_values_instead_of_raising() -> None:
    circular: list[object] = []
    circular.append(circular)
    doc = {
        "nan": math.nan,
        "inf": -math.inf,
        "obj": _Hostile(),
        "loop": circular,
        "keys": {(1, 2): "tuple key"},
        "set": {1},
    }
    out = json.loads(dumps(doc))
    assert out["nan"] == "nan"
    assert out["inf"] == "-inf"
    assert out["obj"] == "<unrepresentable _Hostile>"
    assert out["keys"] == {"(1, 2)": "tuple key"}
    assert out["set"] == [1]


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_like)
def test_dumps_always_gives_one_ascii_json_line(value: object) -> None:
    line = dumps({"v": value})
    assert "\n" not in line
    assert "\r" not in line
    assert line.isascii()
    json.loads(line)


@given(st.text())
def test_escape_control_leaves_no_control_character(text: str) -> None:
    escaped = escape_control(text)
    assert not _CONTROL.search(escaped)
    assert "\n" not in escaped


def test_escape_control_keeps_ordinary_text() -> None:
    assert escape_control("héllo wörld ✓") == "héllo wörld ✓"
    assert escape_control("a\nb\x1b[31m") == "a\\nb\\x1b[31m"
