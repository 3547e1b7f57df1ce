"""The ``opentelemetry_configurator`` entry point: parse the settings and start the runtime."""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import MutableMapping
from typing import Any

from otelward.config import Settings, StrictModeError, report_problems
from otelward.startup import _state

__all__ = ["OtelwardConfigurator", "configure"]

_log = logging.getLogger("otelward")


def configure(environ: MutableMapping[str, str] | None = None) -> Settings:
    """Build otelward's pipelines from ``environ`` (default: ``os.environ``) and register them globally.

    Invalid variables are reported one line each on stderr and replaced by defaults; with
    ``OTELWARD_STRICT=true`` the process exits with status 2 instead. Any other failure is logged and
    leaves the application running without telemetry. A second call in the same process (two launchers:
    ``opentelemetry-instrument otelward run -- ...``) starts nothing and returns the settings in effect.

    Returns:
        The settings in effect.
    """
    from otelward.startup._environ import apply_defaults, user_environ

    existing = _state.runtime()
    if existing is not None:
        _log.debug("otelward: already started in this process; a second start-up does nothing")
        return existing.settings
    env = os.environ if environ is None else environ
    apply_defaults(env)
    settings = Settings.from_env(user_environ(env))
    try:
        report_problems(settings)
    except StrictModeError:
        sys.stderr.flush()
        os._exit(2)  # a SystemExit here would be swallowed by the instrumentation loader
    if settings.general.sdk_disabled:
        return settings
    try:
        from otelward._threads import install_fork_masking, sigterm_blocked
        from otelward.startup._lifecycle import install_exit_hooks
        from otelward.startup._runtime import build_runtime

        # Threads the SDK starts meanwhile (its metric reader) inherit this thread's mask: born blocking
        # SIGTERM, so the kernel never hands them a SIGTERM meant for the app (see _threads.py).
        with sigterm_blocked():
            runtime = build_runtime(settings)
        # After the SDK's and otelward's own after-fork hooks: its unblock must run last in a child.
        install_fork_masking()
    except Exception:  # noqa: BLE001 - telemetry must never raise into the app
        _log.exception("otelward: could not start telemetry; the application continues without it")
        return settings
    _state.set_runtime(runtime)
    install_exit_hooks(runtime.shutdown, settings.general.shutdown_timeout_s)
    if settings.general.gc_freeze:
        # What exists now is the standard library, the SDK and otelward: alive until exit. Without this,
        # every full collection walks it again, and so does the interpreter's exit (~60 ms per process).
        gc.freeze()
    return settings


class OtelwardConfigurator:
    """Entry point object: ``opentelemetry-instrument`` calls ``configure(**kwargs)`` once per process."""

    def configure(self, **kwargs: Any) -> None:
        """Configure otelward from the process environment."""
        configure()
