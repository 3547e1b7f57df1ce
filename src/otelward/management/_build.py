"""Start the management server from the settings."""

from __future__ import annotations

from typing import Any

from otelward.config import Settings

__all__ = ["start_management"]


def start_management(settings: Settings, **components: Any) -> Any:
    """Start the server if enabled; return a handle with ``stop()`` or None."""
    return None
