"""Summarise interleaved rounds into medians and ratios to the bare app, check targets, render Markdown."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["TARGETS", "check_targets", "markdown", "summarise"]

TARGETS: dict[str, str] = {
    "throughput": "otelward req/s >= 0.70x bare",
    "p99": "otelward p99 <= 2x bare",
    "startup": "otelward added start-up <= 0.33x the stock distro's added start-up",
    "startup_run": "same, started with `otelward run` instead of opentelemetry-instrument",
    "rss": "otelward worker RSS <= bare + 12 MiB",
    "dead_throughput": "dead collector: otelward req/s >= 0.95x otelward with a collector (noise margin)",
    "dead_exit": "dead collector: otelward SIGTERM-to-exit minus bare's <= shutdown timeout (2 s) + 0.5 s",
}


def _median(values: Sequence[float]) -> float:
    clean = [v for v in values if not math.isnan(v)]
    return statistics.median(clean) if clean else float("nan")


def _paired(rounds: list[dict[str, Any]], name: str, f: Callable[[Any, Any], float], key: str) -> float:
    """Median over rounds of f(config value, bare value) for the same round."""
    vals = [
        f(r[key][name], r[key]["bare"]) for r in rounds if name in r.get(key, {}) and "bare" in r.get(key, {})
    ]
    return _median(vals)


def summarise(rounds: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Return per configuration: medians of every measure, and per-round-paired ratios/deltas to bare."""
    names: list[str] = []
    for r in rounds:
        for n in list(r.get("load", {})) + list(r.get("startup", {})):
            if n not in names:
                names.append(n)
    out: dict[str, dict[str, float]] = {}
    for name in names:
        s: dict[str, float] = {}
        loads = [r["load"][name] for r in rounds if name in r.get("load", {})]
        for field in (
            "rps",
            "p50_ms",
            "p99_ms",
            "worker_rss_mib",
            "exit_s",
            "ready_s",
            "errors",
            "worker_cpu_us_per_req",
        ):
            if loads:
                s[field] = _median([float(x.get(field, "nan")) for x in loads])
        if loads:
            s["rps_ratio"] = _paired(rounds, name, lambda a, b: a["rps"] / b["rps"], "load")
            s["p50_ratio"] = _paired(rounds, name, lambda a, b: a["p50_ms"] / b["p50_ms"], "load")
            s["p99_ratio"] = _paired(rounds, name, lambda a, b: a["p99_ms"] / b["p99_ms"], "load")
            s["cpu_ratio"] = _paired(
                rounds,
                name,
                lambda a, b: (
                    a.get("worker_cpu_us_per_req", math.nan) / b.get("worker_cpu_us_per_req", math.nan)
                ),
                "load",
            )
            # Added worker CPU per request: what instrumentation costs the app, whatever the throughput.
            s["cpu_added_us"] = _paired(
                rounds,
                name,
                lambda a, b: (
                    a.get("worker_cpu_us_per_req", math.nan) - b.get("worker_cpu_us_per_req", math.nan)
                ),
                "load",
            )
            s["exit_delta_s"] = _paired(rounds, name, lambda a, b: a["exit_s"] - b["exit_s"], "load")
            s["rss_delta_mib"] = _paired(
                rounds, name, lambda a, b: a["worker_rss_mib"] - b["worker_rss_mib"], "load"
            )
        starts = [_median(r["startup"][name]) for r in rounds if name in r.get("startup", {})]
        if starts:
            s["startup_ms"] = _median(starts)
            s["startup_added_ms"] = _paired(rounds, name, lambda a, b: _median(a) - _median(b), "startup")
        out[name] = s
    return out


