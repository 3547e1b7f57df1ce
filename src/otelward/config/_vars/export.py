"""Declarations: export queues."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import Kind, declare

__all__ = ["VARS"]

VARS: tuple[EnvVar, ...] = (
    declare(
        "OTELWARD_EXPORT_QUEUE_SIZE",
        Kind.INT,
        "4096",
        "8192",
        "Spans (and, separately, log records) waiting for export; beyond it new items are dropped and counted.",
        "export",
        minimum=1,
    ),
    declare(
        "OTELWARD_EXPORT_QUEUE_BYTES",
        Kind.INT,
        "8388608",
        "4194304",
        "Bytes (estimated: strings, attributes, events) the spans, and separately the log records, waiting for "
        "export may hold; beyond it new items are dropped and counted like a full queue. Counts alone do not "
        "bound memory: 4096 spans of 16 KiB attributes would hold 64 MiB.",
        "export",
        minimum=65536,
    ),
    declare(
        "OTELWARD_EXPORT_BATCH_SIZE", Kind.INT, "512", "256", "Items per export request.", "export", minimum=1
    ),
    declare(
        "OTELWARD_EXPORT_SCHEDULE_DELAY_MS",
        Kind.INT,
        "1000",
        "500",
        "Longest wait before a partial batch is sent.",
        "export",
        minimum=1,
    ),
)
