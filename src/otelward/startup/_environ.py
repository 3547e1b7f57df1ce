"""otelward's defaults for variables the SDK and the instrumentations read, applied with ``setdefault``.

Kept apart from :mod:`otelward.startup.distro` (which subclasses the stock ``BaseDistro``) so that ``otelward run``
can apply them without importing the stock instrumentation machinery.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from otelward.config._env_vars import BY_NAME, CAPTURE_HEADER_VARS, VARS
from otelward.config._parsing import ConfigValueError, parse_value

__all__ = ["DEFAULTS", "DISABLED_VAR", "apply_defaults", "armed", "user_environ"]

DISABLED_VAR = "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"

DEFAULTS: dict[str, str] = {
    var.name: var.default for var in VARS if var.passthrough and var.default is not None
}
"""Variables the SDK or the instrumentations read themselves, with the value otelward prefers."""

# Set while the stock loader runs with every instrumentation disabled on our behalf (see _configure).
armed: dict[str, str | None] = {}


def apply_defaults(environ: MutableMapping[str, str]) -> None:
    """Set otelward's preferred values for variables the user did not set."""
    capture = _capture_headers(environ)
    for name, value in DEFAULTS.items():
        if name in CAPTURE_HEADER_VARS and not capture:
            continue
        environ.setdefault(name, value)


def _capture_headers(environ: Mapping[str, str]) -> bool:
    var = BY_NAME["OTELWARD_CAPTURE_HEADERS"]
    try:
        return bool(parse_value(var, environ.get(var.name, var.default or "true")))
    except ConfigValueError:
        return True  # config.py reports the bad value; the default applies meanwhile


def user_environ(environ: Mapping[str, str]) -> Mapping[str, str]:
    """Return ``environ`` as the user set it, undoing the temporary "*" the lazy loader put in."""
    if "user_value" not in armed:
        return environ
    restored = dict(environ)
    user_value = armed["user_value"]
    if user_value is None:
        restored.pop(DISABLED_VAR, None)
    else:
        restored[DISABLED_VAR] = user_value
    return restored
