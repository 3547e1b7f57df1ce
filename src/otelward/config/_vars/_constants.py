"""Default values shared by the declarations and the distro."""

from __future__ import annotations

__all__ = ["CAPTURE_HEADER_DEFAULTS", "CAPTURE_HEADER_VARS", "EXCLUDED_URLS_DEFAULT", "SANITIZE_DEFAULT"]

# One regex (no commas: the variable is comma-separated) for probe and scrape paths, query string allowed.
EXCLUDED_URLS_DEFAULT = r"^[^?]*/(health(/live|/ready)?|healthz|livez|readyz|metrics)/?(\?.*)?$"
# Useful headers captured by default (OTELWARD_CAPTURE_HEADERS=true). Credentials are listed on purpose:
# seeing "[REDACTED]" (or a keyed hash) tells whether a failing request carried them at all.
CAPTURE_HEADER_DEFAULTS = (
    (
        "SERVER_REQUEST",
        "accept,content-type,content-length,referer,x-request-id,x-correlation-id,x-forwarded-for,"
        "x-forwarded-proto,authorization,cookie,x-api-key",
    ),
    ("SERVER_RESPONSE", "content-type,content-length,cache-control,retry-after,x-request-id,set-cookie"),
    ("CLIENT_REQUEST", "content-type,x-request-id,authorization,x-api-key"),
    ("CLIENT_RESPONSE", "content-type,retry-after,x-request-id,set-cookie"),
)
SANITIZE_DEFAULT = "authorization,proxy-authorization,cookie,set-cookie,x-api-key,x-auth-token"
CAPTURE_HEADER_VARS = frozenset(
    [f"OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_{w}" for w, _ in CAPTURE_HEADER_DEFAULTS]
    + ["OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"]
)
"""Stock header-capture variables otelward sets defaults for only while OTELWARD_CAPTURE_HEADERS=true."""
