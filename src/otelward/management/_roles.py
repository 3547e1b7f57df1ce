"""Which processes are pre-fork workers of a known server (their metrics are summed on one /metrics).

Only real workers count: a gunicorn worker (forked inside ``Arbiter.spawn_worker``) and a uvicorn ``--workers``
worker (spawned by uvicorn's ``Multiprocess`` supervisor, which is when otelward writes :data:`WORKERS_MARK`).
Any other child (a ``multiprocessing.Pool``, a forked helper, a ``subprocess`` under ``otelward run``) is a
process of its own: it exports its telemetry itself, does not try to serve the port its ancestor holds, and
never takes part in readiness, so its exit cannot make readiness fail.

Two environment marks, both written by the serving process for its children: :data:`ENV_MARK` (always: "a
process of this tree serves /metrics") and :data:`WORKERS_MARK` (only while a supervisor spawns workers).
"""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any

from otelward.management._workers import pid_alive

__all__ = ["ENV_MARK", "WORKERS_MARK", "arm_spawned_worker_mark", "forked_by_prefork_server", "role_from_env"]

ENV_MARK = "_OTELWARD_MANAGEMENT_PARENT"
"""``<pid>:<dir>`` of the process serving /metrics, inherited by every descendant."""
WORKERS_MARK = "_OTELWARD_SPAWNS_WORKERS"
"""The pid of a supervisor spawning workers (uvicorn ``--workers``); a worker removes it for its children."""

# (function name, path suffix of its file) of the calls inside which a pre-fork server forks a worker.
_FORKING_SPAWNERS = (("spawn_worker", os.path.join("gunicorn", "arbiter.py")),)


def forked_by_prefork_server() -> bool:
    """Return whether this process, just forked (call from an after-fork hook), is a server's worker."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        for name, suffix in _FORKING_SPAWNERS:
            if code.co_name == name and code.co_filename.endswith(suffix):
                return True
        frame = frame.f_back
    return False


def role_from_env(environ: Any) -> tuple[str, str | None]:
    """Return ``("server", None)``, ``("worker", directory)`` or ``("child", None)`` for a starting process.

    A process with a live serving ancestor never serves itself; it is a worker only when its direct parent is
    that ancestor and was spawning workers. :data:`WORKERS_MARK` is removed from ``environ`` either way, so this
    process's own children are not taken for workers.
    """
    raw = environ.get(ENV_MARK, "")
    spawning = environ.pop(WORKERS_MARK, None)
    pid_text, _, directory = raw.partition(":")
    if not pid_text.isdigit() or not directory:
        return "server", None
    pid = int(pid_text)
    if pid == os.getpid() or not pid_alive(pid):
        return "server", None
    if spawning == pid_text and pid == os.getppid() and not _multiprocessing_helper():
        return "worker", directory
    return "child", None


def _multiprocessing_helper() -> bool:
    # A supervisor's multiprocessing also spawns its resource tracker (and maybe a fork server): not workers.
    try:
        with open("/proc/self/cmdline", "rb") as fh:
            cmdline = fh.read()
    except OSError:
        return False
    return b"multiprocessing.resource_tracker" in cmdline or b"multiprocessing.forkserver" in cmdline


def arm_spawned_worker_mark() -> None:
    """Write :data:`WORKERS_MARK` when a multi-process supervisor starts in this process (post-import).

    uvicorn's ``Multiprocess`` supervisor, and hypercorn's ``run``, which spawns its workers (one by default).
    """
    from otelward.instrumentation._post_import import register_post_import_hook

    def wrap(owner_name: str, attr: str) -> Any:
        def hook(module: Any) -> None:
            owner = getattr(module, owner_name, None) if owner_name else module
            run = getattr(owner, attr, None)
            if run is None or getattr(run, "_otelward", False):
                return

            def patched_run(*args: Any, **kwargs: Any) -> Any:
                os.environ[WORKERS_MARK] = str(os.getpid())
                return run(*args, **kwargs)

            patched_run._otelward = True  # type: ignore[attr-defined]
            patched_run.__wrapped__ = run  # type: ignore[attr-defined]
            setattr(owner, attr, patched_run)

        return hook

    register_post_import_hook(wrap("Multiprocess", "run"), "uvicorn.supervisors.multiprocess")
    register_post_import_hook(wrap("", "run"), "hypercorn.run")
