"""The entry point scanner finds what ``importlib.metadata`` finds, faster, first distribution winning."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from otelward.instrumentation._entry_points import EntryPoint, parse, scan

GROUP = "opentelemetry_instrumentor"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[opentelemetry_instrumentor]\nflask = a.b:C\n", [("flask", "a.b:C")]),
        ("[console_scripts]\nx = y:z\n\n[opentelemetry_instrumentor]\n  r = m:I  \n", [("r", "m:I")]),
        ("# comment\n; other\n[ opentelemetry_instrumentor ]\nk=v:w\n[later]\nq = s:t\n", [("k", "v:w")]),
        ("[console_scripts]\nflask = a.b:C\n", []),
        ("[opentelemetry_instrumentor]\nno equals sign here\n", []),
    ],
    ids=["one", "second-section", "comments-and-spaces", "other-group", "malformed-line"],
)
def test_parse(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(ep.name, ep.value) for ep in parse(text, GROUP, "/x")] == expected


def test_scan_finds_what_importlib_metadata_finds_in_this_venv() -> None:
    mine = scan(GROUP, sys.path)
    theirs = {ep.name: ep.value for ep in entry_points(group=GROUP)}
    assert {name: ep.value for name, ep in mine.items()} == theirs
    assert "flask" in mine
    assert mine["flask"].dist.metadata["Name"] == "opentelemetry-instrumentation-flask"


def _dist(root: Path, dirname: str, body: str) -> None:
    (root / dirname).mkdir(parents=True)
    (root / dirname / "entry_points.txt").write_text(body)


def test_the_first_distribution_on_the_path_wins_and_bad_entries_are_skipped(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(first, "Acme_Instr-2.0.dist-info", f"[{GROUP}]\nacme = new.mod:I\n")
    _dist(second, "acme_instr-1.0.dist-info", f"[{GROUP}]\nacme = old.mod:I\nextra = old.mod:E\n")
    _dist(second, "legacy.egg-info", f"[{GROUP}]\nlegacy = leg:I\n")
    (second / "nometa-1.0.dist-info").mkdir()
    found = scan(GROUP, [str(first), str(tmp_path / "missing"), str(second), str(tmp_path / "f.zip")])
    assert {n: ep.value for n, ep in found.items()} == {"acme": "new.mod:I", "legacy": "leg:I"}


def test_load_resolves_dotted_attributes() -> None:
    ep = EntryPoint("x", "os.path:join.__name__", GROUP, "/x")
    assert ep.load() == "join"
