"""The SIGTERM watcher: invisible to the app, and never woken by a forked child's signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from harness.app import REPO, base_env

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no pthread_kill here")

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from otelward.startup.configurator import configure

    configure()
    names = [t.name for t in threading.enumerate()]
    print("watcher", "otelward-sigterm-watch" in names, flush=True)
    if sys.argv[1] == "hidden":
        r, w = os.pipe()
        os.set_blocking(w, False)
        print("old", signal.set_wakeup_fd(w), flush=True)  # the app sees no fd set before its own
        print("mine", signal.set_wakeup_fd(-1) == w, flush=True)
        sys.exit(0)
    held = threading.Lock()
    held.acquire()
    pid = os.fork()
    if pid == 0:
        print("child", os.getpid(), flush=True)
        held.acquire()  # until SIGTERM
        os._exit(3)
    _, status = os.waitpid(pid, 0)
    print("child-status", os.waitstatus_to_exitcode(status), flush=True)
    time.sleep(1.0)  # a kick the child's byte caused would have ended this process by now
    print("parent-alive", flush=True)
    """
)


def _run(mode: str) -> subprocess.Popen[str]:
    env = base_env(
        None,
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        OTEL_TRACES_EXPORTER="none",
        OTEL_METRICS_EXPORTER="none",
        OTEL_LOGS_EXPORTER="none",
        OTELWARD_MANAGEMENT_ENABLED="false",
    )
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, mode],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_app_sees_no_wakeup_fd_of_otelwards() -> None:
    proc = _run("hidden")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.splitlines() == ["watcher True", "old -1", "mine True"]


def test_a_forked_childs_sigterm_ends_the_child_and_never_wakes_the_parents_watcher() -> None:
    proc = _run("fork")
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "watcher True"
        child = proc.stdout.readline().split()
        assert child[0] == "child", child
        os.kill(int(child[1]), signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.splitlines() == [f"child-status {-signal.SIGTERM}", "parent-alive"]
