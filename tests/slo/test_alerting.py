"""Alert control per file, per SLO and per severity, and several services in one spec."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from otelward.slo import SpecError, build_rules, parse_spec

SPEC: dict[str, Any] = {
    "service": "shop",
    "alerting": {
        "labels": {"team": "web"},
        "annotations": {"dashboard": "https://grafana.example/d/shop"},
        "page": {"labels": {"routing_key": "shop-oncall"}},
        "ticket": {"labels": {"queue": "SHOP"}, "name": "ShopSLOTicket"},
    },
    "slos": [
        {"name": "availability", "objective": 99.5, "sli": {"availability": {}}},
        {
            "name": "latency",
            "objective": 95,
            "sli": {"latency": {"threshold": "300ms"}},
            "alerting": {
                "page": {"disable": True},
                "ticket": {
                    "name": "ShopLatencyTicket",
                    "labels": {"queue": "PERF"},
                    "annotations": {"summary": "{{ $labels.service }} is slow: {{ $value | humanize }}x"},
                },
            },
        },
    ],
}


def _alerts(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    groups = build_rules(parse_spec([spec], "slo.yaml"))["groups"]
    return {
        (g["name"].rpartition("-")[2], r["labels"]["severity"]): r
        for g in groups
        for r in g["rules"]
        if "alert" in r
    }


def test_file_wide_alert_settings_reach_every_slo() -> None:
    alerts = _alerts(SPEC)
    page = alerts[("availability", "page")]
    assert page["alert"] == "SLOBurnRatePage"
    assert page["labels"] == {
        "routing_key": "shop-oncall",
        "team": "web",
        "service": "shop",
        "slo": "availability",
        "severity": "page",
    }
    assert page["annotations"]["dashboard"] == "https://grafana.example/d/shop"
    assert page["annotations"]["summary"].startswith("shop availability is burning")
    assert alerts[("availability", "ticket")]["alert"] == "ShopSLOTicket"
    assert alerts[("availability", "ticket")]["labels"]["queue"] == "SHOP"


def test_an_slo_overrides_the_file_per_severity() -> None:
    alerts = _alerts(SPEC)
    assert ("latency", "page") not in alerts
    ticket = alerts[("latency", "ticket")]
    assert ticket["alert"] == "ShopLatencyTicket"
    assert ticket["labels"]["queue"] == "PERF"
    assert ticket["labels"]["team"] == "web"
    assert ticket["annotations"]["summary"] == "{{ $labels.service }} is slow: {{ $value | humanize }}x"
    assert ticket["annotations"]["dashboard"] == "https://grafana.example/d/shop"


def test_an_slo_can_set_its_own_windows() -> None:
    spec = copy.deepcopy(SPEC)
    spec["slos"][0]["alerting"] = {
        "windows": [{"severity": "page", "long": "2h", "short": "10m", "factor": 10}]
    }
    alerts = _alerts(spec)
    assert "rate2h" in alerts[("availability", "page")]["expr"]
    assert ("availability", "ticket") not in alerts  # no ticket pair: no ticket alert
    assert "rate3d" in alerts[("latency", "ticket")]["expr"]  # the other SLO keeps the defaults


@pytest.mark.parametrize(
    ("alerting", "field", "words"),
    [
        ({"labels": {"severity": "x"}}, "alerting.labels.severity", "is set by otelward"),
        ({"page": {"labels": {"slo": "x"}}}, "alerting.page.labels.slo", "is set by otelward"),
        ({"page": {"name": "bad name"}}, "alerting.page.name", "is not an alert name"),
        ({"page": {"disable": "yes"}}, "alerting.page.disable", "must be true or false"),
        ({"page": {"silence": True}}, "alerting.page.silence", "unknown field"),
        ({"critical": {}}, "alerting.critical", "unknown field"),
        (
            {"annotations": {"summary": "{{ .Foo }}"}},
            "alerting.annotations.summary",
            "template otelward cannot check",
        ),
        (
            {"annotations": {"summary": "{{ $value"}},
            "alerting.annotations.summary",
            "template otelward cannot check",
        ),
        ({"labels": {"team": 5}}, "alerting.labels.team", "must be a string"),
    ],
    ids=[
        "reserved",
        "reserved-severity",
        "name",
        "disable",
        "unknown",
        "severity",
        "template",
        "unclosed",
        "type",
    ],
)
def test_bad_alert_settings_are_refused_in_one_line(alerting: dict[str, Any], field: str, words: str) -> None:
    spec = copy.deepcopy(SPEC)
    spec["alerting"] = alerting
    with pytest.raises(SpecError) as err:
        parse_spec([spec], "slo.yaml")
    assert f"field '{field}'" in str(err.value)
    assert words in str(err.value)


SERVICES: dict[str, Any] = {
    "period": "28d",
    "alerting": {"labels": {"team": "platform"}},
    "services": [
        {
            "service": "shop",
            "slos": [{"name": "availability", "objective": 99.5, "sli": {"availability": {}}}],
        },
        {
            "service": "billing",
            "selector": {"job": "billing", "env": "=~prod|staging"},
            "period": "7d",
            "slos": [
                {"name": "availability", "objective": 99.9, "sli": {"availability": {"source": "operation"}}}
            ],
        },
    ],
}


def test_several_services_in_one_file() -> None:
    spec = parse_spec([SERVICES], "slo.yaml")
    assert spec.services == ("shop", "billing")
    shop, billing = spec.slos
    assert (shop.service, shop.period_s, shop.selector[0].render()) == ("shop", 28 * 86400, 'job="shop"')
    assert (billing.service, billing.period_s) == ("billing", 7 * 86400)
    groups = build_rules(spec)["groups"]
    assert [g["name"] for g in groups] == [
        "otelward-slo-shop-availability",
        "otelward-slo-billing-availability",
    ]
    billing_rules = groups[1]["rules"]
    assert 'env=~"prod|staging"' in billing_rules[0]["expr"]
    assert billing_rules[0]["labels"]["service"] == "billing"
    assert next(r for r in billing_rules if "alert" in r)["labels"]["team"] == "platform"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"service": "x"}, "service", "belongs under services:"),
        ({"services": []}, "services", "non-empty list"),
        ({"services": [{"service": "a", "slos": [], "extra": 1}]}, "services[0].extra", "unknown field"),
    ],
    ids=["mixed", "empty", "unknown"],
)
def test_bad_service_lists_are_refused(change: dict[str, Any], field: str, words: str) -> None:
    spec = {**copy.deepcopy(SERVICES), **change}
    with pytest.raises(SpecError) as err:
        parse_spec([spec], "slo.yaml")
    assert f"field '{field}'" in str(err.value)
    assert words in str(err.value)


def test_names_are_unique_per_service() -> None:
    spec = copy.deepcopy(SERVICES)
    spec["services"][0]["slos"].append({"name": "availability", "objective": 99, "sli": {"availability": {}}})
    with pytest.raises(SpecError, match=r"services\[0\]\.slos\[1\]\.name.*used by two SLOs of 'shop'"):
        parse_spec([spec], "slo.yaml")


def test_braces_in_the_specs_text_stay_text_in_alert_templates() -> None:
    # Found by test_fuzz: a service named "{{window}}" gave alert labels promtool refused.
    spec = copy.deepcopy(SPEC)
    spec["service"] = "shop-{{window}}"
    spec["slos"][0]["description"] = "Users }} see {{ pages."
    page = _alerts(spec)[("availability", "page")]
    assert page["labels"]["service"] == 'shop-{{ "{{" }}window{{ "}}" }}'
    assert page["annotations"]["description"].endswith('Users {{ "}}" }} see {{ "{{" }} pages.')
    # (tests/slo/conftest.py has promtool check these rules, whose templates expand to the text)


def test_a_period_prometheus_cannot_represent_is_refused() -> None:
    # Found by test_fuzz: `period: 7777...d` produced ranges promtool calls "out of range".
    spec = copy.deepcopy(SPEC)
    spec["slos"][0]["period"] = "800d"
    with pytest.raises(SpecError, match=r"field 'period': 800d is longer than 732d, the longest period"):
        parse_spec([spec], "slo.yaml")
