"""Start otelward in a process launched by ``otelward run``, without the stock loader.

``opentelemetry-instrument`` spends about 0.6 s per process before any distro gets control: its launcher
and the child's ``sitecustomize`` each import the stock loader, which reads the metadata of every installed
distribution and checks each instrumentation's dependencies with ``packaging``. ``otelward run`` puts
:data:`BOOTSTRAP_DIR` first on ``PYTHONPATH``; its ``sitecustomize`` calls :func:`initialize`, which does
only what otelward needs: defaults, the runtime, and the instrumentation hooks.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # the launcher imports this module: keep it to `os`
    from collections.abc import MutableMapping

__all__ = ["BOOTSTRAP_DIR", "initialize", "with_bootstrap", "without_bootstrap"]

BOOTSTRAP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bootstrap")
"""The directory holding otelward's ``sitecustomize.py``."""


def without_bootstrap(pythonpath: str) -> str:
    """Return ``pythonpath`` without :data:`BOOTSTRAP_DIR`."""
    parts = [p for p in pythonpath.split(os.pathsep) if p and os.path.abspath(p) != BOOTSTRAP_DIR]
    return os.pathsep.join(parts)


def with_bootstrap(pythonpath: str) -> str:
    """Return ``pythonpath`` with :data:`BOOTSTRAP_DIR` first (and only once)."""
    rest = without_bootstrap(pythonpath)
    return BOOTSTRAP_DIR + (os.pathsep + rest if rest else "")


def initialize(environ: MutableMapping[str, str] | None = None) -> None:
    """Apply otelward's defaults, start its runtime and arm the instrumentations; never raise.

    Args:
        environ: the process environment (default ``os.environ``). While otelward starts, ``PYTHONPATH``
            loses the bootstrap directory, so that a process started meanwhile does not start otelward in
            turn; it is put back afterwards, so Python programs the app starts (uvicorn's spawned workers,
            ``multiprocessing`` with spawn) start otelward too, as under ``opentelemetry-instrument``.
    """
    env = os.environ if environ is None else environ
    original = env.get("PYTHONPATH")
    rest = without_bootstrap(original or "")
    try:
        if rest:
            env["PYTHONPATH"] = rest
        else:
            env.pop("PYTHONPATH", None)
        from otelward.instrumentation._lazy import arm_installed
        from otelward.startup.configurator import configure

        general = configure(env).general
        arm_installed(",".join(general.disabled_instrumentations), eager=not general.lazy_instrumentation)
    except Exception:
        import logging

        logging.getLogger("otelward").exception(
            "otelward: could not start telemetry; the application continues without it"
        )
    finally:
        if original is not None and original != rest:
            env["PYTHONPATH"] = with_bootstrap(rest)
