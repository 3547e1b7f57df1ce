"""Log lines held by reference: an SDK log record is built only for lines that are exported.

The bridge offers otelward's log pipeline each stdlib record as a ``HeldLog``; the logs-follow-traces filter
and the tail selector hold it with its trace. Lines of dropped traces never become SDK records; lines of kept
traces are built once each, in order, and are the very records the bridge used to emit at once.
"""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk._logs import LoggerProvider, LogRecordProcessor, ReadWriteLogRecord
from opentelemetry.sdk.resources import Resource
from opentelemetry.trace import Status, StatusCode

from otelward.config import Settings
from otelward.export._pipelines import LogPipeline, log_sink
from otelward.logs import install_logging
from otelward.sampling import build_log_filters
from tests.sampling.conftest import Rig, make_rig


class Built(LogRecordProcessor):
    """Counts the SDK log records the provider built (every record reaches every processor)."""

    def __init__(self) -> None:
        self.records: list[ReadWriteLogRecord] = []

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        self.records.append(log_record)

    def shutdown(self) -> None:
        return

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class Queue:
    """Stands in for an export queue."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def put(self, item: Any) -> None:
        self.items.append(item)

    def bodies(self) -> list[Any]:
        return [i.log_record.body for i in self.items]


@dataclass
class Wired:
    rig: Rig
    built: Built
    queue: Queue
    log: logging.Logger

    def log_counts(self) -> dict[tuple[str, str], int]:
        return {(d, r): n for (unit, d, r), n in self.rig.selector.counts.items() if unit == "logs"}


def _wire(held: bool, name: str = "") -> Wired:
    rig = make_rig(ratio=0.0)
    queue = Queue()
    settings = Settings.from_env({"OTELWARD_LOG_FORMAT": "json"})
    filters = build_log_filters(settings, rig.selector, log_sink([queue]))  # type: ignore[list-item]
    pipeline = LogPipeline(filters, [queue])  # type: ignore[list-item]
    provider = LoggerProvider(resource=Resource({"service.name": "svc"}), shutdown_on_exit=False)
    provider.add_log_record_processor(pipeline)
    built = Built()
    provider.add_log_record_processor(built)
    install_logging(
        settings,
        provider,
        service_name="svc",
        stream=io.StringIO(),
        log_pipeline=pipeline if held else None,
    )
    log = logging.getLogger(name or f"t.{uuid.uuid4().hex[:8]}")
    log.propagate = False
    return Wired(rig, built, queue, log)


@pytest.fixture
def wired(logging_state: None) -> Wired:
    return _wire(held=True)


def test_lines_of_a_dropped_trace_never_become_sdk_records(wired: Wired) -> None:
    with wired.rig.tracer.start_as_current_span("fine"):
        for i in range(3):
            wired.log.info("line %d", i)
    assert wired.built.records == []
    assert wired.queue.items == []
    assert wired.log_counts() == {("dropped", "ratio"): 3}  # counted honestly, as before
    assert wired.rig.selector.buffered() == (0, 0)


def test_lines_of_a_kept_trace_are_built_once_each_in_order(wired: Wired) -> None:
    with wired.rig.tracer.start_as_current_span("bad") as span:
        for i in range(3):
            wired.log.info("line %d", i)
        assert wired.built.records == []  # held while the trace is undecided
        span.set_status(Status(StatusCode.ERROR))
    assert wired.queue.bodies() == ["line 0", "line 1", "line 2"]
    assert len(wired.built.records) == 3
    ctx = span.get_span_context()
    assert {(i.log_record.trace_id, i.log_record.span_id) for i in wired.queue.items} == {
        (ctx.trace_id, ctx.span_id)
    }
    assert wired.log_counts() == {("kept", "error"): 3}


def test_lines_outside_a_trace_and_warnings_are_built_and_queued_at_once(wired: Wired) -> None:
    wired.log.info("no trace")
    with wired.rig.tracer.start_as_current_span("fine"):
        wired.log.warning("a warning")
        assert wired.queue.bodies() == ["no trace", "a warning"]
    assert len(wired.built.records) == 2


def test_the_message_is_the_one_at_logging_time(wired: Wired) -> None:
    items = ["a"]
    with wired.rig.tracer.start_as_current_span("bad") as span:
        wired.log.info("items %s", items)
        items.append("b")  # after the call: the exported line must not show it
        span.set_status(Status(StatusCode.ERROR))
    assert wired.queue.bodies() == ["items ['a']"]


def _exported(held: bool) -> list[dict[str, Any]]:
    w = _wire(held, "t.parity")
    try:
        with w.rig.tracer.start_as_current_span("bad") as span:
            w.log.info("order %s", 7, extra={"order.id": 7, "tags": ["x"]})
            try:
                raise KeyError("k")
            except KeyError:
                w.log.exception("failed")
            span.set_status(Status(StatusCode.ERROR))
        w.log.warning("outside")
    finally:
        logging.Logger.manager.loggerDict.pop(w.log.name, None)
    out = []
    for item in w.queue.items:
        rec = item.log_record
        attrs = dict(rec.attributes)
        attrs.pop("code.line.number", None)  # the two calls are on different lines of this file
        out.append(
            {
                "body": rec.body,
                "severity": (rec.severity_number, rec.severity_text),
                "ids": (rec.trace_id, rec.span_id, rec.trace_flags),
                "attributes": attrs,
                "scope": (item.instrumentation_scope.name, item.instrumentation_scope.version),
                "resource": dict(item.resource.attributes),
                "timestamp": rec.timestamp is not None and rec.observed_timestamp is not None,
                "exception": "exception.stacktrace" in attrs,
            }
        )
    return out


def test_a_held_line_is_the_record_the_bridge_emitted_at_once(logging_state: None) -> None:
    direct = _exported(held=False)
    held = _exported(held=True)
    assert len(held) == len(direct) == 3
    for a, b in zip(held, direct, strict=True):
        a["ids"], b["ids"] = a["ids"][2], b["ids"][2]  # different traces, same flags
        a["attributes"].pop("thread.id", None)
        b["attributes"].pop("thread.id", None)
        assert a == b
    # the error goes at once, the held info line when its trace is kept: the order it always had
    assert [r["body"] for r in held] == ["failed", "order 7", "outside"]
    assert held[0]["exception"]
