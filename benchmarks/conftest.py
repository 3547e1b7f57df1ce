"""Shared fixtures for the micro benchmarks: otelward's default settings and a fresh SDK per benchmark."""

from __future__ import annotations

import pytest

from otelward.config import Settings


@pytest.fixture
def settings() -> Settings:
    """Return otelward's settings with every variable at its default."""
    return Settings.from_env({})
