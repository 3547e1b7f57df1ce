"""The management HTTP server: Prometheus /metrics and Kubernetes health probes."""

from __future__ import annotations

from otelward.management._build import Management, start_management
from otelward.management._checks import register_readiness_check, unregister_readiness_check

__all__ = ["Management", "register_readiness_check", "start_management", "unregister_readiness_check"]
