from __future__ import annotations

import logging
import logging.config
import threading
import warnings

from tests.logs.conftest import Installed


def test_every_handled_record_is_exported_once_with_its_span(installed: Installed) -> None:
    log = installed.logger()
    with installed.tracer.start_as_current_span("work") as span:
        log.info("one", extra={"order": 1})
    (record,) = installed.exported.get_finished_logs()
    ctx = span.get_span_context()
    assert record.log_record.body == "one"
    assert (record.log_record.trace_id, record.log_record.span_id) == (ctx.trace_id, ctx.span_id)
    assert record.log_record.attributes["order"] == 1


def test_export_survives_dict_config_and_non_propagating_loggers(installed: Installed) -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"null": {"class": "logging.NullHandler"}},
            "root": {"handlers": ["null"], "level": "INFO"},
            "loggers": {"uvicorn.error": {"handlers": ["null"], "propagate": False}},
        }
    )
    logging.getLogger("app.x").info("propagating")
    logging.getLogger("uvicorn.error").info("not propagating")
    assert installed.exported_bodies() == ["propagating", "not propagating"]


def test_records_below_the_logger_level_are_not_exported(installed: Installed) -> None:
    log = installed.logger()
    log.setLevel(logging.WARNING)
    log.info("dropped")
    log.warning("kept")
    assert installed.exported_bodies() == ["kept"]


def test_telemetry_records_are_never_exported(installed: Installed) -> None:
    logging.getLogger("otelward.export").warning("exporter failed")
    logging.getLogger("opentelemetry.sdk").warning("sdk says")
    done = threading.Event()

    def worker() -> None:
        logging.getLogger("app.in.export.thread").warning("from the export thread")
        done.set()

    threading.Thread(target=worker, name="otelward-export-logs").start()
    assert done.wait(5)
    assert installed.exported_bodies() == []


def test_an_exporter_that_logs_does_not_recurse(installed: Installed) -> None:
    class Chatty:
        def export(self, batch: object) -> None:
            logging.getLogger("opentelemetry.exporter").error("export failed")

    calls = []
    original = installed.exported.export

    def export(batch: object) -> object:
        calls.append(batch)
        Chatty().export(batch)
        return original(batch)  # type: ignore[arg-type]

    installed.exported.export = export  # type: ignore[method-assign]
    installed.logger().info("once")
    assert len(calls) == 1
    assert installed.exported_bodies() == ["once"]


def test_a_second_otel_logging_handler_is_removed(logging_state: None) -> None:
    from opentelemetry.sdk._logs import LoggingHandler

    from tests.logs.conftest import install

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        stock = LoggingHandler()
    logging.getLogger().addHandler(stock)
    install({})
    assert stock not in logging.getLogger().handlers
