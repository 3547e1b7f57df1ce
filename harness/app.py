"""Run an app under ``opentelemetry-instrument`` (the real entry point) pointed at a test collector."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from harness.collector import Collector, free_port

__all__ = ["REPO", "AppProcess", "base_env", "bin_path", "run_script", "serve"]

REPO = Path(__file__).resolve().parents[1]


def bin_path(name: str) -> str:
    """Return the path of a console script installed next to this interpreter."""
    return str(Path(sys.executable).parent / name)


def base_env(collector: Collector | None, **overrides: str) -> dict[str, str]:
    """Return a clean environment for an instrumented child: no inherited OTEL_*/OTELWARD_* variables,
    fast export intervals, a free management port, and the collector's endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELWARD_"))}
    env.update(
        {
            "OTEL_SERVICE_NAME": "test-app",
            "OTEL_METRIC_EXPORT_INTERVAL": "500",
            "OTELWARD_EXPORT_SCHEDULE_DELAY_MS": "100",
            # Generous, so a loaded test machine still delivers everything at exit; shutdown tests set their own.
            "OTELWARD_SHUTDOWN_TIMEOUT": "10",
            "OTELWARD_MANAGEMENT_PORT": str(free_port()),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(REPO),
            # The venv's bin first, so `python`, `gunicorn`, `uvicorn` are the ones with otelward installed.
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        }
    )
    if collector is not None:
        env.update(collector.env())
    env.update(overrides)
    return env


def run_script(
    argv: Sequence[str], env: Mapping[str, str], timeout_s: float = 60.0, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """Run ``opentelemetry-instrument <argv>`` to completion and return its result."""
    return subprocess.run(
        [bin_path("opentelemetry-instrument"), *argv],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


@dataclass
class AppProcess:
    """A running instrumented server."""

    proc: subprocess.Popen[bytes]
    port: int
    out_file: IO[bytes] | None = None
    err_file: IO[bytes] | None = None
    stdout: str = ""
    stderr: str = ""
    exit_seconds: float | None = field(default=None)

    @property
    def base_url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def get(
        self, path: str, headers: Mapping[str, str] | None = None, timeout_s: float = 10.0
    ) -> tuple[int, dict[str, str], bytes]:
        """GET ``path``; return status, headers and body (HTTP errors are returned, not raised)."""
        req = urllib.request.Request(self.base_url + path, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(req, timeout=timeout_s) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 40.0) -> float:
        """Send ``sig``, wait for exit, capture output; return the seconds the exit took."""
        start = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.exit_seconds = time.monotonic() - start
        self.stdout, self.stderr = self.read_stdout(), self.read_stderr()
        return self.exit_seconds

    def read_stdout(self) -> str:
        """Return everything the app wrote to stdout so far."""
        return _read(self.out_file)

    def read_stderr(self) -> str:
        """Return everything the app wrote to stderr so far."""
        return _read(self.err_file)


def _read(fh: IO[bytes] | None) -> str:
    if fh is None:
        return ""
    fh.flush()
    with open(fh.name, "rb") as again:
        return again.read().decode("utf-8", errors="replace")


def _wait_port(port: int, app: AppProcess, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app.proc.poll() is not None:
            out, err = app.read_stdout(), app.read_stderr()
            raise RuntimeError(f"app exited early ({app.proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"app did not listen on {port} within {timeout_s}s")


@contextmanager
def serve(
    argv: Sequence[str],
    env: Mapping[str, str],
    port: int,
    cwd: Path = REPO,
    instrument: bool = True,
    startup_timeout_s: float = 30.0,
) -> Iterator[AppProcess]:
    """Start ``[opentelemetry-instrument] <argv>`` listening on ``port``; SIGTERM it on exit."""
    cmd = [bin_path("opentelemetry-instrument"), *argv] if instrument else list(argv)
    # Files, not pipes: a chatty app must never block on a full pipe nobody reads.
    with (
        tempfile.NamedTemporaryFile(prefix="app-out-") as out,
        tempfile.NamedTemporaryFile(prefix="app-err-") as err,
    ):
        proc = subprocess.Popen(cmd, env=dict(env), cwd=cwd, stdout=out, stderr=err)
        app = AppProcess(proc, port, out, err)
        try:
            _wait_port(port, app, startup_timeout_s)
            yield app
        finally:
            if app.exit_seconds is None:
                app.stop()


def flask_example_span_shapes(
    collector: Collector, launcher: Sequence[str] = (), **env_overrides: str
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Serve ``examples/flask_app`` (sampling off), GET one user; return (name, kind, attribute keys) per span.

    Args:
        collector: the running collector (cleared first).
        launcher: a launcher to put before ``python`` instead of ``opentelemetry-instrument``.
        env_overrides: extra environment variables.
    """
    port = free_port()
    env = base_env(collector, OTELWARD_SAMPLING="off", PORT=str(port), **env_overrides)
    collector.sink.clear()
    argv = [*launcher, "python", "examples/flask_app/app.py"]
    with serve(argv, env, port, instrument=not launcher) as app:
        assert app.get("/users/2")[0] == 200
        received = collector.wait_for(lambda r: len(r.spans) >= 4)
    return sorted((s["name"], s["kind"], tuple(sorted(s["attributes"]))) for s in received.spans)
