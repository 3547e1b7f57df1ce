"""The first-thread hook and lazy loading under concurrency: no thread before the instrumentation, no lock
held across an import."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from otelward.instrumentation import _lazy
from otelward.instrumentation._post_import import register_first_thread_hook


def test_a_second_thread_waits_for_the_hook_and_never_recurses() -> None:
    # The loser of the race used to start its thread before the instrumentation existed, or recurse into the
    # wrapper until RecursionError.
    original_start, original_submit = threading.Thread.start, ThreadPoolExecutor.submit
    ready = threading.Event()
    seen: list[bool] = []
    errors: list[BaseException] = []

    def hook() -> None:
        time.sleep(0.2)
        ready.set()

    def child() -> None:
        seen.append(ready.is_set())

    def starter() -> None:
        try:
            worker = threading.Thread(target=child)
            worker.start()
            worker.join()
        except BaseException as err:  # noqa: BLE001 - recorded for the assertion
            errors.append(err)

    register_first_thread_hook(hook)
    try:
        starters = [threading.Thread(target=starter, name="otelward-test-starter") for _ in range(4)]
        for s in starters:
            s.start()
        for s in starters:
            s.join(10)
    finally:
        threading.Thread.start = original_start  # type: ignore[method-assign]
        ThreadPoolExecutor.submit = original_submit  # type: ignore[method-assign]
    assert errors == []
    assert seen == [True, True, True, True]


class _EntryPoint:
    """Stands in for an instrumentation entry point whose instrument() asks for the loader's lock."""

    name = "probe-lock"
    dist = None

    def __init__(self) -> None:
        self.free: list[bool] = []

    def load(self) -> Any:
        outer = self

        class Instrumentor:
            def instrument(self, **kwargs: Any) -> None:
                # Another thread (importing another library) wants the lock while this one imports.
                got: list[bool] = []
                t = threading.Thread(target=lambda: got.append(_lazy._lock.acquire(timeout=1.0)))
                t.start()
                t.join()
                if got and got[0]:
                    _lazy._lock.release()
                outer.free.extend(got)

        return Instrumentor


def test_the_loader_lock_is_not_held_across_instrument(monkeypatch: Any) -> None:
    monkeypatch.setitem(_lazy.STATUS, "probe-lock", "waiting")
    ep = _EntryPoint()
    assert _lazy.load_now(ep)
    assert ep.free == [True]
    assert _lazy.STATUS["probe-lock"] == "active"
