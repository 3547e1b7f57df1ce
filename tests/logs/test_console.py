from __future__ import annotations

import json
import logging
import logging.config
from pathlib import Path

import pytest

from tests.logs.conftest import Installed, install


def _dict_config(stream: str, **extra: object) -> dict[str, object]:
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(levelname)s %(message)s"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "stream": stream, "formatter": "plain"}},
        "root": {"handlers": ["console"], "level": "INFO"},
        **extra,
    }


def test_dict_config_replacing_root_handlers_still_gives_json(
    installed: Installed, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.config.dictConfig(_dict_config("ext://sys.stderr", disable_existing_loggers=False))
    log = logging.getLogger("app.after.dictconfig")
    with installed.tracer.start_as_current_span("work") as span:
        log.info("hello")
    err = capsys.readouterr().err.splitlines()
    mine = [json.loads(line) for line in err if '"hello"' in line]
    assert len(mine) == 1
    assert mine[0]["span_id"] == format(span.get_span_context().span_id, "016x")


def test_disable_existing_loggers_does_not_silence_otelward(installed: Installed) -> None:
    logging.getLogger("otelward.logs.probe")
    logging.config.dictConfig(_dict_config("ext://sys.stdout"))
    assert not logging.getLogger("otelward.logs.probe").disabled


def test_file_config_console_handler_gives_json(
    installed: Installed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ini = tmp_path / "logging.ini"
    ini.write_text(
        "[loggers]\nkeys=root\n[handlers]\nkeys=console\n[formatters]\nkeys=plain\n"
        "[logger_root]\nlevel=INFO\nhandlers=console\n"
        "[handler_console]\nclass=StreamHandler\nformatter=plain\nargs=(sys.stdout,)\n"
        "[formatter_plain]\nformat=%(levelname)s %(message)s\n",
        encoding="utf-8",
    )
    logging.config.fileConfig(ini, disable_existing_loggers=False)
    logging.getLogger("app.fileconfig").warning("from fileConfig")
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "fileConfig" in line]
    assert [r["body"] for r in out] == ["from fileConfig"]


def test_file_handlers_keep_the_app_format_with_fields(installed: Installed, tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s trace=%(trace_id)s %(message)s"))
    log = installed.logger()
    log.addHandler(handler)
    with installed.tracer.start_as_current_span("work") as span:
        log.info("to file")
    handler.close()
    assert path.read_text(encoding="utf-8") == f"INFO trace={span.get_span_context().trace_id:032x} to file\n"


def test_off_leaves_the_app_formatting_alone(logging_state: None, capsys: pytest.CaptureFixture[str]) -> None:
    inst = install({"OTELWARD_LOG_FORMAT": "off"})
    log = inst.logger()
    handler = logging.StreamHandler()  # stderr, the console
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s [%(trace_id)s]"))
    log.addHandler(handler)
    with inst.tracer.start_as_current_span("work") as span:
        log.info("plain")
    assert capsys.readouterr().err == f"INFO plain [{span.get_span_context().trace_id:032x}]\n"
    assert inst.lines() == []


def test_a_logger_without_handlers_is_not_lost_below_warning(installed: Installed) -> None:
    installed.logger().info("info line with no handler anywhere")
    assert [r["body"] for r in installed.records()] == ["info line with no handler anywhere"]


def test_stream_setting_selects_stderr_for_the_fallback(
    logging_state: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from otelward.config import Settings
    from otelward.logs import install_logging

    install_logging(Settings.from_env({"OTELWARD_LOG_STREAM": "stderr"}), None, service_name="svc")
    log = logging.getLogger("t.stream.stderr")
    log.propagate = False
    log.info("to stderr")
    captured = capsys.readouterr()
    assert '"to stderr"' in captured.err
    assert captured.out == ""
