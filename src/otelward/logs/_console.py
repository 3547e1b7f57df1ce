"""Console output that survives the app's logging configuration, without adding a handler next to it.

Two small interventions, both undone by :func:`uninstall_console`:

* every ``logging.StreamHandler`` that writes to the process's stdout or stderr formats with otelward's
  formatter. That covers handlers made by ``basicConfig``, ``dictConfig``, ``fileConfig``, gunicorn and
  uvicorn, before or after start-up, propagating or not, while their levels and filters still apply.
  File handlers keep the app's format (the correlation fields are on the record for its format string).
* ``logging.lastResort`` — what the stdlib uses when no handler is configured anywhere on a record's way
  to the root — becomes a handler on ``OTELWARD_LOG_STREAM`` with no level of its own, so an app that never
  configures logging still gets every record at the configured level, and ``basicConfig`` keeps working
  (the root logger still has no handler).

So there is always exactly one otelward-formatted line per app handler, and never a second handler.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

from otelward.logs._streams import console_target

__all__ = ["FallbackHandler", "install_console", "is_console", "uninstall_console"]

_CACHE_ATTR = "_otelward_console"
_NO_STREAM = object()


def is_console(handler: logging.Handler) -> bool:
    """Return True when ``handler`` writes to this process's stdout or stderr, through any wrappers."""
    stream = getattr(handler, "stream", _NO_STREAM)
    if stream is _NO_STREAM:
        return False
    # Cached per stream object on the handler (setStream can change it), and only when the answer
    # cannot change: a proxy resolves per request, a wrapper's inner stream can be swapped.
    cached = handler.__dict__.get(_CACHE_ATTR)
    if cached is not None and cached[0] is stream:
        return bool(cached[1])
    try:
        answer, stable = console_target(stream)
    except Exception:  # noqa: BLE001 - undecidable: format it (redacted) rather than risk a raw line
        return True
    if stable:
        handler.__dict__[_CACHE_ATTR] = (stream, answer)
    return answer


class FallbackHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stdout`` or ``sys.stderr`` as they are at emit time (like the stdlib's lastResort)."""

    def __init__(self, stream_name: str = "stdout", stream: IO[str] | None = None) -> None:
        super().__init__()
        self._name = "stderr" if stream_name == "stderr" else "stdout"
        self._fixed = stream

    @property
    def stream(self) -> Any:
        """The current stdout/stderr (or the fixed stream given at construction)."""
        return self._fixed if self._fixed is not None else getattr(sys, self._name)

    @stream.setter
    def stream(self, value: Any) -> None:
        # StreamHandler.__init__ assigns sys.stderr; the property decides instead.
        pass


_formatter: logging.Formatter | None = None
_saved_last_resort: logging.Handler | None = None
_installed = False


KEEP_FORMATTERS: list[type[logging.Formatter]] = []
"""Formatter classes whose output is the app's choice (structlog's ``ProcessorFormatter``): not taken over."""


def _format(self: logging.StreamHandler, record: logging.LogRecord) -> str:  # type: ignore[type-arg]
    formatter = _formatter
    if (
        formatter is not None
        and (self is logging.lastResort or is_console(self))
        and not (KEEP_FORMATTERS and isinstance(self.formatter, tuple(KEEP_FORMATTERS)))
    ):
        return formatter.format(record)
    return logging.Handler.format(self, record)


def install_console(
    formatter: logging.Formatter | None, stream_name: str = "stdout", stream: IO[str] | None = None
) -> None:
    """Format console stream handlers with ``formatter`` and make lastResort a fallback on the stream.

    With ``formatter=None`` (``OTELWARD_LOG_FORMAT=off``) nothing about output changes.
    """
    global _formatter, _saved_last_resort, _installed
    if formatter is None:
        uninstall_console()
        return
    _formatter = formatter
    fallback = FallbackHandler(stream_name, stream)
    if not _installed:
        _saved_last_resort = logging.lastResort
        logging.StreamHandler.format = _format  # type: ignore[method-assign,assignment]
        _installed = True
    logging.lastResort = fallback


def uninstall_console() -> None:
    """Restore the stdlib's ``StreamHandler.format`` and ``lastResort``."""
    global _formatter, _saved_last_resort, _installed
    _formatter = None
    if _installed:
        del logging.StreamHandler.format
        logging.lastResort = _saved_last_resort
        _saved_last_resort = None
        _installed = False
