"""Load instrumentations lazily: when the app imports a library, not when the process starts.

The stock loader imports every installed instrumented library at start-up (a ``print("ok")`` script pays
for Flask and requests) and runs dependency checks through ``packaging``. Here each instrumentor is armed
with a post-import hook on its library's module; the check and ``instrument()`` run when that module is
first imported, before the importing statement gets the module back, so the spans are the same.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "ALWAYS_SKIPPED",
    "NATIVE_ACTIVE",
    "STATUS",
    "arm_installed",
    "arm_lazy",
    "arm_server_hooks",
    "entry_points_by_name",
    "instrumentor_options",
    "load_now",
    "target_module",
]

_log = logging.getLogger("otelward.instrumentation")

# Entry point names whose library module is not spelled like the entry point.
_MODULE_OF: dict[str, str] = {
    "aiohttp-client": "aiohttp",
    "aiohttp-server": "aiohttp",
    "aio-pika": "aio_pika",
    "boto3sqs": "boto3",
    "confluent-kafka": "confluent_kafka",
    "grpc_client": "grpc",
    "grpc_server": "grpc",
    "grpc_aio_client": "grpc",
    "grpc_aio_server": "grpc",
    "kafka": "kafka",
    "mysqlclient": "MySQLdb",
    "mysql": "mysql.connector",
    "openai-v2": "openai",
    "tortoiseorm": "tortoise",
    "urllib": "urllib.request",
    "system_metrics": "",  # nothing to wait for: loaded eagerly when enabled
}

ALWAYS_SKIPPED: dict[str, str] = {
    # otelward.logs does correlation and the OTLP bridge itself; the stock one would add a second handler.
    "logging": "replaced by otelward's log correlation and OTLP bridge",
}

# Entry point name -> module whose ``apply()`` otelward runs once that instrumentation is active.
_FIXUPS: dict[str, str] = {
    "sqlite3": "otelward.instrumentation._sqlite3",  # Connection.execute shortcuts make no span otherwise
    "psycopg": "otelward.instrumentation._dbapi",  # db.operation.name, parameterized statements kept as written
    "click": "otelward.instrumentation._cli",  # a command's span ends when the command starts a server
}

STATUS: dict[str, str] = {}
"""Entry point name -> what happened to it in this process (for diagnostics)."""

NATIVE_ACTIVE: set[str] = set()
"""Entry point names whose library otelward's native instrumentation instruments (instead of upstream's)."""

# Guards STATUS only (never held across an import).
_lock = threading.Lock()
_LOADING = "loading"


def target_module(name: str) -> str:
    """Return the module whose import activates the instrumentation named ``name`` ('' = load now)."""
    return _MODULE_OF.get(name, name.replace("-", "_"))


def entry_points_by_name() -> dict[str, Any]:
    """Return the installed ``opentelemetry_instrumentor`` entry points by name."""
    from otelward.instrumentation._entry_points import scan

    return dict(scan("opentelemetry_instrumentor", sys.path))


def dependency_conflict(entry_point: Any) -> str | None:
    """Return why the instrumentation cannot apply to the installed library version, or None."""
    if target_module(entry_point.name).partition(".")[0] in sys.stdlib_module_names:
        # A standard-library target has no version to check; skipping the check keeps `packaging` and the
        # metadata parser out of every process (threading is instrumented at start-up).
        return None
    from opentelemetry.instrumentation.dependencies import get_dist_dependency_conflicts

    dist = getattr(entry_point, "dist", None)
    if dist is None:
        return None
    conflict = get_dist_dependency_conflicts(dist)
    return str(conflict) if conflict else None


def load_now(entry_point: Any, options: Callable[[str], dict[str, Any]] | None = None) -> bool:
    """Check dependencies and instrument now; record and log (debug) any reason it did not.

    The lock guards the status table only, never the work: ``instrument()`` imports modules, and a thread
    holding a module's import lock while it waits for ours (two libraries imported in opposite order by two
    threads) would deadlock.
    """
    name = entry_point.name
    with _lock:
        if STATUS.get(name) in ("active", _LOADING):
            return STATUS.get(name) == "active"
        STATUS[name] = _LOADING
    status, ok = _load(entry_point, name, options)
    with _lock:
        STATUS[name] = status
    return ok


def _load(entry_point: Any, name: str, options: Callable[[str], dict[str, Any]] | None) -> tuple[str, bool]:
    try:
        conflict = dependency_conflict(entry_point)
        if conflict:
            _log.debug("otelward: instrumentation %s skipped: %s", name, conflict)
            return f"skipped: {conflict}", False
        native = _native(name)
        if native is not None:
            importlib.import_module(native).instrument()
            with _lock:
                NATIVE_ACTIVE.add(name)
            _log.debug("otelward: instrumented %s (native)", name)
            return "active", True
        kwargs = options(name) if options is not None else {}
        entry_point.load()().instrument(skip_dep_check=True, **kwargs)
        if name in _FIXUPS:
            importlib.import_module(_FIXUPS[name]).apply()
    except ModuleNotFoundError as err:
        return f"skipped: {err.msg}", False
    except Exception as err:  # noqa: BLE001 - telemetry must never raise into the app
        _log.warning("otelward: instrumenting %s failed: %r", name, err)
        return f"failed: {err!r}", False
    _log.debug("otelward: instrumented %s", name)
    return "active", True


def _native(name: str) -> str | None:
    """Return the module of otelward's native instrumentation for ``name``, if it is on and tested."""
    from otelward.instrumentation.native import NATIVE, native_for

    if name not in NATIVE:
        return None
    from otelward.startup._state import runtime

    rt = runtime()
    if rt is not None and not rt.settings.general.native_instrumentation:
        return None
    native = native_for(name)
    return native.module if native is not None else None


