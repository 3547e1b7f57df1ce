"""Every environment variable otelward reads or sets a default for, declared once.

The declarations live in :mod:`otelward.config._vars`, one module per section; this module assembles them.
``docs/configuration.md`` is generated from them (``python scripts/gen_config_doc.py``) and a test fails
when the two drift apart. Only :mod:`otelward.config` reads the environment.
"""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars import (
    export,
    exporters,
    general,
    kubernetes,
    logs,
    management,
    metrics,
    redaction,
    sampling,
)
from otelward.config._vars._constants import CAPTURE_HEADER_VARS, EXCLUDED_URLS_DEFAULT
from otelward.config._vars.kubernetes import KUBERNETES_VARS

__all__ = ["BY_NAME", "CAPTURE_HEADER_VARS", "EXCLUDED_URLS_DEFAULT", "KUBERNETES_VARS", "SECTIONS", "VARS"]

SECTIONS: dict[str, str] = {
    "general": "Service identity, strict mode and process lifecycle",
    "exporters": "Exporters and the OTLP connection (standard OpenTelemetry variables)",
    "sampling": "Tail sampling",
    "redaction": "Redaction of secrets and personal data",
    "logs": "Logs",
    "metrics": "Metrics",
    "management": "Management server: /metrics and health probes",
    "export": "Export queues and fault handling",
    "kubernetes": "Kubernetes downward-API variables read into the resource (set them in the pod spec)",
}

VARS: tuple[EnvVar, ...] = (
    *general.VARS,
    *exporters.VARS,
    *sampling.VARS,
    *redaction.VARS,
    *logs.VARS,
    *metrics.VARS,
    *management.VARS,
    *export.VARS,
    *kubernetes.VARS,
)

BY_NAME: dict[str, EnvVar] = {var.name: var for var in VARS}
