"""Rate-limited logging for telemetry failures: one line per problem, not one per request."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

__all__ = ["log_once", "reset"]

_INTERVAL_S = 300.0
_lock = threading.Lock()
_last: dict[str, float] = {}


def log_once(
    logger: logging.Logger,
    key: str,
    msg: str,
    *args: Any,
    level: int = logging.WARNING,
    interval_s: float = _INTERVAL_S,
    **kwargs: Any,
) -> bool:
    """Log ``msg`` unless the same ``key`` was logged within ``interval_s``; return whether it was logged."""
    now = time.monotonic()
    with _lock:
        last = _last.get(key)
        if last is not None and now - last < interval_s:
            return False
        _last[key] = now
    logger.log(level, msg, *args, **kwargs)
    return True


def reset() -> None:
    """Forget what was logged (tests)."""
    with _lock:
        _last.clear()
