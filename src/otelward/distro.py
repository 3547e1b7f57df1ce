"""The ``opentelemetry_distro`` entry point: environment defaults and lazy instrumentation.

Defaults are applied with ``os.environ.setdefault`` only, so whatever the user set wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import Any

from opentelemetry.instrumentation.distro import BaseDistro  # type: ignore[attr-defined]

from otelward._env_vars import BY_NAME, CAPTURE_HEADER_VARS, VARS
from otelward._parsing import ConfigValueError, parse_value

__all__ = ["DEFAULTS", "OtelwardDistro", "after_instrumentors", "apply_defaults", "user_environ"]

_DISABLED = "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"

DEFAULTS: dict[str, str] = {
    var.name: var.default for var in VARS if var.passthrough and var.default is not None
}
"""Variables the SDK or the instrumentations read themselves, with the value otelward prefers."""

# Set while the stock loader runs with every instrumentation disabled on our behalf (see _configure).
_armed: dict[str, str | None] = {}


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
    if "user_value" not in _armed:
        return environ
    restored = dict(environ)
    user_value = _armed["user_value"]
    if user_value is None:
        restored.pop(_DISABLED, None)
    else:
        restored[_DISABLED] = user_value
    return restored


class OtelwardDistro(BaseDistro):  # type: ignore[misc]
    """Apply defaults, and hand instrumentation loading to otelward's lazy loader."""

    def _configure(self, **kwargs: Any) -> None:
        apply_defaults(os.environ)
        lazy = os.environ.get("OTELWARD_LAZY_INSTRUMENTATION", "true").strip().lower() not in (
            "false",
            "0",
            "no",
        )
        if lazy and "*" not in os.environ.get(_DISABLED, ""):
            # The stock loader imports every instrumented library and checks its version with
            # `packaging` before calling us. "*" makes it skip the lot; `after_instrumentors` (an
            # opentelemetry_post_instrument entry point) restores the user's value and arms hooks.
            _armed["user_value"] = os.environ.get(_DISABLED)
            os.environ[_DISABLED] = "*"

    def load_instrumentor(self, entry_point: Any, **kwargs: Any) -> None:
        """Instrument eagerly (OTELWARD_LAZY_INSTRUMENTATION=false), with otelward's instrumentor options."""
        from otelward._instrumentation import ALWAYS_SKIPPED, STATUS, load_now

        if entry_point.name in ALWAYS_SKIPPED:
            STATUS[entry_point.name] = f"skipped: {ALWAYS_SKIPPED[entry_point.name]}"
            return
        load_now(entry_point, _instrumentor_options)


def _instrumentor_options(name: str) -> dict[str, Any]:
    from otelward import _state

    return _state.instrumentor_options(name)


def after_instrumentors() -> None:
    """Restore the user's disabled list and arm the lazy hooks (runs after the stock loader)."""
    if "user_value" not in _armed:
        return
    user_value = _armed.pop("user_value")
    if user_value is None:
        os.environ.pop(_DISABLED, None)
    else:
        os.environ[_DISABLED] = user_value
    from otelward._instrumentation import arm_lazy, entry_points_by_name

    disabled = [x.strip() for x in (user_value or "").split(",") if x.strip()]
    arm_lazy(entry_points_by_name().values(), disabled, _instrumentor_options)
