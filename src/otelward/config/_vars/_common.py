"""Shared helpers and choice lists for the variable declarations."""

from __future__ import annotations

from otelward.config._parsing import EnvVar, Kind

__all__ = [
    "COMPRESSION",
    "EXPORTERS_METRIC",
    "EXPORTERS_SPAN_LOG",
    "LOG_LEVELS",
    "PROTOCOLS",
    "Kind",
    "declare",
]

PROTOCOLS = ("grpc", "http/protobuf", "http/json")
EXPORTERS_SPAN_LOG = ("otlp", "console", "none")
EXPORTERS_METRIC = ("otlp", "console", "prometheus", "none")
COMPRESSION = ("gzip", "deflate", "none")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def declare(
    name: str,
    kind: Kind,
    default: str | None,
    example: str,
    doc: str,
    section: str,
    **kw: object,
) -> EnvVar:
    """Declare one variable (a thin positional wrapper that keeps the tables short)."""
    return EnvVar(name, kind, default, example, doc, section, **kw)  # type: ignore[arg-type]
