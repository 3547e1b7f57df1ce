"""Fixtures: otelward's logging installed on a private stream with a real SDK tracer, undone after."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.trace import TracerProvider

from otelward.config import Settings
from otelward.instrumentation import hooks
from otelward.logs import install_logging, uninstall_logging


@dataclass
class Installed:
    """otelward's logging as a test sees it."""

    stream: io.StringIO
    tracer: Any
    exported: InMemoryLogRecordExporter
    loggers: list[logging.Logger] = field(default_factory=list)

    def logger(self) -> logging.Logger:
        """Return a fresh logger with no handler that does not propagate: its lines go to the fallback."""
        logger = logging.getLogger(f"t.{uuid.uuid4().hex[:8]}")
        logger.propagate = False
        self.loggers.append(logger)
        return logger

    def lines(self) -> list[str]:
        """Return the lines written so far."""
        return self.stream.getvalue().splitlines()

    def records(self) -> list[dict[str, Any]]:
        """Return the lines written so far, parsed as JSON (fails on a non-JSON line)."""
        return [json.loads(line) for line in self.lines()]

    def exported_bodies(self) -> list[Any]:
        """Return the bodies the OTLP bridge emitted."""
        return [r.log_record.body for r in self.exported.get_finished_logs()]


def install(
    environ: Mapping[str, str], redactor: Any = None, resource: Mapping[str, Any] | None = None
) -> Installed:
    """Install otelward's logging configured by ``environ``; ``redactor`` replaces the engine.

    ``resource`` is the resource attributes the runtime would pass (service version, environment...).
    """
    from opentelemetry import trace

    provider = TracerProvider()
    trace.set_tracer_provider(provider)
    exporter = InMemoryLogRecordExporter()
    logger_provider = LoggerProvider(shutdown_on_exit=False)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    stream = io.StringIO()
    settings = Settings.from_env(environ)
    if redactor is not None:
        from otelward import redaction

        original = redaction.build_redactor
        redaction.build_redactor = lambda _settings: redactor  # type: ignore[assignment]
        try:
            install_logging(settings, logger_provider, service_name="svc", stream=stream, resource=resource)
        finally:
            redaction.build_redactor = original
    else:
        install_logging(settings, logger_provider, service_name="svc", stream=stream, resource=resource)
    return Installed(stream, provider.get_tracer("test"), exporter)


@pytest.fixture
def logging_state() -> Iterator[None]:
    """Save and restore the root logger and every logger's handlers, levels and flags."""
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    saved = {
        name: (lg.level, list(lg.handlers), lg.propagate, lg.disabled)
        for name, lg in logging.Logger.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    yield
    uninstall_logging()
    hooks.clear()
    for handler in root.handlers[:]:
        if handler not in saved_root[1]:
            root.removeHandler(handler)
    root.setLevel(saved_root[0])
    for name, lg in logging.Logger.manager.loggerDict.items():
        if not isinstance(lg, logging.Logger):
            continue
        if name in saved:
            lg.level, handlers, lg.propagate, lg.disabled = saved[name]
            lg.handlers[:] = handlers
        else:
            lg.handlers.clear()
            lg.disabled = False


@pytest.fixture
def installed(logging_state: None) -> Installed:
    """otelward's logging with default settings (JSON)."""
    return install({})