def arm_lazy(
    entry_points: Iterable[Any],
    disabled: Iterable[str],
    options: Callable[[str], dict[str, Any]] | None = None,
    *,
    eager: bool = False,
) -> None:
    """Register a post-import hook per instrumentation; already-imported libraries are instrumented now.

    With ``eager``, instrument every one now instead (importing its library), as the stock loader does.
    """
    from otelward.instrumentation._post_import import register_first_thread_hook, register_post_import_hook

    skip = set(disabled)
    for ep in entry_points:
        if ep.name in ALWAYS_SKIPPED:
            STATUS[ep.name] = f"skipped: {ALWAYS_SKIPPED[ep.name]}"
            continue
        if ep.name in skip or "*" in skip:
            STATUS[ep.name] = "skipped: OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"
            continue
        module = target_module(ep.name)
        if not module or eager:
            load_now(ep, options)
            continue
        if module == "threading":
            # Imported by every process: wait for the app's first thread, so that a process that starts
            # none does not pay ~60 ms for the instrumentation machinery (wrapt, packaging, semconv).
            STATUS[ep.name] = "waiting for the app's first thread"
            register_first_thread_hook(functools.partial(load_now, ep, options))
            continue
        STATUS[ep.name] = f"waiting for `import {module}`"
        register_post_import_hook(_hook_for(ep, options), module)


def _hook_for(ep: Any, options: Callable[[str], dict[str, Any]] | None) -> Callable[[Any], None]:
    if ep.name == "django":
        from otelward.instrumentation._django import arm_on_setup

        def on_django(module: Any) -> None:
            with _lock:
                STATUS[ep.name] = "waiting for `django.setup()`"
            arm_on_setup(module, functools.partial(load_now, ep, options))

        return on_django

    def hook(_module: Any) -> None:
        load_now(ep, options)

    return hook


def arm_installed(disabled: str | None, *, eager: bool = False) -> None:
    """Arm (or, ``eager``, load) every installed instrumentation but those named in ``disabled``.

    Args:
        disabled: the comma-separated value of ``OTEL_PYTHON_DISABLED_INSTRUMENTATIONS``.
        eager: instrument now rather than when each library is first imported.
    """
    names = [x.strip() for x in (disabled or "").split(",") if x.strip()]
    arm_lazy(entry_points_by_name().values(), names, instrumentor_options, eager=eager)
    arm_server_hooks()


def arm_server_hooks() -> None:
    """Wrap apps where gunicorn, uvicorn, hypercorn and waitress load them (``OTELWARD_SERVER_INSTRUMENTATION``)."""
    from otelward.startup._state import runtime

    rt = runtime()
    if rt is None or not rt.settings.general.server_instrumentation:
        return
    from otelward.instrumentation._servers import arm_servers

    arm_servers()


def instrumentor_options(name: str) -> dict[str, Any]:
    """Return the keyword arguments otelward passes to the instrumentor named ``name`` (its hook adapters)."""
    from otelward.instrumentation.hooks import instrumentor_kwargs

    return instrumentor_kwargs(name)
