"""A rotel collector that accepts OTLP (gRPC and HTTP) and discards it, for load runs."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.harness.configs import Endpoints
from harness.collector import free_port, rotel_command

__all__ = ["blackhole_collector"]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def blackhole_collector(workdir: Path, cpus: str | None = None) -> Iterator[Endpoints]:
    """Run ``rotel-agent start --exporter blackhole`` on free ports; yield the endpoints to send to.

    Args:
        cpus: run the collector on these CPUs only (``taskset -c``).
    """
    grpc_port, http_port = free_port(), free_port()
    cmd = rotel_command(workdir, grpc_port, http_port, "--exporter", "blackhole")
    if cpus:
        cmd = ["taskset", "-c", cpus, *cmd]
    with (workdir / "rotel.out").open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while not (_listening(grpc_port) and _listening(http_port)):
            if proc.poll() is not None or time.monotonic() > deadline:
                text = (workdir / "rotel.out").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"rotel did not start (exit {proc.poll()}):\n{text}")
            time.sleep(0.05)
        # Ports where nothing listens, for the dead-collector configurations.
        dead_grpc, dead_http = free_port(), free_port()
        yield Endpoints(
            grpc=f"http://127.0.0.1:{grpc_port}",
            http=f"http://127.0.0.1:{http_port}",
            dead_grpc=f"http://127.0.0.1:{dead_grpc}",
            dead_http=f"http://127.0.0.1:{dead_http}",
        )
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
