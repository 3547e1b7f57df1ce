"""Durations and the PromQL building blocks: what exporters write must be what the selectors match."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otelward.slo import Matcher
from otelward.slo._durations import format_duration, parse_duration, parse_seconds
from otelward.slo._promql import le_matcher, one_of


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5m", 300),
        ("30m", 1800),
        ("1h", 3600),
        ("1h30m", 5400),
        ("1d", 86400),
        ("30d", 2592000),
        ("28d", 2419200),
    ],
    ids=["5m", "30m", "1h", "1h30m", "1d", "30d", "28d"],
)
def test_durations_parse_and_format(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds
    assert format_duration(seconds) == text


def test_weeks_are_read_and_written_as_days() -> None:
    assert format_duration(parse_duration("4w")) == "28d"


@pytest.mark.parametrize("text", ["", "0s", "30", "30 days", "1.5h", "m5", "1m1h"], ids=repr)
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10 * 365 * 86400))
def test_format_then_parse_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(0.3, 0.3), ("300ms", 0.3), ("0.3s", 0.3), ("1", 1.0), (2, 2.0), ("7.5s", 7.5)],
    ids=["float", "ms", "s", "string-number", "int", "fraction"],
)
def test_latency_thresholds(value: object, seconds: float) -> None:
    assert parse_seconds(value) == pytest.approx(seconds)


# (boundary, as prometheus_client and otelward's exporter write it, as the collector / OTLP receiver write it)
SPELLINGS = [
    (0.005, "0.005", "0.005"),
    (0.3, "0.3", "0.3"),
    (2.5, "2.5", "2.5"),
    (1.0, "1.0", "1"),
    (10.0, "10.0", "10"),
    (60.0, "60.0", "60"),
    (1e-05, "1e-05", "0.00001"),
]


@pytest.mark.parametrize(("bound", "python", "go"), SPELLINGS, ids=[s[1] for s in SPELLINGS])
def test_le_matcher_matches_python_and_collector_spellings(bound: float, python: str, go: str) -> None:
    matcher = le_matcher(bound)
    pattern = matcher.value if matcher.op == "=~" else re.escape(matcher.value)
    assert re.fullmatch(pattern, python)
    assert re.fullmatch(pattern, go)
    # and no other boundary
    for other, *spellings in SPELLINGS:
        if other != bound:
            assert not any(re.fullmatch(pattern, text) for text in spellings), (bound, other)


def test_integral_boundary_uses_a_regex_and_fractional_an_equality() -> None:
    assert le_matcher(1).render() == 'le=~"1|1\\\\.0"'
    assert le_matcher(0.3).render() == 'le="0.3"'


def test_routes_are_escaped_for_regex_and_quoted_for_promql() -> None:
    assert one_of("http_route", ("/a",)) == Matcher("http_route", "=", "/a")
    matcher = one_of("http_route", ("/users/<int:id>", '/x"y.z'))
    assert matcher.op == "=~"
    assert re.fullmatch(matcher.value, "/users/<int:id>")
    assert not re.fullmatch(matcher.value, '/x"yAz')
    assert matcher.render() == 'http_route=~"/users/<int:id>|/x\\"y\\\\.z"'
