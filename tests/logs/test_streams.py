"""Console detection follows wrappers to what really writes: proxies, fan-outs, ``.stream``/``.buffer`` chains.

Issue 17, cause 1: Flask's ``default_handler`` writes to a werkzeug ``LocalProxy`` that resolves, under
gunicorn, to a ``WSGIErrorsWrapper`` with no file descriptor; otelward took it for "not the console",
cached that, and let the traceback (secret included) reach stderr as plain, unredacted text.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.http.wsgi import WSGIErrorsWrapper
from werkzeug.local import LocalProxy

from otelward.logs._console import is_console
from otelward.logs._streams import console_target
from tests.logs.conftest import Installed

SECRET = "ghp_" + "Zk3fQ9wLmT2xR7vB1nC8dE4hJ6pS0aYuXo5i"


class Wrapped:
    """A colorama/click-style wrapper exposing its target as ``wrapped``."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def write(self, text: str) -> int:
        return int(self.wrapped.write(text))

    def flush(self) -> None:
        self.wrapped.flush()


def _gunicorn_errors() -> WSGIErrorsWrapper:
    return WSGIErrorsWrapper(SimpleNamespace(errorlog="-"))


CONSOLE = [
    ("stderr", lambda: sys.stderr),
    ("stdout", lambda: sys.stdout),
    ("dunder-stderr", lambda: sys.__stderr__),
    ("local-proxy", lambda: LocalProxy(lambda: sys.stderr)),
    ("gunicorn-wsgi-errors", _gunicorn_errors),
    ("proxy-to-gunicorn", lambda: LocalProxy(_gunicorn_errors)),
    ("wrapped-chain", lambda: Wrapped(Wrapped(sys.stderr))),
    ("stream-attr", lambda: SimpleNamespace(stream=sys.stdout, write=sys.stdout.write)),
    ("binary-buffer", lambda: sys.__stderr__.buffer),  # type: ignore[union-attr]
]
NOT_CONSOLE = [
    ("stringio", io.StringIO),
    ("wrapped-stringio", lambda: Wrapped(io.StringIO())),
    ("proxy-to-stringio", lambda: LocalProxy(io.StringIO)),
]


@pytest.mark.parametrize("make", [c[1] for c in CONSOLE], ids=[c[0] for c in CONSOLE])
def test_streams_that_end_on_stdout_or_stderr_are_the_console(make: Any) -> None:
    stream = make()
    assert console_target(stream)[0] is True
    assert is_console(logging.StreamHandler(stream))


def test_a_duplicate_of_fd_2_is_the_console() -> None:
    with os.fdopen(os.dup(2), "w", closefd=True) as stream:
        assert is_console(logging.StreamHandler(stream))


@pytest.mark.parametrize("make", [c[1] for c in NOT_CONSOLE], ids=[c[0] for c in NOT_CONSOLE])
def test_other_streams_are_not(make: Any) -> None:
    assert is_console(logging.StreamHandler(make())) is False


def test_a_file_is_not_the_console_and_that_answer_is_kept(tmp_path: Any) -> None:
    with (tmp_path / "app.log").open("w") as f:
        handler = logging.StreamHandler(f)
        assert is_console(handler) is False
        assert console_target(f) == (False, True)


def test_a_proxy_answer_is_never_cached() -> None:
    # Outside a request Flask's proxy resolves to sys.stderr, inside one to the server's errors stream:
    # an answer taken once must not stick.
    target: list[Any] = [io.StringIO()]
    handler = logging.StreamHandler(LocalProxy(lambda: target[0]))  # type: ignore[arg-type]
    assert is_console(handler) is False
    target[0] = sys.stderr
    assert is_console(handler) is True


def test_flask_style_handler_under_gunicorn_logs_redacted_json(
    installed: Installed, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = _gunicorn_errors()  # holds the (captured) sys.stderr, like gunicorn does per request
    handler = logging.StreamHandler(LocalProxy(lambda: errors))  # type: ignore[arg-type]
    log = installed.logger()
    log.addHandler(handler)
    try:
        raise RuntimeError(f"upstream refused token {SECRET}")
    except RuntimeError:
        log.exception("Exception on /boom [GET]")
    err = capsys.readouterr().err
    assert SECRET not in err
    assert SECRET[8:] not in err
    (record,) = [json.loads(line) for line in err.splitlines()]
    assert record["body"] == "Exception on /boom [GET]"
    assert record["attributes"]["exception.message"] == "upstream refused token [REDACTED]"
    assert "[REDACTED]" in record["attributes"]["exception.stacktrace"]
