"""The configuration reference is generated from the declarations and never drifts."""

from __future__ import annotations

import re
from pathlib import Path

from otelward.config._doc import render
from otelward.config._env_vars import BY_NAME

ROOT = Path(__file__).resolve().parents[2]


def test_configuration_doc_matches_declarations() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert doc == render(), "docs/configuration.md is stale: run `python scripts/gen_config_doc.py`"


def test_every_otelward_variable_used_in_source_is_declared() -> None:
    used: set[str] = set()
    for path in (ROOT / "src" / "otelward").rglob("*.py"):
        used |= set(re.findall(r"\b(OTELWARD_[A-Z0-9_]+)\b", path.read_text(encoding="utf-8")))
    undeclared = sorted(name for name in used if name not in BY_NAME)
    assert not undeclared, f"declare these in src/otelward/config/_vars/ (the section module): {undeclared}"
