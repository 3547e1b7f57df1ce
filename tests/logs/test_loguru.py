"""loguru under otelward: ids in ``extra``, redacted output on every sink, one OTLP record per call."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from loguru import logger

from harness.app import REPO
from tests.logs.conftest import Installed, install

SECRET = "hunter2-planted"
CARD = "4111111111111111"


@pytest.fixture
def lg(logging_state: None) -> Iterator[Installed]:
    """otelward's logging installed (loguru already imported: the hook runs at once); sinks removed after."""
    logger.remove()
    installed = install({})
    yield installed
    logger.remove()
    logger.configure(patcher=lambda record: None)


def _ids(span: Any) -> tuple[str, str]:
    ctx = span.get_span_context()
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def _serialized(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line)["record"] for line in out.getvalue().splitlines()]


def test_fields_redaction_and_one_otlp_record(lg: Installed) -> None:
    serialized, plain = io.StringIO(), io.StringIO()
    logger.add(serialized, serialize=True)
    logger.add(plain, format="{level} {message} {extra[trace_id]} {extra}")
    with lg.tracer.start_as_current_span("work") as span:
        logger.bind(order=5).info("paid with card {}", CARD, password=SECRET)
    (record,) = _serialized(serialized)
    extra = record["extra"]
    assert (extra["trace_id"], extra["span_id"]) == _ids(span)
    assert extra["trace_flags"] in ("01", "03")
    assert extra["order"] == 5
    assert CARD not in serialized.getvalue()
    assert SECRET not in serialized.getvalue()
    line = plain.getvalue()
    assert line.startswith("INFO paid with card ")
    assert _ids(span)[0] in line
    assert CARD not in line
    assert SECRET not in line
    (exported,) = lg.exported.get_finished_logs()  # two sinks, one OTLP record
    otel = exported.log_record
    assert otel.severity_number.value == 9
    assert otel.severity_text == "INFO"
    assert format(otel.trace_id, "032x") == extra["trace_id"]
    assert otel.attributes is not None
    assert otel.attributes["order"] == 5
    assert otel.attributes["code.function.name"] == "test_fields_redaction_and_one_otlp_record"


@pytest.mark.parametrize(
    ("method", "number", "text"),
    # as for stdlib records: SUCCESS (25) is the INFO band's top, CRITICAL is sent as FATAL
    [("trace", 1, "TRACE"), ("debug", 5, "DEBUG"), ("success", 12, "SUCCESS"), ("critical", 21, "FATAL")],
    ids=["trace", "debug", "success", "critical"],
)
def test_severities(lg: Installed, method: str, number: int, text: str) -> None:
    logger.add(io.StringIO(), level="TRACE")
    getattr(logger, method)("level {}", method)
    (exported,) = lg.exported.get_finished_logs()
    assert (exported.log_record.severity_number.value, exported.log_record.severity_text) == (number, text)


def test_app_patcher_after_start_up_is_chained(lg: Installed) -> None:
    out = io.StringIO()
    logger.add(out, serialize=True)
    logger.configure(patcher=lambda record: record["extra"].update(app="patched"))
    with lg.tracer.start_as_current_span("work") as span:
        logger.info("both patchers")
    (record,) = _serialized(out)
    assert record["extra"]["app"] == "patched"
    assert record["extra"]["trace_id"] == _ids(span)[0]


def test_exception_message_redacted_on_the_sink(lg: Installed) -> None:
    out = io.StringIO()
    logger.add(out, format="{message}", backtrace=False, diagnose=False)
    try:
        raise RuntimeError(f"refused password={SECRET}")
    except RuntimeError:
        logger.exception("failed")
    assert "RuntimeError: refused password=" in out.getvalue()
    assert SECRET not in out.getvalue()
    (exported,) = lg.exported.get_finished_logs()
    assert exported.log_record.severity_text == "ERROR"


def test_intercepted_stdlib_record_is_exported_once(lg: Installed) -> None:
    class InterceptHandler(logging.Handler):  # loguru's documented recipe
        def emit(self, record: logging.LogRecord) -> None:
            logger.opt(depth=6, exception=record.exc_info).log(record.levelname, record.getMessage())

    out = io.StringIO()
    logger.add(out, format="{message}")
    std = logging.getLogger("t.intercept")
    std.propagate = False
    std.addHandler(InterceptHandler())
    std.warning("from stdlib")
    assert out.getvalue().strip() == "from stdlib"
    assert [r.log_record.body for r in lg.exported.get_finished_logs()] == ["from stdlib"]


def test_explicit_format_replaces_the_default_sink() -> None:
    code = (
        "from tests.logs.conftest import install\n"
        "installed = install({'OTELWARD_LOG_FORMAT': 'json'})\n"
        "from loguru import logger\n"
        "with installed.tracer.start_as_current_span('work'):\n"
        "    logger.warning('rendered by otelward', order=2)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.splitlines()
    doc = json.loads(line)
    assert doc["body"] == "rendered by otelward"
    assert doc["severity_text"] == "WARN"
    assert doc["attributes"]["order"] == 2
    assert len(doc["trace_id"]) == 32


def test_default_sink_keeps_loguru_format() -> None:
    code = (
        "from tests.logs.conftest import install\n"
        "installed = install({})\n"
        "from loguru import logger\n"
        f"logger.info('token {{}}', 'password={SECRET}')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.splitlines()
    assert " | INFO     | __main__:<module>:4 - token password=" in line
    assert SECRET not in line
