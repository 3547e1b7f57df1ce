"""SLOs: validate a spec, generate Prometheus rules and a Grafana dashboard, report from a live Prometheus.

The generators are pure functions of a validated :class:`Spec`; only ``load_spec``, ``render_rules``
and the CLI touch files (PyYAML is imported when they run, never at import time).
"""

from __future__ import annotations

from otelward.slo._api import load_spec, parse_spec, render_rules, spec_warnings
from otelward.slo._errors import SpecError
from otelward.slo._model import Alert, BurnWindow, Matcher, Sli, Slo, Spec
from otelward.slo._rules import build_rules

__all__ = [
    "Alert",
    "BurnWindow",
    "Matcher",
    "Sli",
    "Slo",
    "Spec",
    "SpecError",
    "build_rules",
    "load_spec",
    "parse_spec",
    "render_rules",
    "spec_warnings",
]
