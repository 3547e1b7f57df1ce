"""Pre-fork servers: workers write snapshot files, the process that serves /metrics sums them.

    master (binds :9464, owns DIR) ◀── reads DIR/<pid>.json at scrape time ── worker N writes it every
                                                                              second and at exit

Which processes are workers is :mod:`otelward.management._roles`' to say. Files of exited workers are folded
into a running total and removed, so counts survive worker restarts; their gauges and up-down counters are
dropped (they describe a dead process). Each live process's gauges are its own series, labelled ``pid``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from otelward._ratelimit import log_once
from otelward._threads import TelemetryThread
from otelward.metrics._snapshot import Snapshot, label_gauges, merge, monotonic_only, subtract

__all__ = [
    "SnapshotWriter",
    "WorkerSnapshots",
    "pid_alive",
]

_log = logging.getLogger("otelward.management")


def pid_alive(pid: int) -> bool:
    """Return whether a process with ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SnapshotWriter:
    """In a worker: write this process's snapshot to ``<dir>/<pid>.json`` periodically and at stop."""

    def __init__(
        self,
        directory: Path,
        take: Callable[[], Snapshot],
        checks: Callable[[], list[dict[str, Any]]] | None = None,
        interval_s: float = 1.0,
    ) -> None:
        self._dir = directory
        self._take = take
        self._checks = checks
        self._interval = interval_s
        self._stop = threading.Event()
        # One write at a time: a periodic write that took its snapshot before the final one must not replace
        # the final file after it (the worker's last counts were lost when it did, under load). Only this
        # class's two threads take it, never across an import, and stop() waits for it with a bound.
        self._writing = threading.Lock()
        self._baseline: Snapshot | None = None
        self.thread = TelemetryThread(self._loop, name="otelward-metrics-push")

    def start(self, baseline: Snapshot | None = None) -> SnapshotWriter:
        """Start writing; ``baseline`` (what a forked child inherited) is subtracted from counters."""
        self._baseline = baseline
        self.thread.start()
        return self

    def write(self) -> None:
        """Write the snapshot now, atomically (readers never see half a file)."""
        with self._writing:
            self._write()

    def _write(self) -> None:
        snap = self._take()
        if self._baseline:
            snap = subtract(snap, self._baseline)
        doc = {
            "pid": os.getpid(),
            "time": time.time(),
            "metrics": snap,
            "checks": self._checks() if self._checks else [],
        }
        path = self._dir / f"{os.getpid()}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                with self._writing:
                    if self._stop.is_set():
                        return  # stop() writes the last snapshot
                    self._write()
            except FileNotFoundError:
                if not self._dir.is_dir():
                    return  # the serving process has exited and removed the directory
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                log_once(_log, "push", "otelward: could not write worker metrics", exc_info=True)

    def stop(self) -> None:
        """Write a last snapshot (a graceful exit loses nothing) and stop the thread; once."""
        if self._stop.is_set():
            return
        self._stop.set()
        locked = self._writing.acquire(timeout=2.0)
        try:
            self._write()
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            _log.debug("final worker metrics write failed", exc_info=True)
        finally:
            if locked:
                self._writing.release()


class WorkerSnapshots:
    """In the serving process: read the workers' files, fold exited workers into a running total."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._retired: Snapshot = {}
        self._lock = threading.Lock()
        self.retired_any = False
        """Whether a worker has exited already (the serving process is a pre-fork master)."""

    def read(self) -> tuple[Snapshot, list[dict[str, Any]]]:
        """Return the merge over workers (live ones whole, exited ones' counters) and per-worker status."""
        with self._lock:
            live: list[Snapshot] = []
            workers: list[dict[str, Any]] = []
            for path in sorted(self.directory.glob("*.json")):
                try:
                    doc = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue  # being replaced right now; the next scrape sees it
                pid = int(doc.get("pid", 0))
                if pid_alive(pid):
                    live.append(label_gauges(doc["metrics"], pid))
                    workers.append(
                        {"pid": pid, "age_s": round(time.time() - doc["time"], 3), "checks": doc["checks"]}
                    )
                else:
                    self._retired = merge([self._retired, monotonic_only(doc["metrics"])])
                    self.retired_any = True
                    path.unlink(missing_ok=True)
            return merge([self._retired, *live]), workers
