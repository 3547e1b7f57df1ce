"""The live SLO report: current SLI, budget left and burn rates per SLO, as a table or JSON, and an exit code.

:func:`evaluate` is pure: it asks an injected ``query`` function for instant values of the same PromQL
the rules record, so the report needs no rules loaded and matches what the alerts would see.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from otelward.slo._durations import format_duration, parse_duration
from otelward.slo._model import Slo, Spec
from otelward.slo._promql import errors_expr, total_expr

__all__ = ["LEVELS", "Report", "SloStatus", "evaluate", "exit_code", "to_json", "to_table"]

# Ordered: --fail-on LEVEL fails on that state or a later one.
LEVELS = ("ok", "ticket", "page", "exhausted")
Query = Callable[[str], "float | None"]


@dataclass(frozen=True)
class SloStatus:
    """One SLO's current state; ratios are None when Prometheus has no data for them."""

    name: str
    objective: float
    period: str
    error_ratio: float | None
    burn_rates: dict[str, float | None]
    alerts: tuple[str, ...]

    @property
    def sli(self) -> float | None:
        """Return the share of good events over the period."""
        return None if self.error_ratio is None else 1.0 - self.error_ratio

    @property
    def budget_remaining(self) -> float | None:
        """Return the share of the period's error budget left (negative when overspent)."""
        if self.error_ratio is None:
            return None
        return 1.0 - self.error_ratio / (1.0 - self.objective / 100.0)

    @property
    def state(self) -> str:
        """Return ``no data``, ``exhausted``, ``page``, ``ticket`` or ``ok``."""
        if self.error_ratio is None:
            return "no data"
        remaining = self.budget_remaining
        if remaining is not None and remaining <= 0:
            return "exhausted"
        for level in ("page", "ticket"):
            if level in self.alerts:
                return level
        return "ok"


@dataclass(frozen=True)
class Report:
    """The report of every SLO in a spec."""

    service: str
    source: str
    slos: tuple[SloStatus, ...] = field(default_factory=tuple)


def _ratio(spec: Spec, slo: Slo, window: str, query: Query) -> float | None:
    value = query(f"({errors_expr(spec, slo, window)})\n/\n({total_expr(spec, slo, window)})")
    return None if value is None or not math.isfinite(value) else value


def evaluate(spec: Spec, query: Query) -> Report:
    """Return the report, calling ``query(promql)`` for each instant value (None when empty)."""
    statuses = []
    for slo in spec.slos:
        windows = sorted({w.long_s for w in slo.windows} | {w.short_s for w in slo.windows})
        ratios = {w: _ratio(spec, slo, format_duration(w), query) for w in windows}
        burns = {format_duration(w): (None if r is None else r / slo.budget) for w, r in ratios.items()}
        alerts = []
        for window in slo.windows:
            factor = window.factor
            long_r, short_r = ratios[window.long_s], ratios[window.short_s]
            firing = long_r is not None and short_r is not None and min(long_r, short_r) / slo.budget > factor
            if firing and window.severity not in alerts:
                alerts.append(window.severity)
        period = format_duration(slo.period_s)
        statuses.append(
            SloStatus(slo.name, slo.objective, period, _ratio(spec, slo, period, query), burns, tuple(alerts))
        )
    return Report(", ".join(spec.services), spec.source, tuple(statuses))


def exit_code(report: Report, fail_on: str, allow_no_data: bool) -> int:
    """Return 1 when an SLO is at ``fail_on`` or worse (or has no data, unless allowed), else 0."""
    if fail_on == "never":
        return 0
    threshold = LEVELS.index(fail_on)
    for slo in report.slos:
        if slo.state == "no data":
            if not allow_no_data:
                return 1
        elif LEVELS.index(slo.state) >= threshold:
            return 1
    return 0


def _pct(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def _burn(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def to_table(report: Report) -> str:
    """Return the report as an aligned text table."""
    # SLOs of different periods have different windows: one column per window any SLO has, shortest first.
    spans = {parse_duration(w) for slo in report.slos for w in slo.burn_rates}
    burn_cols = [format_duration(w) for w in sorted(spans)]
    head = ["SLO", "OBJECTIVE", "PERIOD", "SLI", "BUDGET LEFT", *(f"BURN {w}" for w in burn_cols), "STATE"]
    rows = [head]
    for slo in report.slos:
        rows.append(
            [
                slo.name,
                f"{slo.objective:g}%",
                slo.period,
                _pct(slo.sli, 3),
                _pct(slo.budget_remaining, 1),
                *(_burn(slo.burn_rates.get(w)) for w in burn_cols),
                slo.state.upper() if slo.state != "ok" else "ok",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    return f"service {report.service} ({report.source})\n" + "\n".join(lines) + "\n"


def to_json(report: Report, code: int) -> str:
    """Return the report as JSON (ratios as fractions, null when there is no data)."""
    return json.dumps(
        {
            "service": report.service,
            "spec": report.source,
            "exit_code": code,
            "slos": [
                {
                    "name": s.name,
                    "objective_percent": s.objective,
                    "period": s.period,
                    "sli": s.sli,
                    "error_ratio": s.error_ratio,
                    "budget_remaining": s.budget_remaining,
                    "burn_rates": s.burn_rates,
                    "alerts": list(s.alerts),
                    "state": s.state,
                }
                for s in report.slos
            ],
        },
        indent=2,
    )
