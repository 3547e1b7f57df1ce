"""Build ``promtool test rules`` files from synthetic traffic: phases of steady burn, 1000 requests a minute.

The oracle is plain arithmetic on the synthetic series: the burn over a window is the share of bad
requests in it divided by the error budget. Series are sampled every minute and windows end on a
sample, so Prometheus' rate() is exact here and the oracle needs no extrapolation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from otelward.slo import Slo, Spec
from otelward.slo._rules import labels_of, runbook

PER_MINUTE = 1000


@dataclass(frozen=True)
class Phase:
    """``minutes`` of traffic whose bad share is ``burn`` times the SLO's error budget (capped at 100%)."""

    minutes: int
    burn: float


def _bad_per_minute(slo: Slo, phase: Phase) -> float:
    return min(PER_MINUTE, phase.burn * slo.budget * PER_MINUTE)


def _values(per_minute: list[float]) -> str:
    # promtool's expanding notation, one `start+step x n` run per phase; a phase of n minutes adds n samples.
    parts, last, i = ["0"], 0.0, 0
    while i < len(per_minute):
        j = i
        while j < len(per_minute) and per_minute[j] == per_minute[i]:
            j += 1
        step, n = per_minute[i], j - i
        parts.append(f"{last + step:g}+{step:g}x{n - 1}")
        last += step * n
        i = j
    return " ".join(parts)


def _per_minute(slo: Slo, phases: list[Phase]) -> list[float]:
    return [_bad_per_minute(slo, p) for p in phases for _ in range(p.minutes)]


def _per_step(values: list[float], step: int) -> list[float]:
    return [sum(values[i : i + step]) for i in range(0, len(values), step)]


def _series(name: str, labels: dict[str, str]) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def input_series(
    slo: Slo, labels: dict[str, str], phases: list[Phase], step: int = 1
) -> list[dict[str, str]]:
    """Return promtool input series for ``slo`` sampled every ``step`` minutes (labels: what it selects)."""
    assert all(p.minutes % step == 0 for p in phases), "phases must be whole steps"
    bad = _per_step(_per_minute(slo, phases), step)
    good = [PER_MINUTE * step - b for b in bad]
    if slo.sli.kind == "availability" and slo.sli.source == "http":
        metric = "http_server_request_duration_seconds_count"
        return [
            {
                "series": _series(metric, {**labels, "http_response_status_code": "200"}),
                "values": _values(good),
            },
            {
                "series": _series(metric, {**labels, "http_response_status_code": "500"}),
                "values": _values(bad),
            },
        ]
    if slo.sli.kind == "availability":
        metric = "otelward_operation_duration_seconds_count"
        return [
            {"series": _series(metric, {**labels, "otelward_outcome": "ok"}), "values": _values(good)},
            {"series": _series(metric, {**labels, "otelward_outcome": "error"}), "values": _values(bad)},
        ]
    assert slo.sli.kind == "latency", slo.sli.kind
    assert slo.sli.threshold_s is not None
    metric = (
        "http_server_request_duration_seconds"
        if slo.sli.source == "http"
        else "otelward_operation_duration_seconds"
    )
    total = [float(PER_MINUTE * step)] * len(bad)
    return [
        {"series": _series(metric + "_count", labels), "values": _values(total)},
        {
            "series": _series(metric + "_bucket", {**labels, "le": repr(slo.sli.threshold_s)}),
            "values": _values(good),
        },
        {"series": _series(metric + "_bucket", {**labels, "le": "+Inf"}), "values": _values(total)},
    ]


def burn(slo: Slo, phases: list[Phase], at_minute: int, window_minutes: int) -> float:
    """Return the oracle burn rate over the ``window_minutes`` ending at ``at_minute``."""
    bad = _per_minute(slo, phases)[max(0, at_minute - window_minutes) : at_minute]
    return sum(bad) / (len(bad) * PER_MINUTE) / slo.budget


def _printf1(value: float) -> str:
    # The alert text uses Go's printf "%.1f"; keep clear of rounding ties so Python agrees.
    assert stable_printf(value), f"{value} is too close to a rounding tie for a stable expectation"
    return f"{value:.1f}"


def expected_alert(spec: Spec, slo: Slo, severity: str, value: float) -> dict[str, Any]:
    """Return promtool's ``exp_alerts`` entry for ``slo`` firing at ``severity`` with ``$value``."""
    rules = [r for g in _groups(spec) for r in g["rules"] if r.get("labels", {}).get("severity") == severity]
    template = next(r for r in rules if r["labels"]["slo"] == slo.name)["annotations"]
    description = template["description"].replace('{{ $value | printf "%.1f" }}', _printf1(value))
    return {
        "exp_labels": {**labels_of(spec, slo), "severity": severity},
        "exp_annotations": {
            "summary": template["summary"],
            "description": description,
            "runbook_url": runbook(slo, severity),
        },
    }


def _groups(spec: Spec) -> list[dict[str, Any]]:
    from otelward.slo import build_rules

    groups: list[dict[str, Any]] = build_rules(spec)["groups"]
    return groups


def minutes(text: str) -> int:
    """Return ``1d6h30m`` as minutes."""
    from otelward.slo._durations import parse_duration

    return parse_duration(text) // 60


def firing(slo: Slo, phases: list[Phase], at_minute: int, step: int) -> dict[str, float | None]:
    """Return the oracle's alert state at ``at_minute``: per severity, its ``$value`` or None when quiet.

    A pair fires when the burn over both its windows is above its factor; ``$value`` is the long
    window's burn of the first pair that fires (``a and b`` keeps a's value, ``or`` the left one's).
    With samples every ``step`` minutes, a window covers the samples in it: its whole steps.
    """
    state: dict[str, float | None] = {"page": None, "ticket": None}
    for window in slo.windows:
        if state[window.severity] is not None:
            continue
        long_m = window.long_s // 60 // step * step
        short_m = window.short_s // 60 // step * step
        long_b = burn(slo, phases, at_minute, long_m)
        if long_b > window.factor and burn(slo, phases, at_minute, short_m) > window.factor:
            state[window.severity] = long_b
    return state


def stable_printf(value: float) -> bool:
    """Return whether Go's and Python's "%.1f" surely agree on ``value`` (it is not near a rounding tie)."""
    frac = value * 10 - math.floor(value * 10)
    return abs(frac - 0.5) > 1e-3
