"""The generated rule file and dashboard: snapshots of the example, derived thresholds, self-consistency."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.app import REPO
from otelward._version import __version__
from otelward.slo import build_rules, load_spec, parse_spec, render_rules
from otelward.slo._dashboard import build_dashboard

EXAMPLES = REPO / "examples" / "slo"
SNAPSHOTS = Path(__file__).parent / "snapshots"
DOCS = REPO / "docs" / "slo.md"
UPDATE = os.environ.get("OTELWARD_UPDATE_SNAPSHOTS") == "1"
RECORDED = re.compile(r"otelward_slo:[a-z_]+:[a-z_0-9]+")

OPERATIONS = """\
service: billing
selector: {job: billing, env: "=~prod|staging"}
slos:
  - name: charge-card
    objective: 99.9
    period: 28d
    sli:
      availability: {source: operation, operations: [charge_card, "payments.Charge/Create"], span_kinds: [server, consumer]}
  - name: charge-latency
    objective: 99
    sli:
      latency: {source: operation, threshold: 1s, operations: [charge_card]}
"""
RAW = """\
service: legacy
alerting:
  windows:
    - {severity: page, long: 2h, short: 10m, budget_percent: 5}
slos:
  - name: queue
    objective: 99
    period: 7d
    labels: {team: payments}
    runbook_url: https://runbooks.example/queue
    sli:
      raw:
        errors: sum(rate(jobs_failed_total[{{window}}]))
        total: sum(rate(jobs_total[{{ window }}]))
"""

SERVICES = """\
alerting:
  labels: {team: platform}
  page: {name: PlatformSLOPage, annotations: {summary: "{{ $labels.slo }} burns {{ $value | humanize }}x"}}
services:
  - service: shop
    period: 7d
    selector: {job: "=~shop|shop-canary"}
    slos:
      - {name: availability, objective: 99.5, sli: {availability: {}}}
  - service: billing
    period: 90d
    alerting: {ticket: {disable: true}}
    slos:
      - {name: charge, objective: 99.9, sli: {availability: {source: operation}}}
      - {name: charge-latency, objective: 99, period: 1d, sli: {latency: {threshold: 1s, source: operation}}}
"""


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"missing snapshot {path}; run with OTELWARD_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(), f"{name} changed; review and run with OTELWARD_UPDATE_SNAPSHOTS=1"


def _example_rules() -> str:
    return render_rules(load_spec(EXAMPLES / "slo.yaml")).replace(
        f"otelward {__version__} ", "otelward VERSION "
    )


def test_example_rules_snapshot() -> None:
    _snapshot("example-rules.yml", _example_rules())


def test_example_dashboard_snapshot() -> None:
    _snapshot(
        "example-dashboard.json",
        json.dumps(build_dashboard(load_spec(EXAMPLES / "slo.yaml")), indent=2) + "\n",
    )


def test_docs_show_the_generated_rules_of_the_example() -> None:
    docs = DOCS.read_text()
    assert _example_rules() in docs, (
        "docs/slo.md must embed the example's generated rules (tests/slo/snapshots)"
    )
    assert (EXAMPLES / "slo.yaml").read_text() in docs


def test_alerts_link_to_playbook_sections_that_exist() -> None:
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", DOCS.read_text(), re.M)
    }
    for group in build_rules(load_spec(EXAMPLES / "slo.yaml"))["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                anchor = rule["annotations"]["runbook_url"].rpartition("#")[2]
                assert anchor in anchors, (anchor, sorted(anchors))


def _specs() -> dict[str, Any]:
    return {
        "example": load_spec(EXAMPLES / "slo.yaml"),
        "openslo": load_spec(EXAMPLES / "openslo.yaml"),
        "operations": parse_spec([yaml.safe_load(OPERATIONS)], "ops.yaml"),
        "raw": parse_spec([yaml.safe_load(RAW)], "raw.yaml"),
        "services": parse_spec([yaml.safe_load(SERVICES)], "services.yaml"),
    }


@pytest.mark.parametrize("name", ["example", "openslo", "operations", "raw", "services"])
def test_every_spec_kind_passes_promtool_check(tmp_path: Path, name: str) -> None:
    spec = _specs()[name]
    path = tmp_path / "rules.yml"
    path.write_text(render_rules(spec))
    # dashboard queries as recording rules, so promtool parses their PromQL too
    exprs = [
        t["expr"].replace("$__rate_interval", "5m")
        for p in build_dashboard(spec)["panels"]
        for t in p.get("targets", [])
    ]
    dash = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": f"dashboard:q{i}", "expr": e} for i, e in enumerate(exprs)],
            }
        ]
    }
    (tmp_path / "dashboard.yml").write_text(yaml.safe_dump(dash))
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run scripts/setup.sh"
    result = subprocess.run(
        [promtool, "check", "rules", str(path), str(tmp_path / "dashboard.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["example", "openslo", "operations", "raw", "services"])
def test_every_recorded_series_used_is_recorded(name: str) -> None:
    spec = _specs()[name]
    rules = [r for g in build_rules(spec)["groups"] for r in g["rules"]]
    recorded = {r["record"] for r in rules if "record" in r}
    used = {m for r in rules for m in RECORDED.findall(r["expr"])}
    used |= {
        m
        for p in build_dashboard(spec)["panels"]
        for t in p.get("targets", [])
        for m in RECORDED.findall(t["expr"])
    }
    assert used <= recorded, used - recorded
    for rule in rules:
        assert {"service", "slo"} <= set(rule["labels"])


def test_selector_and_filters_reach_every_raw_query() -> None:
    spec = _specs()["operations"]
    for rule in build_rules(spec)["groups"][0]["rules"]:
        for query in re.findall(r"otelward_operation_duration_seconds_\w+\{[^}]*\}", rule["expr"]):
            assert 'job="billing"' in query
            assert 'env=~"prod|staging"' in query
            assert 'otelward_operation=~"charge_card|payments\\\\.Charge/Create"' in query


def test_raw_queries_get_the_window() -> None:
    rules = build_rules(_specs()["raw"])["groups"][0]["rules"]
    ratio_2h = next(r for r in rules if r.get("record") == "otelward_slo:sli_error:ratio_rate2h")
    assert "jobs_failed_total[2h]" in ratio_2h["expr"]
    assert "jobs_total[2h]" in ratio_2h["expr"]
    alerts = [r for r in rules if "alert" in r]
    assert [a["alert"] for a in alerts] == ["SLOBurnRatePage"]  # the spec has only a page window
    assert alerts[0]["labels"]["team"] == "payments"
    assert alerts[0]["annotations"]["runbook_url"] == "https://runbooks.example/queue"


def test_budget_and_objective_are_recorded_as_ratios() -> None:
    rules = build_rules(load_spec(EXAMPLES / "slo.yaml"))["groups"][1]["rules"]
    by_name = {r["record"]: r["expr"] for r in rules if "record" in r}
    assert by_name["otelward_slo:objective:ratio"] == "vector(0.95)"
    assert by_name["otelward_slo:error_budget:ratio"] == "vector(0.05)"
    assert by_name["otelward_slo:burn_rate:rate1h"].endswith("/ 0.05")
