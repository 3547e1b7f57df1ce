"""Installing instrumentations: otelward's extras agree with `opentelemetry-bootstrap`, and `otelward doctor`
shows every covered instrumentation as active."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from harness.app import base_env, bin_path

# otelward extra -> the library it instruments (as opentelemetry-bootstrap names it).
EXTRAS = {
    "flask": "flask",
    "fastapi": "fastapi",
    "django": "django",
    "celery": "celery",
    "requests": "requests",
    "httpx": "httpx",
    "aiohttp": "aiohttp",
    "urllib3": "urllib3",
    "redis": "redis",
    "psycopg": "psycopg",
    "sqlalchemy": "sqlalchemy",
}


def _extras() -> dict[str, list[str]]:
    """Return otelward's extras as installed (package metadata, built from pyproject.toml)."""
    from importlib.metadata import requires

    extras: dict[str, list[str]] = {}
    for requirement in requires("otelward") or []:
        found = re.search(r"""extra\s*==\s*["']([\w-]+)["']""", requirement)
        if found:
            extras.setdefault(found.group(1), []).append(requirement.split(";")[0].strip())
    return extras


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()


@pytest.mark.parametrize(("extra", "library"), list(EXTRAS.items()), ids=list(EXTRAS))
def test_extra_installs_what_bootstrap_would_for_its_library(extra: str, library: str) -> None:
    from opentelemetry.instrumentation.bootstrap_gen import default_instrumentations, libraries

    known = {_name(x["instrumentation"]) for x in libraries} | {_name(x) for x in default_instrumentations}
    packages = {_name(r) for r in _extras()[extra]}
    assert packages <= known, f"otelward[{extra}] names packages bootstrap does not know: {packages - known}"
    for_library = {_name(x["instrumentation"]) for x in libraries if _name(x["library"]) == library}
    assert for_library & packages, f"otelward[{extra}] lacks bootstrap's {for_library}"


def test_bootstrap_requirements_lists_the_installed_frameworks() -> None:
    out = subprocess.run(
        [bin_path("opentelemetry-bootstrap"), "-a", "requirements"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    listed = {_name(line) for line in out.splitlines() if line.strip()}
    wanted = {_name(r) for extra in EXTRAS for r in _extras()[extra]}
    assert wanted <= listed, wanted - listed
    assert "opentelemetry-instrumentation-threading" in listed


def test_doctor_shows_covered_instrumentations_active(tmp_path: Path) -> None:
    env = base_env(None, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    out = subprocess.run(
        [bin_path("otelward"), "doctor"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    rows = dict(re.findall(r"^  (\S+)\s+(active|skipped|failed)", out, flags=re.MULTILINE))
    covered = [
        "aiohttp-client", "celery", "django", "fastapi", "flask", "httpx", "psycopg", "redis", "requests",
        "sqlalchemy", "sqlite3", "starlette", "threading", "urllib", "urllib3",
    ]  # fmt: skip
    assert {name: rows.get(name) for name in covered} == dict.fromkeys(covered, "active"), out
