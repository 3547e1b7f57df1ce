"""The export queues are bounded in bytes as well as items: big spans cannot pile up to gigabytes."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry._logs import LogRecord
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from otelward.config import Settings
from otelward.export import BatchExporter
from otelward.export._sizes import log_size, span_size

RESOURCE = Resource.create({"service.name": "q"})


class _Never:
    """An exporter that is never reached: the worker thread waits for a full batch."""

    def export(self, batch: Any) -> object:
        raise AssertionError("not expected")

    def shutdown(self) -> None:
        pass


def _span(attr_bytes: int) -> Any:
    span = TracerProvider().get_tracer("q").start_span("big", attributes={"db.statement": "x" * attr_bytes})
    span.end()
    return span


def _queue(**kw: Any) -> tuple[BatchExporter[Any], dict[str, int]]:
    drops: dict[str, int] = {}

    def on_drop(reason: str, n: int) -> None:
        drops[reason] = drops.get(reason, 0) + n

    q: BatchExporter[Any] = BatchExporter(
        "traces", _Never, max_batch_size=10_000, schedule_delay_s=60.0, on_drop=on_drop, **kw
    )
    return q, drops


def test_big_spans_fill_the_byte_bound_before_the_count_bound() -> None:
    q, drops = _queue(max_queue_size=4096, max_queue_bytes=200_000, size=span_size)
    for _ in range(50):
        q.put(_span(16_384))
    assert 10 <= q.queue_size() <= 12  # ~17 KB each
    assert drops == {"queue_full": 50 - q.queue_size()}
    assert q.queued_bytes <= 200_000
    q.shutdown(0.1)
    assert q.queued_bytes == 0


def test_small_spans_are_bounded_by_count_as_before() -> None:
    q, drops = _queue(max_queue_size=20, max_queue_bytes=10_000_000, size=span_size)
    for _ in range(30):
        q.put(_span(10))
    assert q.queue_size() == 20
    assert drops == {"queue_full": 10}
    q.shutdown(0.1)


def test_one_item_larger_than_the_bound_is_still_queued_when_the_queue_is_empty() -> None:
    q, drops = _queue(max_queue_size=10, max_queue_bytes=65_536, size=span_size)
    q.put(_span(100_000))
    assert q.queue_size() == 1
    assert drops == {}
    q.shutdown(0.1)


@pytest.mark.parametrize(
    ("item", "low", "high"),
    [
        (lambda: _span(10_000), 10_000, 12_000),
        (
            lambda: ReadableLogRecord(LogRecord(body="y" * 5000, attributes={"k": "v"}), resource=RESOURCE),
            5000,
            6000,
        ),
        (lambda: ReadableLogRecord(LogRecord(body="é" * 1000), resource=RESOURCE), 4000, 5000),
    ],
    ids=["span-attribute", "log-body", "log-body-non-ascii"],
)
def test_size_estimates_follow_the_payload(item: Any, low: int, high: int) -> None:
    obj = item()
    size = span_size(obj) if hasattr(obj, "name") and hasattr(obj, "events") else log_size(obj)
    assert low <= size <= high


def test_the_default_bound_is_declared() -> None:
    assert Settings.from_env({}).export.queue_bytes == 8 * 1024 * 1024
    assert Settings.from_env({"OTELWARD_EXPORT_QUEUE_BYTES": "1048576"}).export.queue_bytes == 1 << 20
