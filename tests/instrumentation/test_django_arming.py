"""Issue 16 item 4: the Django instrumentation waits for ``django.setup()`` (pure, with a stand-in module)."""

from __future__ import annotations

import types

from otelward.instrumentation._django import arm_on_setup


def _django() -> tuple[types.SimpleNamespace, list[str]]:
    calls: list[str] = []

    def setup(set_prefix: bool = True) -> None:
        calls.append(f"setup({set_prefix})")

    return types.SimpleNamespace(setup=setup), calls


def test_instrumentation_runs_just_before_the_first_setup_and_only_once() -> None:
    django, calls = _django()
    original = django.setup
    arm_on_setup(django, lambda: calls.append("instrument"), configured=lambda: False)
    assert calls == []  # `import django` alone: the settings module may not be chosen yet
    django.setup(set_prefix=False)
    assert calls == ["instrument", "setup(False)"]
    assert django.setup is original
    django.setup()
    assert calls == ["instrument", "setup(False)", "setup(True)"]


def test_a_failing_instrumentation_does_not_stop_setup() -> None:
    django, calls = _django()

    def boom() -> None:
        raise RuntimeError("x")

    arm_on_setup(django, boom, configured=lambda: False)
    django.setup()
    assert calls == ["setup(True)"]


def test_settings_configured_already_instruments_now() -> None:
    django, calls = _django()
    original = django.setup
    arm_on_setup(django, lambda: calls.append("instrument"), configured=lambda: True)
    assert calls == ["instrument"]
    assert django.setup is original
