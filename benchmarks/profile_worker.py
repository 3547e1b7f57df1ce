"""Profile the gunicorn worker of one configuration under wrk load with py-spy; print where its time goes.

    .venv/bin/python benchmarks/profile_worker.py --config otelward --seconds 20

Each sample is attributed to the first OpenTelemetry or otelward frame entered from app or framework code
(the samples waiting in ``accept`` and in gunicorn's ``close_graceful`` are left out). Needs py-spy (in the
test extra) and wrk; ptrace must be allowed (root, or ``kernel.yama.ptrace_scope=0``).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.harness.collector import blackhole_collector  # noqa: E402
from benchmarks.harness.configs import build_configs  # noqa: E402
from harness.collector import free_port  # noqa: E402

_TELEMETRY = ("/opentelemetry/", "/otelward/")
_APP = ("/flask/", "/werkzeug/", "/gunicorn/", "/benchmarks/", "/jinja2/", "/itsdangerous/", "/blinker/")
_IDLE = ("close_graceful", "socket.accept", "select")
_GROUPS = (
    ("threading_run", "otelward export and background threads"),
    ("otelward/", "otelward on the request thread"),
    ("instrumentation/dbapi", "stock dbapi instrumentation"),
    ("instrumentation/", "stock Flask/WSGI instrumentation"),
    ("util/http", "stock Flask/WSGI instrumentation"),
    ("metrics/", "metric recording"),
)


def _group(frame: str) -> str:
    for needle, name in _GROUPS:
        if needle in frame:
            return name
    return "SDK spans and context"


def _is_app(frame: str) -> bool:
    return any(a in frame for a in _APP) and not any(t in frame for t in _TELEMETRY)


def attribute(raw: str) -> tuple[collections.Counter[str], int]:
    """Return busy samples per group ("app" included) and the busy total, from py-spy's raw output."""
    groups: collections.Counter[str] = collections.Counter()
    busy = 0
    for line in raw.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames, n = stack.split(";"), int(count)
        if any(idle in frames[-1] for idle in _IDLE):
            continue
        busy += n
        owner = "other (stdlib)"
        for i in range(len(frames) - 1, -1, -1):
            if any(t in frames[i] for t in _TELEMETRY):
                j = i
                while j > 0 and not _is_app(frames[j - 1]):
                    j -= 1
                while not any(t in frames[j] for t in _TELEMETRY):
                    j += 1
                owner = _group(re.sub(r":\d+\)$", ")", frames[j]))
                break
            if _is_app(frames[i]):
                owner = "the app (gunicorn, Flask, sqlite3, logging)"
                break
        groups[owner] += n
    return groups, busy


def main() -> int:
    """Run the profile and print the table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default="otelward")
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--raw", help="also keep py-spy's raw stacks in this file (for a closer look)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, blackhole_collector(Path(tmp)) as ep:
        config = build_configs(REPO / ".venv", REPO / ".venv-stock", ep, free_port())[args.config]
        port = free_port()
        argv = config.argv(
            "gunicorn", "-w", "1", "-k", "sync", "-b", f"127.0.0.1:{port}", "benchmarks.app:app"
        )
        app = subprocess.Popen(
            argv, env=config.environ(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(4)
            worker = subprocess.run(
                ["pgrep", "-P", str(app.pid)], capture_output=True, text=True, check=True
            ).stdout.split()[0]
            url = f"http://127.0.0.1:{port}/users/1"
            wrk = subprocess.Popen(
                ["wrk", "-t1", "-c4", f"-d{args.seconds + 4}s", url], stdout=subprocess.PIPE, text=True
            )
            time.sleep(2)
            out = Path(tmp) / "raw.txt"
            spy = [
                str(REPO / ".venv" / "bin" / "py-spy"),
                "record",
                "--pid",
                worker,
                "--duration",
                str(args.seconds),
            ]
            spy += ["--rate", "200", "--nonblocking", "--full-filenames", "--format", "raw", "-o", str(out)]
            subprocess.run(spy, check=True, capture_output=True)
            rps = re.search(r"Requests/sec:\s+([\d.]+)", wrk.communicate()[0])
            groups, busy = attribute(out.read_text())
            if args.raw:
                Path(args.raw).write_text(out.read_text())
        finally:
            app.terminate()
            app.wait(30)
    print(f"{args.config}: {rps.group(1) if rps else '?'} req/s during the profile; {busy} busy samples")
    print("| where | share of busy samples |\n|---|---|")
    for name, n in groups.most_common():
        print(f"| {name} | {100 * n / max(busy, 1):.1f} % |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
