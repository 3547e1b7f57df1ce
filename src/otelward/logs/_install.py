"""Wire the log features into the stdlib logging module: fields, console output, OTLP bridge, hooks.

``install_logging`` runs once at start-up (before the app configures logging). What it installs does not
depend on handlers, so it holds through ``basicConfig``, ``dictConfig`` and ``fileConfig``; those three are
wrapped only to re-apply ``OTELWARD_LOG_LEVELS`` and to keep otelward's own loggers enabled afterwards.
"""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from otelward.config import Settings
from otelward.instrumentation._post_import import register_post_import_hook
from otelward.logs import _lastresort
from otelward.logs._bridge import install_bridge, is_internal_record, uninstall_bridge
from otelward.logs._console import install_console, uninstall_console
from otelward.logs._fields import install_fields, uninstall_fields
from otelward.logs._format import build_formatter
from otelward.logs._request_id import RequestIdHooks
from otelward.logs._resource import PROCESS_RESOURCE

if TYPE_CHECKING:
    from opentelemetry.sdk._logs import LoggerProvider

    from otelward.redaction import Redactor

__all__ = ["install_logging", "is_internal_record", "uninstall_logging"]

_log = logging.getLogger("otelward.logs")
# Loggers that write attacker-controlled header values at WARNING, once per bad entry.
_NOISY_PROPAGATION_LOGGERS = (
    "opentelemetry.baggage.propagation",
    "opentelemetry.trace.propagation.tracecontext",
    "opentelemetry.trace.span",  # TraceState parsing: quotes every malformed `tracestate` member
)


class _QuietPropagation(logging.Filter):
    """Replace propagators' warnings (which quote raw incoming headers) with one rate-limited line."""

    def __init__(self, interval_s: float = 60.0) -> None:
        super().__init__()
        self._interval = interval_s
        self._next = 0.0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            if record.created < self._next:
                return False
            self._next = record.created + self._interval
        record.msg = "otelward: ignored malformed or oversized trace context/baggage headers (rate-limited)"
        record.args = ()
        return True


_QUIET = _QuietPropagation()
_saved: dict[str, Any] = {}


def _apply_levels(settings: Settings) -> None:
    for name, level in settings.logs.levels:
        logging.getLogger(name).setLevel(level.upper())
    # `disable_existing_loggers` would silence otelward's own diagnostics and the propagation guard.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.startswith("otelward"):
            logger.disabled = False
    for name in _NOISY_PROPAGATION_LOGGERS:
        logger = logging.getLogger(name)
        logger.disabled = False
        if _QUIET not in logger.filters:
            logger.addFilter(_QUIET)


def _after_config(settings: Settings, bridged: bool) -> None:
    _apply_levels(settings)
    if bridged:
        _remove_foreign_bridges()


def _wrap_config(settings: Settings, bridged: bool) -> None:
    """Re-apply per-logger levels (and drop second OTLP handlers) after the app (re)configures logging."""

    def wrap(owner: Any, name: str) -> None:
        original = getattr(owner, name)
        if getattr(original, "__otelward__", False):
            original = original.__wrapped__

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return original(*args, **kwargs)
            finally:
                try:
                    _after_config(settings, bridged)
                except Exception:  # noqa: BLE001 - telemetry must never raise into the app
                    log_once_debug("re-applying log levels failed")

        wrapper.__wrapped__ = original  # type: ignore[attr-defined]
        wrapper.__otelward__ = True  # type: ignore[attr-defined]
        wrapper.__doc__ = original.__doc__
        _saved.setdefault(f"{owner.__name__}.{name}", (owner, name, original))
        setattr(owner, name, wrapper)

    wrap(logging, "basicConfig")

    def wrap_config(module: Any) -> None:
        wrap(module, "dictConfig")
        wrap(module, "fileConfig")

    # logging.config (with socketserver) is imported by the apps that use it; wrapped when they do.
    register_post_import_hook(wrap_config, "logging.config")


def log_once_debug(message: str) -> None:
    """Log a debug line about a logging set-up failure."""
    _log.debug("otelward: %s", message, exc_info=True)


def _install_exception_hooks(redactor: Redactor | None) -> None:
    """Send uncaught and unraisable exceptions through logging (one redacted record) instead of a
    multi-line, unredacted stderr traceback. Hooks the app installed itself are left alone."""
    if sys.excepthook is sys.__excepthook__ or "excepthook" in _saved:
        _saved.setdefault("excepthook", sys.excepthook)
        sys.excepthook = _lastresort.excepthook(redactor)
    if threading.excepthook is threading.__excepthook__ or "threading.excepthook" in _saved:
        _saved.setdefault("threading.excepthook", threading.excepthook)
        threading.excepthook = _lastresort.thread_excepthook(redactor)
    if sys.unraisablehook is sys.__unraisablehook__ or "unraisablehook" in _saved:
        _saved.setdefault("unraisablehook", sys.unraisablehook)
        sys.unraisablehook = _lastresort.unraisablehook(redactor)
    _saved.setdefault("handleError", logging.Handler.handleError)
    logging.Handler.handleError = _lastresort.handle_error(redactor)  # type: ignore[method-assign,assignment]
    if "showwarning" not in _saved:
        _saved["showwarning"] = warnings.showwarning
        warnings.showwarning = _showwarning


