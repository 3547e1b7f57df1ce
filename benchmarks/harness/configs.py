"""The configurations compared: the bare app, the stock distro and otelward, each in its own venv."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["REPO", "Config", "Endpoints", "build_configs", "installed_instrumentations", "package_versions"]

REPO = Path(__file__).resolve().parents[2]

_VERSIONED = (
    "opentelemetry-sdk",
    "opentelemetry-distro",
    "opentelemetry-exporter-otlp-proto-grpc",
    "opentelemetry-exporter-otlp-proto-http",
    "opentelemetry-instrumentation-flask",
    "otelward",
    "flask",
    "gunicorn",
    "grpcio",
    "protobuf",
    "wrapt",
)


@dataclass(frozen=True)
class Endpoints:
    """Where the collector listens (and a port where nothing does)."""

    grpc: str
    http: str
    dead_grpc: str
    dead_http: str


@dataclass(frozen=True)
class Config:
    """One way of running the app: which venv, whether under ``opentelemetry-instrument``, which env."""

    name: str
    venv: Path
    instrumented: bool
    env: dict[str, str]
    description: str
    launcher: tuple[str, ...] = ("opentelemetry-instrument",)
    """The venv's console script (and arguments) that starts the app when ``instrumented``."""

    def argv(self, *cmd: str) -> list[str]:
        """Return ``cmd`` (a console script of the venv or ``python``) run the way this config runs it."""
        bindir = self.venv / "bin"
        head = [str(bindir / self.launcher[0]), *self.launcher[1:]] if self.instrumented else []
        return [*head, str(bindir / cmd[0]), *cmd[1:]]

    def environ(self) -> dict[str, str]:
        """Return the full process environment: no inherited OTEL_*/OTELWARD_* variables, then ours."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELWARD_"))}
        # Let Python cache bytecode as an installed wheel would; without it, an editable otelward is
        # recompiled on every start while the site-packages it competes with are not.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPATH"] = str(REPO)
        env["PATH"] = str(self.venv / "bin") + os.pathsep + env.get("PATH", "")
        env.update(self.env)
        return env


def build_configs(venv: Path, stock_venv: Path, ep: Endpoints, management_port: int) -> dict[str, Config]:
    """Return every known configuration by name (the harness runs the ones asked for)."""
    common = {"OTEL_SERVICE_NAME": "bench"}
    # The stock distro with its defaults: OTLP/gRPC for traces, metrics and logs.
    stock = {**common, "OTEL_EXPORTER_OTLP_ENDPOINT": ep.grpc}
    # otelward with its defaults: OTLP/HTTP (its default protocol); a free management port.
    ward = {
        **common,
        "OTEL_EXPORTER_OTLP_ENDPOINT": ep.http,
        "OTELWARD_MANAGEMENT_PORT": str(management_port),
    }
    return {
        c.name: c
        for c in (
            Config("bare", venv, False, {}, "the app without OpenTelemetry"),
            Config(
                "stock", stock_venv, True, stock, "opentelemetry-distro defaults, OTLP/gRPC to the collector"
            ),
            Config("otelward", venv, True, ward, "otelward defaults, OTLP/HTTP to the collector"),
            Config(
                "stock-dead",
                stock_venv,
                True,
                {**stock, "OTEL_EXPORTER_OTLP_ENDPOINT": ep.dead_grpc},
                "stock distro, nothing listening at the endpoint",
            ),
            Config(
                "otelward-run",
                venv,
                True,
                ward,
                "start-up only: otelward defaults, started by `otelward run --` instead of opentelemetry-instrument",
                launcher=("otelward", "run", "--"),
            ),
            Config(
                "otelward-eager",
                venv,
                True,
                {**ward, "OTELWARD_LAZY_INSTRUMENTATION": "false"},
                "start-up only: otelward importing every instrumented library at start, as the stock loader does",
            ),
            Config(
                "loader-floor",
                venv,
                True,
                {**ward, "OTEL_SDK_DISABLED": "true"},
                "start-up only: opentelemetry-instrument and its loader with otelward doing nothing",
            ),
            Config(
                "otelward-upstream",
                venv,
                True,
                {**ward, "OTELWARD_NATIVE_INSTRUMENTATION": "false"},
                "otelward with upstream's Flask and sqlite3 instrumentations instead of its native ones",
            ),
            Config(
                "otelward-sdkspans",
                venv,
                True,
                {**ward, "OTELWARD_LEAN_SPANS": "false"},
                "otelward with an SDK span object per span (OTELWARD_LEAN_SPANS=false), as before lean spans",
            ),
            Config(
                "otelward-dead",
                venv,
                True,
                {**ward, "OTEL_EXPORTER_OTLP_ENDPOINT": ep.dead_http},
                "otelward, nothing listening at the endpoint",
            ),
        )
    }


def _pip_list(venv: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    ).stdout
    pkgs: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, version = line.partition("==")
        if sep:
            pkgs[name.lower().replace("_", "-")] = version
        elif " @ " in line:
            pkgs[line.split(" @ ")[0].lower()] = "local"
    return pkgs


def package_versions(venv: Path) -> dict[str, str]:
    """Return the versions of the packages that matter for the comparison, as installed in ``venv``."""
    pkgs = _pip_list(venv)
    return {name: pkgs[name] for name in _VERSIONED if name in pkgs}


def installed_instrumentations(venv: Path) -> list[str]:
    """Return the opentelemetry-instrumentation-* distributions installed in ``venv``."""
    return sorted(n for n in _pip_list(venv) if n.startswith("opentelemetry-instrumentation-"))
