"""A server-instrumentation state over in-memory spans and metrics, for the WSGI/ASGI middleware tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from otelward.instrumentation import _server, hooks
from otelward.logs._request_id import RequestIdHooks
from tests.frameworks.memory import Spans, capture

__all__ = ["Served", "served"]


@dataclass
class Served:
    """Captured spans and the duration points of the middleware under test."""

    spans: Spans
    reader: InMemoryMetricReader

    def durations(self) -> list[tuple[dict[str, Any], int]]:
        """Return (attributes, count) of every ``http.server.request.duration`` point."""
        data = self.reader.get_metrics_data()
        found = []
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == "http.server.request.duration":
                        found += [(dict(p.attributes or {}), p.count) for p in metric.data.data_points]
        return found

    def active(self) -> dict[tuple[tuple[str, Any], ...], int]:
        """Return the ``http.server.active_requests`` value per attribute set (sorted items)."""
        data = self.reader.get_metrics_data()
        found: dict[tuple[tuple[str, Any], ...], int] = {}
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == "http.server.active_requests":
                        for p in metric.data.data_points:
                            found[tuple(sorted((p.attributes or {}).items()))] = int(p.value)
        return found


@contextmanager
def served(
    excluded: str = "",
    request_headers: tuple[str, ...] = (),
    response_headers: tuple[str, ...] = (),
    active: bool = False,
) -> Iterator[Served]:
    """Install a fresh server state (request-id hooks registered) for one test."""
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader])
    ids = RequestIdHooks()
    hooks.register("server_request", ids.on_request)
    hooks.register("server_response", ids.on_response)
    with capture() as spans:
        _server._state = _server.ServerState(
            tracer=spans.provider.get_tracer("test"),
            duration=meters.get_meter("test").create_histogram("http.server.request.duration", unit="s"),
            excluded=re.compile(excluded) if excluded else None,
            request_headers=request_headers,
            response_headers=response_headers,
            sanitize=re.compile("authorization|cookie", re.IGNORECASE),
            active=meters.get_meter("test").create_up_down_counter("http.server.active_requests")
            if active
            else None,
        )
        try:
            yield Served(spans, reader)
        finally:
            _server.reset()
            hooks.clear()
            meters.shutdown()
