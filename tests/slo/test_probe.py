"""The promtool probe: a second opinion on the spec's own PromQL, and what happens without promtool."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from otelward.slo import SpecError, load_spec, parse_spec
from otelward.slo._probe import probe_with_promtool, user_text

RAW = {
    "service": "queue",
    "slos": [
        {"name": "plain", "objective": 99, "sli": {"availability": {}}},
        {
            "name": "raw",
            "objective": 99,
            "sli": {
                "raw": {
                    "errors": 'sum(rate(jobs_failed_total{queue="q"}[{{window}}]))',
                    "total": 'sum(rate(jobs_total{queue="q"}[{{window}}]))',
                }
            },
        },
    ],
}


def test_only_slos_with_the_specs_own_text_are_probed() -> None:
    spec = parse_spec([RAW], "slo.yaml")
    assert [user_text(slo) for slo in spec.slos] == [False, True]
    assert probe_with_promtool(spec) is None


@pytest.mark.usefixtures("broken_rules_on_purpose")
def test_a_query_promtool_refuses_is_named_with_its_slo() -> None:
    spec = parse_spec([RAW], "slo.yaml")
    raw = spec.slos[1]
    # Past the parser on purpose (it refuses this): the probe must catch what the parser might miss.
    bad = dataclasses.replace(raw, sli=dataclasses.replace(raw.sli, errors_query="sum(rate(x[{{window}}])"))
    refused = probe_with_promtool(dataclasses.replace(spec, slos=(spec.slos[0], bad)))
    assert refused is not None
    assert refused[0] == "raw"
    assert "parse error" in refused[1]


@pytest.mark.usefixtures("broken_rules_on_purpose")
def test_without_promtool_nothing_is_probed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = parse_spec([RAW], "slo.yaml")
    raw = spec.slos[1]
    bad = dataclasses.replace(raw, sli=dataclasses.replace(raw.sli, errors_query="sum(rate(x[{{window}}])"))
    broken = dataclasses.replace(spec, slos=(bad,))
    assert probe_with_promtool(broken, promtool=str(tmp_path / "no-promtool")) is None
    monkeypatch.setenv("PATH", str(tmp_path))
    assert probe_with_promtool(broken) is None


def test_load_spec_reports_a_refusal_as_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    path = tmp_path / "slo.yaml"
    path.write_text(yaml.safe_dump(RAW))
    assert load_spec(path).slos[1].name == "raw"
    monkeypatch.setattr(
        "otelward.slo._api.probe_with_promtool", lambda spec: ("raw", "1:5: parse error: unexpected end")
    )
    with pytest.raises(
        SpecError, match=r"SLO 'raw': promtool check rules refuses its rules: 1:5: parse error"
    ):
        load_spec(path)
    assert load_spec(path, promtool=False).slos[1].name == "raw"
