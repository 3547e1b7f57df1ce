"""``otelward doctor``: what otelward would do in this environment, and what is wrong with it.

The checks are pure functions over an environment mapping plus small probes (entry points, a TCP
connect); :func:`run` prints them. Secrets are never printed: values of secret variables, headers, tokens,
passwords and keys are masked, and header values are shown only as their keys.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

from otelward.config import Settings
from otelward.config._env_vars import VARS
from otelward.config._parsing import EnvVar, Kind

__all__ = ["Report", "build_report", "mask", "run"]

_HEADER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def mask(var: EnvVar, raw: str) -> str:
    """Return ``raw`` as it may be printed for ``var``: secrets hidden, header keys kept."""
    if not var.is_secret:
        return raw
    if var.kind is Kind.KEYVALUES:
        keys = [item.partition("=")[0].strip() for item in raw.split(",") if item.strip()]
        # A malformed item could be a bare secret: show only keys that look like header names.
        return ",".join(f"{k}=***" if _HEADER_NAME.fullmatch(k) else "***" for k in keys)
    return "***" if raw else ""


@dataclass
class Report:
    """Everything ``doctor`` found; ``problems`` decide the exit code."""

    config: list[tuple[str, str, str]] = field(default_factory=list)  # name, shown value, source
    problems: list[str] = field(default_factory=list)
    instrumentations: list[tuple[str, str]] = field(default_factory=list)
    distros: list[str] = field(default_factory=list)
    endpoints: list[tuple[str, str, str]] = field(default_factory=list)  # signal, endpoint, result


def _config_rows(environ: Mapping[str, str]) -> list[tuple[str, str, str]]:
    rows = []
    for var in VARS:
        raw = environ.get(var.name)
        if raw is not None and raw.strip():
            rows.append((var.name, mask(var, raw), "env"))
        elif var.default is not None:
            rows.append((var.name, var.default, "default"))
    return rows


def _instrumentation_rows(settings: Settings) -> list[tuple[str, str]]:
    import importlib.util

    from otelward.instrumentation._lazy import (
        ALWAYS_SKIPPED,
        dependency_conflict,
        entry_points_by_name,
        target_module,
    )

    rows = []
    disabled = set(settings.general.disabled_instrumentations)
    for name, ep in sorted(entry_points_by_name().items()):
        module = target_module(name)
        if name in ALWAYS_SKIPPED:
            status = f"skipped: {ALWAYS_SKIPPED[name]}"
        elif name in disabled or "*" in disabled:
            status = "skipped: listed in OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"
        elif module and importlib.util.find_spec(module.split(".")[0]) is None:
            status = f"skipped: library `{module}` is not installed"
        else:
            try:
                conflict = dependency_conflict(ep)
            except Exception as err:  # noqa: BLE001 - report, don't crash the diagnosis
                conflict = repr(err)
            if conflict:
                status = f"skipped: {conflict}"
            elif not module:
                status = "active: loaded at start-up"
            elif settings.general.lazy_instrumentation:
                status = f"active: instruments on `import {module}`"
            else:
                status = "active: loaded at start-up"
            if status.startswith("active"):
                status += _native_note(name, settings)
        rows.append((name, status))
    return rows


def _native_note(name: str, settings: Settings) -> str:
    """Say whose instrumentation runs for ``name`` when otelward has a native one."""
    from otelward.instrumentation.native import NATIVE, native_for

    if name not in NATIVE:
        return ""
    if not settings.general.native_instrumentation:
        return " (upstream's: OTELWARD_NATIVE_INSTRUMENTATION=false)"
    if native_for(name) is None:
        return " (upstream's: the installed version is not one otelward's native instrumentation was tested with)"
    return " (otelward's native instrumentation)"


def _distros() -> list[str]:
    from opentelemetry.util._importlib_metadata import entry_points

    return [f"{ep.name} ({ep.value})" for ep in entry_points(group="opentelemetry_distro")]


def _probe(endpoint: str, timeout_s: float) -> str:
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    host = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return "ok: accepts connections"
    except OSError as err:
        return f"FAILED: cannot connect to {host}:{port} ({err.strerror or err})"


def build_report(
    environ: Mapping[str, str],
    probe: Callable[[str, float], str] = _probe,
    timeout_s: float = 2.0,
) -> Report:
    """Inspect ``environ`` and this installation; ``probe`` tests that an endpoint accepts connections."""
    settings = Settings.from_env(environ)
    report = Report(config=_config_rows(environ), problems=list(settings.problems))
    report.instrumentations = _instrumentation_rows(settings)
    report.distros = _distros()
    chosen = environ.get("OTEL_PYTHON_DISTRO")
    if len(report.distros) > 1 and chosen != "otelward":
        report.problems.append(
            "more than one OpenTelemetry distro is installed ("
            + ", ".join(report.distros)
            + "); the first found wins silently. Set OTEL_PYTHON_DISTRO=otelward and "
            "OTEL_PYTHON_CONFIGURATOR=otelward, or uninstall the other."
        )
    seen: set[str] = set()
    for sig in (settings.traces, settings.metrics_export, settings.logs_export):
        if "otlp" not in sig.exporters:
            continue
        result = probe(sig.endpoint, timeout_s)
        report.endpoints.append((sig.signal, f"{sig.endpoint} ({sig.protocol})", result))
        if result.startswith("FAILED") and sig.endpoint not in seen:
            report.problems.append(f"{sig.signal} endpoint {sig.endpoint}: {result}")
        seen.add(sig.endpoint)
    return report


def _print(report: Report, out: TextIO) -> None:
    w = out.write
    w("otelward doctor\n\n== configuration (secrets masked)\n")
    width = max((len(name) for name, _, _ in report.config), default=10)
    for name, value, source in report.config:
        w(f"  {name:<{width}}  {value}  [{source}]\n")
    w("\n== distros installed\n")
    for d in report.distros:
        w(f"  {d}\n")
    w("\n== instrumentations\n")
    for name, status in report.instrumentations:
        w(f"  {name:<24} {status}\n")
    w("\n== OTLP endpoints\n")
    for signal, endpoint, result in report.endpoints:
        w(f"  {signal:<8} {endpoint}: {result}\n")
    if not report.endpoints:
        w("  (no OTLP exporter configured)\n")
    w("\n== problems\n")
    for p in report.problems:
        w(f"  - {p}\n")
    if not report.problems:
        w("  none\n")


def run(environ: Mapping[str, str], out: TextIO, as_json: bool = False) -> int:
    """Print the report for ``environ``; return 1 when there are problems, else 0."""
    report = build_report(environ)
    if as_json:
        import json
        from dataclasses import asdict

        data: dict[str, Any] = asdict(report)
        out.write(json.dumps(data, indent=2) + "\n")
    else:
        _print(report, out)
    return 1 if report.problems else 0
