"""The JSON renderer's concatenating fast path writes exactly the reference document's text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from otelward.logs._encode import dumps
from otelward.logs._event import NO_RESOURCE
from otelward.logs._render import _fast_json, json_document, render_json
from otelward.logs._resource import LogResource

# every code point class a message can carry: controls, separators, surrogates, astral
_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)
_hex = st.text(alphabet="0123456789abcdef", min_size=1, max_size=32)
_extra_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities take dumps' fallback
    | _text
    | st.builds(object),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_extra_key = (
    st.sampled_from(["order", "logger.name", "thread.id", "otelward.request.id", "exception.type"]) | _text
)
_resources = st.sampled_from(
    [NO_RESOURCE, LogResource({"service.version": "1.2", "deployment.environment.name": "prod"}).attributes]
)


@st.composite
def events(draw: Any) -> dict[str, Any]:
    traced = draw(st.booleans())
    return {
        "time": draw(st.floats(min_value=0, max_value=4e9)),
        "level": draw(st.sampled_from(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "Level 7"])),
        "levelno": draw(st.integers(min_value=0, max_value=60)),
        "logger": draw(_text),
        "message": draw(_text),
        "trace_id": draw(_hex) if traced else "",
        "span_id": draw(_hex) if traced else "",
        "trace_flags": "01" if traced else "",
        "request_id": draw(st.sampled_from(["", "req-1"]) | _text),
        "transaction_id": "",
        "service_name": draw(st.sampled_from(["", "svc"])),
        "file_path": draw(_text),
        "file_name": "x.py",
        "function": draw(_text),
        "line": draw(st.integers(min_value=0, max_value=10**6) | st.none()),
        "thread_id": draw(st.integers(min_value=0, max_value=2**64)),
        "thread_name": draw(_text | st.none()),
        "pid": 1,
        "process_name": "MainProcess",
        "exception": draw(st.none() | st.tuples(_text, _text, _text)),
        "stack_info": draw(st.none() | _text),
        "extra": draw(st.dictionaries(_extra_key, _extra_value, max_size=4)),
        "resource": draw(_resources),
    }


@settings(max_examples=300, deadline=None)
@given(event=events())
def test_fast_path_matches_the_reference_document(event: dict[str, Any]) -> None:
    line = render_json(event)
    reference = dumps(json_document(event))
    assert line == reference
    if event["line"] is not None and event["thread_name"] is not None:
        assert _fast_json(event) == reference  # the well-typed event did not merely fall back
    assert "\n" not in line
    line.encode("ascii")
    json.loads(line)
