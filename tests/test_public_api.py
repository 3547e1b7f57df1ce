"""Every public package exports a sorted, complete ``__all__``."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import otelward

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(otelward.__path__, "otelward.")
    if not m.name.split(".")[-1].startswith("_")
)


@pytest.mark.parametrize("name", ["otelward", *MODULES])
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    for attr in exported:
        assert getattr(module, attr) is not None, f"{name}.{attr}"


def test_importing_otelward_does_not_import_the_sdk() -> None:
    import subprocess
    import sys

    code = "import sys, otelward; print('opentelemetry.sdk' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
