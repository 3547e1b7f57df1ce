"""Translate the OpenSLO v1 subset that maps onto otelward's spec into an otelward spec mapping.

Accepted: ``kind: SLO`` documents (of one or several services) with an inline ``indicator`` or an
``indicatorRef`` to a ``kind: SLI`` document; ``ratioMetric`` with ``good`` or ``bad`` and ``total``
from a Prometheus ``metricSource``, given inline or by ``metricSourceRef`` to a ``kind: DataSource``; one rolling ``timeWindow``; ``budgetingMethod: Occurrences``; one objective with
``target`` (0-1) or ``targetPercent``. ``kind: Service`` documents are accepted and only checked.
Anything else (threshold or raw metrics, calendar windows, time slices, alert policies) is refused
with a message naming the field, rather than silently measured differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otelward.slo._errors import Fail, check_keys, shown
from otelward.slo._fields import read_duration, read_mapping, read_number, read_query, read_str
from otelward.slo._promql import WINDOW_PLACEHOLDER
from otelward.slo._promql_parse import is_plain_selector, split_aggregated_selector

__all__ = ["from_openslo", "is_openslo"]

_UNSUPPORTED = "is not supported by otelward (see docs/slo.md, OpenSLO)"
_KINDS = ("DataSource", "SLI", "SLO", "Service")


def is_openslo(doc: object) -> bool:
    """Return whether ``doc`` is an OpenSLO document."""
    version = doc.get("apiVersion") if isinstance(doc, Mapping) else None
    return isinstance(version, str) and version.startswith("openslo/")


def _metric_source(src: Mapping[str, object], field: str, fail: Fail, sources: Mapping[str, str]) -> None:
    kind = src.get("type")
    if "metricSourceRef" in src:
        ref = read_str(src["metricSourceRef"], f"{field}.metricSourceRef", fail)
        if ref not in sources:
            fail(f"{field}.metricSourceRef", f"no kind: DataSource document named {shown(ref)} in this file")
        if kind is not None and str(kind).lower() != sources[ref].lower():
            fail(f"{field}.type", f"{shown(kind)} differs from the type of DataSource {shown(ref)}")
        kind = sources[ref]
    if not isinstance(kind, str) or kind.lower() != "prometheus":
        fail(f"{field}.type", f"{shown(kind)} {_UNSUPPORTED}; only Prometheus")


def _query(source: object, field: str, fail: Fail, counter: bool, sources: Mapping[str, str]) -> str:
    metric = read_mapping(source, field, fail)
    check_keys(metric, ("metricSource",), field, fail)
    src = read_mapping(metric.get("metricSource"), f"{field}.metricSource", fail)
    check_keys(src, ("metadata", "metricSourceRef", "spec", "type"), f"{field}.metricSource", fail)
    _metric_source(src, f"{field}.metricSource", fail, sources)
    spec = read_mapping(src.get("spec"), f"{field}.metricSource.spec", fail)
    check_keys(spec, ("query",), f"{field}.metricSource.spec", fail)
    where = f"{field}.metricSource.spec.query"
    query = read_str(spec.get("query"), where, fail)
    if WINDOW_PLACEHOLDER.search(query):
        return read_query(query, where, fail)
    if not counter:
        fail(
            where,
            "needs {{window}} where the range goes (or counter: true for a counter to take the rate of)",
        )
    # rate() takes a counter's series, not an expression: sum(x) becomes sum(rate(x[w])), which is
    # also right across counter resets (a rate of the sum is not).
    selector = query if is_plain_selector(query) else split_aggregated_selector(query)
    if selector is None:
        fail(
            where,
            "with counter: true must be a metric selector or sum(<selector>); for anything else write the "
            "rate with {{window}}, e.g. sum by (x) (rate(metric[{{window}}]))",
        )
    return f"sum(rate({selector}[{{{{window}}}}]))"


def _indicator(
    sli: Mapping[str, object], field: str, fail: Fail, sources: Mapping[str, str]
) -> dict[str, str]:
    check_keys(sli, ("metadata", "spec"), field, fail)
    spec = read_mapping(sli.get("spec"), f"{field}.spec", fail)
    for key in ("thresholdMetric", "rawMetric"):
        if key in spec:
            fail(f"{field}.spec.{key}", f"{_UNSUPPORTED}; use ratioMetric")
    check_keys(spec, ("description", "ratioMetric"), f"{field}.spec", fail)
    ratio = read_mapping(spec.get("ratioMetric"), f"{field}.spec.ratioMetric", fail)
    base = f"{field}.spec.ratioMetric"
    for key in ("raw", "rawType"):
        if key in ratio:
            fail(f"{base}.{key}", f"(a precomputed ratio) {_UNSUPPORTED}; use good or bad, and total")
    check_keys(ratio, ("bad", "counter", "good", "total"), base, fail)
    counter = ratio.get("counter", False) is True
    total = _query(ratio.get("total"), f"{base}.total", fail, counter, sources)
    if ("good" in ratio) == ("bad" in ratio):
        fail(base, "needs exactly one of good or bad, plus total")
    if "bad" in ratio:
        return {"errors": _query(ratio["bad"], f"{base}.bad", fail, counter, sources), "total": total}
    good = _query(ratio["good"], f"{base}.good", fail, counter, sources)
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


def _slo(
    doc: Mapping[str, object],
    source: str,
    slis: Mapping[str, Mapping[str, object]],
    sources: Mapping[str, str],
) -> dict[str, Any]:
    meta = read_mapping(doc.get("metadata"), "metadata", Fail(source))
    name = read_str(meta.get("name"), "metadata.name", Fail(source))
    fail = Fail(source, name)
    check_keys(meta, ("displayName", "name"), "metadata", fail)
    spec = read_mapping(doc.get("spec"), "spec", fail)
    if spec.get("alertPolicies") not in (None, []):  # an empty one says nothing
        fail("spec.alertPolicies", f"{_UNSUPPORTED}: otelward generates multi-window burn-rate alerts")
    allowed = (
        "alertPolicies",
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
        indicator = _indicator(doc, f"SLI {ref}", fail, sources)
    else:
        indicator = _indicator(
            read_mapping(spec.get("indicator"), "spec.indicator", fail), "spec.indicator", fail, sources
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


def _named(doc: Mapping[str, object], fail: Fail) -> str:
    return read_str(read_mapping(doc.get("metadata"), "metadata", fail).get("name"), "metadata.name", fail)


def _data_sources(docs: list[Mapping[str, object]], fail: Fail) -> dict[str, str]:
    sources = {}
    for doc in docs:
        name = _named(doc, fail)
        spec = read_mapping(doc.get("spec"), f"DataSource {name}.spec", fail)
        check_keys(spec, ("connectionDetails", "description", "type"), f"DataSource {name}.spec", fail)
        sources[name] = read_str(spec.get("type"), f"DataSource {name}.spec.type", fail)
    return sources


def from_openslo(docs: list[object], source: str) -> dict[str, Any]:
    """Return an otelward spec mapping for OpenSLO ``docs``: one entry under ``services`` per service.

    Raises:
        SpecError: a document uses a part of OpenSLO that does not map, naming the field.
    """
    fail = Fail(source)
    by_kind: dict[str, list[Mapping[str, object]]] = {k: [] for k in _KINDS}
    for i, doc in enumerate(docs):
        if not is_openslo(doc):
            fail(f"document {i + 1}", "mixes otelward and OpenSLO documents; use one format per file")
        assert isinstance(doc, Mapping)
        if doc.get("apiVersion") != "openslo/v1":
            fail(
                f"document {i + 1}.apiVersion",
                f"{shown(doc.get('apiVersion'))} {_UNSUPPORTED}; only openslo/v1",
            )
        kind = doc.get("kind")
        if not isinstance(kind, str) or kind not in by_kind:
            fail(f"document {i + 1}.kind", f"{shown(kind)} {_UNSUPPORTED}; accepted: {', '.join(_KINDS)}")
        check_keys(doc, ("apiVersion", "kind", "metadata", "spec"), f"document {i + 1}", fail)
        by_kind[kind].append(doc)
    if not by_kind["SLO"]:
        fail(None, "has no kind: SLO document")
    slis = {_named(d, fail): d for d in by_kind["SLI"]}
    sources = _data_sources(by_kind["DataSource"], fail)
    services: dict[str, list[dict[str, Any]]] = {}
    for doc in by_kind["SLO"]:
        service = read_str(read_mapping(doc.get("spec"), "spec", fail).get("service"), "spec.service", fail)
        services.setdefault(service, []).append(_slo(doc, source, slis, sources))
    return {"services": [{"service": name, "slos": slos} for name, slos in services.items()]}
