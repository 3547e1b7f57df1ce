"""FastAPI/uvicorn and Django/gunicorn: bare, stock distro, otelward (native) and otelward on upstream's.

    .venv/bin/python benchmarks/run_frameworks.py --rounds 5 --duration 10

The Flask comparison is ``benchmarks/run.py``; this runs the same route (one sqlite3 query, one log line) on
FastAPI under uvicorn (one process, sync endpoint) and on Django under gunicorn (one sync worker), against one
rotel collector (blackhole exporter). Each round runs every configuration of an app once, in an order rotated
per round; throughput and p99 are paired with the bare run of the same round, then the median is reported.
``otelward-upstream`` is otelward with ``OTELWARD_NATIVE_INSTRUMENTATION=false`` (upstream's instrumentors
with otelward's hooks): the difference to ``otelward`` is what the native instrumentations buy.
Results: benchmarks/results/frameworks.json and .md. Needs .venv and .venv-stock with fastapi, uvicorn, django
and their instrumentations (see docs/performance.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness.collector import blackhole_collector
from benchmarks.harness.configs import REPO, build_configs
from benchmarks.harness.load import run_load
from harness.collector import free_port

CONFIGS = ("bare", "stock", "otelward", "otelward-upstream")
APPS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "fastapi-uvicorn": (
        (
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--no-access-log",
            "benchmarks.app_fastapi:app",
        ),
        {},
    ),
    "django-gunicorn": (
        ("gunicorn", "-w", "1", "-k", "sync", "-b", "127.0.0.1:{port}", "benchmarks.app_django:application"),
        {"DJANGO_SETTINGS_MODULE": "benchmarks.django_settings"},
    ),
}


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--duration", type=float, default=10.0, help="seconds of measured load per run")
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--apps", default=",".join(APPS))
    p.add_argument(
        "--configs", default=",".join(CONFIGS), help="subset of the configurations (bare is needed)"
    )
    p.add_argument("--venv", type=Path, default=REPO / ".venv")
    p.add_argument("--stock-venv", type=Path, default=REPO / ".venv-stock")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "frameworks.json")
    return p.parse_args(argv)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def summarise(rounds: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """Return app -> config -> medians of the per-round ratios to bare and of the absolute figures."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for app in rounds[0]["load"] if rounds else ():
        out[app] = {}
        for name in rounds[0]["load"][app]:
            runs = [(r["load"][app][name], r["load"][app]["bare"]) for r in rounds]
            out[app][name] = {
                "rps": statistics.median(x["rps"] for x, _ in runs),
                "rps_x_bare": statistics.median(x["rps"] / b["rps"] for x, b in runs),
                "p99_ms": statistics.median(x["p99_ms"] for x, _ in runs),
                "p99_x_bare": statistics.median(x["p99_ms"] / b["p99_ms"] for x, b in runs),
                "cpu_us_per_req": statistics.median(x["worker_cpu_us_per_req"] for x, _ in runs),
                "added_cpu_us_per_req": statistics.median(
                    x["worker_cpu_us_per_req"] - b["worker_cpu_us_per_req"] for x, b in runs
                ),
                "rss_mib": statistics.median(x["worker_rss_mib"] for x, _ in runs),
                "errors": sum(x["errors"] for x, _ in runs),
            }
    return out


def markdown(summary: dict[str, dict[str, dict[str, float]]], meta: dict[str, Any]) -> str:
    """Return the result table."""
    lines = [
        f"# Frameworks benchmark ({meta['date']})",
        "",
        f"`{meta['command']}`: {meta['rounds']} interleaved rounds, {meta['duration_s']} s each, "
        f"wrk -c{meta['connections']}; load average {meta['loadavg_start'][0]:.2f} at start.",
        "",
        "| app | config | req/s | x bare | p99 ms | p99 x bare | worker CPU µs/req | added µs/req | RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for app, configs in summary.items():
        for name, s in configs.items():
            lines.append(
                f"| {app} | {name} | {s['rps']:.0f} | {s['rps_x_bare']:.2f} | {s['p99_ms']:.2f} | "
                f"{s['p99_x_bare']:.2f} | {s['cpu_us_per_req']:.0f} | {s['added_cpu_us_per_req']:.0f} | "
                f"{s['rss_mib']:.1f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the rounds, write the result files and print the table."""
    import os

    args = _args(argv)
    apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    names = tuple(n.strip() for n in args.configs.split(",") if n.strip())
    if "bare" not in names or set(names) - set(CONFIGS) or set(apps) - set(APPS):
        sys.exit(
            f"run_frameworks.py: configs from {', '.join(CONFIGS)} (bare included), apps from {', '.join(APPS)}"
        )
    meta: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "benchmarks/run_frameworks.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "rounds": args.rounds,
        "duration_s": args.duration,
        "connections": args.connections,
        "loadavg_start": os.getloadavg(),
    }
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="otelward-bench-") as tmp, blackhole_collector(Path(tmp)) as ep:
        configs = build_configs(args.venv, args.stock_venv, ep, free_port())
        ward = configs["otelward"]
        configs["otelward-upstream"] = type(ward)(
            "otelward-upstream",
            ward.venv,
            True,
            {**ward.env, "OTELWARD_NATIVE_INSTRUMENTATION": "false"},
            "otelward with upstream's instrumentors",
        )
        for i in range(args.rounds):
            rnd: dict[str, Any] = {"load": {}}
            for app in apps:
                server, env = APPS[app]
                shift = i % len(names)
                order = names[shift:] + names[:shift]
                rnd["load"][app] = {}
                for name in order:
                    _log(f"round {i + 1}/{args.rounds}: {app} {name} ...")
                    res = run_load(
                        configs[name],
                        Path(tmp),
                        duration_s=args.duration,
                        warmup_s=args.warmup,
                        connections=args.connections,
                        server=server,
                        env=env,
                    )
                    rnd["load"][app][name] = res.as_dict()
                    _log(
                        f"  {res.rps:.0f} req/s, p99 {res.p99_ms:.2f} ms, "
                        f"{res.worker_cpu_us_per_req:.0f} µs CPU/req, RSS {res.worker_rss_mib:.1f} MiB"
                    )
            rounds.append(rnd)
    meta["loadavg_end"] = os.getloadavg()
    summary = summarise(rounds)
    table = markdown(summary, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "summary": summary, "rounds": rounds}, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
