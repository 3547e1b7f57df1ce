"""SIGTERM handling is invisible to the app: getsignal/signal report what the app installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from harness.app import base_env

SCRIPT = textwrap.dedent(
    """
    import signal
    from otelward.startup.configurator import configure

    configure()
    print("default", signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)

    def app_handler(signum, frame):
        pass

    previous = signal.signal(signal.SIGTERM, app_handler)
    print("previous", previous is signal.SIG_DFL)
    print("mine", signal.getsignal(signal.SIGTERM) is app_handler)
    print("again", signal.signal(signal.SIGTERM, signal.SIG_DFL) is app_handler)
    """
)


def test_getsignal_and_signal_return_what_the_app_installed() -> None:
    # getsignal used to return otelward's handler (or its drain wrapper) instead of the app's.
    env = base_env(None, OTEL_TRACES_EXPORTER="none", OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout.split("\n")
    assert out[:4] == ["default True", "previous True", "mine True", "again True"]


@pytest.mark.parametrize("management", ["true", "false"], ids=["management-on", "management-off"])
def test_sigterm_to_a_script_flushes_and_dies_by_the_signal(management: str) -> None:
    script = "import time; from otelward.startup.configurator import configure; configure(); print('up', flush=True); time.sleep(30)"
    env = base_env(
        None,
        OTEL_TRACES_EXPORTER="none",
        OTEL_METRICS_EXPORTER="none",
        OTEL_LOGS_EXPORTER="none",
        OTELWARD_MANAGEMENT_ENABLED=management,
    )
    with subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "up"
        proc.terminate()
        assert proc.wait(timeout=20) == -15
