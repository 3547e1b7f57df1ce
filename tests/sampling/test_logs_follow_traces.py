"""Logs follow traces: INFO records of dropped traces are not exported, those of kept traces are.

Playbook: docs/ops/playbooks/logs-missing-or-duplicated.md (step 0).
"""

from __future__ import annotations

from typing import Any

from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.sdk._logs import ReadWriteLogRecord
from opentelemetry.trace import Status, StatusCode

from otelward.config import Settings
from otelward.export._pipelines import LogPipeline, log_sink
from otelward.sampling import build_log_filters
from tests.sampling.conftest import make_rig


class Collected:
    def __init__(self) -> None:
        self.items: list[Any] = []

    def put(self, item: Any) -> None:
        self.items.append(item)

    def bodies(self) -> list[str]:
        return [i.log_record.body for i in self.items]


def _wire(rig_ratio: float = 0.0) -> tuple[Any, Collected]:
    rig = make_rig(ratio=rig_ratio)
    out = Collected()
    settings = Settings.from_env({"OTELWARD_LOGS_FOLLOW_TRACES": "true"})
    filters = build_log_filters(settings, rig.selector, log_sink([out]))  # type: ignore[list-item]
    pipeline = LogPipeline(filters, [out])  # type: ignore[list-item]
    return rig, pipeline, out


def _log(pipeline: LogPipeline, body: str, severity: SeverityNumber = SeverityNumber.INFO) -> None:
    pipeline.on_emit(ReadWriteLogRecord(LogRecord(body=body, severity_number=severity)))


def test_info_of_dropped_traces_is_not_exported_warning_always_is() -> None:
    rig, pipeline, out = _wire()
    with rig.tracer.start_as_current_span("ok"):
        _log(pipeline, "ok info")
        _log(pipeline, "ok warning", SeverityNumber.WARN)
    _log(pipeline, "outside any trace")
    assert out.bodies() == ["ok warning", "outside any trace"]
    assert rig.selector.buffered() == (0, 0)
    assert _log_counts(rig) == {("dropped", "ratio"): 1}


def test_info_emitted_before_the_failure_is_held_then_released() -> None:
    rig, pipeline, out = _wire()
    with rig.tracer.start_as_current_span("bad") as span:
        _log(pipeline, "before the failure")
        assert out.bodies() == []  # held: the trace is undecided
        span.set_status(Status(StatusCode.ERROR))
    assert out.bodies() == ["before the failure"]
    # counted once, when its trace is kept (the released record does not pass the filter again)
    assert _log_counts(rig) == {("kept", "error"): 1}


def test_ratio_sampled_trace_logs_go_at_once() -> None:
    rig, pipeline, out = _wire(rig_ratio=1.0)
    with rig.tracer.start_as_current_span("kept"):
        _log(pipeline, "now")
        assert out.bodies() == ["now"]
    assert _log_counts(rig) == {("kept", "ratio"): 1}


def _log_counts(rig: Any) -> dict[tuple[str, str], int]:
    return {(d, r): n for (unit, d, r), n in rig.selector.counts.items() if unit == "logs"}


def test_on_by_default_off_when_false() -> None:
    rig = make_rig()
    assert len(build_log_filters(Settings.from_env({}), rig.selector, lambda r: None)) == 1
    off = Settings.from_env({"OTELWARD_LOGS_FOLLOW_TRACES": "false"})
    assert build_log_filters(off, rig.selector, lambda r: None) == []