def _showwarning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Log a warning as one record located where it was raised (``logging.captureWarnings`` would lose
    it when nothing is configured: it gives ``py.warnings`` a NullHandler)."""
    logger = logging.getLogger("py.warnings")
    if file is not None or not logger.isEnabledFor(logging.WARNING):
        original = _saved.get("showwarning") or warnings._showwarning_orig  # type: ignore[attr-defined]
        original(message, category, filename, lineno, file, line)
        return
    text = f"{category.__name__}: {message}"
    record = logger.makeRecord(logger.name, logging.WARNING, filename, lineno, text, (), None)
    logger.handle(record)


def _remove_foreign_bridges() -> None:
    """Detach other OTel ``LoggingHandler`` instances: otelward's bridge already exports every record."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        if not isinstance(logger, logging.Logger):
            continue
        for handler in list(getattr(logger, "handlers", ())):
            cls = type(handler)
            if cls.__name__ == "LoggingHandler" and cls.__module__.startswith("opentelemetry"):
                logger.removeHandler(handler)
                _log.info("otelward: removed a second OTLP LoggingHandler from logger %r", logger.name)


_FROM_SETTINGS: Any = object()


def install_logging(
    settings: Settings,
    logger_provider: LoggerProvider | None,
    *,
    service_name: str,
    redactor: Redactor | None = _FROM_SETTINGS,
    stream: IO[str] | None = None,
    resource: Mapping[str, Any] | None = None,
    log_pipeline: Any = None,
) -> None:
    """Set levels, add correlation fields, take over console formatting, and bridge records to OTLP.

    Args:
        settings: parsed settings (``settings.logs`` and redaction).
        logger_provider: where the bridge emits records; None when no log exporter is configured.
        service_name: ``service.name`` for the records (the resource's).
        redactor: the process's redaction engine (None: redaction off); built from ``settings`` when not given
            (tests, benchmarks).
        stream: write fallback console lines here instead of ``OTELWARD_LOG_STREAM`` (benchmarks, tests).
        resource: the resource attributes console lines name (service version, environment...); read once.
        log_pipeline: otelward's log pipeline on ``logger_provider``: stdlib records are offered to it held
            by reference, built as SDK records only when exported.
    """
    from otelward.instrumentation import hooks

    if redactor is _FROM_SETTINGS:
        from otelward.redaction import build_redactor

        redactor = build_redactor(settings)
    root = logging.getLogger()
    root.setLevel(settings.logs.level.upper())
    _apply_levels(settings)
    install_fields(service_name)
    PROCESS_RESOURCE.update({"service.name": service_name, **(resource or {})})
    formatter = build_formatter(settings.logs.format, redactor, PROCESS_RESOURCE)
    install_console(formatter, settings.logs.stream, stream)
    if formatter is not None:
        _install_exception_hooks(redactor)
    if logger_provider is not None:
        install_bridge(logger_provider, log_pipeline)
        _remove_foreign_bridges()
    _wrap_config(settings, bridged=logger_provider is not None)
    _install_libraries(settings, logger_provider, service_name, redactor)
    request_ids = _saved.get("request_hooks")
    if not isinstance(request_ids, RequestIdHooks):
        request_ids = _saved["request_hooks"] = RequestIdHooks()
    request_ids.header = settings.logs.request_id_header
    hooks.register("server_request", request_ids.on_request)
    hooks.register("server_response", request_ids.on_response)


def _install_libraries(
    settings: Settings, logger_provider: LoggerProvider | None, service_name: str, redactor: Redactor | None
) -> None:
    """Arm the structlog and loguru adapters; each is imported only when the app imports its library."""
    import functools

    @functools.cache
    def ctx() -> Any:
        # Built when the app imports structlog or loguru: most processes never load the shared adapter code.
        from otelward.logs._libs import LibContext

        render = None
        if settings.logs.format_set and settings.logs.format != "off":
            from otelward.logs import _render

            render = {
                "json": _render.render_json,
                "ecs": _render.render_ecs,
                "text": _render.render_text,
            }.get(settings.logs.format)
        return LibContext(service_name, redactor, logger_provider, render)

    def structlog_hook(module: Any) -> None:
        from otelward.logs._structlog import install_structlog

        install_structlog(ctx())(module)

    def loguru_hook(module: Any) -> None:
        from otelward.logs._loguru import install_loguru

        install_loguru(ctx())(module)

    register_post_import_hook(structlog_hook, "structlog")
    register_post_import_hook(loguru_hook, "loguru")


def uninstall_logging() -> None:
    """Undo :func:`install_logging` (tests and benchmarks)."""
    for name in ("structlog", "loguru"):
        module = sys.modules.get(f"otelward.logs._{name}")
        if module is not None:
            getattr(module, f"uninstall_{name}")()
    uninstall_fields()
    uninstall_console()
    uninstall_bridge()
    for key in [k for k in _saved if "." in k and not k.startswith("threading")]:
        owner, name, original = _saved.pop(key)
        setattr(owner, name, original)
    if "excepthook" in _saved:
        sys.excepthook = _saved.pop("excepthook")
    if "threading.excepthook" in _saved:
        threading.excepthook = _saved.pop("threading.excepthook")
    if "unraisablehook" in _saved:
        sys.unraisablehook = _saved.pop("unraisablehook")
    if "handleError" in _saved:
        logging.Handler.handleError = _saved.pop("handleError")  # type: ignore[method-assign]
    if "showwarning" in _saved:
        warnings.showwarning = _saved.pop("showwarning")
    _saved.pop("request_hooks", None)
