"""Export health: one warning when a signal's export starts failing, one when it recovers, counts between.

A collector outage produces thousands of failed requests; the operator needs two lines, not thousands,
and the numbers in between (failed batches, dropped items) go to self-metrics instead of the log.
"""

from __future__ import annotations

import logging
import random
import sys
import threading

__all__ = ["ExportHealth", "backoff_s", "ensure_visible"]

_log = logging.getLogger("otelward.export")
_visible_lock = threading.Lock()


def ensure_visible(logger: logging.Logger) -> None:
    """Make sure ``logger``'s warnings reach a console, not only the OTLP log bridge.

    The bridge drops otelward's own records (exporting them would recurse), and once the root logger has
    any handler Python's last-resort stderr handler is skipped, so an export failure would be invisible.
    When nothing on the way to the root writes to a stream, a stderr handler is added to ``otelward``.
    """
    with _visible_lock:
        node: logging.Logger | None = logger
        while node is not None:
            if any(type(h).__name__ != "LoggingHandler" for h in node.handlers):
                return  # a console, file or test handler sees the record
            node = node.parent if node.propagate else None
        if not logger.hasHandlers():
            return  # no handler at all: logging's last resort prints to stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
        )
        logging.getLogger("otelward").addHandler(handler)


MAX_BACKOFF_S = 5.0
"""Longest pause between attempts (the queue's retries, gRPC's reconnects): export resumes within seconds."""


def backoff_s(attempt: int, base_s: float = 0.5, cap_s: float = 30.0, jitter: float = 0.2) -> float:
    """Return the pause before retry number ``attempt`` (1-based): exponential, capped, with +/- jitter."""
    raw = min(cap_s, base_s * 2.0 ** max(0, attempt - 1))
    return raw * random.uniform(1.0 - jitter, 1.0 + jitter)  # noqa: S311 - jitter, not cryptography


class ExportHealth:
    """Track whether export of one signal is failing and log only the transitions.

    Args:
        signal: ``traces``, ``metrics`` or ``logs``, named in the messages.
        logger: where the two warnings go.
    """

    def __init__(self, signal: str, logger: logging.Logger = _log) -> None:
        self.signal = signal
        self._logger = logger
        self._lock = threading.Lock()
        self.failing = False
        self.failed_batches = 0
        self.dropped_while_failing = 0
        self.warnings = 0

    def failed(self, dropped: int = 0) -> None:
        """Note one failed export attempt (``dropped`` items given up on with it)."""
        with self._lock:
            starting = not self.failing
            if starting:
                self.failing = True
                self.failed_batches = 0
                self.dropped_while_failing = 0
            self.failed_batches += 1
            self.dropped_while_failing += dropped
        if starting:
            self.warnings += 1
            ensure_visible(self._logger)
            self._logger.warning(
                "otelward: %s export is failing; retrying with back-off and counting what is dropped "
                "(self-metric otelward.dropped); the next message will say when it recovers",
                self.signal,
            )

    def dropped(self, count: int) -> None:
        """Count items dropped while failing (for the recovery message)."""
        with self._lock:
            if self.failing:
                self.dropped_while_failing += count

    def succeeded(self) -> None:
        """Note one successful export; log the recovery if export was failing."""
        with self._lock:
            if not self.failing:
                return
            self.failing = False
            failed, dropped = self.failed_batches, self.dropped_while_failing
        self.warnings += 1
        ensure_visible(self._logger)
        self._logger.warning(
            "otelward: %s export recovered after %d failed attempts; %d items were dropped meanwhile",
            self.signal,
            failed,
            dropped,
        )
