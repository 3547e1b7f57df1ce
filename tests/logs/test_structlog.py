"""structlog under otelward: ids and redaction before the app's renderer, one OTLP record per event."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st

from harness.app import REPO
from tests.logs.conftest import Installed, install

SECRET = "hunter2-planted"
CARD = "4111111111111111"


@pytest.fixture
def sl(logging_state: None) -> Iterator[Installed]:
    """otelward's logging installed (structlog already imported: the hook runs at once), reset after."""
    structlog.reset_defaults()
    installed = install({})
    yield installed
    structlog.reset_defaults()


def _ids(installed: Installed, span: Any) -> tuple[str, str]:
    ctx = span.get_span_context()
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def _configure_json(out: Any, factory: Any = None) -> None:
    as_bytes = isinstance(out, io.BytesIO)
    renderer = structlog.processors.JSONRenderer(
        serializer=(lambda obj, **kw: json.dumps(obj, **kw).encode()) if as_bytes else json.dumps
    )
    structlog.configure(
        processors=[structlog.processors.add_log_level, renderer],
        logger_factory=factory or structlog.PrintLoggerFactory(out),
    )


@pytest.mark.parametrize(
    ("factory", "decode"),
    [
        (structlog.PrintLoggerFactory, lambda out: out.getvalue()),
        (structlog.WriteLoggerFactory, lambda out: out.getvalue()),
        (structlog.BytesLoggerFactory, lambda out: out.getvalue().decode()),
    ],
    ids=["PrintLogger", "WriteLogger", "BytesLogger"],
)
def test_native_logger_gets_ids_redaction_and_one_otlp_record(
    sl: Installed, factory: Any, decode: Any
) -> None:
    out: Any = io.BytesIO() if factory is structlog.BytesLoggerFactory else io.StringIO()
    _configure_json(out, factory(out))  # configured after start-up, as apps do
    log = structlog.get_logger("shop")
    with sl.tracer.start_as_current_span("work") as span:
        log.info("paid", password=SECRET, note=f"card {CARD}", order=7)
    (line,) = decode(out).splitlines()
    doc = json.loads(line)
    # the app's renderer and keys, with otelward's fields added
    assert set(doc) == {"event", "level", "password", "note", "order", "trace_id", "span_id", "trace_flags"}
    assert (doc["trace_id"], doc["span_id"]) == _ids(sl, span)
    assert SECRET not in line
    assert CARD not in line
    assert doc["order"] == 7
    (record,) = sl.exported.get_finished_logs()
    otel = record.log_record
    assert otel.body == "paid"
    assert otel.severity_text == "INFO"
    assert otel.severity_number.value == 9
    assert format(otel.trace_id, "032x") == doc["trace_id"]
    assert otel.attributes is not None
    assert otel.attributes["order"] == 7
    assert "trace_id" not in otel.attributes


def test_default_chain_before_any_configure(sl: Installed, capsys: pytest.CaptureFixture[str]) -> None:
    log = structlog.get_logger()
    with sl.tracer.start_as_current_span("work") as span:
        log.warning("default chain", api_key=SECRET)
    text = capsys.readouterr().out
    assert _ids(sl, span)[0] in text
    assert SECRET not in text
    assert "default chain" in text
    assert [r.log_record.severity_text for r in sl.exported.get_finished_logs()] == ["WARN"]


def test_reconfigure_keeps_one_processor(sl: Installed) -> None:
    out = io.StringIO()
    _configure_json(out)
    structlog.configure(processors=structlog.get_config()["processors"])  # what apps do to extend
    structlog.reset_defaults()
    structlog.configure_once(
        processors=[structlog.processors.JSONRenderer()], logger_factory=structlog.PrintLoggerFactory(out)
    )
    chain = structlog.get_config()["processors"]
    assert sum(type(p).__name__ == "OtelwardProcessor" for p in chain) == 1
    assert type(chain[-1]).__name__ == "JSONRenderer"
    structlog.get_logger().info("once")
    assert len(sl.exported.get_finished_logs()) == 1


def test_wrap_logger_with_explicit_processors(sl: Installed) -> None:
    out = io.StringIO()
    log = structlog.wrap_logger(structlog.PrintLogger(out), processors=[structlog.processors.JSONRenderer()])
    with sl.tracer.start_as_current_span("work") as span:
        log.info("wrapped", token=SECRET)
    doc = json.loads(out.getvalue())
    assert doc["trace_id"] == _ids(sl, span)[0]
    assert doc["token"] != SECRET


def test_app_bound_request_id_wins(sl: Installed) -> None:
    out = io.StringIO()
    _configure_json(out)
    structlog.get_logger().bind(request_id="mine").info("bound")
    assert json.loads(out.getvalue())["request_id"] == "mine"


def test_exception_text_redacted(sl: Installed) -> None:
    out = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    try:
        raise RuntimeError(f"refused password={SECRET}")
    except RuntimeError:
        structlog.get_logger().exception("failed")
    assert SECRET not in out.getvalue()
    (record,) = sl.exported.get_finished_logs()
    assert record.log_record.severity_text == "ERROR"


def _stdlib_config(stream: io.StringIO) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structlog": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processor": structlog.processors.JSONRenderer(),
                "foreign_pre_chain": [structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name],
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structlog", "stream": stream}
        },
        "root": {"handlers": ["console"], "level": "INFO"},
    }


