"""The engine's memo is bounded in bytes: unique long log lines must not pile up (16 MiB before)."""

from __future__ import annotations

import gc
import tracemalloc

from otelward.config import Settings
from otelward.redaction import build_redactor


def test_unique_long_lines_keep_the_memo_small() -> None:
    engine = build_redactor(Settings.from_env({}))
    assert engine is not None
    line = "user checkout finished step={} " + "lorem ipsum dolor sit amet " * 68  # ~1.9 KB
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(8192):
            text = line.format(i)
            assert engine.redact_text(text) == text  # nothing secret: the same text back
            del text
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert retained < 2 * 1024 * 1024, f"{retained / 2**20:.1f} MiB retained"


def test_repeated_values_are_still_answered_from_the_memo() -> None:
    engine = build_redactor(Settings.from_env({}))
    assert engine is not None
    value = "GET /api/orders?page=2&keyword=shoes"  # scanned (a key hint), nothing found: memoised
    first = engine.redact_value("http.target", value)
    assert first == value
    for i in range(1000):
        engine.redact_value("http.target", f"/other/{i}?keyword={i}")  # small entries: no reset
    plan = engine._keys.plan("http.target")
    assert engine._memo.entries.get((plan, value)) == (first, ())
