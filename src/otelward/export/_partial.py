"""Read OTLP partial-success answers: count the items a collector rejected and warn once per signal.

The SDK exporters (1.45) treat an answer carrying ``partial_success`` as full success and throw it away.
otelward's own OTLP/HTTP sender (``_otlp_http.py``) calls :func:`note` with each 2xx answer; for the SDK's
gRPC exporters this module hooks the stub's ``Export`` (its response is read, then returned). If those
internals are not where expected (another SDK version), the exporter is left as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from otelward import _selfmetrics
from otelward._ratelimit import log_once
from otelward.export._health import ensure_visible

__all__ = ["RESPONSES", "clip", "guarded", "note", "watch"]

_log = logging.getLogger("otelward.export")

# signal -> (proto package, message prefix, the partial_success field counting rejected items)
RESPONSES: dict[str, tuple[str, str, str]] = {
    "traces": ("trace", "Trace", "rejected_spans"),
    "logs": ("logs", "Logs", "rejected_log_records"),
    "metrics": ("metrics", "Metrics", "rejected_data_points"),
}


def clip(text: str, limit: int = 200) -> str:
    """Return ``text`` as one printable line of at most ``limit`` characters (plus ``...`` when cut)."""
    out: list[str] = []
    size = 0
    for ch in text:
        # A collector's message is untrusted: escape what could forge or garble a log line.
        piece = ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        if size + len(piece) > limit:
            return "".join(out) + "..."
        out.append(piece)
        size += len(piece)
    return "".join(out)


def note(signal: str, partial: Any) -> None:
    """Count the items of one answer's ``partial_success`` and log the collector's reason once per signal."""
    rejected, message = int(getattr(partial, RESPONSES[signal][2])), str(partial.error_message)
    if rejected > 0:
        _selfmetrics.add("otelward.dropped", rejected, {"signal": signal, "reason": "rejected"})
        ensure_visible(_log)
        log_once(
            _log,
            f"partial_success:{signal}",
            'otelward: the collector rejected %d %s items (partial success), saying "%s"; they are not retried; '
            "these and later rejections are counted in otelward.dropped{reason=rejected}",
            rejected,
            signal,
            clip(message),
        )
    elif message:
        # A partial success with nothing rejected is the collector's warning (OTLP spec).
        ensure_visible(_log)
        log_once(
            _log,
            f"partial_success_warning:{signal}",
            'otelward: the collector accepted all %s items but warned "%s"',
            signal,
            clip(message),
        )


def guarded(signal: str, check: Callable[[], None]) -> None:
    try:
        check()
    except Exception:  # noqa: BLE001 - telemetry must never raise into the app
        log_once(_log, f"partial_read:{signal}", "unreadable %s export answer", signal, level=logging.DEBUG)


def _watch_stub(stub: Any, signal: str) -> Any:
    original = stub.Export

    def export(*args: Any, **kwargs: Any) -> Any:
        response = original(*args, **kwargs)  # an RpcError goes to the exporter's retry loop, as before
        guarded(signal, lambda: note(signal, response.partial_success))
        return response

    stub.Export = export
    return stub


def _watch_grpc(exporter: Any, signal: str) -> None:
    make_stub = exporter._stub

    def stub(channel: Any) -> Any:
        # The exporter builds a new stub when it reconnects (after UNAVAILABLE).
        return _watch_stub(make_stub(channel), signal)

    exporter._stub = stub
    _watch_stub(exporter._client, signal)


def watch(exporter: Any, signal: str) -> Any:
    """Make an SDK OTLP exporter count and report partial success; return the same exporter.

    Rejected items are counted in ``otelward.dropped{signal, reason=rejected}``; the export still succeeds
    (the collector has decided, a retry would be rejected again).

    Args:
        exporter: an OTLP/gRPC span, log or metric exporter of the OpenTelemetry SDK.
        signal: ``traces``, ``logs`` or ``metrics``.
    """
    client: Any = getattr(exporter, "_client", None)
    try:
        if callable(getattr(exporter, "_stub", None)) and callable(getattr(client, "Export", None)):
            _watch_grpc(exporter, signal)
        else:
            raise TypeError(f"no known seam in {type(exporter).__qualname__}")
    except Exception:  # noqa: BLE001 - an unknown SDK version exports as before, unwatched
        log_once(
            _log,
            f"partial_unsupported:{signal}",
            "otelward: cannot read partial success from this %s exporter; rejected items are not counted",
            signal,
            level=logging.DEBUG,
            exc_info=True,
        )
    return exporter