def test_stdlib_integration_with_dictconfig(sl: Installed, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    # the handler writes to "stdout": otelward's console takeover applies to it unless the formatter is kept
    monkeypatch.setattr(sys, "stdout", stream)
    logging.config.dictConfig(_stdlib_config(stream))
    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
    )
    with sl.tracer.start_as_current_span("work") as span:
        structlog.get_logger("shop.sl").info("via stdlib", password=SECRET, order=3)
        logging.getLogger("shop.plain").warning("foreign %s", f"card {CARD}")
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert len(lines) == 2
    assert lines[0]["event"] == "via stdlib"
    assert lines[1]["event"].startswith("foreign card ")
    for doc in lines:
        assert (doc["trace_id"], doc["span_id"]) == _ids(sl, span)
        assert "body" not in doc  # structlog's renderer, not otelward's
    assert SECRET not in stream.getvalue()
    assert CARD not in stream.getvalue()
    exported = {r.log_record.body: r.log_record for r in sl.exported.get_finished_logs()}
    assert len(sl.exported.get_finished_logs()) == 2
    assert exported["via stdlib"].attributes is not None
    assert exported["via stdlib"].attributes["order"] == 3
    assert "_logger" not in exported["via stdlib"].attributes


def test_explicit_format_uses_otelward_renderer(logging_state: None) -> None:
    structlog.reset_defaults()
    installed = install({"OTELWARD_LOG_FORMAT": "json"})
    try:
        out = io.StringIO()
        _configure_json(out)
        with installed.tracer.start_as_current_span("work"):
            structlog.get_logger().error("rendered by otelward", order=1)
        doc = json.loads(out.getvalue())
        assert doc["body"] == "rendered by otelward"
        assert doc["severity_text"] == "ERROR"
        assert doc["attributes"]["order"] == 1
        assert len(doc["trace_id"]) == 32
    finally:
        structlog.reset_defaults()


def test_nothing_imported_unless_the_app_imports_structlog() -> None:
    code = (
        "import sys\n"
        "from tests.logs.conftest import install\n"
        "install({})\n"
        "bad = [m for m in ('structlog', 'loguru', 'otelward.logs._structlog', 'otelward.logs._loguru') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
        "import structlog\n"
        "assert 'otelward.logs._structlog' in sys.modules\n"
        "assert 'otelward.logs._loguru' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_explicit_format_on_stdlib_integration(logging_state: None, monkeypatch: pytest.MonkeyPatch) -> None:
    structlog.reset_defaults()
    installed = install({"OTELWARD_LOG_FORMAT": "json"})
    try:
        stream = io.StringIO()
        monkeypatch.setattr(sys, "stdout", stream)
        logging.config.dictConfig(_stdlib_config(stream))
        structlog.configure(
            processors=[
                structlog.stdlib.add_log_level,
                structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
            ],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
        )
        with installed.tracer.start_as_current_span("work") as span:
            structlog.get_logger("shop.sl").info("via stdlib", password=SECRET, order=3)
        (doc,) = [json.loads(x) for x in stream.getvalue().splitlines()]
        assert doc["body"] == "via stdlib"  # otelward's stdlib console format, the event as the body
        assert doc["trace_id"] == _ids(installed, span)[0]
        assert doc["attributes"]["order"] == 3
        assert "_logger" not in doc["attributes"]
        assert SECRET not in stream.getvalue()
    finally:
        structlog.reset_defaults()


def test_explicit_format_on_bytes_logger(logging_state: None) -> None:
    structlog.reset_defaults()
    install({"OTELWARD_LOG_FORMAT": "text"})
    try:
        out = io.BytesIO()
        _configure_json(out, structlog.BytesLoggerFactory(out))
        structlog.get_logger().info("as bytes", order=4)
        line = out.getvalue().decode()
        assert " INFO     structlog: as bytes order=4" in line
    finally:
        structlog.reset_defaults()


def test_console_renderer_traceback_redacted(sl: Installed) -> None:
    out = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.dev.ConsoleRenderer(colors=False)],
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    try:
        raise ValueError(f"refused password={SECRET}")
    except ValueError:
        structlog.get_logger().exception("failed")
    text = out.getvalue()
    assert "ValueError: refused password=" in text  # same exception name, the traceback still rendered
    assert "test_console_renderer_traceback_redacted" in text
    assert SECRET not in text


@given(st.lists(st.sampled_from(["a", "b", "c", "ours"]), min_size=1, max_size=8))
def test_with_processor_inserts_once_before_the_renderer(names: list[str]) -> None:
    from otelward.logs._libs import LibContext
    from otelward.logs._structlog import OtelwardProcessor, with_processor

    ctx = LibContext("svc", None, None)
    chain = [OtelwardProcessor(ctx) if n == "ours" else _Named(n) for n in names]
    once = with_processor(chain, ctx)
    twice = with_processor(once, ctx)
    app = [p for p in chain if not isinstance(p, OtelwardProcessor)]
    for result in (once, twice):
        if not app:
            continue
        assert sum(isinstance(p, OtelwardProcessor) for p in result) == 1
        assert [
            p for p in result if not isinstance(p, OtelwardProcessor)
        ] == app  # the app's order, unchanged
        assert result[-1] is app[-1]  # the renderer stays last
        assert isinstance(result[-2], OtelwardProcessor)


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, logger: Any, method_name: str, event_dict: Any) -> Any:
        return event_dict


@pytest.mark.parametrize(
    "make", [tuple, list, lambda procs: (p for p in procs)], ids=["tuple", "list", "generator"]
)
def test_any_iterable_chain(sl: Installed, make: Any) -> None:
    out = io.StringIO()
    structlog.configure(
        processors=make([structlog.processors.add_log_level, structlog.processors.JSONRenderer()]),
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    with sl.tracer.start_as_current_span("work") as span:
        structlog.get_logger().info("iterable", password=SECRET)
    doc = json.loads(out.getvalue())
    assert doc["trace_id"] == _ids(sl, span)[0]
    assert doc["password"] != SECRET
