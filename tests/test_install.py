"""Issue 16 item 9: every extra resolves with pip 23.2, the pip Python 3.11 ships (ensurepip), in a fresh venv.

pip < 23.3 cannot backtrack a base requirement from an extra: ``pip install otelward[flask]`` ended in
``ResolutionImpossible`` while upstream's contrib releases were out of step (flask 0.66b1 beside wsgi 0.66b2).
"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PIP = "23.2.1"

pytestmark = pytest.mark.slow


def _extras() -> list[str]:
    from importlib.metadata import metadata

    return sorted(x for x in metadata("otelward").get_all("Provides-Extra") or [] if x != "test")


@pytest.fixture(scope="module")
def old_pip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("pip23")
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / "bin" / "python"
    version = subprocess.run(
        [python, "-m", "pip", "--version"], capture_output=True, text=True, check=True
    ).stdout
    if not version.startswith(f"pip {PIP} "):
        # this interpreter bundles another pip: install the one Python 3.11 ships
        subprocess.run([python, "-m", "pip", "install", "-q", f"pip=={PIP}"], check=True, timeout=300)
    return python


def _resolve(python: Path, spec: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-m", "pip", "install", "--dry-run", "--no-input", "-q", spec],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("extra", ["flask", ",".join(_extras())], ids=["flask", "every-extra"])
def test_extras_resolve_with_pip_23_2(old_pip: Path, extra: str) -> None:
    result = _resolve(old_pip, f"{REPO}[{extra}]")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ResolutionImpossible" not in result.stderr


def test_install_then_bootstrap_with_pip_23_2(old_pip: Path) -> None:
    installed = subprocess.run(
        [old_pip, "-m", "pip", "install", "--no-input", "-q", str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    # the bootstrap path: `opentelemetry-bootstrap -a install` runs this venv's pip on the pinned train
    boot = subprocess.run(
        [old_pip.parent / "opentelemetry-bootstrap", "-a", "install"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert boot.returncode == 0, boot.stderr[-2000:]
    check = subprocess.run([old_pip, "-m", "pip", "check"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout
