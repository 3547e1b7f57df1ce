"""Compare the app bare, under the stock OpenTelemetry distro and under otelward; write a table.

    .venv/bin/python benchmarks/run.py --rounds 5 --duration 10

Needs `scripts/setup.sh` (creates .venv with otelward, .venv-stock with opentelemetry-distro, installs wrk).
Each round runs every configuration once, in an order rotated per round, against one real rotel collector
(blackhole exporter); ratios to the bare app are paired per round, then the median is reported. Results go to
benchmarks/results/latest.json and latest.md. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness.collector import blackhole_collector
from benchmarks.harness.configs import (
    REPO,
    build_configs,
    installed_instrumentations,
    package_versions,
)
from benchmarks.harness.load import run_load
from benchmarks.harness.report import check_targets, markdown, summarise
from benchmarks.harness.startup import time_startup
from harness.collector import free_port

LOAD_CONFIGS = ("bare", "stock", "otelward", "stock-dead", "otelward-dead")
# On request only (--configs): otelward without its native instrumentations, or without lean spans.
OPTIONAL_LOAD_CONFIGS = ("otelward-upstream", "otelward-sdkspans")
STARTUP_CONFIGS = ("bare", "stock", "otelward", "otelward-run", "otelward-eager", "loader-floor")
SHUTDOWN_TIMEOUT_S = 2.0  # otelward's default OTELWARD_SHUTDOWN_TIMEOUT


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument(
        "--duration", type=float, default=10.0, help="seconds of measured load per run (default 10)"
    )
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load first (default 2)")
    p.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    p.add_argument("--startup-runs", type=int, default=5, help="start-up timings per config per round")
    p.add_argument(
        "--configs",
        default=",".join(LOAD_CONFIGS),
        help=f"load configurations (default {','.join(LOAD_CONFIGS)})",
    )
    p.add_argument(
        "--pin",
        action="store_true",
        help="run each server and wrk on CPU 0 and the collector on the other CPUs (see docs/performance.md: "
        "on this VM a response that wakes wrk on an idle CPU costs the server ~100 µs more, the slower server "
        "more often)",
    )
    p.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    p.add_argument("--no-load", action="store_true", help="skip the load runs (start-up only)")
    p.add_argument("--venv", type=Path, default=REPO / ".venv", help="venv with otelward (default .venv)")
    p.add_argument("--stock-venv", type=Path, default=REPO / ".venv-stock", help="venv with the stock distro")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "latest.json")
    p.add_argument("--check", action="store_true", help="exit 1 when a measured target is not met")
    p.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: recompute the summary and table from the rounds already in --out",
    )
    return p.parse_args(argv)


def _preflight(args: argparse.Namespace, names: list[str]) -> None:
    problems = []
    if shutil.which("wrk") is None:
        problems.append("wrk is not installed (scripts/setup.sh installs it with apt-get)")
    for venv, needed in ((args.venv, True), (args.stock_venv, any(n.startswith("stock") for n in names))):
        if needed and not (venv / "bin" / "opentelemetry-instrument").exists():
            problems.append(f"{venv}/bin/opentelemetry-instrument is missing: run `bash scripts/setup.sh`")
    unknown = sorted(set(names) - set(LOAD_CONFIGS) - set(OPTIONAL_LOAD_CONFIGS))
    if unknown:
        known = ", ".join(LOAD_CONFIGS + OPTIONAL_LOAD_CONFIGS)
        problems.append(f"unknown configurations {unknown}; known: {known}")
    if problems:
        sys.exit("benchmarks/run.py: " + "; ".join(problems))


def _machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else "",
        "loadavg_start": os.getloadavg(),
    }


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and write the result files; return the exit status."""
    args = _args(argv)
    if args.report_only:
        previous = json.loads(args.out.read_text())
        return _write(args, previous["meta"], previous["rounds"])
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    _preflight(args, names)
    # loader-floor: what any opentelemetry-instrument plugin pays (launcher + stock loader) before doing work.
    extra = ["otelward-eager", "otelward-run"] if "otelward" in names else []
    wanted = {"bare", "loader-floor", *names, *extra}
    startup_names = [] if args.no_startup else [n for n in STARTUP_CONFIGS if n in wanted]
    meta: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "benchmarks/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": _machine(),
        "rounds": args.rounds,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connections": args.connections,
        "startup_runs": args.startup_runs,
        "versions": {"otelward venv": package_versions(args.venv)},
        "instrumentations": {"otelward venv": installed_instrumentations(args.venv)},
    }
    if any(n.startswith("stock") for n in names):
        meta["versions"]["stock venv"] = package_versions(args.stock_venv)
        meta["instrumentations"]["stock venv"] = installed_instrumentations(args.stock_venv)
        only = set(meta["instrumentations"]["otelward venv"]) ^ set(meta["instrumentations"]["stock venv"])
        if only:
            _log(
                f"warning: the venvs differ in instrumentations {sorted(only)}; start-up is not like for like"
            )
    rounds: list[dict[str, Any]] = []
    server_cpus, collector_cpus = _cpus(args.pin)
    meta["pinned"] = {"server_and_wrk": server_cpus, "collector": collector_cpus} if args.pin else None
    with (
        tempfile.TemporaryDirectory(prefix="otelward-bench-") as tmp,
        blackhole_collector(Path(tmp), collector_cpus) as ep,
    ):
        configs = build_configs(args.venv, args.stock_venv, ep, free_port())
        for i in range(args.rounds):
            shift = i % len(names)
            order = names[shift:] + names[:shift]
            rnd: dict[str, Any] = {"order": order, "load": {}, "startup": {}}
            for name in [] if args.no_load else order:
                _log(f"round {i + 1}/{args.rounds}: {name} ...")
                res = run_load(
                    configs[name],
                    Path(tmp),
                    duration_s=args.duration,
                    warmup_s=args.warmup,
                    connections=args.connections,
                    cpus=server_cpus,
                )
                rnd["load"][name] = res.as_dict()
                _log(
                    f"  {res.rps:.0f} req/s, p50 {res.p50_ms:.2f} ms, p99 {res.p99_ms:.2f} ms, "
                    f"RSS {res.worker_rss_mib:.1f} MiB, exit {res.exit_s:.2f} s"
                )
            s_shift = i % max(1, len(startup_names))
            for name in startup_names[s_shift:] + startup_names[:s_shift]:
                rnd["startup"][name] = time_startup(configs[name], args.startup_runs)
            if startup_names:
                _log("  start-up ms: " + ", ".join(f"{n} {min(v):.0f}" for n, v in rnd["startup"].items()))
            rounds.append(rnd)
    meta["machine"]["loadavg_end"] = os.getloadavg()
    return _write(args, meta, rounds)


def _cpus(pin: bool) -> tuple[str | None, str | None]:
    """Return (CPUs of server and wrk, CPUs of the collector) for ``--pin`` (None, None without it)."""
    count = os.cpu_count() or 1
    if not pin or count < 2:
        return None, None
    return "0", f"1-{count - 1}" if count > 2 else "1"


def _write(args: argparse.Namespace, meta: dict[str, Any], rounds: list[dict[str, Any]]) -> int:
    summary = summarise(rounds)
    targets = check_targets(summary, SHUTDOWN_TIMEOUT_S)
    table = markdown(summary, targets, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"meta": meta, "summary": summary, "targets": targets, "rounds": rounds}, indent=2) + "\n"
    )
    args.out.with_suffix(".md").write_text(table)
    print(table)
    _log(f"wrote {args.out} and {args.out.with_suffix('.md')}")
    failed = [k for k, v in targets.items() if v["met"] is False]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
