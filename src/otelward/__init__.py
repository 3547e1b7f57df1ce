"""otelward: an OpenTelemetry distro for Python that is safe by default and cheap to run.

Importing this package is deliberately cheap: ``opentelemetry-instrument`` imports it in every process.
Public helpers are loaded on first attribute access.
"""

from __future__ import annotations

from otelward._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:  # `typing` costs ~15 ms; `otelward run` imports this package before every app start
    from typing import Any

__all__ = ["__version__", "span", "traced"]


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `import otelward` free of the SDK until a helper is used.
    if name in ("span", "traced"):
        from otelward import tracing

        return getattr(tracing, name)
    raise AttributeError(f"module 'otelward' has no attribute {name!r}")
