"""Declarations: the management server."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import Kind, declare

__all__ = ["VARS"]

VARS: tuple[EnvVar, ...] = (
    declare(
        "OTELWARD_MANAGEMENT_ENABLED",
        Kind.BOOL,
        "true",
        "false",
        "Serve /metrics and /health*.",
        "management",
    ),
    declare(
        "OTELWARD_MANAGEMENT_HOST",
        Kind.STR,
        "127.0.0.1",
        "0.0.0.0",
        "Bind address; beyond loopback, /metrics and health details need the token.",
        "management",
    ),
    declare(
        "OTELWARD_MANAGEMENT_PORT",
        Kind.INT,
        "9464",
        "9464",
        "Port of the management server.",
        "management",
        minimum=0,
        maximum=65535,
    ),
    declare(
        "OTELWARD_MANAGEMENT_TOKEN",
        Kind.SECRET,
        None,
        "s3cr3t-token",
        "Bearer token (or basic-auth password) for /metrics and health details.",
        "management",
    ),
    declare(
        "OTELWARD_MANAGEMENT_TOKEN_FILE",
        Kind.PATH,
        None,
        "/var/run/secrets/otelward/token",
        "File holding the token (a mounted secret); wins over OTELWARD_MANAGEMENT_TOKEN.",
        "management",
    ),
    declare(
        "OTELWARD_READINESS_CHECKS",
        Kind.KEYVALUES,
        None,
        "db=tcp://localhost:5432,api=http://localhost:8080/ping",
        "Readiness checks: name=tcp://host:port | http(s)://url | postgresql://dsn.",
        "management",
    ),
    declare(
        "OTELWARD_READINESS_TIMEOUT_MS",
        Kind.INT,
        "1000",
        "500",
        "Timeout of each readiness check.",
        "management",
        minimum=1,
        maximum=60_000,
    ),
)
