"""The interpreter's last-resort paths print nothing of a secret: they go through the redaction engine.

Run in a child interpreter: pytest replaces ``threading.excepthook`` and ``sys.unraisablehook`` in its
own process, so only a fresh interpreter shows what an app's stderr really receives.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SECRET = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dcQ2"

_PRELUDE = f"""
import logging, sys, threading
from otelward.config import Settings
from otelward.logs import install_logging
install_logging(Settings.from_env({{}}), None, service_name="svc")
SECRET = {SECRET!r}
"""

CASES = {
    "uncaught": "raise RuntimeError('charge failed with ' + SECRET)",
    "uncaught-logger-disabled": (
        "logging.getLogger('py.exceptions').disabled = True\n"
        "raise RuntimeError('charge failed with ' + SECRET)"
    ),
    "thread": (
        "def work():\n    raise RuntimeError('charge failed with ' + SECRET)\n"
        "t = threading.Thread(target=work, name='w1'); t.start(); t.join()"
    ),
    "unraisable": (
        "class Conn:\n    def __del__(self):\n        raise RuntimeError('close failed for ' + SECRET)\n"
        "c = Conn(); del c"
    ),
    "unraisable-logger-disabled": (
        "logging.getLogger('py.exceptions').disabled = True\n"
        "class Conn:\n    def __del__(self):\n        raise RuntimeError('close failed for ' + SECRET)\n"
        "c = Conn(); del c"
    ),
    "logging-error": (
        "import tempfile\n"
        "h = logging.FileHandler(tempfile.mktemp()); h.setFormatter(logging.Formatter('%(message)s'))\n"
        "log = logging.getLogger('to.file'); log.propagate = False; log.addHandler(h)\n"
        "log.warning('charge failed for %d', SECRET)"
    ),
    "last-resort": (
        "log = logging.getLogger('no.handler'); log.propagate = False\n"
        "try:\n    raise RuntimeError('charge failed with ' + SECRET)\n"
        "except RuntimeError:\n    log.exception('payment')"
    ),
}


def _run(body: str) -> subprocess.CompletedProcess[str]:
    code = _PRELUDE + textwrap.dedent(body) + "\n"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("body", list(CASES.values()), ids=list(CASES))
def test_no_trace_of_the_secret_on_the_console(body: str) -> None:
    proc = _run(body)
    output = proc.stdout + proc.stderr
    assert "failed" in output  # the error itself is reported
    assert SECRET not in output
    assert SECRET[8:20] not in output
    assert "[REDACTED]" in output


@pytest.mark.parametrize("case", ["uncaught", "thread", "unraisable"])
def test_hooks_log_one_json_record(case: str) -> None:
    proc = _run(CASES[case])
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    (record,) = [json.loads(line) for line in lines]
    assert record["attributes"]["logger.name"] == "py.exceptions"
    assert record["attributes"]["exception.type"] == "RuntimeError"
    assert record["attributes"]["exception.message"].endswith("[REDACTED]")
