"""Post-import and first-thread hooks: fire once, at the right moment, and leave the module untouched."""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

import pytest

from otelward.instrumentation._post_import import register_first_thread_hook, register_post_import_hook


@pytest.fixture
def module_dir(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "ow_hooked_mod.py").write_text("VALUE = 42\n")
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("ow_hooked_mod", None)


def test_hook_fires_once_after_the_first_import_with_the_executed_module(module_dir: Path) -> None:
    seen: list[ModuleType] = []
    register_post_import_hook(seen.append, "ow_hooked_mod")
    assert seen == []
    module = importlib.import_module("ow_hooked_mod")
    assert seen == [module]
    assert module.VALUE == 42
    # the module keeps its real loader (importlib.resources and pkgutil look at it)
    assert type(module.__loader__).__name__ == "SourceFileLoader"
    assert type(module.__spec__.loader).__name__ == "SourceFileLoader"
    importlib.reload(module)
    assert seen == [module]


def test_hook_for_an_already_imported_module_fires_at_once() -> None:
    seen: list[ModuleType] = []
    register_post_import_hook(seen.append, "json")
    assert seen == [sys.modules["json"]]


@pytest.fixture
def originals() -> Iterator[None]:
    start, submit = threading.Thread.start, ThreadPoolExecutor.submit
    try:
        yield
    finally:
        threading.Thread.start, ThreadPoolExecutor.submit = start, submit  # type: ignore[method-assign]


def _thread(name: str) -> None:
    t = threading.Thread(target=lambda: None, name=name)
    t.start()
    t.join(5)


@pytest.mark.usefixtures("originals")
def test_first_thread_hook_ignores_otelward_threads_and_fires_once() -> None:
    fired: list[str] = []
    register_first_thread_hook(lambda: fired.append("x"))
    _thread("otelward-export")
    with ThreadPoolExecutor(1, thread_name_prefix="otelward-check") as pool:
        assert pool.submit(lambda: 1).result(5) == 1
    assert fired == []
    _thread("app-thread")
    _thread("app-thread-2")
    assert fired == ["x"]


@pytest.mark.usefixtures("originals")
def test_the_sdks_own_threads_do_not_fire_the_hook() -> None:
    # The SDK's metric reader restarts its thread in a forked child, inside os.fork()'s after-fork handlers: the
    # hook's imports there waited for ever on a module lock a parent thread held at the fork (a child of
    # tests/chaos/apps/signal_app.py --fork hung in `import asyncio` that way).
    fired: list[str] = []
    register_first_thread_hook(lambda: fired.append("x"))
    for name in (
        "OtelPeriodicExportingMetricReader",
        "OtelBatchSpanRecordProcessor",
        "OtelBatchLogRecordProcessor",
    ):
        _thread(name)
    assert fired == []
    _thread("app-thread")
    assert fired == ["x"]


@pytest.mark.usefixtures("originals")
def test_the_submit_that_fires_the_hook_goes_through_what_the_hook_installed() -> None:
    calls: list[str] = []
    original = ThreadPoolExecutor.submit

    def install() -> None:
        def wrapped(self: ThreadPoolExecutor, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append("wrapped")
            return original(self, fn, *args, **kwargs)

        ThreadPoolExecutor.submit = wrapped  # type: ignore[method-assign]

    register_first_thread_hook(install)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: 7).result(5) == 7
        assert pool.submit(lambda: 8).result(5) == 8
    assert calls == ["wrapped", "wrapped"]


_FORK_WHILE_HOOKING = """
import os, sys, threading, time
from otelward.instrumentation._post_import import register_first_thread_hook

entered, gate = threading.Event(), threading.Event()

def hook():
    entered.set()
    gate.wait(20)

register_first_thread_hook(hook)
# An app thread's start fires the hook on the starter thread, where it stays until the gate opens.
starter = threading.Thread(target=lambda: threading.Thread(target=lambda: None, name="app-1").start(),
                           name="otelward-test-starter")
starter.start()
assert entered.wait(10)
pid = os.fork()
if pid == 0:
    t0 = time.monotonic()
    worker = threading.Thread(target=lambda: None, name="app-in-child")
    worker.start()
    worker.join()
    os._exit(0 if time.monotonic() - t0 < 2 else 3)
gate.set()
starter.join(10)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_a_child_forked_while_another_thread_runs_the_hook_starts_its_threads_at_once(tmp_path: Path) -> None:
    # The hook's thread is not in the child: its threads waited wait_s (5 s) each for it (a fork Pool worker
    # stalled ~20 s in the SDK's after-fork resource detection).
    import subprocess

    script = tmp_path / "fork_while_hooking.py"
    script.write_text(_FORK_WHILE_HOOKING)
    src = Path(__file__).resolve().parents[2] / "src"
    done = subprocess.run(
        [sys.executable, str(script)],
        check=False,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, "the child's thread start waited for a hook running in the parent"
