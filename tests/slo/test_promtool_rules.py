"""The generated rules under Prometheus' own tools: ``promtool check rules`` and ``promtool test rules``.

Synthetic traffic drives the real rule evaluator: a 15x burn pages, a total outage pages within the
5-minute short window and stops paging within 5 minutes of recovery, a 2x burn opens only a ticket,
a healthy service raises nothing; for availability and latency SLIs, and for periods other than 30d.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.app import REPO
from otelward.slo import Slo, Spec, load_spec, render_rules
from otelward.slo._durations import format_duration, parse_duration
from otelward.slo._windows import default_windows
from otelward.slo._yamlio import dump_yaml
from tests.slo.promtool_cases import Phase, burn, expected_alert, firing, input_series, minutes, stable_printf

EXAMPLE = REPO / "examples" / "slo" / "slo.yaml"
LABELS = {
    "availability": {"job": "shop", "http_route": "/users/<int:user_id>", "http_request_method": "GET"},
    "latency": {"job": "shop", "http_route": "/users/<int:user_id>", "http_request_method": "GET"},
}


def _promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is missing: run scripts/setup.sh (Debian package prometheus)"
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_promtool(), *args], capture_output=True, text=True, timeout=300, check=False)


def _slo(spec: Spec, name: str) -> Slo:
    return next(s for s in spec.slos if s.name == name)


def _check(
    spec: Spec, slo: Slo, phases: list[Phase], at: str, severity: str, window: str | None
) -> dict[str, Any]:
    """Expect ``severity`` to fire at ``at`` with the burn over ``window`` as its value, or not at all."""
    alerts = (
        []
        if window is None
        else [expected_alert(spec, slo, severity, burn(slo, phases, minutes(at), minutes(window)))]
    )
    return {"eval_time": at, "alertname": f"SLOBurnRate{severity.title()}", "exp_alerts": alerts}


def _quiet(spec: Spec, slo: Slo, phases: list[Phase], at: str) -> list[dict[str, Any]]:
    return [_check(spec, slo, phases, at, "page", None), _check(spec, slo, phases, at, "ticket", None)]


def step(phases: list[Phase]) -> int:
    return 5 if sum(p.minutes for p in phases) > 12 * 60 else 1


def _scenarios(spec: Spec, slo: Slo) -> list[dict[str, Any]]:
    fast = [Phase(6 * 60, 0.1), Phase(2 * 60, 15), Phase(60, 0.1)]
    outage = [Phase(6 * 60, 0.1), Phase(30, 1000), Phase(60, 0.1)]
    slow = [Phase(6 * 60, 0.1), Phase(12 * 60, 2)]
    healthy = [Phase(24 * 60, 0.5)]
    cases: list[tuple[list[Phase], list[dict[str, Any]]]] = [
        # a 15x burn pages once the 1h window passes 14.4x (after 58 minutes), not before
        (
            fast,
            [
                _check(spec, slo, fast, "6h55m", "page", None),
                _check(spec, slo, fast, "7h", "page", "1h"),
                _check(spec, slo, fast, "7h30m", "page", "1h"),
            ],
        ),
        # a 2x burn opens a ticket (3d/6h at 1x) and never pages; with 18h of history Prometheus
        # computes the 3d ratio over the data it has, so the ticket comes once that passes 1x
        (
            slow,
            [
                *_quiet(spec, slo, slow, "9h"),
                _check(spec, slo, slow, "15h", "ticket", "3d"),
                _check(spec, slo, slow, "15h", "page", None),
                _check(spec, slo, slow, "18h", "ticket", "3d"),
                _check(spec, slo, slow, "18h", "page", None),
            ],
        ),
        # half the sustainable rate: nothing fires
        (healthy, [check for at in ("1h", "6h", "1d") for check in _quiet(spec, slo, healthy, at)]),
    ]
    if 5 / 60 / slo.budget > 16:
        cases.append(
            # a total outage pages within the 5m short window (when 5 minutes of it are over 14.4x for 1h:
            # budgets under ~0.58%); 35 minutes after recovery the short windows (5m, 30m) have stopped the
            # page although the long ones (1h, 6h) are still far above threshold
            (
                outage,
                [
                    *_quiet(spec, slo, outage, "6h"),
                    _check(spec, slo, outage, "6h5m", "page", "1h"),
                    _check(spec, slo, outage, "6h35m", "page", "6h"),
                    _check(spec, slo, outage, "7h5m", "page", None),
                ],
            )
        )
    series = f'{{service="{spec.service}",slo="{slo.name}"}}'
    remaining = {  # the period's ratio sums 5m rates: half the budget used means half left
        "expr": f"abs(otelward_slo:error_budget_remaining:ratio{series} - 0.5) < bool 1e-9",
        "eval_time": "1d",
        "exp_samples": [{"labels": series, "value": 1}],
    }
    # Multi-day cases sample every 5 minutes: the evaluator's cost grows with samples per range.
    return [
        {
            "interval": f"{step(phases)}m",
            "name": f"{slo.name} #{i}",
            "input_series": input_series(slo, LABELS[slo.name], phases, step(phases)),
            "alert_rule_test": checks,
            "promql_expr_test": [remaining] if phases is healthy else [],
        }
        for i, (phases, checks) in enumerate(cases)
    ]


def test_example_rules_pass_promtool_check(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(render_rules(load_spec(EXAMPLE)))
    result = _run("check", "rules", str(rules))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("slo_name", ["availability", "latency"])
def test_burn_rate_alerts_behave_under_promtool(tmp_path: Path, slo_name: str) -> None:
    # Only the SLO under test: promtool evaluates every rule at every step, and that is the cost.
    full = load_spec(EXAMPLE)
    spec = dataclasses.replace(full, slos=(_slo(full, slo_name),))
    (tmp_path / "rules.yml").write_text(render_rules(spec))
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "5m",
        "tests": _scenarios(spec, spec.slos[0]),
    }
    (tmp_path / "test.yml").write_text(dump_yaml(tests))
    result = _run("test", "rules", str(tmp_path / "test.yml"))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]


# period -> (minutes between samples, minutes between rule evaluations): samples fall on every window's
# boundary (rate() is then exact), evaluations as sparse as the checked times allow (promtool's cost).
PERIODS = {"1d": (1, 1), "7d": (1, 4), "28d": (1, 4), "30d": (5, 5), "90d": (15, 15)}
WARM_UP = 60
QUIET = 0.1


def _at(minute: int) -> str:
    return format_duration(minute * 60)


def _state_checks(spec: Spec, slo: Slo, phases: list[Phase], at: int, step: int) -> list[dict[str, Any]]:
    """Return promtool checks that the alerts at minute ``at`` are what the oracle computes (or none)."""
    state = firing(slo, phases, at, step)
    if any(v is not None and not stable_printf(v) for v in state.values()):
        return []  # "%.1f" of a value at a rounding tie: Go and Python may disagree; check elsewhere
    return [
        {
            "eval_time": _at(at),
            "alertname": next(a.name for a in slo.alerts if a.severity == severity),
            "exp_alerts": [] if value is None else [expected_alert(spec, slo, severity, value)],
        }
        for severity, value in state.items()
    ]


def _period_cases(spec: Spec, slo: Slo, step: int, interval: int) -> list[dict[str, Any]]:
    """Return the scenarios for one period, asserting on the way that the oracle says what the table does."""
    longest = max(w.long_s for w in slo.windows) // 60
    settle = -(-(max(w.short_s for w in slo.windows) // 60 + step) // interval) * interval
    cases = []
    # A steady burn that ends the period with 5% of its budget left: nothing, at any time.
    steady = [Phase(WARM_UP + longest + interval, 0.95)]
    checks = []
    for at in (WARM_UP, WARM_UP + longest // 2 // interval * interval, WARM_UP + longest):
        assert firing(slo, steady, at, step) == {"page": None, "ticket": None}
        checks += _state_checks(spec, slo, steady, at, step)
    cases.append(("steady 0.95x", steady, checks))
    # Bursts: each lasts the long window of the first pair of its severity whose factor it exceeds,
    # so that pair's both windows see only the burst; then the burst stops and everything resolves.
    for burst, severity in ((15.0, "page"), (6.5, "page"), (2.0, "ticket")):
        duration = min(w.long_s for w in slo.windows if w.severity == severity and w.factor < burst) // 60
        phases = [Phase(WARM_UP, QUIET), Phase(duration, burst), Phase(settle + interval, QUIET)]
        end = WARM_UP + duration
        assert firing(slo, phases, end, step)[severity] == pytest.approx(burst)
        if burst < min(w.factor for w in slo.windows if w.severity == "page"):
            assert firing(slo, phases, end, step)["page"] is None, "a burst under every page factor pages"
        assert firing(slo, phases, end + settle, step) == {"page": None, "ticket": None}
        checks = []
        for at in (WARM_UP, WARM_UP + duration // 2 // interval * interval, end, end + settle):
            checks += _state_checks(spec, slo, phases, at, step)
        cases.append((f"{burst:g}x for {_at(duration)}", phases, checks))
    return [
        {
            "interval": f"{step}m",
            "name": f"{format_duration(slo.period_s)} {name}",
            "input_series": input_series(slo, LABELS["availability"], phases, step),
            "alert_rule_test": checks,
        }
        for name, phases, checks in cases
    ]


@pytest.mark.parametrize("period", list(PERIODS), ids=list(PERIODS))
def test_every_period_alerts_as_its_table_says(tmp_path: Path, period: str) -> None:
    full = load_spec(EXAMPLE)
    slo = _slo(full, "availability")
    slo = dataclasses.replace(
        slo, period_s=parse_duration(period), windows=default_windows(parse_duration(period))
    )
    spec = dataclasses.replace(full, slos=(slo,))
    step, interval = PERIODS[period]
    (tmp_path / "rules.yml").write_text(render_rules(spec))
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": f"{interval}m",
        "tests": _period_cases(spec, slo, step, interval),
    }
    (tmp_path / "test.yml").write_text(dump_yaml(tests))
    result = _run("test", "rules", str(tmp_path / "test.yml"))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
