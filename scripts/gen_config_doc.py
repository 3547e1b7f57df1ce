"""Regenerate docs/configuration.md from the variable declarations."""

from pathlib import Path

from otelward.config._doc import render

target = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
target.write_text(render(), encoding="utf-8")
print(f"wrote {target}")
