from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind, Status, StatusCode

from otelward.instrumentation import hooks
from otelward.instrumentation.hooks._flask import list_setter
from otelward.sampling import format_traceresponse, parse_traceresponse
from otelward.sampling._traceresponse import TraceResponseHooks
from tests.sampling.conftest import make_rig

pytestmark = pytest.mark.usefixtures("no_hooks")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            (0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331, 1),
        ),
        (
            "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-00",
            (0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331, 0),
        ),
        ("00-00000000000000000000000000000000-b7ad6b7169203331-01", None),
        ("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", None),
        ("00-0af7651916cd43dd8448eb211c80319c-01", None),
        ("", None),
        (None, None),
    ],
    ids=["kept", "upper-case", "zero-trace", "bad-version", "short", "empty", "absent"],
)
def test_parse(value: str | None, expected: tuple[int, int, int] | None) -> None:
    assert parse_traceresponse(value) == expected


@pytest.mark.parametrize(
    ("keep", "random", "flags"),
    [(False, False, "00"), (True, False, "01"), (False, True, "02"), (True, True, "03")],
    ids=["dropped", "kept", "dropped-random", "kept-random"],
)
def test_format_round_trips(keep, random, flags) -> None:
    value = format_traceresponse(5, 7, keep, random)
    assert value.endswith("-" + flags)
    assert parse_traceresponse(value) == (5, 7, int(flags, 16))


def test_server_answers_01_only_when_it_keeps_the_trace() -> None:
    rig = make_rig(ratio=0.0)
    TraceResponseHooks(rig.selector).install()
    answers = []
    for fail in (False, True):
        with rig.tracer.start_as_current_span("GET /x") as span:
            if fail:
                span.set_attribute("http.response.status_code", 503)
            headers: list[tuple[str, str]] = []
            hooks.run_set("server_response", span, list_setter(headers))
            answers.append(parse_traceresponse(dict(headers)["traceresponse"]))
            assert answers[-1][:2] == (span.get_span_context().trace_id, span.get_span_context().span_id)
    # the sampled bit is the keep intent; the random bit is the new trace's own (the SDK's ids are random)
    assert [a[2] for a in answers] == [0x02, 0x03]


def test_client_reading_01_rescues_its_trace() -> None:
    rig = make_rig(ratio=0.0)
    TraceResponseHooks(rig.selector).install()
    kept = []
    for flag in ("00", "01"):
        with (
            rig.tracer.start_as_current_span("GET /up") as root,
            rig.tracer.start_as_current_span("GET", kind=SpanKind.CLIENT) as client,
        ):
            tid = root.get_span_context().trace_id
            value = f"00-{tid:032x}-{0xAB:016x}-{flag}"
            hooks.run_get("client_response", client, {"traceresponse": value}.get)
        kept.append(tid in rig.queue.trace_ids())
    assert kept == [False, True]


def test_client_ignores_a_traceresponse_for_another_trace() -> None:
    rig = make_rig(ratio=0.0)
    TraceResponseHooks(rig.selector).install()
    with rig.tracer.start_as_current_span("GET /up") as root:
        hooks.run_get("client_response", root, {"traceresponse": f"00-{1:032x}-{2:016x}-01"}.get)
    assert rig.queue.spans == []


def test_error_so_far_makes_the_server_answer_01() -> None:
    rig = make_rig(ratio=0.0)
    TraceResponseHooks(rig.selector).install()
    with rig.tracer.start_as_current_span("GET /x") as span:
        with rig.tracer.start_as_current_span("db", kind=SpanKind.CLIENT) as db:
            db.set_status(Status(StatusCode.ERROR))
        headers: list[tuple[str, str]] = []
        hooks.run_set("server_response", span, list_setter(headers))
    assert dict(headers)["traceresponse"].endswith("-03")
