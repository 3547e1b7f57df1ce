"""Assemble the providers and pipelines from :class:`Settings` and tear them down within a deadline."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from otelward import _selfmetrics
from otelward._threads import TelemetryThread
from otelward.config import OtlpSignal, Settings

if TYPE_CHECKING:
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider

    from otelward.export import BatchExporter
    from otelward.export._pipelines import LogPipeline, SpanPipeline
    from otelward.management import Management
    from otelward.metrics._buckets import BucketProducer
    from otelward.metrics._exemplars import TraceLedger
    from otelward.redaction import RedactionEngine

__all__ = ["Runtime", "build_runtime"]

_log = logging.getLogger("otelward")


@dataclass
class Runtime:
    """Everything otelward started in this process, so it can be flushed and stopped as one."""

    settings: Settings
    tracer_provider: TracerProvider | None = None
    meter_provider: MeterProvider | None = None
    logger_provider: LoggerProvider | None = None
    span_pipeline: SpanPipeline | None = None
    log_pipeline: LogPipeline | None = None
    management: Management | None = None
    redactor: RedactionEngine | None = None
    red: BucketProducer | None = None
    """otelward's bucket histograms (RED durations), which its server instrumentation records into."""
    extra_shutdown: list[Callable[[], None]] = field(default_factory=list)
    _stopped: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def shutdown(self, timeout_s: float | None = None) -> float:
        """Flush and stop every signal in parallel; return the seconds it took (bounded by the timeout)."""
        with self._lock:
            if self._stopped:
                return 0.0
            self._stopped = True
        budget = self.settings.general.shutdown_timeout_s if timeout_s is None else timeout_s
        start = time.monotonic()
        if self.span_pipeline is not None:
            # Decide buffered traces first: log records held for undecided traces are released into the
            # log queue before it is closed, and both queues then flush in parallel.
            _quietly(self.span_pipeline.decide_pending)()
        deadline = start + budget
        steps: list[Callable[[], None]] = list(self.extra_shutdown)
        if self.management is not None:
            # A worker's last metrics snapshot is written here, on this thread: in the daemon thread below
            # it raced the process exit, and a worker replaced after --max-requests lost its last counts.
            _quietly(self.management.write_final)()
            # Not waited for: stopping the HTTP server waits for its poll loop (up to 0.5 s), and at exit
            # the daemon thread and the port go with the process anyway.
            TelemetryThread(_quietly(self.management.stop), name="otelward-shutdown").start()
        if self.tracer_provider is not None:
            steps.append(self.tracer_provider.shutdown)
        if self.logger_provider is not None:
            steps.append(self.logger_provider.shutdown)
        meter_provider = self.meter_provider
        if meter_provider is not None:
            steps.append(lambda: meter_provider.shutdown(timeout_millis=budget * 1000))
        threads = [TelemetryThread(_quietly(step), name="otelward-shutdown") for step in steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return time.monotonic() - start


def _quietly(step: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            step()
        except Exception:  # noqa: BLE001 - telemetry must never raise into the app
            _log.debug("otelward: shutdown step failed", exc_info=True)

    return run


def _on_drop(signal: str) -> Callable[[str, int], None]:
    def count(reason: str, n: int) -> None:
        _selfmetrics.add("otelward.dropped", n, {"signal": signal, "reason": reason})

    return count


def _queues(
    settings: Settings,
    cfg: OtlpSignal,
    make: Callable[[OtlpSignal, str], Any],
    transform: Callable[[list[Any]], list[Any]] | None,
    ledger: TraceLedger | None = None,
) -> list[BatchExporter[Any]]:
    """Return one bounded export queue per configured exporter of one signal."""
    from otelward.export import BatchExporter
    from otelward.export._sizes import log_size, span_size

    return [
        BatchExporter(
            cfg.signal,
            _recorded(_bind(make, cfg, kind), ledger),
            max_queue_size=settings.export.queue_size,
            max_batch_size=settings.export.batch_size,
            schedule_delay_s=settings.export.schedule_delay_s,
            transform=transform,
            on_drop=_on_drop(cfg.signal),
            max_queue_bytes=settings.export.queue_bytes,
            size=span_size if cfg.signal == "traces" else log_size,
        )
        for kind in cfg.exporters
    ]


def _bind(fn: Callable[[OtlpSignal, str], Any], cfg: OtlpSignal, kind: str) -> Callable[[], Any]:
    return lambda: fn(cfg, kind)


def _recorded(factory: Callable[[], Any], ledger: TraceLedger | None) -> Callable[[], Any]:
    # Exemplars may only name traces that reached a backend: the span exporter tells the ledger.
    if ledger is None:
        return factory
    from otelward.metrics._exemplars import ExportRecorder

    return lambda: ExportRecorder(factory(), ledger)


def _exemplar_transform(transform: Callable[[Any], Any] | None, ledger: TraceLedger) -> Callable[[Any], Any]:
    from otelward.metrics._exemplars import strip_unresolved

    def apply(data: Any) -> Any:
        data = strip_unresolved(data, ledger)
        return data if transform is None else transform(data)

    return apply


def _metric_readers(
    settings: Settings, redactor: RedactionEngine | None, ledger: TraceLedger, producer: BucketProducer
) -> list[Any]:
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    from otelward.export import metric_exporter
    from otelward.export._lazy_metrics import CUMULATIVE, LazyMetricExporter
    from otelward.metrics import build_readers
    from otelward.redaction import metrics_transform

    cfg = settings.metrics_export
    transform = _exemplar_transform(None if redactor is None else metrics_transform(redactor), ledger)
    readers: list[Any] = [
        PeriodicExportingMetricReader(
            LazyMetricExporter(
                _bind(lambda c, k: metric_exporter(c, k, CUMULATIVE), cfg, kind),
                on_failure=lambda n: _selfmetrics.add(
                    "otelward.dropped", n, {"signal": "metrics", "reason": "export_failed"}
                ),
                transform=transform,
                producer=producer,
            ),
            export_interval_millis=settings.metrics.export_interval_s * 1000,
            export_timeout_millis=cfg.timeout_s * 1000,
        )
        for kind in cfg.exporters
    ]
    return readers + build_readers(settings, redactor, ledger, producer)


def build_runtime(settings: Settings) -> Runtime:
    """Create and register the global tracer, meter and logger providers and otelward's pipelines."""
    from opentelemetry import metrics, trace
    from opentelemetry._logs import set_logger_provider
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider

    from otelward.export import log_exporter, span_exporter
    from otelward.export._pipelines import LogPipeline, SpanPipeline, log_sink
    from otelward.logs import install_logging
    from otelward.management import start_management
    from otelward.metrics import (
        build_exemplar_filter,
        build_red,
        build_span_observers,
        build_views,
        register_process_metrics,
    )
    from otelward.metrics._exemplars import TraceLedger
    from otelward.redaction import build_redactor, log_transform, span_transform
    from otelward.sampling import build_head_sampler, build_log_filters, build_selector
    from otelward.startup._resource import build_resource

    # One engine for every signal: one memo, user patterns compiled and reported once.
    redactor = build_redactor(settings)
    rt = Runtime(settings=settings, redactor=redactor)
    resource = build_resource(settings)
    timeout = settings.general.shutdown_timeout_s

    ledger = TraceLedger()
    red = rt.red = build_red(settings, ledger, resource)
    readers = _metric_readers(settings, redactor, ledger, red)
    meter_provider = rt.meter_provider = MeterProvider(
        resource=resource,
        metric_readers=readers,
        views=build_views(settings, ledger),
        exemplar_filter=build_exemplar_filter(settings),
        shutdown_on_exit=False,
    )
    metrics.set_meter_provider(meter_provider)
    _selfmetrics.create_counters()
    if settings.metrics.runtime_metrics:
        register_process_metrics(meter_provider)

    selector = build_selector(settings)
    # The tail sampler's verdicts let exemplar candidates of dropped traces go (None: the sampled flag).
    ledger.decision = getattr(selector, "decision", None)
    span_pipeline = rt.span_pipeline = SpanPipeline(
        observers=[
            *build_span_observers(settings, red),
            # before the server writes the access line: its path may hold a route-bound secret
            *([] if redactor is None else [redactor.observe_route_params]),
        ],
        selector=selector,
        queues=_queues(
            settings,
            settings.traces,
            span_exporter,
            None if redactor is None else span_transform(redactor),
            ledger,
        ),
        shutdown_timeout_s=timeout,
        lean_spans=settings.general.lean_spans,
    )
    tracer_provider = rt.tracer_provider = TracerProvider(
        sampler=build_head_sampler(settings), resource=resource, shutdown_on_exit=False
    )
    tracer_provider.add_span_processor(span_pipeline)
    trace.set_tracer_provider(tracer_provider)

    log_queues = _queues(
        settings, settings.logs_export, log_exporter, None if redactor is None else log_transform(redactor)
    )
    if log_queues:
        logger_provider = rt.logger_provider = LoggerProvider(resource=resource, shutdown_on_exit=False)
        filters = build_log_filters(settings, selector, log_sink(log_queues))
        rt.log_pipeline = LogPipeline(filters=filters, queues=log_queues, shutdown_timeout_s=timeout)
        logger_provider.add_log_record_processor(rt.log_pipeline)
        set_logger_provider(logger_provider)
    from otelward.logs._baggage import install_trusted_baggage
    from otelward.sampling._trust import Trust

    install_trusted_baggage(Trust(settings.general.trusted_hosts))
    install_logging(
        settings,
        rt.logger_provider,
        service_name=str(resource.attributes.get("service.name") or ""),
        redactor=redactor,
        resource=resource.attributes,
        log_pipeline=rt.log_pipeline,
    )

    rt.management = start_management(settings, readers=readers)
    if rt.management is not None:
        from otelward.startup._signals import on_sigterm, patch_signal_module

        # Readiness reports not-ready as soon as SIGTERM arrives, whoever handles the signal.
        patch_signal_module()
        on_sigterm(rt.management.drain)
    os.register_at_fork(after_in_child=lambda: _refresh_process_attributes(rt))
    return rt


def _refresh_process_attributes(rt: Runtime) -> None:
    # The SDK renews service.instance.id after a fork but keeps the parent's process.pid; a worker's
    # telemetry must name the worker.
    try:
        from opentelemetry.sdk.resources import Resource

        fresh = Resource({"process.pid": os.getpid(), "process.parent_pid": os.getppid()})
        for provider in (rt.tracer_provider, rt.meter_provider, rt.logger_provider):
            if provider is not None:
                provider._update_resource(fresh)
        if rt.tracer_provider is not None:
            from otelward.logs._resource import PROCESS_RESOURCE

            # console lines name the worker too (OTLP-JSON's resource: pid, renewed service.instance.id)
            PROCESS_RESOURCE.update(rt.tracer_provider.resource.attributes)
    except Exception:  # noqa: BLE001 - telemetry must never raise into the app
        _log.debug("otelward: could not refresh process attributes after fork", exc_info=True)
