"""Telemetry threads block SIGTERM, so the kernel never hands them a SIGTERM meant for the app's main thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from harness.app import REPO, base_env, bin_path
from otelward._threads import TelemetryThread, sigterm_blocked
from otelward.management._checks import CheckRunner

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks here")


def _env(**overrides: str) -> dict[str, str]:
    # This checkout's code in the child, not whatever checkout the venv's editable install points at.
    return base_env(None, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]), **overrides)


def _blocked_here() -> bool:
    return signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_a_telemetry_thread_blocks_sigterm_and_its_creator_keeps_its_mask() -> None:
    seen: list[bool] = []
    thread = TelemetryThread(lambda: seen.append(_blocked_here()), name="otelward-test")
    thread.start()
    thread.join(5)
    assert seen == [True]
    assert thread.daemon
    assert not _blocked_here()  # pytest's main thread: restored after the start


def test_sigterm_blocked_restores_a_mask_that_already_blocked_sigterm() -> None:
    seen: list[bool] = []

    def body() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        with sigterm_blocked():
            pass
        seen.append(_blocked_here())

    t = threading.Thread(target=body)
    t.start()
    t.join(5)
    assert seen == [True]  # not unblocked behind the back of code that blocked it itself


def test_readiness_check_threads_block_sigterm() -> None:
    seen: list[bool] = []
    runner = CheckRunner([], timeout_s=2.0, extra=lambda: {"mask": lambda: seen.append(_blocked_here())})
    try:
        runner.run_once()  # from this (unblocked) thread: the pool's initializer blocks it in the worker
    finally:
        runner.stop()
    assert seen == [True]


THREADS_SCRIPT = textwrap.dedent(
    """
    import logging, os, threading, time, urllib.request
    from opentelemetry import trace

    def masks(tag):
        # a forked child's main thread keeps the parent's native_id: name it by the pid instead
        names = {t.native_id: t.name for t in threading.enumerate()} | {os.getpid(): "MainThread"}
        for tid in sorted(os.listdir("/proc/self/task"), key=int):
            with open(f"/proc/self/task/{tid}/status") as f:
                blk = next(int(l.split()[1], 16) for l in f if l.startswith("SigBlk:"))
            print(tag, names.get(int(tid), "?"), "blocked" if blk & (1 << 14) else "open", flush=True)

    tracer = trace.get_tracer("t")
    for _ in range(5):
        with tracer.start_as_current_span("s"):
            logging.getLogger("app").warning("w")
    urllib.request.urlopen(f"http://127.0.0.1:{os.environ['OTELWARD_MANAGEMENT_PORT']}/health/ready").close()
    time.sleep(0.5)
    masks("parent")
    pid = os.fork()
    if pid == 0:
        with trace.get_tracer("t").start_as_current_span("in-child"):
            pass
        time.sleep(0.5)
        masks("child")
        os._exit(0)
    os.waitpid(pid, 0)
    """
)


def test_every_thread_otelward_and_the_sdk_start_blocks_sigterm_in_parent_and_forked_child() -> None:
    # Read from /proc, so threads otelward does not start itself (the SDK's metric reader, and the one its
    # after-fork hook restarts in a child) are checked too; only the main thread may take SIGTERM.
    env = _env(
        OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9",
        OTEL_METRIC_EXPORT_INTERVAL="100",
        OTELWARD_LOG_STREAM="stderr",
    )
    out = subprocess.run(
        [bin_path("opentelemetry-instrument"), sys.executable, "-c", THREADS_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    rows = [line.split() for line in out if line.startswith(("parent ", "child "))]
    for tag in ("parent", "child"):
        mine = {(name, state) for t, name, state in rows if t == tag}
        assert ("MainThread", "open") in mine, out
        assert ("OtelPeriodicExportingMetricReader", "blocked") in mine, out
        others = {(name, state) for name, state in mine if name != "MainThread"}
        assert {state for _, state in others} == {"blocked"}, out
    parent_names = {name for t, name, _ in rows if t == "parent"}
    assert {"otelward-management", "otelward-readiness", "otelward-export-logs"} <= parent_names, out


SIGNAL_SCRIPT = textwrap.dedent(
    """
    import os, signal
    from otelward._threads import install_fork_masking, sigterm_blocked

    got = []
    signal.signal(signal.SIGTERM, lambda s, f: got.append(s))
    with sigterm_blocked():
        os.kill(os.getpid(), signal.SIGTERM)
        print("while-blocked", got, signal.SIGTERM in signal.sigpending(), flush=True)
    print("after", got, flush=True)
    install_fork_masking()
    pid = os.fork()
    if pid == 0:
        print("child-mask", signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, []), flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    print("parent-mask", signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, []), flush=True)
    """
)


def test_a_sigterm_that_arrives_while_blocked_is_delivered_at_the_unblock_and_forks_restore_the_mask() -> (
    None
):
    out = subprocess.run(
        [sys.executable, "-c", SIGNAL_SCRIPT],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "while-blocked [] True",
        f"after [{int(signal.SIGTERM)}]",
        "child-mask False",
        "parent-mask False",
    ]
