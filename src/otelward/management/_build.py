"""Start the management server (or, in a pre-fork worker, the snapshot writer) from the settings."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from otelward._ratelimit import log_once
from otelward.config import Settings
from otelward.management._auth import is_loopback
from otelward.management._checks import CheckRunner
from otelward.management._health import CheckResult, health_document
from otelward.management._roles import (
    ENV_MARK,
    arm_spawned_worker_mark,
    forked_by_prefork_server,
    role_from_env,
)
from otelward.management._workers import (
    SnapshotWriter,
    WorkerSnapshots,
)
from otelward.metrics import PullReader, pull_reader_for
from otelward.metrics._snapshot import Snapshot, cap_series, family_key, label_gauges, merge

__all__ = ["Management", "start_management"]

_log = logging.getLogger("otelward.management")
_STALE_WORKER_S = 15.0


def _empty() -> Snapshot:
    return {}


class Flag:
    """A flag set from a signal handler: a plain attribute, no lock (``threading.Event.set`` takes one)."""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        """Raise the flag."""
        self._set = True

    def is_set(self) -> bool:
        """Return whether the flag was raised."""
        return self._set


class Management:
    """What :func:`start_management` returns: the server in the serving process, a writer in workers."""

    def __init__(self, settings: Settings, pull: PullReader | None) -> None:
        self.settings = settings
        self.pull = pull
        self.role = "server"
        self.server: Any = None
        self.runner: CheckRunner | None = None
        self.writer: SnapshotWriter | None = None
        self.workers: WorkerSnapshots | None = None
        self.draining = Flag()
        self._seen_workers = False
        self._owner = os.getpid()

    # -- serving process -------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Return this process's metrics plus every worker's, capped per metric."""
        own = self.pull.snapshot() if self.pull is not None else {}
        parts = [own]
        if self.workers is not None:
            summed, workers = self.workers.read()
            if workers or self.workers.retired_any:
                # pre-fork: the serving process's own gauges are one process's readings among others
                parts[0] = label_gauges(own, os.getpid())
            parts.append(summed)
        capped, folded = cap_series(merge(parts), self.settings.metrics.cardinality_limit)
        if folded:
            log_once(
                _log,
                "overflow",
                "otelward: metrics over OTELWARD_METRICS_CARDINALITY_LIMIT=%d: %s",
                self.settings.metrics.cardinality_limit,
                ", ".join(sorted(folded)),
            )
            capped[family_key("otelward.metrics.overflow_series", "gauge", "otelward")] = {
                "name": "otelward.metrics.overflow_series",
                "unit": "{series}",
                "description": "Series folded into the otel_metric_overflow series, by metric.",
                "kind": "gauge",
                "scope": {"name": "otelward", "version": "", "schema_url": ""},
                "points": {m: {"attrs": {"metric": m}, "value": n} for m, n in folded.items()},
            }
        return capped

    def metrics_body(self, accept: str) -> tuple[bytes, str]:
        """Encode the snapshot for Prometheus, in the format ``accept`` asks for (OpenMetrics or text)."""
        from otelward.metrics._prometheus import render

        snapshot = self.snapshot()
        return render(snapshot, self.pull.resource if self.pull is not None else {}, accept)

    def _worker_results(self) -> list[CheckResult]:
        if self.workers is None:
            return []
        _, workers = self.workers.read()
        if workers:
            self._seen_workers = True
        elif self._seen_workers:
            return [CheckResult("workers", "fail", "no live worker process", "system")]
        out = []
        for w in workers:
            stale = w["age_s"] > _STALE_WORKER_S
            out.append(
                CheckResult(
                    f"worker:{w['pid']}",
                    "warn" if stale else "pass",
                    f"silent for {w['age_s']:.0f}s" if stale else "",
                    "system",
                )
            )
            out.extend(
                CheckResult(f"{c['name']}@{w['pid']}", c["status"], c.get("output", "")) for c in w["checks"]
            )
        return out

    def health(self, probe: str, details: bool) -> dict[str, Any]:
        """Return the health document of ``probe`` (health, live or ready)."""
        results: list[CheckResult] = []
        if probe in ("live", "health"):
            results.append(CheckResult("management", "pass", component_type="system"))
            if not threading.main_thread().is_alive():
                results.append(CheckResult("main-thread", "fail", "the main thread has exited", "system"))
            if self.runner is not None and not self.runner.thread.is_alive():
                results.append(CheckResult("readiness-checker", "fail", "checker thread died", "system"))
        if probe in ("ready", "health"):
            if self.draining.is_set():
                results.append(CheckResult("draining", "fail", "SIGTERM received: shutting down", "system"))
            cached = self.runner.results() if self.runner is not None else []
            if cached is None:
                results.append(CheckResult("readiness", "fail", "first checks still running", "system"))
            else:
                results.extend(cached)
        workers = self._worker_results()
        if probe == "live":
            # A silent worker is worth a warning; a missing one is gunicorn's to restart, not a reason
            # for Kubernetes to kill the pod.
            workers = [r for r in workers if r.name.startswith("worker:")]
        results.extend(workers)
        return health_document(results, details)

    def drain(self) -> None:
        """Report not-ready from now on (SIGTERM arrived); safe in signal-handler context."""
        self.draining.set()

    # -- lifecycle -------------------------------------------------------------------------------
    def after_fork_in_child(self, worker: bool) -> None:
        """Drop the inherited socket; a server's worker then writes snapshots for the parent to sum.

        Any other child (a pool, a helper, a worker's own child) is a process of its own: it neither serves nor
        writes, so it never takes part in the parent's readiness.
        """
        if self.server is not None:
            self.server.close_inherited()
        directory = self.workers.directory if self.workers is not None else None
        self.server, self.workers, self.runner, self.writer = None, None, None, None
        if worker and self.role == "server" and directory is not None:
            self.role = "worker"
            self._start_writer(directory, inherited=True)
        else:
            self.role = "child"

    def _start_writer(self, directory: Path, inherited: bool) -> None:
        if self.pull is None:
            return
        self.runner = CheckRunner((), self.settings.management.readiness_timeout_s).start()
        runner = self.runner

        def checks() -> list[dict[str, Any]]:
            results = runner.results() or []
            return [dataclasses.asdict(r) for r in results]

        baseline = self.pull.snapshot() if inherited else None
        self.writer = SnapshotWriter(directory, self.pull.snapshot, checks).start(baseline)

    def write_final(self) -> None:
        """Write a worker's last metrics snapshot now (fast; the serving process folds it in after the exit)."""
        if self.writer is not None:
            self.writer.stop()

    def stop(self) -> None:
        """Stop serving (serving process) or write the last snapshot (worker)."""
        self.write_final()
        if self.runner is not None:
            self.runner.stop()
        if self.role == "server" and os.getpid() == self._owner:
            if self.server is not None:
                self.server.stop()
            if self.workers is not None:
                shutil.rmtree(self.workers.directory, ignore_errors=True)
                if os.environ.get(ENV_MARK, "").startswith(f"{self._owner}:"):
                    os.environ.pop(ENV_MARK, None)


