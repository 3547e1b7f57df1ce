"""Run a per-item redaction over an export batch, dropping items it cannot redact.

The export queue counts what the transform returned fewer of as ``dropped{reason=redaction_failed}``
(``DROP_REASON``), with its other drops, so ``sent == exported + dropped`` holds through redaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from otelward._ratelimit import log_once

__all__ = ["DROP_REASON", "guarded_batch"]

DROP_REASON = "redaction_failed"

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
        return out

    # Read by BatchExporter: items missing from the result are counted under this reason.
    transform.drop_reason = DROP_REASON  # type: ignore[attr-defined]
    return transform
