"""The ``opentelemetry_distro`` entry point: environment defaults and lazy instrumentation.

Defaults are applied with ``os.environ.setdefault`` only, so whatever the user set wins.
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry.instrumentation.distro import BaseDistro  # type: ignore[attr-defined]

from otelward.config import read_flag
from otelward.startup._environ import apply_defaults, hide_instrumentations, restore_instrumentations

__all__ = ["OtelwardDistro", "after_instrumentors"]


class OtelwardDistro(BaseDistro):  # type: ignore[misc]
    """Apply defaults, and hand instrumentation loading to otelward's lazy loader."""

    def _configure(self, **kwargs: Any) -> None:
        apply_defaults(os.environ)
        if read_flag(os.environ, "OTELWARD_LAZY_INSTRUMENTATION"):
            # The stock loader imports every instrumented library and checks its version with
            # `packaging` before calling us. "*" makes it skip the lot; `after_instrumentors` (an
            # opentelemetry_post_instrument entry point) restores the user's value and arms hooks.
            hide_instrumentations(os.environ)

    def load_instrumentor(self, entry_point: Any, **kwargs: Any) -> None:
        """Instrument eagerly (OTELWARD_LAZY_INSTRUMENTATION=false), with otelward's instrumentor options."""
        from otelward.instrumentation._lazy import ALWAYS_SKIPPED, STATUS, instrumentor_options, load_now

        if entry_point.name in ALWAYS_SKIPPED:
            STATUS[entry_point.name] = f"skipped: {ALWAYS_SKIPPED[entry_point.name]}"
            return
        load_now(entry_point, instrumentor_options)


def after_instrumentors() -> None:
    """Restore the user's disabled list and arm the lazy hooks (runs after the stock loader)."""
    hidden, user_value = restore_instrumentations(os.environ)
    if not hidden:
        from otelward.instrumentation._lazy import arm_server_hooks

        arm_server_hooks()  # the stock loader instrumented the libraries; the servers are still ours to hook
        return
    from otelward.instrumentation._lazy import arm_installed

    arm_installed(user_value)
