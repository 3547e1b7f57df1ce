"""Hostile specs get one line and exit 2: no traceback, no hang, bounded memory, whatever the input."""

from __future__ import annotations

import threading
import tracemalloc
from pathlib import Path

import pytest

from otelward import cli
from otelward.slo import SpecError, load_spec, parse_spec
from otelward.slo._errors import MAX_MESSAGE
from otelward.slo._yamlio import MAX_BYTES, parse_documents
from tests.slo.hostile import HOSTILE, big_spec

# Generous: a hang or an exponential blow-up is minutes; a slow CI machine is seconds.
HANG_S = 30.0
PEAK_BYTES = 200 * 2**20


def _bounded(func: object, *args: object) -> object:
    """Run ``func(*args)`` on a thread; fail if it hangs; return its result or exception."""
    box: list[object] = []

    def run() -> None:
        try:
            box.append(func(*args))  # type: ignore[operator]
        except BaseException as err:  # noqa: BLE001 - handed back to the test
            box.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_S)
    assert not thread.is_alive(), f"still running after {HANG_S}s"
    return box[0]


@pytest.mark.parametrize("name", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_spec_is_one_line_and_exit_2(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(HOSTILE[name], encoding="utf-8")
    tracemalloc.start()
    try:
        code = _bounded(cli.main, ["slo", "validate", str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == ""
    assert err.count("\n") == 1, err[:2000]
    assert err.startswith(f"otelward: {path}: ")
    assert len(err) <= MAX_MESSAGE + 20
    assert "Traceback" not in err
    assert peak < PEAK_BYTES, f"peak {peak / 2**20:.0f} MiB"


def test_alias_bomb_is_refused_for_its_expansion() -> None:
    # Before: the bomb loaded (PyYAML shares aliased nodes) and repr() of it ran past 5 s and 1.2 GB.
    with pytest.raises(SpecError, match=r"expands to more than 2,000,000 nodes"):
        parse_documents(HOSTILE["alias-bomb"], "slo.yaml")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("deep-flow-nesting", "nesting depth"),
        ("deep-block-nesting", "nests deeper than 64 levels"),
        ("list-as-key", "a mapping key is a list"),
        ("recursive-alias", "refers to a node that contains it"),
        ("huge-value", "must be a number"),
        ("huge-key", "unknown field"),
        ("python-tag", "python/object/apply:os.system' is not used in a spec"),
        ("set-tag", "is not used in a spec"),
        ("control-chars-in-key", "unknown field"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " not in v else "",
)
def test_hostile_spec_message_says_why(name: str, words: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_spec(parse_documents(HOSTILE[name], "slo.yaml"), "slo.yaml")
    assert words in str(err.value)
    assert str(err.value).isprintable()


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "slo.yaml"
    with path.open("w") as handle:
        handle.write("service: shop\n# " + "x" * MAX_BYTES + "\n")
    with pytest.raises(SpecError, match=r"is larger than 16 MiB"):
        load_spec(path)


def test_eighteen_thousand_slos_validate_in_one_bounded_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: 12 s (pure-Python loader, a quadratic duplicate-name check) and one 400 KB line.
    # The time is measured by benchmarks/bench_slo_spec.py, not asserted here.
    path = tmp_path / "slo.yaml"
    path.write_text(big_spec(18_000))
    assert path.stat().st_size > 5_000_000
    assert _bounded(cli.main, ["slo", "validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.count("\n") == 1
    assert len(out) < 1000
    assert "18000 SLO(s)" in out
    assert "and 17995 more" in out


def test_duplicate_names_are_found_among_many() -> None:
    text = big_spec(3000) + big_spec(1).split("slos:\n", 1)[1].replace("slo-00000", "slo-02999")
    with pytest.raises(SpecError, match=r"slos\[3000\]\.name.*'slo-02999' is used by two SLOs"):
        parse_spec(parse_documents(text, "slo.yaml"), "slo.yaml")


@pytest.mark.parametrize("command", ["rules", "dashboard", "report"])
def test_every_command_answers_a_hostile_spec_with_one_line(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(HOSTILE["list-as-key"])
    extra = ["--prometheus", "http://127.0.0.1:9"] if command == "report" else []
    assert cli.main(["slo", command, str(path), *extra]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"otelward: {path}: line 2: a mapping key is a list; keys must be plain values\n"


def test_without_libyaml_the_python_parser_gets_the_same_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    with pytest.raises(SpecError, match=r"line 1: nests deeper than 64 levels"):
        parse_documents(HOSTILE["deep-flow-nesting"], "slo.yaml")
    assert parse_documents(big_spec(3), "slo.yaml")[0]["slos"][2]["name"] == "slo-00002"
