"""An instrumentation whose import pulls in another instrumented library loads both, without deadlock.

Seen for real: the celery instrumentation imports kombu, which imports django; the worker hung at start.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from otelward.instrumentation import _lazy as _instrumentation

OUTER, INNER = "otelward_fake_outer", "otelward_fake_inner"


class _EntryPoint:
    def __init__(self, name: str, on_instrument: Any) -> None:
        self.name = name
        self.dist = None
        self._on_instrument = on_instrument

    def load(self) -> Any:
        on_instrument = self._on_instrument

        class Instrumentor:
            def instrument(self, **kwargs: Any) -> None:
                on_instrument()

        return Instrumentor


@pytest.fixture
def fake_libraries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    (tmp_path / f"{OUTER}.py").write_text("VALUE = 1\n")
    (tmp_path / f"{INNER}.py").write_text("VALUE = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield []
    for name in (OUTER, INNER):
        sys.modules.pop(name, None)
        _instrumentation.STATUS.pop(name, None)


def test_nested_instrumentation_import_does_not_deadlock(fake_libraries: list[str]) -> None:
    instrumented = fake_libraries

    def outer() -> None:
        importlib.import_module(INNER)  # the outer instrumentor imports the inner library
        instrumented.append(OUTER)

    _instrumentation.arm_lazy(
        [_EntryPoint(OUTER, outer), _EntryPoint(INNER, lambda: instrumented.append(INNER))], disabled=[]
    )
    worker = threading.Thread(target=importlib.import_module, args=(OUTER,), daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "importing the library deadlocked in the lazy loader"
    assert instrumented == [INNER, OUTER]
    assert _instrumentation.STATUS[OUTER] == _instrumentation.STATUS[INNER] == "active"
