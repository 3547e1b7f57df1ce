"""``otelward run``: a bad invocation is one clear line and an exit status; a good one replaces the process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from otelward.cli import main
from otelward.startup._boot import BOOTSTRAP_DIR, without_bootstrap


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["run"], 2, "otelward run: no command given; usage: otelward run -- python app.py"),
        (["run", "--"], 2, "otelward run: no command given; usage: otelward run -- python app.py"),
        (["run", "--", "no-such-command-x"], 127, "otelward run: command not found: 'no-such-command-x'"),
    ],
    ids=["nothing", "only-dashes", "not-found"],
)
def test_bad_invocations_name_the_problem(
    argv: list[str], status: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == status
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_the_command_runs_with_the_bootstrap_first_and_its_status_kept() -> None:
    code = "import os, sys; print(os.environ['PYTHONPATH']); sys.exit(3)"
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": "/elsewhere", "OTEL_SDK_DISABLED": "true"}
    launcher = [sys.executable, "-c", "import sys; from otelward.cli import main; sys.exit(main())"]
    done = subprocess.run(
        [*launcher, "run", "--", "env", "-u", "PYTHONHOME", "printenv", "PYTHONPATH"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == f"{BOOTSTRAP_DIR}{os.pathsep}/elsewhere"
    script = subprocess.run(
        [*launcher, "run", "--", sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 3
    # put back after start-up: Python programs the app starts (spawned workers) start otelward too
    assert script.stdout.strip() == f"{BOOTSTRAP_DIR}{os.pathsep}/elsewhere"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (BOOTSTRAP_DIR, ""),
        (f"{BOOTSTRAP_DIR}{os.pathsep}/a{os.pathsep}/b", f"/a{os.pathsep}/b"),
        (f"/a{os.pathsep}{BOOTSTRAP_DIR}/{os.pathsep}", "/a"),
        ("", ""),
    ],
    ids=["alone", "first", "trailing-slash-and-empty", "empty"],
)
def test_without_bootstrap(value: str, expected: str) -> None:
    assert without_bootstrap(value) == expected
