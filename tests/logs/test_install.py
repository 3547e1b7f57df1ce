from __future__ import annotations

import json
import logging
import logging.config
import sys
import threading
import warnings
from typing import Any

import pytest

from otelward.logs import uninstall_logging
from tests.logs.conftest import install


def test_levels_come_from_the_environment_and_survive_dict_config(logging_state: None) -> None:
    install({"OTELWARD_LOG_LEVEL": "warning", "OTELWARD_LOG_LEVELS": "noisy.lib=error,myapp.db=debug"})
    assert logging.getLogger().level == logging.WARNING
    logging.config.dictConfig(
        {"version": 1, "disable_existing_loggers": False, "loggers": {"noisy.lib": {"level": "DEBUG"}}}
    )
    assert logging.getLogger("noisy.lib").level == logging.ERROR
    assert logging.getLogger("myapp.db").level == logging.DEBUG


def test_a_bad_level_spec_is_reported_by_name() -> None:
    from otelward.config import Settings

    settings = Settings.from_env({"OTELWARD_LOG_LEVELS": "myapp=loud"})
    assert any("OTELWARD_LOG_LEVELS" in p and "myapp=loud" in p for p in settings.problems)


def _records_of(name: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if f'"logger.name":"{name}"' in line
    ]


def _to_stdout(name: str) -> None:
    logger = logging.getLogger(name)
    logger.handlers[:] = [logging.StreamHandler(sys.stdout)]
    logger.propagate = False


def _main_thread_hook(err: BaseException) -> None:
    sys.excepthook(type(err), err, err.__traceback__)


def _other_thread_hook(err: BaseException) -> None:
    from otelward.logs._lastresort import thread_excepthook

    # pytest replaces threading.excepthook during tests, so otelward's hook is called as threading would.
    thread_excepthook(None)(
        threading.ExceptHookArgs((type(err), err, err.__traceback__, threading.Thread(name="worker-1")))
    )


@pytest.mark.parametrize(
    ("hook", "body"),
    [
        (_main_thread_hook, "Uncaught exception"),
        (_other_thread_hook, "Uncaught exception in thread worker-1"),
    ],
    ids=["main-thread", "other-thread"],
)
def test_uncaught_exceptions_become_one_fatal_record(
    logging_state: None, capsys: pytest.CaptureFixture[str], hook: Any, body: str
) -> None:
    install({})
    _to_stdout("py.exceptions")
    try:
        raise ValueError("unhandled")
    except ValueError as err:
        caught = err
    hook(caught)
    (rec,) = _records_of("py.exceptions", capsys)
    assert rec["body"] == body
    assert rec["severity_text"] == "FATAL"
    assert rec["attributes"]["exception.type"] == "ValueError"
    assert rec["attributes"]["exception.message"] == "unhandled"


def test_warnings_are_logged_as_records(logging_state: None, capsys: pytest.CaptureFixture[str]) -> None:
    install({})
    _to_stdout("py.warnings")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("deprecated thing", UserWarning, stacklevel=1)
    (rec,) = _records_of("py.warnings", capsys)
    assert rec["body"] == "UserWarning: deprecated thing"
    assert rec["attributes"]["code.file.path"] == __file__
    assert rec["severity_text"] == "WARN"


def test_uninstall_restores_the_stdlib(logging_state: None) -> None:
    originals = (
        logging.Logger.makeRecord,
        logging.Logger.callHandlers,
        logging.lastResort,
        logging.config.dictConfig,
        logging.basicConfig,
        sys.excepthook,
    )
    install({})
    install({})  # idempotent
    uninstall_logging()
    assert "format" not in logging.StreamHandler.__dict__
    assert (
        logging.Logger.makeRecord,
        logging.Logger.callHandlers,
        logging.lastResort,
        logging.config.dictConfig,
        logging.basicConfig,
        sys.excepthook,
    ) == originals


@pytest.mark.parametrize("fmt", ["json", "ecs", "text"])
def test_one_line_per_record_in_every_format(logging_state: None, fmt: str) -> None:
    inst = install({"OTELWARD_LOG_FORMAT": fmt})
    log = inst.logger()
    for i in range(5):
        log.info("line %d", i)
    assert len(inst.lines()) == 5


def test_malformed_tracestate_warnings_are_one_rate_limited_line(
    logging_state: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # The OTel API logged a warning quoting the raw header for every request with a malformed tracestate.
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    install({})
    _to_stdout("opentelemetry.trace.span")
    propagator = TraceContextTextMapPropagator()
    for i in range(50):
        propagator.extract(
            {
                "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "tracestate": f"ok=1,Secret-Token-{i}=hunter2",
            }
        )
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Secret-Token" not in text
    assert text.count("ignored malformed or oversized trace context") == 1
