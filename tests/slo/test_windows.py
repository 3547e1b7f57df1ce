"""Burn-rate windows for every period: the workbook's table at 30d, scaled windows elsewhere, never a factor under 1."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelward.slo import SpecError, build_rules, parse_spec
from otelward.slo._windows import MIN_PERIOD_S, default_windows

# period -> (severity, long, short, factor): what docs/slo.md's table lists.
TABLE = {
    "1d": [("page", "1h", "5m", 6), ("ticket", "1h", "5m", 3), ("ticket", "2h24m", "12m", 1)],
    "7d": [
        ("page", "1h", "5m", 14.4),
        ("page", "1h24m", "7m", 6),
        ("ticket", "5h36m", "28m", 3),
        ("ticket", "16h48m", "1h24m", 1),
    ],
    "28d": [
        ("page", "1h", "5m", 14.4),
        ("page", "5h36m", "28m", 6),
        ("ticket", "22h24m", "1h52m", 3),
        ("ticket", "2d19h12m", "5h36m", 1),
    ],
    # the SRE workbook's table, and Sloth's 30d rules
    "30d": [
        ("page", "1h", "5m", 14.4),
        ("page", "6h", "30m", 6),
        ("ticket", "1d", "2h", 3),
        ("ticket", "3d", "6h", 1),
    ],
    "90d": [
        ("page", "3h", "15m", 14.4),
        ("page", "18h", "1h30m", 6),
        ("ticket", "3d", "6h", 3),
        ("ticket", "9d", "18h", 1),
    ],
}

_CONDITION = re.compile(
    r"burn_rate:rate(\w+)\{[^}]*\} > ([0-9.e+-]+) and otelward_slo:burn_rate:rate(\w+)\{[^}]*\} > ([0-9.e+-]+)"
)


def _doc(period: str, objective: float = 99.5, **extra: Any) -> dict[str, Any]:
    slo = {"name": "a", "objective": objective, "sli": {"availability": {}}, **extra}
    return {"service": "s", "period": period, "slos": [slo]}


def _conditions(doc: dict[str, Any]) -> list[tuple[str, str, str, float]]:
    rules = build_rules(parse_spec([doc], "slo.yaml"))["groups"][0]["rules"]
    found = []
    for rule in rules:
        if "alert" in rule:
            for long_w, factor, short_w, factor2 in _CONDITION.findall(rule["expr"]):
                assert factor == factor2
                found.append((rule["labels"]["severity"], long_w, short_w, float(factor)))
    return found


@pytest.mark.parametrize("period", list(TABLE), ids=list(TABLE))
def test_rules_use_the_documented_windows(period: str) -> None:
    assert _conditions(_doc(period)) == TABLE[period]


def test_short_periods_no_longer_ticket_below_the_sustainable_rate() -> None:
    # Before: 7d scaled the 30d budget shares onto fixed windows, a 0.233x ticket over 3d/6h.
    factors = [factor for _, _, _, factor in _conditions(_doc("7d"))]
    assert min(factors) == 1


@settings(max_examples=200, deadline=None)
@given(period_s=st.integers(min_value=MIN_PERIOD_S // 60, max_value=400 * 1440).map(lambda m: m * 60))
def test_a_burn_that_ends_the_period_within_budget_never_fires(period_s: int) -> None:
    windows = default_windows(period_s)
    assert {w.severity for w in windows} == {"page", "ticket"}
    for window in windows:
        # the alert condition is burn > factor over both windows: a steady burn <= 1 never passes it
        assert window.factor >= 1
        assert 300 <= window.short_s < window.long_s <= period_s
        assert window.budget_consumed(period_s) <= 0.25 + 1e-9
    # and a steady burn that would overspend the budget eventually opens a ticket
    assert min(w.factor for w in windows if w.severity == "ticket") == 1


@pytest.mark.parametrize("period", ["23h", "12h", "1h", "5m"])
def test_periods_without_a_sound_default_are_refused(period: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_spec([_doc(period)], "slo.yaml")
    message = str(err.value)
    assert "\n" not in message
    assert f"field 'period': {period} is too short for default alert windows" in message
    assert "alerting.windows" in message


def test_explicit_windows_make_a_short_period_usable() -> None:
    windows = [
        {"severity": "page", "long": "30m", "short": "5m", "factor": 8},
        {"severity": "ticket", "long": "2h", "short": "10m", "budget_percent": 20},
    ]
    doc = _doc("12h", alerting={"windows": windows})
    assert _conditions(doc) == [("page", "30m", "5m", 8), ("ticket", "2h", "10m", 1.2)]


@pytest.mark.parametrize(
    ("window", "field", "words"),
    [
        (
            {"long": "3d", "short": "6h", "budget_percent": 10},
            "budget_percent",
            "factor of 0.233x for the 7d",
        ),
        ({"long": "1h", "short": "5m", "factor": 0.5}, "factor", "at least 1"),
        ({"long": "8d", "short": "6h", "factor": 1}, "long", "longer than the 7d period"),
        ({"long": "1h", "short": "5m"}, None, "exactly one of budget_percent"),
        (
            {"long": "1h", "short": "5m", "factor": 2, "budget_percent": 5},
            None,
            "exactly one of budget_percent",
        ),
    ],
    ids=["share-under-1x", "factor-under-1", "longer-than-period", "neither", "both"],
)
def test_explicit_windows_that_fire_on_a_healthy_service_are_refused(
    window: dict[str, Any], field: str | None, words: str
) -> None:
    doc = _doc("7d", alerting={"windows": [{"severity": "ticket", **window}]})
    with pytest.raises(SpecError) as err:
        parse_spec([doc], "slo.yaml")
    where = "alerting.windows[0]" + (f".{field}" if field else "")
    assert f"field '{where}'" in str(err.value)
    assert words in str(err.value)


def test_the_table_is_what_the_docs_list() -> None:
    from harness.app import REPO

    text = (REPO / "docs" / "slo.md").read_text()
    for period, rows in TABLE.items():
        cells = "; ".join(f"{sev} {long_w}/{short_w} {factor:g}x" for sev, long_w, short_w, factor in rows)
        assert f"| {period} | {cells} |" in text, period
