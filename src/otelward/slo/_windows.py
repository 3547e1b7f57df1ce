"""Burn-rate alert windows for any SLO period: the SRE workbook's table, scaled, or the spec's own.

The workbook's 30-day table pages when 2% of the budget burns in 1h (14.4x) or 5% in 6h (6x), and
opens a ticket when 10% burns in 1d (3x) or in 3d (1x); each short window is 1/12 of its long one.
Keeping those windows and scaling only the factor to another period (``factor = budget share *
period / window``) breaks short periods: for 7d the 3d ticket fires at 0.23x, on a service that ends
the week with most of its budget left. So the windows scale with the period instead (``window *
period / 30d``) and each pair keeps both its factor and its budget share; a 30d period gives the
workbook's table exactly. Windows never go below 1h/5m (a rate over less than 5 minutes is noise
at common scrape intervals); a pair clamped there keeps its factor and spends more of the budget
before it fires. Every factor is at least 1, so a steady burn that ends the period within budget
never fires, and the 1x ticket catches any steady burn that would overspend.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from otelward.slo._durations import format_duration
from otelward.slo._errors import Fail
from otelward.slo._model import BurnWindow

__all__ = ["MAX_PERIOD_S", "MIN_PERIOD_S", "WindowRule", "default_windows", "resolve_windows"]

_REFERENCE_PERIOD_S = 30 * 86400
# (severity, long window for 30d, budget share spent in it): the workbook's multiwindow table.
_WORKBOOK = (
    ("page", 3600, 0.02),
    ("page", 6 * 3600, 0.05),
    ("ticket", 86400, 0.10),
    ("ticket", 3 * 86400, 0.10),
)
_MIN_LONG_S = 3600
_MIN_SHORT_S = 300
# Below a day even the clamped 1h/5m pairs spend over a quarter of the budget before they page.
MIN_PERIOD_S = 86400
# A period's ratio sums its shortest window's rates over the whole period: past a couple of years that
# is no SLO anyone operates, and far past it a duration Prometheus cannot represent.
MAX_PERIOD_S = 2 * 366 * 86400


def _whole_minutes(seconds: float) -> int:
    return max(60, round(seconds / 60) * 60)


@functools.lru_cache(maxsize=64)  # a spec of 18,000 SLOs has a handful of periods
def default_windows(period_s: int) -> tuple[BurnWindow, ...]:
    """Return the workbook's alert windows scaled to ``period_s``, most urgent first per severity.

    Raises:
        ValueError: ``period_s`` is shorter than a day, where no default is sound.
    """
    if period_s < MIN_PERIOD_S:
        raise ValueError(
            f"{format_duration(period_s)} is too short for default alert windows (windows of at least "
            f"1h/5m would spend over a quarter of its budget before paging); use a period of at least "
            f"{format_duration(MIN_PERIOD_S)}, or set alerting.windows"
        )
    factors: dict[tuple[str, int, int], float] = {}
    for severity, long30, share in _WORKBOOK:
        factor = round(share * _REFERENCE_PERIOD_S / long30, 9)
        long_s = max(_MIN_LONG_S, _whole_minutes(long30 * period_s / _REFERENCE_PERIOD_S))
        short_s = max(_MIN_SHORT_S, _whole_minutes(long_s / 12))
        key = (severity, long_s, short_s)
        # Two pairs clamped onto the same windows: the lower factor fires whenever the higher one would.
        factors[key] = min(factor, factors.get(key, factor))
    return tuple(BurnWindow(sev, long_s, short_s, f) for (sev, long_s, short_s), f in factors.items())


@dataclass(frozen=True)
class WindowRule:
    """One ``alerting.windows`` entry as written: a budget share or a factor, resolved per SLO period."""

    field: str
    severity: str
    long_s: int
    short_s: int
    budget_share: float | None = None
    factor: float | None = None


def resolve_windows(rules: tuple[WindowRule, ...], period_s: int, fail: Fail) -> tuple[BurnWindow, ...]:
    """Return the spec's windows for one SLO period, refusing any that could fire on a healthy service."""
    windows = []
    period = format_duration(period_s)
    for rule in rules:
        if rule.long_s > period_s:
            fail(f"{rule.field}.long", f"{format_duration(rule.long_s)} is longer than the {period} period")
        factor = rule.factor if rule.factor is not None else (rule.budget_share or 0) * period_s / rule.long_s
        if factor < 1:
            what = "factor" if rule.factor is not None else "budget_percent"
            least = 100 * rule.long_s / period_s
            fail(
                f"{rule.field}.{what}",
                f"gives a burn-rate factor of {factor:.3g}x for the {period} period, so a service that ends "
                f"the period within budget would {rule.severity}; use a factor of at least 1 "
                f"(budget_percent at least {least:.3g} for {format_duration(rule.long_s)})",
            )
        windows.append(BurnWindow(rule.severity, rule.long_s, rule.short_s, round(factor, 9)))
    return tuple(windows)
