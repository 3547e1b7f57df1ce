"""Python imports ``sitecustomize`` at start-up; ``otelward run`` puts this directory first on the path.

After starting otelward, the next ``sitecustomize`` on the path (a venv's or the system's) still runs.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys


def _chain() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)


from otelward.startup._boot import initialize  # noqa: E402 - after the docstring's promise, nothing else first

initialize()
_chain()
