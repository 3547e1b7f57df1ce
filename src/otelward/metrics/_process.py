"""Process and runtime metrics from the standard library only: CPU, memory, GC, threads, descriptors."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["register_process_metrics", "rss_bytes"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int | None:
    """Return the resident set size from /proc (Linux), or None where it is not available."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _fd_count() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def register_process_metrics(meter_provider: Any) -> None:
    """Create the observable instruments on ``meter_provider``; callbacks run only at collection."""
    from opentelemetry.metrics import CallbackOptions, Observation

    meter = meter_provider.get_meter("otelward.process")

    def cpu(_: CallbackOptions) -> Iterable[Observation]:
        t = os.times()
        return [Observation(t.user, {"cpu.mode": "user"}), Observation(t.system, {"cpu.mode": "system"})]

    def memory(_: CallbackOptions) -> Iterable[Observation]:
        rss = rss_bytes()
        return [] if rss is None else [Observation(rss)]

    def threads(_: CallbackOptions) -> Iterable[Observation]:
        return [Observation(threading.active_count())]

    def fds(_: CallbackOptions) -> Iterable[Observation]:
        n = _fd_count()
        return [] if n is None else [Observation(n)]

    def gc_collections(_: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(s["collections"], {"cpython.gc.generation": i}) for i, s in enumerate(gc.get_stats())
        ]

    def gc_collected(_: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(s["collected"], {"cpython.gc.generation": i}) for i, s in enumerate(gc.get_stats())
        ]

    meter.create_observable_counter(
        "process.cpu.time", [cpu], unit="s", description="CPU seconds used by this process, by mode."
    )
    meter.create_observable_up_down_counter(
        "process.memory.usage", [memory], unit="By", description="Resident memory of the process."
    )
    meter.create_observable_up_down_counter(
        "process.thread.count", [threads], unit="{thread}", description="Live Python threads."
    )
    meter.create_observable_up_down_counter(
        "process.unix.file_descriptor.count",
        [fds],
        unit="{file_descriptor}",
        description="Open file descriptors.",
    )
    meter.create_observable_counter(
        "cpython.gc.collections",
        [gc_collections],
        unit="{collection}",
        description="Garbage collector runs, by generation.",
    )
    meter.create_observable_counter(
        "cpython.gc.collected_objects",
        [gc_collected],
        unit="{object}",
        description="Objects the garbage collector freed, by generation.",
    )
