"""The one place otelward writes the process environment, before anything reads what it writes.

Two writes, both needed because other code reads the environment itself:

* defaults for variables the SDK and the instrumentations read (stable semconv names, propagators, excluded URLs,
  header capture...), applied with ``setdefault`` so whatever the user set wins;
* under ``opentelemetry-instrument`` with lazy instrumentation, ``OTEL_PYTHON_DISABLED_INSTRUMENTATIONS=*`` while
  the stock loader runs (so it imports no instrumented library), restored right after it.

Kept apart from :mod:`otelward.startup.distro` (which subclasses the stock ``BaseDistro``) so that ``otelward run``
can apply the defaults without importing the stock instrumentation machinery.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from otelward.config import read_flag
from otelward.config._env_vars import CAPTURE_HEADER_VARS, VARS

__all__ = [
    "DEFAULTS",
    "DISABLED_VAR",
    "apply_defaults",
    "hide_instrumentations",
    "restore_instrumentations",
    "user_environ",
]

DISABLED_VAR = "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"

DEFAULTS: dict[str, str] = {
    var.name: var.default for var in VARS if var.passthrough and var.default is not None
}
"""Variables the SDK or the instrumentations read themselves, with the value otelward prefers."""

# The user's value while the stock loader runs with every instrumentation disabled on our behalf.
_hidden: dict[str, str | None] = {}


def apply_defaults(environ: MutableMapping[str, str]) -> None:
    """Set otelward's preferred values for variables the user did not set (idempotent)."""
    capture = read_flag(environ, "OTELWARD_CAPTURE_HEADERS")
    for name, value in DEFAULTS.items():
        if name in CAPTURE_HEADER_VARS and not capture:
            continue
        environ.setdefault(name, value)


def hide_instrumentations(environ: MutableMapping[str, str]) -> None:
    """Make the stock loader skip every instrumentation (otelward arms them lazily instead)."""
    if "user" in _hidden or "*" in environ.get(DISABLED_VAR, ""):
        return
    _hidden["user"] = environ.get(DISABLED_VAR)
    environ[DISABLED_VAR] = "*"


def restore_instrumentations(environ: MutableMapping[str, str]) -> tuple[bool, str | None]:
    """Undo :func:`hide_instrumentations`; return (whether it had hidden them, the user's value)."""
    if "user" not in _hidden:
        return False, None
    user_value = _hidden.pop("user")
    if user_value is None:
        environ.pop(DISABLED_VAR, None)
    else:
        environ[DISABLED_VAR] = user_value
    return True, user_value


def user_environ(environ: Mapping[str, str]) -> Mapping[str, str]:
    """Return ``environ`` as the user set it, without the temporary "*" of :func:`hide_instrumentations`."""
    if "user" not in _hidden:
        return environ
    restored = dict(environ)
    user_value = _hidden["user"]
    if user_value is None:
        restored.pop(DISABLED_VAR, None)
    else:
        restored[DISABLED_VAR] = user_value
    return restored
