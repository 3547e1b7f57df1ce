"""Generate the Prometheus rule file: SLI error ratios, error budget, burn rates and burn-rate alerts.

Recorded series (labels ``service`` and ``slo``, plus the SLO's own labels):

- ``otelward_slo:sli_errors:rate<W>`` / ``otelward_slo:sli_total:rate<W>`` for the shortest window W;
- ``otelward_slo:sli_error:ratio_rate<W>`` for every alert window and the period;
- ``otelward_slo:objective:ratio``, ``otelward_slo:error_budget:ratio``,
  ``otelward_slo:error_budget_remaining:ratio`` (1 = untouched, 0 = spent, negative = overspent);
- ``otelward_slo:burn_rate:rate<W>`` = error ratio over W / error budget (1 = spending exactly the budget).

Alerts ``SLOBurnRatePage`` and ``SLOBurnRateTicket`` (names, labels and annotations per SLO from the
spec's ``alerting``) fire when both the long and the short window of a pair burn faster than its
factor (the SRE workbook's multiwindow, multi-burn-rate alerts, windows scaled to the period by
``_windows``); the short window makes them stop soon after the burn does.
"""

from __future__ import annotations

import re
from typing import Any

from otelward.slo._durations import format_duration
from otelward.slo._model import DEFAULT_RUNBOOK_URL, Alert, BurnWindow, Slo, Spec
from otelward.slo._promql import errors_expr, total_expr

__all__ = [
    "ALERT_NAMES",
    "RECORD_PREFIX",
    "build_rules",
    "burn_rate",
    "labels_of",
    "literal",
    "ratio",
    "runbook",
]

RECORD_PREFIX = "otelward_slo"
ALERT_NAMES = {"page": "SLOBurnRatePage", "ticket": "SLOBurnRateTicket"}


def ratio(window: str) -> str:
    """Return the name of the recorded error ratio over ``window``."""
    return f"{RECORD_PREFIX}:sli_error:ratio_rate{window}"


def burn_rate(window: str) -> str:
    """Return the name of the recorded burn rate over ``window``."""
    return f"{RECORD_PREFIX}:burn_rate:rate{window}"


def labels_of(spec: Spec, slo: Slo) -> dict[str, str]:
    """Return the labels every series and alert of ``slo`` carries."""
    return {**dict(slo.labels), "service": slo.service, "slo": slo.name}


def _sel(spec: Spec, slo: Slo) -> str:
    return '{service="%s",slo="%s"}' % (_esc(slo.service), _esc(slo.name))  # noqa: UP031 - braces


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _num(value: float) -> str:
    return f"{value:.12g}"


def _recordings(spec: Spec, slo: Slo) -> list[dict[str, Any]]:
    labels = labels_of(spec, slo)
    sel = _sel(spec, slo)
    windows = [format_duration(w) for w in spec.raw_windows(slo)]
    base, period = windows[0], format_duration(slo.period_s)
    rules: list[dict[str, Any]] = [
        {
            "record": f"{RECORD_PREFIX}:sli_errors:rate{base}",
            "expr": errors_expr(spec, slo, base),
            "labels": labels,
        },
        {
            "record": f"{RECORD_PREFIX}:sli_total:rate{base}",
            "expr": total_expr(spec, slo, base),
            "labels": labels,
        },
        {
            "record": ratio(base),
            "expr": f"{RECORD_PREFIX}:sli_errors:rate{base}{sel} / {RECORD_PREFIX}:sli_total:rate{base}{sel}",
            "labels": labels,
        },
    ]
    for window in windows[1:]:
        expr = f"({errors_expr(spec, slo, window)})\n/\n({total_expr(spec, slo, window)})"
        rules.append({"record": ratio(window), "expr": expr, "labels": labels})
    # The period's ratio sums the shortest window's rates: traffic-weighted like a raw range over the
    # period, but reading one recorded series instead of every raw bucket for 30 days.
    rules.append(
        {
            "record": ratio(period),
            "expr": f"sum_over_time({RECORD_PREFIX}:sli_errors:rate{base}{sel}[{period}])\n/\n"
            f"sum_over_time({RECORD_PREFIX}:sli_total:rate{base}{sel}[{period}])",
            "labels": labels,
        }
    )
    budget = _num(slo.budget)
    rules += [
        {
            "record": f"{RECORD_PREFIX}:objective:ratio",
            "expr": f"vector({_num(slo.objective / 100)})",
            "labels": labels,
        },
        {"record": f"{RECORD_PREFIX}:error_budget:ratio", "expr": f"vector({budget})", "labels": labels},
        {
            "record": f"{RECORD_PREFIX}:error_budget_remaining:ratio",
            "expr": f"1 - {ratio(period)}{sel} / {budget}",
            "labels": labels,
        },
    ]
    for window in [*windows, period]:
        rules.append(
            {"record": burn_rate(window), "expr": f"{ratio(window)}{sel} / {budget}", "labels": labels}
        )
    return rules


