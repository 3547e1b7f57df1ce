"""otelward's own metrics (drops, sampling decisions, redactions), created lazily on the global meter."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["add", "create_counters", "reset"]

_lock = threading.Lock()
_counters: dict[str, Any] = {}
_METER = "otelward"

# name -> (unit, description); the catalog in docs/metrics.md lists these.
DECLARED: dict[str, tuple[str, str]] = {
    "otelward.dropped": ("{item}", "Telemetry items otelward gave up on, by signal and reason."),
    "otelward.redactions": ("{redaction}", "Values redacted before export, by rule and signal."),
    "otelward.sampling.traces": (
        "{trace}",
        "Local trace fragments kept or dropped by the tail sampler, by decision and reason.",
    ),
    "otelward.sampling.spans": (
        "{span}",
        "Spans kept or dropped by the tail sampler, by decision and reason (late spans included).",
    ),
    "otelward.sampling.logs": (
        "{log_record}",
        "INFO/DEBUG OTLP log records inside a trace, exported or not with their trace (logs follow traces).",
    ),
}


def add(name: str, value: int, attributes: Mapping[str, str] | None = None) -> None:
    """Add ``value`` to the self-metric counter ``name``; never raises."""
    try:
        from opentelemetry.metrics import get_meter_provider

        if getattr(get_meter_provider(), "_shutdown", False):
            # At exit, after the meter provider stopped (an export thread finishing its last batch): the
            # count could not be exported any more, and the SDK would log a warning per attempt.
            return
        counter = _counters.get(name)
        if counter is None:
            with _lock:
                counter = _counters.get(name)
                if counter is None:
                    from opentelemetry.metrics import get_meter

                    unit, description = DECLARED.get(name, ("1", ""))
                    counter = get_meter(_METER).create_counter(name, unit=unit, description=description)
                    _counters[name] = counter
        counter.add(value, attributes)
    except Exception:  # noqa: BLE001, S110
        pass


def create_counters() -> None:
    """Create every counter now, while the meter provider runs.

    Created on first use, a drop counted at exit (an export queue closing) asked the meter provider for a
    meter while another thread was shutting it down: "A shutdown MeterProvider can not provide a Meter", once
    per signal, on every worker's SIGTERM.
    """
    sampling = ("otelward.sampling.traces", "otelward.sampling.spans", "otelward.sampling.logs")
    try:
        from opentelemetry.metrics import get_meter

        meter = get_meter(_METER)
        with _lock:
            for name, (unit, description) in DECLARED.items():
                if name not in _counters and name not in sampling:  # those are observable, made by sampling
                    _counters[name] = meter.create_counter(name, unit=unit, description=description)
    except Exception:  # noqa: BLE001, S110 - telemetry must never raise into the app
        pass


def reset() -> None:
    """Forget created instruments (tests install fresh meter providers)."""
    with _lock:
        _counters.clear()
