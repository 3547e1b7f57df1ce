"""The native registry: which library versions use otelward's own instrumentation, and the loader's choice."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from otelward.instrumentation import _lazy
from otelward.instrumentation.native import NATIVE, Native, native_for, version_tested

FLASKISH = Native("tests_native_fake", "flaskish", lowest=(2, 2), below=(4,))


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        pytest.param("2.2.0", True, id="lowest-inclusive"),
        pytest.param("3.1.2", True, id="inside"),
        pytest.param("3.1.0rc1", True, id="pre-release-of-tested-minor"),
        pytest.param("3.1.0.post1", True, id="post-release"),
        pytest.param("2.1.9", False, id="below-lowest"),
        pytest.param("4.0.0", False, id="first-untested"),
        pytest.param("4.0.0a1", False, id="pre-release-of-untested"),
        pytest.param("garbage", False, id="unparseable"),
        pytest.param("", False, id="empty"),
        pytest.param(None, False, id="not-installed"),
    ],
)
def test_tested_range(version: str | None, expected: bool) -> None:
    assert version_tested(FLASKISH, version) is expected


def test_the_standard_library_is_always_tested() -> None:
    assert version_tested(Native("m", None), None)


@pytest.fixture
def fake_native(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A native module and an upstream instrumentor that record which of them ran."""
    calls: list[str] = []
    module = types.ModuleType("tests_native_fake")
    module.instrument = lambda: calls.append("native")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_native_fake", module)
    monkeypatch.setitem(NATIVE, "flaskish", Native("tests_native_fake", None))
    monkeypatch.setattr(_lazy, "STATUS", {})
    monkeypatch.setattr(_lazy, "NATIVE_ACTIVE", set())
    return calls


class _EntryPoint:
    name = "flaskish"
    dist = None

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def load(self) -> Any:
        calls = self.calls

        class Instrumentor:
            def instrument(self, **_kw: Any) -> None:
                calls.append("upstream")

        return Instrumentor


def test_the_loader_runs_the_native_module_instead_of_upstream(fake_native: list[str]) -> None:
    assert _lazy.load_now(_EntryPoint(fake_native))
    assert fake_native == ["native"]
    assert _lazy.STATUS["flaskish"] == "active"
    assert "flaskish" in _lazy.NATIVE_ACTIVE


def test_native_off_runs_upstream(fake_native: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from otelward.config import Settings

    settings = Settings.from_env({"OTELWARD_NATIVE_INSTRUMENTATION": "false"})
    monkeypatch.setattr("otelward.startup._state.runtime", lambda: types.SimpleNamespace(settings=settings))
    assert _lazy.load_now(_EntryPoint(fake_native))
    assert fake_native == ["upstream"]
    assert "flaskish" not in _lazy.NATIVE_ACTIVE


def test_an_untested_version_runs_upstream(fake_native: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(NATIVE, "flaskish", FLASKISH)
    assert native_for("flaskish", lambda _dist: "9.0") is None
    monkeypatch.setattr("otelward.instrumentation.native.native_for", _native_for_with(lambda _d: "9.0"))
    assert _lazy.load_now(_EntryPoint(fake_native))
    assert fake_native == ["upstream"]


def _native_for_with(version_of: Any) -> Any:
    return lambda name: native_for(name, version_of)


def test_a_name_without_a_native_module_is_not_native() -> None:
    assert native_for("no-such-instrumentation") is None
