"""Translate the OpenSLO v1 subset that maps onto otelward's spec into an otelward spec mapping.

Accepted: ``kind: SLO`` documents of one service with an inline ``indicator`` or an ``indicatorRef``
to a ``kind: SLI`` document; ``ratioMetric`` with ``good`` or ``bad`` and ``total`` from a Prometheus
``metricSource``; one rolling ``timeWindow``; ``budgetingMethod: Occurrences``; one objective with
``target`` (0-1) or ``targetPercent``. ``kind: Service`` documents are accepted and only checked.
Anything else (threshold or raw metrics, calendar windows, time slices, alert policies) is refused
with a message naming the field, rather than silently measured differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otelward.slo._errors import Fail, check_keys, shown
from otelward.slo._fields import read_duration, read_mapping, read_number, read_str
from otelward.slo._promql import WINDOW_PLACEHOLDER

__all__ = ["from_openslo", "is_openslo"]

_UNSUPPORTED = "is not supported by otelward (see docs/slo.md, OpenSLO)"


def is_openslo(doc: object) -> bool:
    """Return whether ``doc`` is an OpenSLO document."""
    version = doc.get("apiVersion") if isinstance(doc, Mapping) else None
    return isinstance(version, str) and version.startswith("openslo/")


def _query(source: object, field: str, fail: Fail, counter: bool) -> str:
    metric = read_mapping(source, field, fail)
    check_keys(metric, ("metricSource",), field, fail)
    src = read_mapping(metric.get("metricSource"), f"{field}.metricSource", fail)
    check_keys(src, ("metadata", "spec", "type"), f"{field}.metricSource", fail)
    if str(src.get("type", "")).lower() != "prometheus":
        fail(f"{field}.metricSource.type", f"{shown(src.get('type'))} {_UNSUPPORTED}; only Prometheus")
    spec = read_mapping(src.get("spec"), f"{field}.metricSource.spec", fail)
    check_keys(spec, ("query",), f"{field}.metricSource.spec", fail)
    query = read_str(spec.get("query"), f"{field}.metricSource.spec.query", fail)
    if WINDOW_PLACEHOLDER.search(query):
        return query
    if not counter:
        fail(f"{field}.metricSource.spec.query", "needs {{window}} (or counter: true to wrap it in rate())")
    return f"sum(rate({query}[{{{{window}}}}]))"


def _indicator(sli: Mapping[str, object], field: str, fail: Fail) -> dict[str, str]:
    check_keys(sli, ("metadata", "spec"), field, fail)
    spec = read_mapping(sli.get("spec"), f"{field}.spec", fail)
    for key in ("thresholdMetric", "rawMetric"):
        if key in spec:
            fail(f"{field}.spec.{key}", f"{_UNSUPPORTED}; use ratioMetric")
    check_keys(spec, ("description", "ratioMetric"), f"{field}.spec", fail)
    ratio = read_mapping(spec.get("ratioMetric"), f"{field}.spec.ratioMetric", fail)
    base = f"{field}.spec.ratioMetric"
    check_keys(ratio, ("bad", "counter", "good", "total"), base, fail)
    counter = ratio.get("counter", False) is True
    total = _query(ratio.get("total"), f"{base}.total", fail, counter)
    if ("good" in ratio) == ("bad" in ratio):
        fail(base, "needs exactly one of good or bad, plus total")
    if "bad" in ratio:
        return {"errors": _query(ratio["bad"], f"{base}.bad", fail, counter), "total": total}
    good = _query(ratio["good"], f"{base}.good", fail, counter)
    return {"errors": f"({total}) - ({good})", "total": total}


def _objective(spec: Mapping[str, object], fail: Fail) -> float:
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or len(objectives) != 1:
        fail("spec.objectives", "must list exactly one objective (one SLO per objective in otelward)")
    obj = read_mapping(objectives[0], "spec.objectives[0]", fail)
    for key in ("op", "value", "timeSliceTarget", "timeSliceWindow"):
        if key in obj:
            fail(f"spec.objectives[0].{key}", _UNSUPPORTED)
    check_keys(obj, ("displayName", "target", "targetPercent"), "spec.objectives[0]", fail)
    if "targetPercent" in obj:
        return read_number(obj["targetPercent"], "spec.objectives[0].targetPercent", fail)
    target = read_number(obj.get("target"), "spec.objectives[0].target", fail)
    if not 0 < target < 1:
        fail("spec.objectives[0].target", f"must be a ratio strictly between 0 and 1, got {target:g}")
    return round(target * 100, 10)


def _slo(doc: Mapping[str, object], source: str, slis: Mapping[str, Mapping[str, object]]) -> dict[str, Any]:
    meta = read_mapping(doc.get("metadata"), "metadata", Fail(source))
    name = read_str(meta.get("name"), "metadata.name", Fail(source))
    fail = Fail(source, name)
    check_keys(meta, ("displayName", "name"), "metadata", fail)
    spec = read_mapping(doc.get("spec"), "spec", fail)
    if "alertPolicies" in spec:
        fail("spec.alertPolicies", f"{_UNSUPPORTED}: otelward generates multi-window burn-rate alerts")
    allowed = (
        "budgetingMethod",
        "description",
        "indicator",
        "indicatorRef",
        "objectives",
        "service",
        "timeWindow",
    )
    check_keys(spec, allowed, "spec", fail)
    if spec.get("budgetingMethod", "Occurrences") != "Occurrences":
        fail("spec.budgetingMethod", f"{shown(spec.get('budgetingMethod'))} {_UNSUPPORTED}; only Occurrences")
    windows = spec.get("timeWindow", [{"duration": "30d", "isRolling": True}])
    if not isinstance(windows, list) or len(windows) != 1:
        fail("spec.timeWindow", "must list exactly one rolling window")
    window = read_mapping(windows[0], "spec.timeWindow[0]", fail)
    check_keys(window, ("duration", "isRolling"), "spec.timeWindow[0]", fail)
    if window.get("isRolling") is not True:
        fail("spec.timeWindow[0].isRolling", f"calendar windows {_UNSUPPORTED}; set isRolling: true")
    read_duration(window.get("duration"), "spec.timeWindow[0].duration", fail)
    if "indicatorRef" in spec:
        ref = read_str(spec["indicatorRef"], "spec.indicatorRef", fail)
        if ref not in slis:
            fail("spec.indicatorRef", f"no kind: SLI document named {shown(ref)} in this file")
        doc = {k: v for k, v in slis[ref].items() if k not in ("apiVersion", "kind")}  # checked already
        indicator = _indicator(doc, f"SLI {ref}", fail)
    else:
        indicator = _indicator(
            read_mapping(spec.get("indicator"), "spec.indicator", fail), "spec.indicator", fail
        )
    slo: dict[str, Any] = {
        "name": name,
        "objective": _objective(spec, fail),
        "period": window["duration"],
        "sli": {"raw": indicator},
    }
    if "description" in spec:
        slo["description"] = spec["description"]
    return slo


def from_openslo(docs: list[object], source: str) -> dict[str, Any]:
    """Return an otelward spec mapping for OpenSLO ``docs`` (all of one service).

    Raises:
        SpecError: a document uses a part of OpenSLO that does not map, naming the field.
    """
    fail = Fail(source)
    by_kind: dict[str, list[Mapping[str, object]]] = {"SLO": [], "SLI": [], "Service": []}
    for i, doc in enumerate(docs):
        if not is_openslo(doc):
            fail(f"document {i + 1}", "mixes otelward and OpenSLO documents; use one format per file")
        assert isinstance(doc, Mapping)
        if doc.get("apiVersion") != "openslo/v1":
            fail(
                f"document {i + 1}.apiVersion",
                f"{shown(doc.get('apiVersion'))} {_UNSUPPORTED}; only openslo/v1",
            )
        kind = str(doc.get("kind"))
        if kind not in by_kind:
            fail(f"document {i + 1}.kind", f"{shown(kind)} {_UNSUPPORTED}; accepted: SLO, SLI, Service")
        check_keys(doc, ("apiVersion", "kind", "metadata", "spec"), f"document {i + 1}", fail)
        by_kind[kind].append(doc)
    if not by_kind["SLO"]:
        fail(None, "has no kind: SLO document")
    slis = {str(read_mapping(d.get("metadata"), "metadata", fail).get("name")): d for d in by_kind["SLI"]}
    services = {
        read_str(read_mapping(d.get("spec"), "spec", fail).get("service"), "spec.service", fail)
        for d in by_kind["SLO"]
    }
    if len(services) != 1:
        fail(
            "spec.service",
            f"SLOs of several services ({', '.join(sorted(services))}); use one file per service",
        )
    slos = [_slo(d, source, slis) for d in by_kind["SLO"]]
    return {"service": services.pop(), "slos": slos}