def _condition(spec: Spec, slo: Slo, window: BurnWindow) -> str:
    sel = _sel(spec, slo)
    factor = _num(round(window.factor, 6))
    long_w, short_w = format_duration(window.long_s), format_duration(window.short_s)
    return f"({burn_rate(long_w)}{sel} > {factor} and {burn_rate(short_w)}{sel} > {factor})"


def _alert(spec: Spec, slo: Slo, alert: Alert) -> dict[str, Any] | None:
    pairs = [w for w in slo.windows if w.severity == alert.severity]
    if not pairs or not alert.enabled:
        return None
    described = ", ".join(
        f"{_num(round(w.factor, 2))}x over {format_duration(w.long_s)}/{format_duration(w.short_s)}"
        for w in pairs
    )
    period = format_duration(slo.period_s)
    what = literal(f"{slo.service} {slo.name}")
    severity = alert.severity
    annotations = {
        "summary": f"{what} is burning its {period} error budget too fast ({severity})",
        "description": (
            f"{what} (objective {slo.objective:g}% over {period}) is spending its error budget at "
            '{{ $value | printf "%.1f" }}x the sustainable rate; '
            f"thresholds: {described}. " + literal(slo.description or "")
        ).strip(),
        "runbook_url": literal(runbook(slo, severity)),
    }
    # Alert labels and annotations are Go templates: the spec's names and values are text in them.
    fixed = {name: literal(value) for name, value in labels_of(spec, slo).items()}
    return {
        "alert": alert.name,
        "expr": "\nor\n".join(_condition(spec, slo, w) for w in pairs),
        "labels": {**dict(alert.labels), **fixed, "severity": severity},
        "annotations": {**annotations, **dict(alert.annotations)},
    }


_BRACES = re.compile(r"\{\{|\}\}")


def literal(text: str) -> str:
    """Return ``text`` as a Go template that expands to ``text`` (``{{`` and ``}}`` become actions)."""
    return _BRACES.sub(lambda m: '{{ "%s" }}' % m.group(), text)  # noqa: UP031 - braces


def runbook(slo: Slo, severity: str) -> str:
    """Return the alert's runbook: the spec's ``runbook_url`` as given, or the alert's section of the playbook."""
    if slo.runbook_url != DEFAULT_RUNBOOK_URL:
        return slo.runbook_url
    return f"{slo.runbook_url}#{ALERT_NAMES[severity].lower()}"


def build_rules(spec: Spec) -> dict[str, Any]:
    """Return the rule file as a mapping (one group per SLO), ready to dump as YAML."""
    groups = []
    for slo in spec.slos:
        rules = _recordings(spec, slo)
        rules += [a for a in (_alert(spec, slo, alert) for alert in slo.alerts) if a is not None]
        groups.append({"name": f"otelward-slo-{slo.service}-{slo.name}", "rules": rules})
    return {"groups": groups}