def start_management(
    settings: Settings, readers: Sequence[Any] = (), process_hooks: bool = True
) -> Management | None:
    """Start the server if enabled; return a handle with ``stop()`` or None.

    In a worker of a process that already serves (its environment carries the mark), write snapshots
    instead of binding. A port in use is one warning; the app keeps running without the endpoints.

    Args:
        settings: the parsed configuration.
        readers: the meter provider's readers; the :class:`PullReader` among them feeds /metrics.
        process_hooks: install the after-fork and SIGTERM hooks (tests running in-process turn them off).
    """
    cfg = settings.management
    if not cfg.enabled:
        return None
    handle = Management(settings, pull_reader_for(list(readers)))
    role, worker_dir = role_from_env(os.environ)
    if role == "child":
        return None  # an ancestor serves; this process exports its telemetry on its own
    if role == "worker" and worker_dir is not None and Path(worker_dir).is_dir():
        handle.role = "worker"
        handle._start_writer(Path(worker_dir), inherited=False)
        return handle
    from otelward.management._server import ManagementServer, Routes

    routes = Routes(cfg.host, cfg.token, handle.metrics_body, handle.health)
    try:
        handle.server = ManagementServer(cfg.host, cfg.port, routes)
    except OSError as err:
        _log.warning(
            "otelward: management server not started: cannot listen on %s:%d (%s); "
            "the app keeps running without /metrics and /health (set OTELWARD_MANAGEMENT_PORT)",
            cfg.host,
            cfg.port,
            err.strerror or err,
        )
        return None
    if not cfg.token and not is_loopback(cfg.host):
        _log.warning(
            "otelward: OTELWARD_MANAGEMENT_HOST=%s is not loopback and no OTELWARD_MANAGEMENT_TOKEN is set: "
            "/metrics refuses every request and health endpoints give no details",
            cfg.host,
        )
    directory = Path(tempfile.mkdtemp(prefix=f"otelward-{os.getpid()}-"))
    handle.workers = WorkerSnapshots(directory)
    os.environ[ENV_MARK] = f"{os.getpid()}:{directory}"
    arm_spawned_worker_mark()
    handle.runner = CheckRunner(cfg.readiness_checks, cfg.readiness_timeout_s).start()
    handle.server.start()
    if not process_hooks:
        return handle
    ref = weakref.ref(handle)
    os.register_at_fork(after_in_child=lambda: _forked(ref))
    return handle


def _forked(ref: weakref.ReferenceType[Management]) -> None:
    handle = ref()
    if handle is None:
        return
    try:
        handle.after_fork_in_child(forked_by_prefork_server())
    except Exception:  # noqa: BLE001 - telemetry must never raise into the app
        _log.debug("otelward: management after-fork failed", exc_info=True)
