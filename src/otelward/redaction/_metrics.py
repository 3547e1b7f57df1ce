"""Redact metric data-point attributes (a label value can carry a token too), for OTLP and /metrics."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from otelward.redaction._api import Redactor

__all__ = ["metrics_transform", "redact_metrics_data"]


def _dedupe(
    original: Mapping[str, Any], redacted: Mapping[str, Any], seen: dict[tuple[Any, ...], int]
) -> Mapping[str, Any]:
    # Two series whose secrets are masked alike would collide into one (Prometheus rejects a scrape
    # with duplicate series), so later collisions get "~2", "~3" on the redacted values.
    ident = tuple(sorted((k, str(v)) for k, v in redacted.items()))
    n = seen.get(ident, 0) + 1
    seen[ident] = n
    if n == 1:
        return redacted
    return {k: (f"{v}~{n}" if v != original.get(k) else v) for k, v in redacted.items()}


def _points(redactor: Redactor, points: Any) -> tuple[Any, bool]:
    out = []
    changed = False
    seen: dict[tuple[Any, ...], int] = {}
    for point in points:
        attrs = point.attributes or {}
        new = redactor.redact_attributes(attrs, "metrics")
        if new is not attrs:
            new = _dedupe(attrs, new, seen)
        else:
            seen[tuple(sorted((k, str(v)) for k, v in attrs.items()))] = 1
        exemplars = getattr(point, "exemplars", None) or ()
        new_exemplars = []
        for ex in exemplars:
            fa = ex.filtered_attributes or {}
            red = redactor.redact_attributes(fa, "metrics")
            new_exemplars.append(ex if red is fa else dataclasses.replace(ex, filtered_attributes=red))
        if new is not attrs or any(a is not b for a, b in zip(new_exemplars, exemplars, strict=True)):
            changed = True
            fields: dict[str, Any] = {"attributes": new}
            if exemplars:
                fields["exemplars"] = new_exemplars
            out.append(dataclasses.replace(point, **fields))
        else:
            out.append(point)
    return out, changed


def redact_metrics_data(redactor: Redactor, data: Any) -> Any:
    """Return ``data`` (SDK ``MetricsData``) with data-point and exemplar attributes redacted.

    The same object is returned when nothing needed redacting. Call it on the Prometheus /metrics path
    too, before rendering.
    """
    resource_metrics = []
    changed = False
    for rm in data.resource_metrics:
        scope_metrics = []
        for sm in rm.scope_metrics:
            metrics = []
            for metric in sm.metrics:
                points, hit = _points(redactor, metric.data.data_points)
                if hit:
                    changed = True
                    data_ = dataclasses.replace(metric.data, data_points=points)
                    metrics.append(dataclasses.replace(metric, data=data_))
                else:
                    metrics.append(metric)
            scope_metrics.append(dataclasses.replace(sm, metrics=metrics))
        resource_metrics.append(dataclasses.replace(rm, scope_metrics=scope_metrics))
    if not changed:
        return data
    return dataclasses.replace(data, resource_metrics=resource_metrics)


def metrics_transform(redactor: Redactor) -> Callable[[Any], Any]:
    """Return a transform for :class:`~otelward.export._lazy_metrics.LazyMetricExporter`."""
    return lambda data: redact_metrics_data(redactor, data)
