"""Run a parity scenario (``_parity_child``) under upstream's instrumentation and under otelward's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["run_both", "without"]

REPO = Path(__file__).resolve().parents[3]


def _run(suite: str, mode: str, extra_env: Mapping[str, str]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELWARD_"))}
    env.update(extra_env)
    out = subprocess.run(
        [sys.executable, "-m", "tests.instrumentation.native._parity_child", suite, mode],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_both(suite: str, extra_env: Mapping[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the (upstream, native) results of ``suite``, each from its own process."""
    return _run(suite, "upstream", extra_env or {}), _run(suite, "native", extra_env or {})


def without(attributes: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    """Return ``attributes`` without the documented ``keys``."""
    return {k: v for k, v in attributes.items() if k not in keys}
