"""The bounded export queue: drops counted by reason, retries across an outage, bounded shutdown.

Playbooks: docs/ops/playbooks/collector-outage.md, docs/ops/playbooks/export-backlog.md.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelward.export import BatchExporter


class Result:
    def __init__(self, ok: bool) -> None:
        self.name = "SUCCESS" if ok else "FAILURE"


class FakeExporter:
    """Succeeds while ``up`` is set; ``hang`` makes export block until shutdown (a black hole)."""

    def __init__(self) -> None:
        self.up = threading.Event()
        self.up.set()
        self.hang = False
        self.received: list[int] = []
        self.calls = 0
        self._stop = threading.Event()

    def export(self, batch: Sequence[int], /) -> Result:
        self.calls += 1
        if self.hang:
            self._stop.wait(30)
            return Result(False)
        if not self.up.is_set():
            return Result(False)
        self.received.extend(batch)
        return Result(True)

    def shutdown(self) -> None:
        self._stop.set()


def make(exp: FakeExporter, signal: str = "traces", **kw: float) -> tuple[BatchExporter[int], dict[str, int]]:
    drops: dict[str, int] = {}

    def on_drop(reason: str, n: int) -> None:
        drops[reason] = drops.get(reason, 0) + n

    q: BatchExporter[int] = BatchExporter(
        signal,
        lambda: exp,
        max_queue_size=int(kw.get("queue", 100)),
        max_batch_size=int(kw.get("batch", 10)),
        schedule_delay_s=0.01,
        on_drop=on_drop,
        retry_window_s=kw.get("window", 30.0),
    )
    return q, drops


def wait_until(cond: object, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def test_full_queue_drops_newest_and_counts_them() -> None:
    exp = FakeExporter()
    exp.hang = True
    q, drops = make(exp, queue=20, batch=5)
    for i in range(100):
        q.put(i)
    wait_until(lambda: exp.calls >= 1)
    q.shutdown(0.5)
    assert drops["queue_full"] >= 75  # 20 fit, one batch of 5 may have moved to the worker
    assert sum(drops.values()) == 100
    assert exp.received == []


def test_short_outage_loses_nothing_and_logs_two_warnings(caplog: pytest.LogCaptureFixture) -> None:
    exp = FakeExporter()
    exp.up.clear()
    q, drops = make(exp, "short-outage", queue=1000, batch=10)
    with caplog.at_level(logging.WARNING, logger="otelward.export"):
        for i in range(200):
            q.put(i)
        wait_until(lambda: exp.calls >= 3)
        exp.up.set()
        wait_until(lambda: q.queue_size() == 0 and len(exp.received) == 200)
        q.shutdown(1.0)
    assert sorted(exp.received) == list(range(200))
    assert drops == {}
    # filtered by signal label: abandoned worker threads of earlier tests may still log
    messages = [r.getMessage() for r in caplog.records if " short-outage " in r.getMessage()]
    assert len(messages) == 2, messages
    assert "failing" in messages[0]
    assert "recovered" in messages[1]


def test_batch_given_up_after_retry_window_is_counted_once() -> None:
    exp = FakeExporter()
    exp.up.clear()
    q, drops = make(exp, queue=1000, batch=10, window=0.0)
    for i in range(30):
        q.put(i)
    wait_until(lambda: drops.get("export_failed", 0) == 30)
    exp.up.set()
    for i in range(30, 40):
        q.put(i)
    wait_until(lambda: len(exp.received) == 10)
    q.shutdown(1.0)
    assert exp.received == list(range(30, 40))
    assert drops == {"export_failed": 30}


def test_shutdown_under_black_hole_is_bounded_and_counts_everything() -> None:
    exp = FakeExporter()
    exp.hang = True
    q, drops = make(exp, queue=1000, batch=10)
    for i in range(50):
        q.put(i)
    wait_until(lambda: exp.calls >= 1)
    start = time.monotonic()
    q.shutdown(0.5)
    assert time.monotonic() - start < 1.5
    assert sum(drops.values()) == 50
    q.put(99)  # after shutdown: counted, never queued
    assert drops["shutdown"] >= 41


def test_put_never_blocks_while_the_exporter_hangs() -> None:
    exp = FakeExporter()
    exp.hang = True
    q, _ = make(exp, queue=100, batch=10)
    start = time.monotonic()
    for i in range(20_000):
        q.put(i)
    elapsed = time.monotonic() - start
    q.shutdown(0.2)
    # generous: 20k appends/drops take milliseconds; a blocking put would take the 30 s hang
    assert elapsed < 5.0


def test_healthy_shutdown_flushes_everything() -> None:
    exp = FakeExporter()
    q, drops = make(exp, queue=1000, batch=7)
    for i in range(100):
        q.put(i)
    q.shutdown(2.0)
    assert sorted(exp.received) == list(range(100))
    assert drops == {}


@settings(max_examples=25, deadline=None)
@given(
    outages=st.lists(st.booleans(), min_size=1, max_size=6),
    per_round=st.integers(min_value=0, max_value=40),
)
def test_every_item_is_exported_or_counted_exactly_once(outages: list[bool], per_round: int) -> None:
    exp = FakeExporter()
    q, drops = make(exp, queue=25, batch=5, window=0.02)
    sent = 0
    for down in outages:
        if down:
            exp.up.clear()
        else:
            exp.up.set()
        for _ in range(per_round):
            q.put(sent)
            sent += 1
        time.sleep(0.01)
    exp.up.set()
    q.shutdown(2.0)
    assert len(exp.received) + sum(drops.values()) == sent
    assert len(set(exp.received)) == len(exp.received)  # nothing exported twice


def test_items_the_redaction_guard_drops_are_counted_with_the_other_drops() -> None:
    # Issue 17: the guard dropped items behind the queue's back (sent != exported + dropped).
    from otelward.redaction._guard import guarded_batch

    def redact(item: int) -> int:
        if item % 3 == 0:
            raise ValueError("cannot redact")
        return item

    exp = FakeExporter()
    drops: dict[str, int] = {}
    q: BatchExporter[int] = BatchExporter(
        "traces",
        lambda: exp,
        max_batch_size=10,
        schedule_delay_s=0.01,
        transform=guarded_batch("traces", redact),
        on_drop=lambda reason, n: drops.__setitem__(reason, drops.get(reason, 0) + n),
    )
    for i in range(1, 10):
        q.put(i)
    assert q.flush(5.0)
    q.shutdown(1.0)
    assert sorted(exp.received) == [1, 2, 4, 5, 7, 8]
    assert q.dropped == {"redaction_failed": 3}
    assert drops == {"redaction_failed": 3}
    assert q.exported + sum(q.dropped.values()) == 9
