"""The interpreter's last-resort error paths, sent through logging (one redacted record) or redacted text.

Uncaught exceptions (``sys.excepthook``, ``threading.excepthook``) and exceptions Python cannot raise
(``sys.unraisablehook``: a failing ``__del__``, a callback in a weakref) print a traceback to stderr that
carries the exception message, secrets included. Each hook logs one record on ``py.exceptions`` instead,
which the console formatter redacts; when that logger is disabled, the stdlib's text is written with the
same redaction engine applied. ``logging.Handler.handleError`` ("--- Logging error ---", which quotes the
record's message and arguments) writes the stdlib's text redacted too.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from otelward.redaction import Redactor

__all__ = [
    "UNCAUGHT_LOGGER",
    "excepthook",
    "handle_error",
    "thread_excepthook",
    "unraisablehook",
    "write_redacted",
]

UNCAUGHT_LOGGER = "py.exceptions"
ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


def write_redacted(redactor: Redactor | None, text: str) -> None:
    """Write ``text`` to the current stderr, redacted; never raises."""
    try:
        if redactor is not None:
            text = redactor.redact_text(text)
    except Exception:  # noqa: BLE001 - fail closed: say that something failed, not what
        text = "[REDACTED: redaction failed]\n"
    try:
        stream = sys.stderr
        if stream is not None:
            stream.write(text if text.endswith("\n") else text + "\n")
            stream.flush()
    except Exception:  # noqa: BLE001, S110 - nowhere left to report to
        pass


def _format(exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> str:
    try:
        return "".join(traceback.format_exception(exc_type, exc, tb))
    except Exception:  # noqa: BLE001 - a broken exception must not cost the line
        return f"{getattr(exc_type, '__name__', 'Exception')}: <unprintable>\n"


INTERRUPTED: list[bool] = []
"""Non-empty once the main thread died of an uncaught KeyboardInterrupt (read by the exit hook)."""


def excepthook(redactor: Redactor | None) -> ExceptHook:
    """Return a ``sys.excepthook`` logging one CRITICAL record; Ctrl-C and a disabled logger get text."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        logger = logging.getLogger(UNCAUGHT_LOGGER)
        if issubclass(exc_type, KeyboardInterrupt):
            INTERRUPTED.append(True)  # the exit hook ends the process by SIGINT, as Python does without us
            write_redacted(redactor, _format(exc_type, exc, tb))
            return
        if not logger.isEnabledFor(logging.CRITICAL):
            write_redacted(redactor, _format(exc_type, exc, tb))
            return
        logger.critical("Uncaught exception", exc_info=(exc_type, exc, tb))

    return hook


def thread_excepthook(redactor: Redactor | None) -> Callable[[threading.ExceptHookArgs], None]:
    """Return a ``threading.excepthook`` logging one CRITICAL record naming the thread."""

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        thread = args.thread.name if args.thread is not None else "?"
        logger = logging.getLogger(UNCAUGHT_LOGGER)
        if not logger.isEnabledFor(logging.CRITICAL):
            text = f"Exception in thread {thread}:\n" + _format(
                args.exc_type, args.exc_value, args.exc_traceback
            )
            write_redacted(redactor, text)
            return
        logger.critical(
            "Uncaught exception in thread %s",
            thread,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    return hook


def _describe(obj: Any) -> str:
    try:
        return repr(obj)
    except Exception:  # noqa: BLE001 - the object is often half-destroyed
        return f"<{type(obj).__name__} object>"


def unraisablehook(redactor: Redactor | None) -> Callable[[Any], None]:
    """Return a ``sys.unraisablehook`` logging one ERROR record (the stdlib prints a raw traceback)."""

    def hook(unraisable: Any) -> None:
        exc_type = unraisable.exc_type
        message = unraisable.err_msg or "Exception ignored in"
        if unraisable.object is not None:
            message = f"{message}: {_describe(unraisable.object)}"
        logger = logging.getLogger(UNCAUGHT_LOGGER)
        if exc_type is None or not logger.isEnabledFor(logging.ERROR):
            tail = _format(exc_type, unraisable.exc_value, unraisable.exc_traceback) if exc_type else ""
            write_redacted(redactor, f"{message}\n{tail}")
            return
        try:
            logger.error("%s", message, exc_info=(exc_type, unraisable.exc_value, unraisable.exc_traceback))
        except Exception:  # noqa: BLE001 - e.g. logging half torn down at interpreter exit
            write_redacted(
                redactor, f"{message}\n" + _format(exc_type, unraisable.exc_value, unraisable.exc_traceback)
            )

    return hook


_LOGGING_DIR = os.path.dirname(logging.__file__)


def handle_error(redactor: Redactor | None) -> Callable[[logging.Handler, logging.LogRecord], None]:
    """Return a ``logging.Handler.handleError`` writing the stdlib's report, redacted."""

    def handleError(self: logging.Handler, record: logging.LogRecord) -> None:  # noqa: N802 - the stdlib's name
        if not logging.raiseExceptions or not sys.stderr:
            return
        exc_type, exc, tb = sys.exc_info()
        try:
            parts = ["--- Logging error ---\n", _format(exc_type, exc, tb) if exc_type else ""]
            frame = tb.tb_frame if tb is not None else None
            while frame is not None and os.path.dirname(frame.f_code.co_filename) == _LOGGING_DIR:
                frame = frame.f_back
            if frame is not None:
                parts += ["Call stack:\n", "".join(traceback.format_stack(frame))]
            else:
                parts.append(f"Logged from file {record.filename}, line {record.lineno}\n")
            try:
                parts.append(f"Message: {record.msg!r}\nArguments: {record.args}\n")
            except RecursionError:
                raise
            except Exception:  # noqa: BLE001 - the stdlib's wording
                parts.append("Unable to print the message and arguments - possible formatting error.\n")
            write_redacted(redactor, "".join(parts))
        finally:
            del exc_type, exc, tb

    return handleError
