"""Trace context crosses thread pools, threads, asyncio tasks and run_in_executor under otelward.

OpenTelemetry Python keeps the context in contextvars: asyncio tasks copy it, but threads do not.
otelward depends on the contrib ``threading`` instrumentation and arms it by default, so work handed
to ``ThreadPoolExecutor``, ``threading.Thread`` and ``loop.run_in_executor`` stays in its trace.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.threading import ThreadingInstrumentor

from otelward.instrumentation import _lazy as _instrumentation
from tests.frameworks.memory import Spans, capture


def _child(name: str) -> Callable[[], int]:
    def work() -> int:
        with trace.get_tracer("test").start_as_current_span(name):
            return threading.get_ident()

    return work


@pytest.fixture
def spans() -> Iterator[Spans]:
    with capture() as captured:
        ep = _instrumentation.entry_points_by_name()["threading"]
        start, submit = threading.Thread.start, ThreadPoolExecutor.submit
        # Armed the way the distro arms it: the instrumentation loads when the app starts its first
        # thread or submits to a pool, so the boundary under test is also the call that loads it.
        _instrumentation.arm_lazy([ep], disabled=[])
        assert _instrumentation.STATUS["threading"] == "waiting for the app's first thread"
        try:
            yield captured
        finally:
            if _instrumentation.STATUS["threading"] == "active":
                ThreadingInstrumentor().uninstrument()
            threading.Thread.start, ThreadPoolExecutor.submit = start, submit  # type: ignore[method-assign]
            _instrumentation.STATUS.pop("threading", None)


def _run_pool() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: _child("child")(), range(2)))


def _run_thread() -> None:
    t = threading.Thread(target=_child("child"))
    t.start()
    t.join(10)


def _run_executor() -> None:
    async def main() -> None:
        await asyncio.get_running_loop().run_in_executor(None, _child("child"))

    asyncio.run(main())


def _run_asyncio_task() -> None:
    async def child() -> None:
        _child("child")()

    async def main() -> None:
        await asyncio.gather(asyncio.create_task(child()), asyncio.create_task(child()))

    asyncio.run(main())


def _run_to_thread() -> None:
    async def main() -> None:
        await asyncio.to_thread(_child("child"))

    asyncio.run(main())


BOUNDARIES: list[tuple[str, Callable[[], None]]] = [
    ("thread-pool", _run_pool),
    ("threading-thread", _run_thread),
    ("run-in-executor", _run_executor),
    ("asyncio-task", _run_asyncio_task),
    ("asyncio-to-thread", _run_to_thread),
]


@pytest.mark.parametrize("run", [b[1] for b in BOUNDARIES], ids=[b[0] for b in BOUNDARIES])
def test_child_span_keeps_the_parent_across_the_boundary(spans: Spans, run: Callable[[], None]) -> None:
    with trace.get_tracer("test").start_as_current_span("parent"):
        run()
    parent = spans.named("parent")
    if run is not _run_asyncio_task:  # tasks copy the context themselves and start no thread
        assert _instrumentation.STATUS["threading"] == "active"
    children = [s for s in spans.finished() if s.name == "child"]
    assert children
    for child in children:
        assert child.context.trace_id == parent.context.trace_id
        assert spans.parent_of(child) == parent


def test_context_does_not_leak_into_pool_threads_after_the_parent_ended(spans: Spans) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        with trace.get_tracer("test").start_as_current_span("parent"):
            pool.submit(_child("child")).result(10)
        # Same worker thread, submitted outside any span: a new trace, not the old parent.
        pool.submit(_child("later")).result(10)
    assert spans.named("later").parent is None


def test_without_threading_instrumentation_pool_work_starts_a_new_trace() -> None:
    # Why otelward arms it: the stock behaviour loses the parent in a pool thread.
    with capture() as spans:
        with trace.get_tracer("test").start_as_current_span("parent"), ThreadPoolExecutor(1) as pool:
            pool.submit(_child("child")).result(10)
        assert spans.named("child").parent is None


def test_threading_is_a_dependency_of_otelward() -> None:
    from importlib.metadata import requires

    required: list[Any] = requires("otelward") or []
    assert any(r.startswith("opentelemetry-instrumentation-threading") and "extra" not in r for r in required)
