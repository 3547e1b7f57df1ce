"""Where the native Django instrumentation puts its middleware, and when it leaves Django alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[3]
_PROBE = """
import json
from django.conf import settings
from otelward.instrumentation.native import _django
_django.instrument()
_django.instrument()
print(json.dumps({"configured": settings.configured,
                  "middleware": list(settings.MIDDLEWARE) if settings.configured else None}))
"""


def _probe(settings_module: str | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELWARD_", "DJANGO_"))}
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_inserted_first_once_when_settings_are_not_loaded_yet() -> None:
    # Failed before the fix: settings.configured is False until a setting is read, so nothing was inserted
    # (the Django e2e test then saw no server span).
    got = _probe("tests.instrumentation.native._django_settings")
    middleware = got["middleware"]
    assert isinstance(middleware, list)
    assert middleware[0] == "otelward.instrumentation.native._django_middleware.OtelwardDjangoMiddleware"
    assert middleware.count(middleware[0]) == 1
    assert middleware[1:] == [
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]


@pytest.mark.parametrize("settings_module", [None, "no_such_settings_module"], ids=["unset", "missing"])
def test_no_settings_module_leaves_django_unconfigured(settings_module: str | None) -> None:
    assert _probe(settings_module) == {"configured": False, "middleware": None}
