"""ECS console lines checked against the field table of elastic/ecs-logging's spec.json (data in tests/logs/data)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from otelward.logs._resource import PROCESS_RESOURCE
from tests.logs.conftest import Installed, install

SPEC = json.loads((Path(__file__).parent / "data" / "ecs_logging_fields.json").read_text(encoding="utf-8"))
FIELDS: dict[str, dict[str, Any]] = SPEC["fields"]
# spec.json fields a stdlib record has no source for: `labels` (we nest `extra=` under `extra`, whose keys
# are the app's) and `service.node.name` (only when configured; otelward has no setting for it).
NOT_PRODUCED = {"labels", "service.node.name"}
RESOURCE = {
    "service.version": "2.3.1",
    "deployment.environment.name": "staging",
    "process.executable.name": "python3.12",
    "host.name": "web-1",
}


def _spec_type_holds(kind: str, value: Any) -> bool:
    if kind == "datetime":
        return (
            isinstance(value, str)
            and datetime.datetime.fromisoformat(value.replace("Z", "+00:00")) is not None
        )
    if kind == "string":
        return isinstance(value, str) and value != ""
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    raise AssertionError(f"spec type {kind!r} unknown to this test")


@pytest.fixture
def ecs(logging_state: None) -> Installed:
    return install({"OTELWARD_LOG_FORMAT": "ecs"}, resource=RESOURCE)


def _error_line(inst: Installed) -> tuple[str, Any]:
    from otelward.logs._request_id import RequestIdHooks

    log = inst.logger()
    with inst.tracer.start_as_current_span("work") as span:
        RequestIdHooks().on_request(span, lambda name: "req-7" if name == "X-Request-ID" else None)
        try:
            raise ValueError("bad")
        except ValueError:
            log.error("failed", exc_info=True)
    (line,) = inst.lines()
    return line, span


def test_source_of_the_field_table_is_pinned() -> None:
    source = SPEC["source"]
    assert (source["repository"], source["path"]) == ("elastic/ecs-logging", "spec/spec.json")
    assert len(source["commit"]) == 40


@pytest.mark.parametrize("name", sorted(set(FIELDS) - NOT_PRODUCED))
def test_every_spec_field_is_written_with_the_spec_type(ecs: Installed, name: str) -> None:
    line, _ = _error_line(ecs)
    doc = json.loads(line)
    assert name in doc, f"{name} missing from {sorted(doc)}"
    assert _spec_type_holds(FIELDS[name]["type"], doc[name]), (name, doc[name])


def test_required_fields_are_present_on_a_bare_line(ecs: Installed) -> None:
    ecs.logger().info("plain")
    doc = json.loads(ecs.lines()[0])
    required = {name for name, spec in FIELDS.items() if spec.get("required")}
    assert required <= set(doc)


def test_indexed_fields_come_first_in_spec_order(ecs: Installed) -> None:
    line, _ = _error_line(ecs)
    keys = list(json.loads(line))
    ordered = sorted((spec["index"], name) for name, spec in FIELDS.items() if "index" in spec)
    assert keys[: len(ordered)] == [name for _, name in ordered]


def test_top_level_fields_are_dotted_keys_not_nested_objects(ecs: Installed) -> None:
    line, _ = _error_line(ecs)
    doc = json.loads(line)
    for name, spec in FIELDS.items():
        if spec.get("top_level_field"):
            assert name in doc
            assert name.split(".")[0] not in doc  # no {"log": {"level": ...}} beside it


def test_event_dataset_is_the_spec_default_for_a_configured_service_name(ecs: Installed) -> None:
    # "${service.name} OR ${service.name}.${appender.name}": a stdlib handler has no appender name here
    default = FIELDS["event.dataset"]["default"].split(" OR ")[0]
    ecs.logger().info("x")
    doc = json.loads(ecs.lines()[0])
    assert doc["event.dataset"] == default.replace("${service.name}", doc["service.name"])
    assert doc["service.name"] == "svc"


def test_service_fields_come_from_the_resource(ecs: Installed) -> None:
    line, span = _error_line(ecs)
    doc = json.loads(line)
    ctx = span.get_span_context()
    assert doc["service.version"] == "2.3.1"
    assert doc["service.environment"] == "staging"
    assert doc["process.name"] == "python3.12"
    assert (doc["trace.id"], doc["span.id"]) == (format(ctx.trace_id, "032x"), format(ctx.span_id, "016x"))
    assert doc["transaction.id"] == format(ctx.span_id, "016x")
    # ECS defines http.request.id (the OTel conventions do not): ECS lines keep that one name
    assert doc["http.request.id"] == "req-7"
    assert "otelward.request.id" not in doc
    assert doc["log.origin.file.name"] == "test_ecs.py"
    assert doc["log.origin.function"] == "_error_line"
    assert (doc["error.type"], doc["error.message"]) == ("ValueError", "bad")
    assert "host.name" not in doc  # only the service fields the spec lists, not the whole resource


def test_a_renewed_resource_shows_on_the_next_line(ecs: Installed) -> None:
    log = ecs.logger()
    log.info("before")
    PROCESS_RESOURCE.update({**RESOURCE, "service.version": "2.3.2"})  # what the runtime does after a fork
    log.info("after")
    before, after = (json.loads(line) for line in ecs.lines())
    assert (before["service.version"], after["service.version"]) == ("2.3.1", "2.3.2")


def test_without_a_version_or_environment_those_fields_are_left_out(logging_state: None) -> None:
    inst = install({"OTELWARD_LOG_FORMAT": "ecs"})
    inst.logger().info("x")
    doc = json.loads(inst.lines()[0])
    assert not {"service.version", "service.environment"} & set(doc)
    assert (doc["service.name"], doc["event.dataset"]) == ("svc", "svc")
