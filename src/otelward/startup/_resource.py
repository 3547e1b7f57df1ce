"""Build the OTel Resource: service identity, environment, host, process, container and Kubernetes.

``service.instance.id`` is renewed after a fork by the SDK's providers (its detector is process
dependent), so every pre-fork worker reports as its own instance.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from otelward.config import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.resources import Resource

__all__ = ["build_resource", "container_id", "infer_service_name"]

_log = logging.getLogger("otelward")
_CONTAINER_ID = re.compile(r"([0-9a-f]{64})")
_SERVERS = {"gunicorn", "uvicorn", "hypercorn", "daphne", "celery", "granian", "waitress-serve"}
_GENERIC_MODULES = {"app", "main", "wsgi", "asgi", "application", "server", "__main__", "manage", "run"}
# Server options that take a separate value: `gunicorn -b 0.0.0.0:8000 app:app` must not read the bind
# address as the app. Flags (`--reload`) and `--opt=value` forms need no entry.
_VALUE_OPTIONS = frozenset(
    {
        "-b", "--bind", "--host", "--port", "-p", "--pid", "-w", "--workers", "-k", "--worker-class",
        "-c", "--config", "-t", "--timeout", "--threads", "--chdir", "-n", "--name", "-e", "--env",
        "--log-level", "--log-config", "--log-file", "--access-logfile", "--error-logfile",
        "--access-logformat", "--uds", "--fd", "--root-path", "--env-file", "--app-dir", "--backlog",
        "--limit-concurrency", "--limit-max-requests", "--timeout-keep-alive", "--ssl-keyfile",
        "--ssl-certfile", "--reload-dir", "--ws", "--http", "--loop", "--lifespan", "--interface",
        "--forwarded-allow-ips", "--worker-connections", "--max-requests", "--graceful-timeout",
        "--keep-alive", "--user", "--group", "-u", "-g", "--umask", "--worker-tmp-dir", "--listen",
        "--port-file", "-l", "--loglevel", "--pool", "-Q", "--queues", "--concurrency",
    }
)  # fmt: skip
# A bind address or port is never an app, whatever option (or none) came before it.
_ADDRESS = re.compile(r"^(?:[0-9.]+|\[[0-9a-fA-F:.]*\]|unix)?(?::[0-9]+)?$|^unix:")


def _module_to_name(module: str) -> str | None:
    parts = [p for p in module.replace("/", ".").split(".") if p and p != "py"]
    while parts and parts[-1] in _GENERIC_MODULES:
        parts.pop()
    return parts[-1] if parts else None


def infer_service_name(argv: Sequence[str], cwd: str) -> str:
    """Guess a service name from the command line: the WSGI/ASGI app module, the -m module or the script.

    Args:
        argv: the full original command line (``sys.orig_argv``), interpreter included.
        cwd: the working directory, used when the module name is generic (``app``, ``main``…).
    """
    args = list(argv)
    fallback = Path(cwd).name or "python"
    # Skip the interpreter and its options: `python -X importtime -m pkg`.
    if args and Path(args[0]).name.startswith("python"):
        args = args[1:]
        while args and args[0].startswith("-") and args[0] != "-m":
            if args[0] == "-c":
                return fallback
            args = args[2:] if args[0] in ("-X", "-W") else args[1:]
    if not args:
        return fallback
    if args[0] == "-m" and len(args) > 1:
        if args[1] in _SERVERS:
            args = args[1:]
        else:
            return _module_to_name(args[1]) or fallback
    program = Path(args[0]).name
    if program in _SERVERS:
        # The first positional argument is the app: `gunicorn -w 2 pkg.wsgi:app`, `celery -A proj worker`.
        rest = args[1:]
        skip_next = False
        for i, arg in enumerate(rest):
            if arg in ("-A", "--app") and i + 1 < len(rest):
                return _module_to_name(rest[i + 1].split(":")[0]) or fallback
            if skip_next:
                skip_next = False
                continue
            if arg.startswith("-"):
                skip_next = arg in _VALUE_OPTIONS
                continue
            if (":" in arg or "." in arg) and not _ADDRESS.match(arg):
                return _module_to_name(arg.split(":")[0]) or fallback
        return program
    if program.endswith(".py"):
        return _module_to_name(str(Path(args[0]).with_suffix(""))) or fallback
    return program or fallback


def container_id(cgroup_files: Sequence[str] = ("/proc/self/cgroup", "/proc/self/mountinfo")) -> str | None:
    """Return the 64-hex container id from cgroup v1 or the v2 mountinfo, if any."""
    for path in cgroup_files:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            if (
                "docker" in line
                or "containerd" in line
                or "cri-o" in line
                or "kubepods" in line
                or "containers" in line
            ):
                match = _CONTAINER_ID.search(line)
                if match:
                    return match.group(1)
    return None


def _version_of(name: str) -> str | None:
    from otelward.instrumentation._entry_points import installed_version

    return installed_version(name, sys.path) if name else None


def build_resource(settings: Settings, argv: Sequence[str] | None = None) -> Resource:
    """Return the Resource for this process; logs one warning when the service name had to be guessed."""
    import platform
    import socket

    from opentelemetry.sdk.resources import ProcessResourceDetector, Resource

    general = settings.general
    user = dict(general.resource_attributes)
    attrs: dict[str, str | int] = {
        "host.name": socket.gethostname(),
        "host.arch": platform.machine(),
        "os.type": sys.platform if sys.platform != "linux" else "linux",
        "telemetry.distro.name": "otelward",
        "telemetry.distro.version": _distro_version(),
    }
    attrs.update(dict(general.kubernetes))
    cid = container_id()
    if cid:
        attrs["container.id"] = cid
    if general.environment:
        attrs["deployment.environment.name"] = general.environment
    name = general.service_name or user.get("service.name")
    if not name:
        name = infer_service_name(argv if argv is not None else sys.orig_argv, os.getcwd())
        _log.warning(
            "otelward: OTEL_SERVICE_NAME is not set; using %r, guessed from the command line. "
            "Set OTEL_SERVICE_NAME=<name> to choose it.",
            name,
        )
    attrs["service.name"] = name
    if "service.version" not in user:
        version = _version_of(name)
        if version:
            attrs["service.version"] = version
    attrs.update(user)
    if general.service_name:
        attrs["service.name"] = general.service_name
    process = ProcessResourceDetector().detect()
    # Resource.create adds the SDK attributes and the fork-renewed service.instance.id.
    merged = process.merge(Resource.create(attrs))
    return _hash_once_class()(merged.attributes, merged.schema_url)


@functools.cache
def _hash_once_class() -> type[Resource]:
    from opentelemetry.sdk.resources import Resource

    class HashOnceResource(Resource):
        """A Resource that computes its hash once; merging keeps the class.

        The OTLP encoders group every exported record by ``hash(resource)``, which the SDK recomputes as a
        sorted JSON dump of all attributes: per log record, about a tenth of the export thread's time. A
        Resource is immutable, so its hash can be kept; the SDK's after-fork update merges, and stays here.
        """

        _hash: int | None = None

        def __hash__(self) -> int:
            if self._hash is None:
                self._hash = super().__hash__()
            return self._hash

        def merge(self, other: Resource) -> Resource:
            merged = super().merge(other)
            return merged if merged is self else HashOnceResource(merged.attributes, merged.schema_url)

    return HashOnceResource


def _distro_version() -> str:
    from otelward._version import __version__

    return __version__
