"""The deployment examples are well-formed and agree with otelward's own configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from otelward.config._env_vars import VARS

DEPLOY = Path(__file__).resolve().parents[2] / "examples" / "deploy"
SECTIONS = ("receivers", "processors", "exporters", "connectors", "extensions")
DEFAULTS = {v.name: v.default for v in VARS}


def _load(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _collector(name: str) -> dict[str, Any]:
    (doc,) = _load(DEPLOY / "collector" / name)
    return doc


def _component_type(name: str) -> str:
    return name.split("/", 1)[0]


@pytest.mark.parametrize("name", ["agent.yaml", "gateway.yaml"], ids=["agent", "gateway"])
def test_collector_pipelines_reference_defined_components(name: str) -> None:
    cfg = _collector(name)
    pipelines = cfg["service"]["pipelines"]
    assert pipelines, "no pipelines"
    used: set[tuple[str, str]] = set()
    for pipeline_name, pipeline in pipelines.items():
        assert _component_type(pipeline_name) in {"traces", "metrics", "logs"}
        assert pipeline["receivers"], pipeline_name
        assert pipeline["exporters"], pipeline_name
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                assert component in (cfg.get(section) or {}), (
                    f"{name}: {pipeline_name} uses undefined {component}"
                )
                used.add((section, component))
        processors = pipeline.get("processors", [])
        if processors:
            # memory_limiter must see data first and batch last, as the collector docs prescribe.
            assert processors[0] == "memory_limiter", pipeline_name
            assert processors[-1] == "batch", pipeline_name
    defined = {(s, c) for s in ("receivers", "processors", "exporters") for c in cfg.get(s) or {}}
    assert defined - used == set(), f"{name}: defined but unused {defined - used}"


def test_agent_routes_spans_of_a_trace_to_one_gateway() -> None:
    cfg = _collector("agent.yaml")
    (exporter,) = cfg["service"]["pipelines"]["traces"]["exporters"]
    assert _component_type(exporter) == "loadbalancing"
    lb = cfg["exporters"][exporter]
    assert lb["routing_key"] == "traceID"
    assert "otlp" in lb["protocol"]
    assert lb["resolver"]["dns"]["hostname"].startswith("otel-gateway-headless.")


def test_gateway_redacts_before_tail_sampling() -> None:
    procs = _collector("gateway.yaml")["service"]["pipelines"]["traces"]["processors"]
    assert procs.index("redaction") < procs.index("tail_sampling")


def test_gateway_tail_sampling_mirrors_otelward_defaults() -> None:
    policies = {p["type"]: p for p in _collector("gateway.yaml")["processors"]["tail_sampling"]["policies"]}
    assert policies["status_code"]["status_code"]["status_codes"] == ["ERROR"]
    assert DEFAULTS["OTELWARD_SAMPLING_KEEP_ERRORS"] == "true"
    assert policies["latency"]["latency"]["threshold_ms"] == float(
        DEFAULTS["OTELWARD_SAMPLING_LATENCY_THRESHOLD_MS"]
    )
    ratio = float(DEFAULTS["OTELWARD_SAMPLING_RATIO"] or "0")
    assert policies["probabilistic"]["probabilistic"]["sampling_percentage"] == pytest.approx(ratio * 100)
    wait = _collector("gateway.yaml")["processors"]["tail_sampling"]["decision_wait"]
    assert wait == f"{float(DEFAULTS['OTELWARD_SAMPLING_MAX_TRACE_WAIT_S'] or 0):g}s"


@pytest.mark.parametrize(
    ("pattern", "secret"),
    [
        (0, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
        (1, "Bearer abc.DEF-123"),
        (2, "AKIAIOSFODNN7EXAMPLE"),
        (4, "4111 1111 1111 1111"),
        (5, "ada@example.com"),
    ],
    ids=["jwt", "bearer", "aws", "card", "email"],
)
def test_gateway_redaction_patterns_match_what_they_claim(pattern: int, secret: str) -> None:
    import re

    values = _collector("gateway.yaml")["processors"]["redaction"]["blocked_values"]
    assert re.search(values[pattern], f"x {secret} y")


def _k8s() -> dict[str, dict[str, Any]]:
    docs = _load(DEPLOY / "kubernetes" / "app.yaml") + _load(DEPLOY / "kubernetes" / "servicemonitor.yaml")
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in docs}


def test_deployment_uses_real_otelward_variables_and_management_probes() -> None:
    objs = _k8s()
    pod = objs["Deployment/shop"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    unknown = {n for n in env if n.startswith(("OTEL_", "OTELWARD_")) and n not in DEFAULTS}
    assert unknown == set(), f"variables otelward does not declare: {unknown}"
    assert env["OTELWARD_SAMPLING"] in {"tail", "off"}
    port = int(env["OTELWARD_MANAGEMENT_PORT"] or 0)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["management"] == port == 9464
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "management"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "management"}
    assert container["command"][0] == "opentelemetry-instrument"
    # The token file is mounted from the Secret the ServiceMonitor also reads.
    mount = next(m for m in container["volumeMounts"] if m["name"] == "metrics-token")
    volume = next(v for v in pod["volumes"] if v["name"] == "metrics-token")
    item = volume["secret"]["items"][0]
    assert env["OTELWARD_MANAGEMENT_TOKEN_FILE"] == f"{mount['mountPath']}/{item['path']}"
    secret = objs[f"Secret/{volume['secret']['secretName']}"]
    assert item["key"] in secret["stringData"]
    annotations = objs["Deployment/shop"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port)
    monitor = objs["ServiceMonitor/shop"]["spec"]["endpoints"][0]
    assert monitor["port"] == "management"
    assert monitor["path"] == "/metrics"
    assert monitor["authorization"]["credentials"]["name"] == secret["metadata"]["name"]
    service_ports = {p["name"] for p in objs["Service/shop"]["spec"]["ports"]}
    assert "management" in service_ports
