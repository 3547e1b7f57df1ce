"""The JSON formatter's record path writes the same line as the event chain, for every record it takes."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import TracerProvider

from otelward.config import Settings
from otelward.logs._fields import REQUEST_KEY, RequestScope, install_fields, uninstall_fields
from otelward.logs._format import ChainFormatter, JsonFormatter
from otelward.logs._render import record_json
from otelward.logs._resource import LogResource
from otelward.redaction import build_redactor

_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=16)
# Secrets and near-secrets, so redaction changes some lines (the corpus has many more; a few suffice here).
_secretish = st.sampled_from(
    [
        "password=hunter2",
        "token: ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        "AKIAIOSFODNN7EXAMPLE",
        "card 4111 1111 1111 1111",
        "mail ada@example.com",
        "q=GITLAB_TOKEN%3Dglpat-0123456789abcdefghij",
        "served user 42",
        "",
    ]
)
_extra_value = (
    st.none() | st.booleans() | st.integers() | st.floats() | _text | _secretish | st.lists(st.integers())
)
_extras = st.dictionaries(
    st.sampled_from(["order_id", "password", "api_key", "user", "logger.name", "request_id"]) | _text,
    _extra_value,
    max_size=4,
)


@pytest.fixture(scope="module")
def formatters() -> dict[str, JsonFormatter]:
    redactor = build_redactor(Settings.from_env({}))
    resource = LogResource({"service.version": "1.2", "deployment.environment.name": "prod"})
    return {"redacted": JsonFormatter(redactor, resource), "plain": JsonFormatter(None)}


@pytest.fixture(scope="module", autouse=True)
def fields() -> Any:
    install_fields("shop")
    yield
    uninstall_fields()


_provider = TracerProvider()
# `extra=` may not use these (makeRecord raises KeyError)
_RESERVED = {*logging.LogRecord("", 0, "", 0, "", (), None).__dict__, "message", "asctime"}


@settings(max_examples=300, deadline=None)
@given(
    msg=_text | _secretish,
    args=st.one_of(st.just(()), st.tuples(_text | _secretish | st.integers())),
    extra=_extras,
    traced=st.booleans(),
    request_id=st.sampled_from(["", "req-1", "7f0c\u00e9"]),
    name=st.sampled_from(["shop", "shop.orders", "ünïcode\u2028"]),
    level=st.sampled_from([logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, 5]),
    which=st.sampled_from(["redacted", "plain"]),
)
def test_record_path_writes_the_event_chain_line(
    formatters: dict[str, JsonFormatter],
    msg: str,
    args: tuple[Any, ...],
    extra: dict[str, Any],
    traced: bool,
    request_id: str,
    name: str,
    level: int,
    which: str,
) -> None:
    if args and "%" not in msg:
        msg += " %s"
    logger = logging.getLogger(name)
    safe_extra = {k: v for k, v in extra.items() if k not in _RESERVED}

    def make() -> logging.LogRecord:
        return logger.makeRecord(name, level, "/app/shop.py", 12, msg, args, None, "checkout", safe_extra)

    token = None
    if request_id:  # a request scope, as the request-id hooks attach it
        token = otel_context.attach(
            otel_context.set_value(REQUEST_KEY, RequestScope(request_id, "00f067aa0ba902b7"))
        )
    try:
        if traced:
            with _provider.get_tracer("t").start_as_current_span("request"):
                record = make()
        else:
            record = make()
    finally:
        if token is not None:
            otel_context.detach(token)
    formatter = formatters[which]
    fast = formatter.format(record)
    reference = ChainFormatter.format(formatter, record)
    assert fast == reference


@pytest.mark.parametrize(
    ("change", "why"),
    [
        pytest.param({"exc_info": (ValueError, ValueError("x"), None)}, "exception", id="exception"),
        pytest.param({"stack_info": "Stack (most recent call last): ..."}, "stack", id="stack-info"),
        pytest.param({"msg": {"event": "structlog dict"}}, "not text", id="dict-message"),
        pytest.param({"lineno": None}, "odd type", id="no-line-number"),
        pytest.param({"threadName": None}, "odd type", id="no-thread-name"),
        pytest.param({"msg": "%d", "args": ("x",)}, "unformattable", id="unformattable-args"),
    ],
)
def test_records_the_record_path_leaves_to_the_chain(
    formatters: dict[str, JsonFormatter], change: dict[str, Any], why: str
) -> None:
    record = logging.getLogger("shop").makeRecord("shop", logging.INFO, "/a.py", 1, "hi", (), None, "f")
    record.__dict__.update(change)
    assert record_json(record, {}, None) is None, why
    # ... and the formatter still writes a line for it, through the chain.
    assert formatters["redacted"].format(record).startswith('{"timestamp":')


def _login_record() -> logging.LogRecord:
    return logging.getLogger("shop").makeRecord(
        "shop",
        logging.INFO,
        "/a.py",
        1,
        "login with password=%s",
        ("hunter2",),
        None,
        "f",
        {"api_key": "k-1"},
    )


def test_a_secret_in_the_message_and_extras_is_redacted_on_the_record_path(
    formatters: dict[str, JsonFormatter],
) -> None:
    record = _login_record()
    formatter = formatters["redacted"]
    assert (
        record_json(record, formatter._resource.attributes, formatter._steps) is not None
    )  # the record path
    line = formatter.format(record)
    assert "hunter2" not in line
    assert "k-1" not in line
    assert '"body":"login with password=[REDACTED' in line


def test_a_failing_line_redaction_falls_back_to_the_chain_which_fails_closed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The engine's one-call redaction raising anything: the line is still written, by the event chain,
    # whose steps redact field by field (and fail closed): no secret, no exception into the app.
    engine = build_redactor(Settings.from_env({}))
    assert engine is not None

    def broken(message: str, extra: dict[str, Any]) -> Any:
        raise RuntimeError("bug")

    engine.redact_line = broken  # type: ignore[method-assign]
    formatter = JsonFormatter(engine)
    record = _login_record()
    with caplog.at_level(logging.WARNING, logger="otelward.logs"):
        line = formatter.format(record)
    assert line == ChainFormatter(formatter.renderer, formatter.processors).format(record)
    assert "hunter2" not in line
    assert "k-1" not in line
    assert '"body":"login with password=[REDACTED' in line
    assert any("fell back to the event chain" in r.getMessage() for r in caplog.records)
