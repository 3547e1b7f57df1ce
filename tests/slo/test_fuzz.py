"""Fuzzed specs: every input ends in a spec or in one SpecError line, promptly and in bounded memory.

The generated rules of every input that validates are checked by promtool at the end of the
session (tests/slo/conftest.py), so this also fuzzes "a spec that validates yields valid rules".
"""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otelward.slo import SpecError, parse_spec, render_rules
from otelward.slo._errors import MAX_MESSAGE
from otelward.slo._yamlio import parse_documents

# A hang detector, not a speed target: inputs are a few hundred bytes and finish in milliseconds.
HANG_S = 10.0
PEAK_BYTES = 64 * 2**20

TEXT = """\
version: 1
service: shop
period: 7d
selector: {job: shop, env: "=~prod|staging"}
alerting:
  labels: {team: web}
  page: {name: ShopPage, annotations: {summary: "{{ $labels.slo }} at {{ $value | humanize }}x"}}
slos:
  - name: availability
    objective: 99.5
    labels: {tier: gold}
    sli:
      availability:
        routes: ["/users/<int:user_id>", "/a|b"]
        methods: [GET]
  - name: latency
    objective: 95
    period: 28d
    sli: {latency: {threshold: 300ms}}
  - name: raw
    objective: 99
    alerting: {ticket: {disable: true}}
    sli:
      raw:
        errors: sum(rate(jobs_failed_total{queue="q"}[{{window}}]))
        total: sum(rate(jobs_total{queue="q"}[{{window}}]))
"""

_FRAGMENTS = [
    *"\n :-[]{}&*!?|>'\"#,%@`\t\\",
    "  ",
    "&a ",
    "*a",
    "<<: ",
    "!!str ",
    "- ",
    "{{window}}",
    "(",
    ")",
    "0",
    "1d",
]


def _one(text: str | None, docs: list[object] | None = None) -> None:
    """Validate and render ``text`` (or ``docs``); assert the outcome is a spec or one bounded line."""
    box: list[BaseException | None] = []

    def run() -> None:
        try:
            parsed = parse_documents(text, "slo.yaml") if text is not None else docs
            assert parsed is not None
            render_rules(parse_spec(parsed, "slo.yaml"))
            box.append(None)
        except BaseException as err:  # noqa: BLE001 - examined below
            box.append(err)

    tracemalloc.start()
    try:
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(HANG_S)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not thread.is_alive(), f"still running after {HANG_S}s: {text!r:.300}"
    assert peak < PEAK_BYTES, f"peak {peak / 2**20:.0f} MiB"
    err = box[0]
    if err is not None:
        assert isinstance(err, SpecError), f"{type(err).__name__}: {err!s:.500}"
        message = str(err)
        assert message.isprintable()
        assert len(message) <= MAX_MESSAGE


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = TEXT
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(_FRAGMENTS)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        else:
            end = min(len(text), at + draw(st.integers(1, 80)))
            text = text[:end] + text[at:end] * draw(st.integers(1, 50)) + text[end:]
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_spec_text_ends_in_a_spec_or_one_line(text: str) -> None:
    _one(text)


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["30d", "5m", "300ms", "page", "ticket", "{{window}}", "sum(rate(x[{{window}}]))"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
_PATHS = [
    ("service",),
    ("period",),
    ("selector",),
    ("alerting",),
    ("alerting", "page"),
    ("alerting", "windows"),
    ("slos",),
    ("slos", 0),
    ("slos", 0, "objective"),
    ("slos", 0, "sli"),
    ("slos", 0, "sli", "availability"),
    ("slos", 0, "labels"),
    ("slos", 2, "sli", "raw", "errors"),
    ("slos", 2, "alerting"),
    ("buckets",),
    ("services",),
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_PATHS), value=_VALUES)
def test_any_value_in_any_field_ends_in_a_spec_or_one_line(path: tuple[Any, ...], value: object) -> None:
    doc: Any = parse_documents(TEXT, "slo.yaml")[0]
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    _one(None, [doc])
