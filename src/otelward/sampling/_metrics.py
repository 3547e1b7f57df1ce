"""Expose the selector's decision counts as observable counters on otelward's meter."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from otelward._ratelimit import log_once
from otelward._selfmetrics import DECLARED
from otelward.sampling._tail import TailSelector

__all__ = ["observe"]

_log = logging.getLogger("otelward.sampling")
_NAMES = {
    "traces": "otelward.sampling.traces",
    "spans": "otelward.sampling.spans",
    "logs": "otelward.sampling.logs",
}


def _callback(selector: TailSelector, unit: str) -> Any:
    from opentelemetry.metrics import Observation

    def observe_counts(_options: Any) -> Iterable[Observation]:
        # Read without the lock: a dict copy is atomic under the GIL and a count one export late is fine.
        counts = dict(selector.counts)
        return [
            Observation(value, {"decision": decision, "reason": reason})
            for (kind, decision, reason), value in counts.items()
            if kind == unit
        ]

    return observe_counts


def observe(selector: TailSelector) -> None:
    """Register ``otelward.sampling.traces``, ``.spans`` and ``.logs`` for ``selector``."""
    try:
        from opentelemetry.metrics import get_meter

        meter = get_meter("otelward")
        for unit, name in _NAMES.items():
            metric_unit, description = DECLARED[name]
            meter.create_observable_counter(
                name, callbacks=[_callback(selector, unit)], unit=metric_unit, description=description
            )
    except Exception:  # noqa: BLE001 - telemetry must never raise into the app
        log_once(_log, "sampling-metrics", "otelward: sampling self-metrics unavailable", exc_info=True)
