"""Issue 16 item 4: a project as ``django-admin startproject`` generates it, under gunicorn, unmodified.

No ``DJANGO_SETTINGS_MODULE`` is exported: ``wsgi.py`` sets it after ``import django``. Under otelward the
project answers exactly as without it, and its requests are traced.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.app import base_env, bin_path, serve
from harness.collector import Collector, free_port

pytestmark = pytest.mark.integration

PATHS = ("/", "/admin/login/", "/admin/", "/nope/")


def _answers(argv: list[str], env: dict[str, str], port: int, cwd: Path, instrument: bool) -> list[int]:
    with serve(argv, env, port, cwd=cwd, instrument=instrument, startup_timeout_s=60) as app:
        return [app.get(path)[0] for path in PATHS]


def test_generated_project_answers_as_without_otelward(collector: Collector, tmp_path: Path) -> None:
    created = subprocess.run(
        [bin_path("django-admin"), "startproject", "mysite", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    env = base_env(collector, OTEL_SERVICE_NAME="mysite", OTELWARD_SAMPLING="off", PYTHONPATH=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    port = free_port()
    argv = ["gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "mysite.wsgi:application"]
    bare = _answers(argv, env, port, tmp_path, instrument=False)
    # "/" is the install-worked page, /admin/ redirects (followed) to the login page, /nope/ is a 404.
    assert bare == [200, 200, 200, 404]
    assert _answers(argv, env, port, tmp_path, instrument=True) == bare
    # /admin/login/ twice: asked for, and the end of /admin/'s redirect
    received = collector.wait_for(lambda r: len(r.spans_named("GET admin/login/")) == 2, timeout_s=30)
    login = received.spans_named("GET admin/login/")[0]
    assert login["kind"] == "SPAN_KIND_SERVER"
    assert login["attributes"]["http.route"] == "admin/login/"
