"""Run one configuration under gunicorn, drive it with wrk, and measure RSS and SIGTERM-to-exit time."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness.configs import REPO, Config
from harness.collector import free_port

__all__ = ["LoadResult", "parse_wrk", "pinned", "run_load"]

PATH = "/users/1"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


@dataclass
class LoadResult:
    """What one server run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    worker_rss_mib: float
    exit_s: float
    ready_s: float
    requests: int
    worker_cpu_us_per_req: float

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict."""
        return asdict(self)


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> tuple[float, float, float, int]:
    """Return (requests/s, p50 ms, p99 ms, failed requests) from ``wrk --latency`` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (rps and p50 and p99):
        raise ValueError(f"could not parse wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    return float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), errors


def pinned(cpus: str | None, argv: list[str]) -> list[str]:
    """Return ``argv`` run on the CPUs ``cpus`` names (``taskset -c``), or as is without ``cpus``."""
    return ["taskset", "-c", cpus, *argv] if cpus else argv


def _wrk(port: int, seconds: float, connections: int, path: str = PATH, cpus: str | None = None) -> str:
    cmd = pinned(cpus, ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"])
    return subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _requests(out: str) -> int:
    m = re.search(r"(\d+) requests in", out)
    return int(m.group(1)) if m else 0


def _cpu_s(pid: int | None) -> float:
    """Return the user+system CPU seconds ``pid`` has used (all its threads)."""
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def _wait_ready(
    proc: subprocess.Popen[bytes], port: int, timeout_s: float, log: Path, path: str = PATH
) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as resp:
                if resp.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server not ready after {timeout_s}s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen[bytes], timeout_s: float) -> float:
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return time.monotonic() - start


def run_load(
    config: Config,
    workdir: Path,
    *,
    duration_s: float,
    warmup_s: float,
    connections: int = 4,
    exit_timeout_s: float = 45.0,
    server: tuple[str, ...] | None = None,
    path: str = PATH,
    env: dict[str, str] | None = None,
    cpus: str | None = None,
) -> LoadResult:
    """Start the app under gunicorn (1 sync worker), warm up, measure with wrk, then SIGTERM it.

    Args:
        server: another server command, ``{port}`` standing for the port (benchmarks/run_frameworks.py);
            a server with no worker process (uvicorn) is measured in its own process.
        path: the URL path wrk requests.
        env: variables added to the configuration's environment.
        cpus: run the server and wrk on these CPUs only (``taskset -c``; ``run.py --pin``).
    """
    port = free_port()
    log = workdir / f"{config.name}-{port}.stderr"
    if server is None:
        server = ("gunicorn", "-w", "1", "-k", "sync", "-b", "127.0.0.1:{port}", "benchmarks.app:app")
    argv = pinned(cpus, config.argv(*(part.replace("{port}", str(port)) for part in server)))
    with log.open("wb") as err:
        # stdout carries the app's log lines; discarded, as a log shipper would consume them.
        proc = subprocess.Popen(
            argv, cwd=REPO, env={**config.environ(), **(env or {})}, stdout=subprocess.DEVNULL, stderr=err
        )
    try:
        ready_s = _wait_ready(proc, port, 60.0, log, path)
        if warmup_s > 0:
            _wrk(port, warmup_s, connections, path, cpus)
        workers = _children(proc.pid)
        worker = workers[0] if workers else (proc.pid if server[0] == "uvicorn" else None)
        cpu_before = _cpu_s(worker)
        out = _wrk(port, duration_s, connections, path, cpus)
        cpu = _cpu_s(worker) - cpu_before
        rps, p50, p99, errors = parse_wrk(out)
        n = _requests(out)
        rss = _rss_mib(worker) if worker else float("nan")
        exit_s = _stop(proc, exit_timeout_s)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return LoadResult(rps, p50, p99, errors, rss, exit_s, ready_s, n, cpu / n * 1e6 if n else float("nan"))
