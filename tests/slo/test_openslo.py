"""OpenSLO v1: the specification's own Prometheus example, DataSource and metricSourceRef, several services."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from otelward.slo import SpecError, build_rules, load_spec, parse_spec, render_rules
from otelward.slo._yamlio import load_documents

README_RATIO = Path(__file__).parent / "data" / "openslo-readme-ratio.yaml"


def _docs() -> list[Any]:
    return load_documents(README_RATIO)


def _promtool_check(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run scripts/setup.sh (Debian package prometheus)"
    path = tmp_path / "rules.yml"
    path.write_text(text)
    return subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )


def test_openslo_readme_example_gives_rules_promtool_accepts(tmp_path: Path) -> None:
    # Before: `rate(sum(localhost_server_requests{...})[5m])`, which promtool refuses.
    result = _promtool_check(tmp_path, render_rules(load_spec(README_RATIO)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_counter_sum_becomes_a_sum_of_rates() -> None:
    slo = load_spec(README_RATIO).slos[0]
    assert slo.service == "localhost-server"
    good = 'localhost_server_requests{code=~"2xx|3xx",host="*",instance="127.0.0.1:9090"}'
    total = 'localhost_server_requests{code="total",host="*",instance="127.0.0.1:9090"}'
    assert slo.sli.total_query == f"sum(rate({total}[{{{{window}}}}]))"
    assert (
        slo.sli.errors_query == f"(sum(rate({total}[{{{{window}}}}]))) - (sum(rate({good}[{{{{window}}}}])))"
    )


def _sli_query(docs: list[Any], which: str) -> dict[str, Any]:
    sli = next(d for d in docs if d["kind"] == "SLI")
    return sli["spec"]["ratioMetric"][which]["metricSource"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("sum by (code) (x)", "must be a metric selector or sum(<selector>)"),
        ("sum(x) / sum(y)", "must be a metric selector or sum(<selector>)"),
        ("rate(x[5m])", "must be a metric selector or sum(<selector>)"),
        (
            "sum(rate(x[{{window}}])",
            "metricSource.spec.query': is not PromQL otelward can check: expected , or ) at position 24",
        ),
    ],
    ids=["sum-by", "ratio", "rate-without-window", "unbalanced"],
)
def test_counter_queries_that_cannot_be_rated_are_refused_in_one_line(query: str, words: str) -> None:
    docs = copy.deepcopy(_docs())
    _sli_query(docs, "good")["spec"]["query"] = query
    with pytest.raises(SpecError) as err:
        parse_spec(docs, "openslo.yaml")
    assert words in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"metricSourceRef": "elsewhere"},
            "metricSourceRef",
            "no kind: DataSource document named 'elsewhere'",
        ),
        ({"type": "Datadog"}, "type", "differs from the type of DataSource 'prometheus-datasource'"),
    ],
    ids=["unknown-ref", "type-mismatch"],
)
def test_metric_source_refs_are_checked(change: dict[str, str], field: str, words: str) -> None:
    docs = copy.deepcopy(_docs())
    _sli_query(docs, "total").update(change)
    with pytest.raises(SpecError) as err:
        parse_spec(docs, "openslo.yaml")
    assert f"field 'SLI localhost-requests.spec.ratioMetric.total.metricSource.{field}'" in str(err.value)
    assert words in str(err.value)


def test_the_data_source_gives_the_type_when_the_metric_source_omits_it() -> None:
    docs = copy.deepcopy(_docs())
    del _sli_query(docs, "total")["type"]
    assert parse_spec(docs, "openslo.yaml").slos[0].sli.total_query.startswith("sum(rate(")
    docs[0]["spec"]["type"] = "CloudWatch"
    del _sli_query(docs, "good")["type"]
    with pytest.raises(SpecError, match=r"'CloudWatch' is not supported by otelward .*only Prometheus"):
        parse_spec(docs, "openslo.yaml")


def test_slos_of_several_services_share_one_file(tmp_path: Path) -> None:
    docs = copy.deepcopy(_docs())
    other = copy.deepcopy(docs[2])
    other["metadata"]["name"] = "checkout-availability"
    other["spec"]["service"] = "checkout"
    spec = parse_spec([*docs, other], "openslo.yaml")
    assert spec.services == ("localhost-server", "checkout")
    groups = build_rules(spec)["groups"]
    assert [g["name"] for g in groups] == [
        "otelward-slo-localhost-server-localhost-availability",
        "otelward-slo-checkout-checkout-availability",
    ]
    assert groups[1]["rules"][0]["labels"]["service"] == "checkout"


def test_unsupported_kinds_are_named() -> None:
    docs = [
        *_docs(),
        {"apiVersion": "openslo/v1", "kind": "AlertPolicy", "metadata": {"name": "p"}, "spec": {}},
    ]
    with pytest.raises(
        SpecError, match=r"'AlertPolicy' is not supported .*accepted: DataSource, SLI, SLO, Service"
    ):
        parse_spec(docs, "openslo.yaml")


@pytest.mark.parametrize(
    ("name", "field", "words"),
    [
        ("occurences-slo", "spec.indicator.spec.thresholdMetric", "is not supported by otelward"),
        ("ratio-timeslices", "spec.budgetingMethod", "'RatioTimeslices' is not supported"),
        ("timeslices-slo", "spec.budgetingMethod", "'Timeslices' is not supported"),
        ("low-traffic-timeslices", "spec.budgetingMethod", "'Timeslices' is not supported"),
    ],
)
def test_openslo_examples_otelward_cannot_measure_are_refused_naming_the_field(
    name: str, field: str, words: str
) -> None:
    # The OpenSLO repository's own examples (threshold metrics, time slices): one line, the field named.
    with pytest.raises(SpecError) as err:
        load_spec(Path(__file__).parent / "data" / f"openslo-{name}.yaml")
    assert f"field '{field}'" in str(err.value)
    assert words in str(err.value)
