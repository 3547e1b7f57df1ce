"""A token bucket: at most ``rate`` decisions per second on average, bursts up to one second's worth."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["RateCap"]


class RateCap:
    """Allow ``rate`` events per second (0 or less: unlimited). Not thread-safe; callers hold a lock.

    Args:
        rate: events per second.
        clock: monotonic seconds (tests pass a fake).
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._burst = max(1.0, rate)
        self._tokens = self._burst
        self._clock = clock
        self._last = clock()

    def allow(self) -> bool:
        """Take one token if there is one."""
        if self.rate <= 0:
            return True
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False
