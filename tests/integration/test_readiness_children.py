"""Readiness stays green through children that are not pre-fork workers, and fails when the real ones are gone."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.app import REPO, base_env, bin_path
from harness.collector import free_port

pytestmark = pytest.mark.integration

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, os, subprocess, sys, time
    from otelward.startup.configurator import configure

    configure()  # a spawned child runs this too: it must neither serve nor count as a worker


    def main(kind):
        if kind == "pool":
            with multiprocessing.get_context("fork").Pool(2) as pool:
                pool.map(time.sleep, [2.5, 2.5])
        elif kind == "spawn-pool":
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                pool.map(time.sleep, [2.5, 2.5])
        elif kind == "fork":
            pid = os.fork()
            if pid == 0:
                time.sleep(2.5)
                os._exit(0)
            os.waitpid(pid, 0)
        elif kind == "subprocess":
            subprocess.run([sys.executable, "-c", "import time; time.sleep(2.5)"], check=True)
        print("CHILDREN-DONE", flush=True)
        time.sleep(60)


    if __name__ == "__main__":
        main(sys.argv[1])
    """
)


def _ready(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.mark.parametrize(
    ("kind", "launcher"),
    [
        ("pool", "python"),
        ("spawn-pool", "python"),
        ("fork", "python"),
        ("subprocess", "otelward-run"),
        ("pool", "otelward-run"),
        ("spawn-pool", "opentelemetry-instrument"),
    ],
    ids=[
        "fork-pool",
        "spawn-pool",
        "forked-helper",
        "subprocess-under-run",
        "pool-under-run",
        "spawn-pool-instrument",
    ],
)
def test_readiness_stays_green_after_children_that_are_not_workers_exit(
    kind: str, launcher: str, tmp_path: Path
) -> None:
    # A fork Pool whose workers outlived the snapshot interval used to be counted as pre-fork workers; once they
    # exited readiness failed on `workers` for good.
    port = free_port()
    script = tmp_path / "app.py"
    script.write_text(SCRIPT)
    env = base_env(
        None,
        OTEL_TRACES_EXPORTER="none",
        OTEL_METRICS_EXPORTER="none",
        OTEL_LOGS_EXPORTER="none",
        OTELWARD_MANAGEMENT_PORT=str(port),
    )
    prefix = {
        "python": [],
        "otelward-run": [bin_path("otelward"), "run", "--"],
        "opentelemetry-instrument": [bin_path("opentelemetry-instrument")],
    }[launcher]
    # Under a launcher otelward is already started; the script's own configure() is then a no-op.
    argv = [*prefix, sys.executable, str(script), kind]
    with subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            # Probe all along, as a kubelet does: the children are seen alive, then gone.
            seen: list[tuple[int, object]] = []
            stop = threading.Event()

            def probe() -> None:
                while not stop.is_set():
                    with contextlib.suppress(OSError):
                        seen.append(_ready(port))
                    time.sleep(0.25)

            prober = threading.Thread(target=probe, daemon=True)
            prober.start()
            assert proc.stdout.readline().strip() == "CHILDREN-DONE"
            time.sleep(3.0)
            stop.set()
            prober.join(5)
            assert seen, "the management server never answered"
            failures = [doc for status, doc in seen if status != 200]
            assert failures == []
            assert seen[-1][0] == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
