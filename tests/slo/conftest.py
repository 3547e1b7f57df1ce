"""Every rule file the SLO tests generate goes through ``promtool check rules`` at the end of the session."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import otelward.slo
from otelward.slo import _api, _rules
from otelward.slo._yamlio import dump_yaml

_GENERATED: dict[str, None] = {}  # rule files as text, in order, without repeats
_BATCH = 200  # files per promtool run: the command line stays short


_PAUSED: list[bool] = []


def _recording(build: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def build_and_record(*args: Any, **kwargs: Any) -> dict[str, Any]:
        rules = build(*args, **kwargs)
        if not _PAUSED:
            _GENERATED[dump_yaml(rules)] = None
        return rules

    return build_and_record


# At import, before the test modules bind ``build_rules``: every caller gets the recording one.
_RECORDER = _recording(_rules.build_rules)
for _module in (_rules, _api, otelward.slo):
    _module.build_rules = _RECORDER  # type: ignore[attr-defined]


@pytest.fixture
def broken_rules_on_purpose() -> Iterator[None]:
    """Leave the rules this test generates out of the final check (it feeds promtool a bad query)."""
    _PAUSED.append(True)
    yield
    _PAUSED.pop()


@pytest.fixture(autouse=True, scope="session")
def _promtool_checks_every_generated_rule_file() -> Iterator[None]:
    yield
    if not _GENERATED:
        return
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run scripts/setup.sh (Debian package prometheus)"
    texts = list(_GENERATED)
    with tempfile.TemporaryDirectory() as tmp:
        for start in range(0, len(texts), _BATCH):
            paths = []
            for i, text in enumerate(texts[start : start + _BATCH], start):
                path = Path(tmp) / f"generated-{i}.yml"
                path.write_text(text)
                paths.append(str(path))
            result = subprocess.run(
                [promtool, "check", "rules", *paths], capture_output=True, text=True, timeout=600, check=False
            )
            complaints = [
                line
                for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and not line.lstrip().startswith(("Checking", "SUCCESS"))
            ]
            assert result.returncode == 0, "promtool refuses a rule file the tests generated:\n" + "\n".join(
                complaints[:40]
            )
