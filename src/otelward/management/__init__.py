"""The management HTTP server: Prometheus /metrics and Kubernetes health probes."""

from __future__ import annotations

from otelward.management._build import start_management

__all__ = ["start_management"]