def check_targets(
    summary: dict[str, dict[str, float]], shutdown_timeout_s: float
) -> dict[str, dict[str, Any]]:
    """Return each target with the measured value and whether it is met (None: not measured in this run)."""
    ward = summary.get("otelward", {})
    stock = summary.get("stock", {})
    dead = summary.get("otelward-dead", {})

    def verdict(value: float | None, ok: Callable[[float], bool]) -> dict[str, Any]:
        if value is None or math.isnan(value):
            return {"value": None, "met": None}
        return {"value": value, "met": bool(ok(value))}

    def startup_ratio(name: str) -> float | None:
        added = summary.get(name, {}).get("startup_added_ms")
        if added is None or stock.get("startup_added_ms", 0) <= 0:
            return None
        return added / stock["startup_added_ms"]

    dead_rps = dead["rps"] / ward["rps"] if "rps" in dead and ward.get("rps") else None
    results = {
        "throughput": verdict(ward.get("rps_ratio"), lambda v: v >= 0.70),
        "p99": verdict(ward.get("p99_ratio"), lambda v: v <= 2.0),
        "startup": verdict(startup_ratio("otelward"), lambda v: v <= 0.33),
        "startup_run": verdict(startup_ratio("otelward-run"), lambda v: v <= 0.33),
        "rss": verdict(ward.get("rss_delta_mib"), lambda v: v <= 12.0),
        "dead_throughput": verdict(dead_rps, lambda v: v >= 0.95),
        "dead_exit": verdict(dead.get("exit_delta_s"), lambda v: v <= shutdown_timeout_s + 0.5),
    }
    for key, res in results.items():
        res["target"] = TARGETS[key]
    return results


def _fmt(v: float | None, spec: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return format(v, spec)


def markdown(
    summary: dict[str, dict[str, float]], targets: dict[str, dict[str, Any]], meta: dict[str, Any]
) -> str:
    """Render the end-to-end table, the start-up table and the target verdicts."""
    lines = [
        f"Run {meta['date']} on {meta['machine']['cpus']} CPUs ({meta['machine']['cpu_model']}); "
        f"{meta['rounds']} rounds x {meta['duration_s']} s of `wrk -t1 -c{meta['connections']}` "
        f"after {meta['warmup_s']} s warm-up; medians, ratios paired per round"
        + (
            f"; server and wrk pinned to CPU {meta['pinned']['server_and_wrk']}, the collector to "
            f"{meta['pinned']['collector']}."
            if meta.get("pinned")
            else "."
        ),
        "",
        "| configuration | req/s | p50 ms | p99 ms | req/s vs bare | p50 vs bare | p99 vs bare | worker RSS MiB "
        "| RSS vs bare | worker CPU µs/req | added CPU µs/req | CPU vs bare | SIGTERM→exit s | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in summary.items():
        if "rps" not in s:
            continue
        lines.append(
            f"| {name} | {_fmt(s['rps'], '.0f')} | {_fmt(s['p50_ms'], '.2f')} | {_fmt(s['p99_ms'], '.2f')} "
            f"| {_fmt(s['rps_ratio'], '.2f')} | {_fmt(s['p50_ratio'], '.2f')} | {_fmt(s['p99_ratio'], '.2f')} "
            f"| {_fmt(s['worker_rss_mib'], '.1f')} | {_fmt(s['rss_delta_mib'], '+.1f')} "
            f"| {_fmt(s['worker_cpu_us_per_req'], '.0f')} | {_fmt(s.get('cpu_added_us'), '+.0f')} "
            f"| {_fmt(s['cpu_ratio'], '.2f')} "
            f"| {_fmt(s['exit_s'], '.2f')} | {_fmt(s['errors'], '.0f')} |"
        )
    starts = {n: s for n, s in summary.items() if "startup_ms" in s}
    if starts:
        lines += ["", "| start-up (`print` script) | wall ms | added vs bare ms |", "|---|---|---|"]
        for name, s in starts.items():
            lines.append(
                f"| {name} | {_fmt(s['startup_ms'], '.0f')} | {_fmt(s['startup_added_ms'], '+.0f')} |"
            )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for res in targets.values():
        met = {True: "yes", False: "**no**", None: "not measured"}[res["met"]]
        lines.append(f"| {res['target']} | {_fmt(res['value'], '.2f')} | {met} |")
    return "\n".join(lines) + "\n"
