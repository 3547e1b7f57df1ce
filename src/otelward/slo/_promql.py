"""PromQL for an SLI: the rate of bad events and of all events over a window, from otelward's metrics.

otelward exposes (on the management ``/metrics``, and through OTLP → collector → Prometheus):

- ``http_server_request_duration_seconds_{bucket,count,sum}`` with ``http_request_method``,
  ``http_route``, ``http_response_status_code``, ``error_type``;
- ``otelward_operation_duration_seconds_{bucket,count,sum}`` for non-HTTP entry operations, with
  ``otelward_operation``, ``otelward_span_kind``, ``otelward_outcome`` (``ok`` | ``error``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from otelward.slo._model import Matcher, Slo, Spec

__all__ = [
    "HTTP_METRIC",
    "OPERATION_METRIC",
    "WINDOW_PLACEHOLDER",
    "errors_expr",
    "le_matcher",
    "one_of",
    "selector",
    "total_expr",
]

HTTP_METRIC = "http_server_request_duration_seconds"
OPERATION_METRIC = "otelward_operation_duration_seconds"
WINDOW_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")

_BAD = {
    "http": Matcher("http_response_status_code", "=~", "5.."),
    "operation": Matcher("otelward_outcome", "=", "error"),
}


def one_of(label: str, values: tuple[str, ...]) -> Matcher:
    """Return a matcher for ``label`` equal to any of ``values`` (exact, regex-escaped when several)."""
    if len(values) == 1:
        return Matcher(label, "=", values[0])
    return Matcher(label, "=~", "|".join(re.escape(v) for v in values))


def le_matcher(threshold_s: float) -> Matcher:
    """Return the ``le`` matcher of a bucket boundary in every spelling exporters use.

    Python exporters write ``1.0`` where the collector and Prometheus' OTLP receiver write ``1``;
    Prometheus 2.x does not normalise them, so an integral boundary matches both.
    """
    python = repr(float(threshold_s))
    plain = format(Decimal(python).normalize(), "f")
    forms = sorted({python, plain})
    if len(forms) == 1:
        return Matcher("le", "=", python)
    return Matcher("le", "=~", "|".join(re.escape(f) for f in forms))


def selector(spec: Spec, slo: Slo, *extra: Matcher) -> str:
    """Return the ``{...}`` selector: the service's selector, the SLI filters, then ``extra``."""
    matchers = (*slo.selector, *slo.sli.matchers, *extra)
    return "{" + ",".join(m.render() for m in matchers) + "}"


def _metric(slo: Slo) -> str:
    return HTTP_METRIC if slo.sli.source == "http" else OPERATION_METRIC


def _raw(query: str, window: str) -> str:
    return WINDOW_PLACEHOLDER.sub(window, query.strip())


def total_expr(spec: Spec, slo: Slo, window: str) -> str:
    """Return PromQL for the per-second rate of all events over ``window``."""
    if slo.sli.kind == "raw":
        return _raw(slo.sli.total_query, window)
    return f"sum(rate({_metric(slo)}_count{selector(spec, slo)}[{window}]))"


def errors_expr(spec: Spec, slo: Slo, window: str) -> str:
    """Return PromQL for the per-second rate of bad events over ``window``.

    With traffic but no bad series yet the result is 0, not empty: a healthy service must show an
    error ratio of 0 rather than no data.
    """
    if slo.sli.kind == "raw":
        return _raw(slo.sli.errors_query, window)
    total = total_expr(spec, slo, window)
    if slo.sli.kind == "latency":
        assert slo.sli.threshold_s is not None  # guaranteed by the spec parser
        good = f"sum(rate({_metric(slo)}_bucket{selector(spec, slo, le_matcher(slo.sli.threshold_s))}[{window}]))"
        return f"{total} - {good}"
    bad = f"sum(rate({_metric(slo)}_count{selector(spec, slo, _BAD[slo.sli.source])}[{window}]))"
    return f"{bad} or 0 * {total}"
