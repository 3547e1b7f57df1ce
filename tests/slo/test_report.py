"""The report's pure core (states, exit codes, table, JSON) and the CLI around it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from harness.app import REPO
from harness.collector import free_port
from otelward import cli
from otelward.slo import Spec, load_spec, parse_spec
from otelward.slo._report import evaluate, exit_code, to_json, to_table

EXAMPLE = REPO / "examples" / "slo" / "slo.yaml"


def _fake(ratios: dict[str, float | None], windows: dict[str, float] | None = None):
    """Answer each error-ratio query by SLO (routes tell them apart) and window."""

    def query(promql: str) -> float | None:
        slo = "latency" if 'le="0.3"' in promql else "availability"
        window = promql.rsplit("[", 1)[1].split("]", 1)[0]
        base = ratios[slo]
        if base is None:
            return None
        return (windows or {}).get(window, base)

    return query


def _spec() -> Spec:
    return load_spec(EXAMPLE)


# (id, availability error ratio, per-window overrides, expected state, exit codes for ticket/page/exhausted/never)
CASES = [
    ("healthy", 0.001, None, "ok", (0, 0, 0, 0)),
    ("slow-burn", 0.004, {"3d": 0.01, "6h": 0.01}, "ticket", (1, 0, 0, 0)),
    ("fast-burn", 0.004, {"1h": 0.08, "5m": 0.08}, "page", (1, 1, 0, 0)),
    ("exhausted", 0.02, None, "exhausted", (1, 1, 1, 0)),
]


@pytest.mark.parametrize(
    ("ratio", "windows", "state", "codes"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_states_and_exit_codes(
    ratio: float, windows: dict[str, float] | None, state: str, codes: tuple[int, ...]
) -> None:
    report = evaluate(_spec(), _fake({"availability": ratio, "latency": 0.01}, windows))
    availability = report.slos[0]
    assert availability.state == state
    assert availability.budget_remaining == pytest.approx(1 - ratio / 0.005)
    for fail_on, code in zip(("ticket", "page", "exhausted", "never"), codes, strict=True):
        assert exit_code(report, fail_on, allow_no_data=False) == code, fail_on


def test_no_data_fails_unless_allowed() -> None:
    report = evaluate(_spec(), _fake({"availability": None, "latency": 0.01}))
    assert report.slos[0].state == "no data"
    assert report.slos[0].sli is None
    assert exit_code(report, "exhausted", allow_no_data=False) == 1
    assert exit_code(report, "exhausted", allow_no_data=True) == 0
    assert "no data" in json.loads(to_json(report, 1))["slos"][0]["state"]


def test_table_shows_each_slo_with_sli_budget_and_burn_rates() -> None:
    report = evaluate(_spec(), _fake({"availability": 0.0025, "latency": 0.01}))
    lines = to_table(report).splitlines()
    assert lines[0] == f"service shop ({EXAMPLE})"
    assert lines[1].split()[:6] == ["SLO", "OBJECTIVE", "PERIOD", "SLI", "BUDGET", "LEFT"]
    assert "BURN 5m" in lines[1]
    assert "BURN 3d" in lines[1]
    assert lines[2].split() == ["availability", "99.5%", "30d", "99.750%", "50.0%", *["0.50"] * 7, "ok"]
    assert lines[3].split()[:5] == ["latency", "95%", "30d", "99.000%", "80.0%"]


def test_table_has_a_column_for_every_window_of_slos_of_different_periods() -> None:
    # Before: the columns were the first SLO's windows, and an SLO with other windows raised KeyError.
    full = _spec()
    spec = parse_spec(
        [
            {
                "service": "shop",
                "slos": [
                    {"name": "availability", "objective": 99.5, "sli": {"availability": {}}},
                    {"name": "weekly", "objective": 99.5, "period": "7d", "sli": {"availability": {}}},
                ],
            }
        ],
        str(full.source),
    )
    lines = to_table(evaluate(spec, lambda promql: 0.0025)).splitlines()
    head = lines[1].split("  ")
    columns = [c.strip() for c in head if c.strip().startswith("BURN")]
    assert columns[:4] == ["BURN 5m", "BURN 7m", "BURN 28m", "BURN 30m"]
    weekly = lines[3].split()
    assert weekly[:3] == ["weekly", "99.5%", "7d"]
    assert "-" in weekly  # the 30d SLO's 2h window, which the 7d SLO does not have
    assert weekly[-1] == "ok"


def test_json_report_has_ratios_as_fractions() -> None:
    report = evaluate(_spec(), _fake({"availability": 0.0025, "latency": 0.01}))
    doc = json.loads(to_json(report, 0))
    availability = doc["slos"][0]
    assert availability["error_ratio"] == pytest.approx(0.0025)
    assert availability["budget_remaining"] == pytest.approx(0.5)
    assert availability["burn_rates"]["1h"] == pytest.approx(0.5)
    assert doc["exit_code"] == 0


def test_report_queries_are_single_valued_sums() -> None:
    seen: list[str] = []

    def query(promql: str) -> float | None:
        seen.append(promql)
        return 0.0

    evaluate(_spec(), query)
    assert len(seen) == 2 * 8  # 7 alert windows and the period, per SLO
    assert all(q.startswith("(sum(rate(") for q in seen)


def test_cli_report_exits_3_when_prometheus_is_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert cli.main(["slo", "report", str(EXAMPLE), "--prometheus", url]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"otelward: cannot reach Prometheus at {url}")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--prometheus", "file:///etc/passwd"], "must be an http:// or https:// URL"),
        (["--prometheus", "http://127.0.0.1:1", "--header", "no-colon"], "must be NAME:VALUE"),
    ],
    ids=["bad-scheme", "bad-header"],
)
def test_cli_report_refuses_bad_arguments(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli.main(["slo", "report", str(EXAMPLE), *argv]) in (2, 3)
    assert message in capsys.readouterr().err


def test_cli_rules_and_dashboard_write_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules, dash = tmp_path / "rules.yml", tmp_path / "dash.json"
    assert cli.main(["slo", "rules", str(EXAMPLE), "-o", str(rules)]) == 0
    assert cli.main(["slo", "dashboard", str(EXAMPLE), "-o", str(dash)]) == 0
    assert capsys.readouterr().out == ""
    assert len(yaml.safe_load(rules.read_text())["groups"]) == 2
    assert json.loads(dash.read_text())["uid"] == "otelward-slo-shop"
    assert cli.main(["slo", "rules", str(EXAMPLE), "-o", str(tmp_path / "missing" / "x.yml")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_cli_validate_reports_each_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("service: shop\nslos: []\n")
    assert cli.main(["slo", "validate", str(EXAMPLE), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(
        f"{EXAMPLE}: OK: service 'shop', 2 SLO(s): availability (availability, 99.5% over 30d)"
    )
    assert err == f"otelward: {bad}: field 'slos': must be a non-empty list of SLOs\n"


def test_cli_warns_about_alerts_that_can_never_fire(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "slo.yaml"
    spec.write_text("service: s\nslos:\n  - {name: batch, objective: 90, sli: {availability: {}}}\n")
    assert cli.main(["slo", "validate", str(spec)]) == 0
    err = capsys.readouterr().err
    assert "SLO 'batch': a page at 14.4x needs an error ratio of 144%, so it can never fire" in err


def test_openslo_maps_onto_the_same_rules_shape() -> None:
    spec = load_spec(REPO / "examples" / "slo" / "openslo.yaml")
    assert spec.service == "shop"
    availability, latency = spec.slos
    assert (availability.objective, availability.period_s) == (99.5, 28 * 86400)
    assert availability.sli.errors_query.startswith("sum(rate(http_server_request_duration_seconds_count{")
    assert availability.sli.errors_query.endswith("[{{window}}]))")
    assert latency.objective == 95
    assert latency.sli.errors_query.startswith("(sum(rate(http_server_request_duration_seconds_count")


OPENSLO_SLO = {
    "apiVersion": "openslo/v1",
    "kind": "SLO",
    "metadata": {"name": "a"},
    "spec": {
        "service": "s",
        "indicator": {
            "spec": {
                "ratioMetric": {
                    "counter": True,
                    "bad": {"metricSource": {"type": "Prometheus", "spec": {"query": "e"}}},
                    "total": {"metricSource": {"type": "Prometheus", "spec": {"query": "t"}}},
                }
            }
        },
        "objectives": [{"target": 0.99}],
    },
}


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("spec", "budgetingMethod"), "Timeslices", "spec.budgetingMethod"),
        (("spec", "timeWindow"), [{"duration": "1M", "isRolling": False}], "spec.timeWindow[0].isRolling"),
        (("spec", "alertPolicies"), ["x"], "spec.alertPolicies"),
        (("spec", "objectives"), [{"target": 1.5}], "spec.objectives[0].target"),
        (("spec", "objectives"), [{"target": 0.9}, {"target": 0.99}], "spec.objectives"),
        (("spec", "indicatorRef"), "missing", "spec.indicatorRef"),
        (("kind",), "AlertPolicy", "document 1.kind"),
    ],
    ids=[
        "timeslices",
        "calendar",
        "alert-policies",
        "target-range",
        "two-objectives",
        "dangling-ref",
        "kind",
    ],
)
def test_openslo_parts_that_do_not_map_are_named(path: tuple[str, ...], value: object, field: str) -> None:
    from otelward.slo import SpecError

    doc = json.loads(json.dumps(OPENSLO_SLO))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    if path[-1] == "indicatorRef":
        del doc["spec"]["indicator"]
    with pytest.raises(SpecError, match=f"field '{field.replace('[', '.').replace(']', '.')}"):
        parse_spec([doc], "openslo.yaml")
