"""Generate a Grafana dashboard: per SLO budget left, SLI, burn rates; then RED for the service.

The SLO panels read the recorded series of the generated rule file, so the rules must be loaded;
the RED panels query otelward's histograms directly with the spec's selector.
"""

from __future__ import annotations

import re
from typing import Any

from otelward.slo._durations import format_duration
from otelward.slo._model import Slo, Spec
from otelward.slo._promql import HTTP_METRIC, OPERATION_METRIC
from otelward.slo._rules import RECORD_PREFIX, burn_rate, ratio

__all__ = ["build_dashboard"]

_DS = {"type": "prometheus", "uid": "${datasource}"}
_RATE = "$__rate_interval"


def _target(expr: str, legend: str, ref: str) -> dict[str, Any]:
    return {"datasource": _DS, "expr": expr, "legendFormat": legend, "refId": ref}


def _panel(
    kind: str, title: str, grid: tuple[int, int, int, int], targets: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    x, y, w, h = grid
    return {
        "type": kind,
        "title": title,
        "datasource": _DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": targets,
        **extra,
    }


def _row(title: str, y: int) -> dict[str, Any]:
    return {
        "type": "row",
        "title": title,
        "collapsed": False,
        "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
        "panels": [],
    }


def _numbered(panels: list[dict[str, Any]], ids: list[int]) -> list[dict[str, Any]]:
    for panel in panels:
        panel["id"] = len(ids) + 1
        ids.append(panel["id"])
    return panels


def _defaults(unit: str, steps: list[tuple[float | None, str]], **custom: Any) -> dict[str, Any]:
    return {
        "defaults": {
            "unit": unit,
            "thresholds": {"mode": "absolute", "steps": [{"value": v, "color": c} for v, c in steps]},
            **custom,
        },
        "overrides": [],
    }


def _slo_panels(spec: Spec, slo: Slo, y: int, ids: list[int]) -> list[dict[str, Any]]:
    sel = '{service="%s",slo="%s"}' % (slo.service, slo.name)  # noqa: UP031 - braces
    period = format_duration(slo.period_s)
    budget_steps: list[tuple[float | None, str]] = [(None, "red"), (0.0, "orange"), (0.25, "green")]
    sli_steps: list[tuple[float | None, str]] = [(None, "red"), (slo.objective / 100, "green")]
    windows = sorted({w.long_s for w in slo.windows} | {slo.period_s})
    panels = [
        _row(f"{slo.name}: {slo.objective:g}% over {period}", y),
        _panel(
            "stat",
            "Error budget remaining",
            (0, y + 1, 4, 7),
            [_target(f"{RECORD_PREFIX}:error_budget_remaining:ratio{sel}", "remaining", "A")],
            fieldConfig=_defaults("percentunit", budget_steps, decimals=1),
            description=f"Share of the {period} error budget not yet spent; below 0 the SLO is breached.",
        ),
        _panel(
            "stat",
            f"SLI over {period}",
            (4, y + 1, 4, 7),
            [_target(f"1 - {ratio(period)}{sel}", "SLI", "A")],
            fieldConfig=_defaults("percentunit", sli_steps, decimals=3),
            description=slo.description or f"Objective {slo.objective:g}%.",
        ),
        _panel(
            "timeseries",
            "Burn rate (1 = spending exactly the budget)",
            (8, y + 1, 8, 7),
            [
                _target(f"{burn_rate(format_duration(w))}{sel}", format_duration(w), chr(65 + i))
                for i, w in enumerate(windows)
            ],
            fieldConfig=_defaults(
                "none",
                [
                    (None, "green"),
                    (1.0, "orange"),
                    (max(w.factor for w in slo.windows), "red"),
                ],
                custom={"thresholdsStyle": {"mode": "line"}},
            ),
        ),
        _panel(
            "timeseries",
            "SLI over time",
            (16, y + 1, 8, 7),
            [
                _target(f"1 - {ratio(format_duration(spec.raw_windows(slo)[0]))}{sel}", "SLI", "A"),
                _target(f"{RECORD_PREFIX}:objective:ratio{sel}", "objective", "B"),
            ],
            fieldConfig=_defaults("percentunit", sli_steps, decimals=3),
        ),
    ]
    return _numbered(panels, ids)


def _red_panels(
    slo: Slo, metric: str, by: str, bad: str, y: int, ids: list[int], named: bool
) -> list[dict[str, Any]]:
    sel = ",".join(m.render() for m in slo.selector)
    base = "{" + sel + "}"
    errors = "{" + ",".join(filter(None, [sel, bad])) + "}"
    title = "HTTP" if metric == HTTP_METRIC else "Operations"
    panels = [
        _row(f"RED: {title}" + (f" ({slo.service})" if named else ""), y),
        _panel(
            "timeseries",
            "Rate (per second)",
            (0, y + 1, 8, 8),
            [_target(f"sum by ({by}) (rate({metric}_count{base}[{_RATE}]))", f"{{{{{by}}}}}", "A")],
            fieldConfig=_defaults("reqps", [(None, "green")]),
        ),
        _panel(
            "timeseries",
            "Errors (share of requests)",
            (8, y + 1, 8, 8),
            [
                _target(
                    f"sum by ({by}) (rate({metric}_count{errors}[{_RATE}])) / "
                    f"sum by ({by}) (rate({metric}_count{base}[{_RATE}]))",
                    f"{{{{{by}}}}}",
                    "A",
                )
            ],
            fieldConfig=_defaults("percentunit", [(None, "green")]),
        ),
        _panel(
            "timeseries",
            "Duration (p50, p95, p99)",
            (16, y + 1, 8, 8),
            [
                _target(
                    f"histogram_quantile({q}, sum by (le, {by}) (rate({metric}_bucket{base}[{_RATE}])))",
                    f"p{int(q * 100)} {{{{{by}}}}}",
                    chr(65 + i),
                )
                for i, q in enumerate((0.5, 0.95, 0.99))
            ],
            fieldConfig=_defaults("s", [(None, "green")]),
        ),
    ]
    return _numbered(panels, ids)


def build_dashboard(spec: Spec) -> dict[str, Any]:
    """Return the Grafana dashboard (JSON model, schema 39) for ``spec``'s service."""
    ids: list[int] = []
    panels: list[dict[str, Any]] = []
    for i, slo in enumerate(spec.slos):
        panels += _slo_panels(spec, slo, i * 8, ids)
    y = len(spec.slos) * 8
    named = len(spec.services) > 1
    for service in spec.services:
        slos = [slo for slo in spec.slos if slo.service == service]
        panels += _red_panels(
            slos[0], HTTP_METRIC, "http_route", 'http_response_status_code=~"5.."', y, ids, named
        )
        y += 9
        if any(slo.sli.source == "operation" for slo in slos):
            panels += _red_panels(
                slos[0], OPERATION_METRIC, "otelward_operation", 'otelward_outcome="error"', y, ids, named
            )
            y += 9
    title = ", ".join(spec.services)
    slug = re.sub(r"[^a-zA-Z0-9-]+", "-", title).strip("-").lower() or "service"
    return {
        "title": f"{title} SLOs (otelward)",
        "uid": f"otelward-slo-{slug}"[:40],
        "tags": ["otelward", "slo"],
        "timezone": "browser",
        "editable": True,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "1m",
        "time": {"from": "now-7d", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                    "refresh": 1,
                },
            ]
        },
        "annotations": {"list": []},
        "panels": panels,
    }
