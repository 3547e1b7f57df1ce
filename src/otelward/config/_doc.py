"""Render the configuration reference (docs/configuration.md) from the variable declarations."""

from __future__ import annotations

from otelward.config._env_vars import SECTIONS, VARS
from otelward.config._parsing import EnvVar

__all__ = ["render"]

_HEADER = """# Configuration reference

<!-- Generated from src/otelward/config/_vars/ (one module per section) by `python scripts/gen_config_doc.py`; a test fails when
     this file and the declarations differ. Do not edit by hand. -->

Every variable otelward reads or sets a default for. An invalid value is reported in one line on stderr
naming the variable, the value and what is accepted; the default is used and everything else keeps
working. With `OTELWARD_STRICT=true` the process exits with status 2 instead.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(var: EnvVar) -> str:
    if var.default is None:
        return "unset"
    return f"`{var.default}`" if var.default else "empty"


def _type(var: EnvVar) -> str:
    if var.choices:
        joined = " \\| ".join(var.choices)
        return f"{var.kind.value}: {joined}"
    return var.kind.value


def render() -> str:
    """Return the Markdown text of the configuration reference."""
    out = [_HEADER]
    for section, title in SECTIONS.items():
        rows = [v for v in VARS if v.section == section]
        if not rows:
            continue
        out.append(f"\n## {title}\n")
        out.append("| Variable | Type | Default | Example | Description |")
        out.append("|---|---|---|---|---|")
        for var in rows:
            note = " (set as a default for the SDK/instrumentations)" if var.passthrough else ""
            out.append(
                f"| `{var.name}` | {_cell(_type(var))} | {_cell(_default(var))} | `{_cell(var.example)}` "
                f"| {_cell(var.doc)}{note} |"
            )
    return "\n".join(out) + "\n"
