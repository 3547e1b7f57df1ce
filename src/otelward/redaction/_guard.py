"""Run a per-item redaction over an export batch, dropping (and counting) items it cannot redact."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from otelward import _selfmetrics
from otelward._ratelimit import log_once

__all__ = ["guarded_batch"]

T = TypeVar("T")

_log = logging.getLogger("otelward.redaction")


def guarded_batch(signal: str, redact: Callable[[T], T]) -> Callable[[list[T]], list[T]]:
    """Return a batch transform applying ``redact`` to each item; a failing item is dropped, not leaked."""

    def transform(batch: list[T]) -> list[T]:
        out: list[T] = []
        for item in batch:
            try:
                out.append(redact(item))
            except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                log_once(
                    _log,
                    f"redact-{signal}",
                    "otelward: %s redaction failed; dropping the item",
                    signal,
                    exc_info=True,
                )
                _selfmetrics.add("otelward.dropped", 1, {"signal": signal, "reason": "redaction_failed"})
        return out

    return transform
