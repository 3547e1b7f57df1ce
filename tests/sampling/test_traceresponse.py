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
    TraceResponseHooks(rig.selector, to_all=True).install()
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
    TraceResponseHooks(rig.selector, to_all=True).install()
    kept = []
    for flag in ("00", "01"):
        with (
            rig.tracer.start_as_current_span("GET /up") as root,
            rig.tracer.start_as_current_span(
                "GET", kind=SpanKind.CLIENT, attributes={"server.address": "orders"}
            ) as client,
        ):
            tid = root.get_span_context().trace_id
            value = f"00-{tid:032x}-{0xAB:016x}-{flag}"
            hooks.run_get("client_response", client, {"traceresponse": value}.get)
        kept.append(tid in rig.queue.trace_ids())
    assert kept == [False, True]


def test_client_ignores_a_traceresponse_for_another_trace() -> None:
    rig = make_rig(ratio=0.0)
    TraceResponseHooks(rig.selector, to_all=True).install()
    with rig.tracer.start_as_current_span("GET /up") as root:
        hooks.run_get("client_response", root, {"traceresponse": f"00-{1:032x}-{2:016x}-01"}.get)
    assert rig.queue.spans == []


def test_error_so_far_makes_the_server_answer_01() -> None:
    rig = make_rig(ratio=0.0)
    TraceResponseHooks(rig.selector, to_all=True).install()
    with rig.tracer.start_as_current_span("GET /x") as span:
        with rig.tracer.start_as_current_span("db", kind=SpanKind.CLIENT) as db:
            db.set_status(Status(StatusCode.ERROR))
        headers: list[tuple[str, str]] = []
        hooks.run_set("server_response", span, list_setter(headers))
    assert dict(headers)["traceresponse"].endswith("-03")


def _server_span(rig, *, traceparent: bool, client: str = "10.0.0.7", ot: str | None = None):
    from opentelemetry import trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState

    parent = None
    if traceparent:
        state = TraceState([("ot", ot)]) if ot else TraceState()
        remote = SpanContext(
            0x5 << 64 | 0x1234, 0x99, is_remote=True, trace_flags=TraceFlags(0), trace_state=state
        )
        parent = trace.set_span_in_context(NonRecordingSpan(remote))
    return rig.tracer.start_as_current_span(
        "GET /x", context=parent, kind=SpanKind.SERVER, attributes={"client.address": client}
    )


@pytest.mark.parametrize(
    ("traceparent", "answered"), [(False, False), (True, True)], ids=["no-traceparent", "traceparent"]
)
def test_traceresponse_goes_only_to_callers_that_sent_a_traceparent(
    traceparent: bool, answered: bool
) -> None:
    # It used to go to every caller, browsers and public clients included, exposing internal trace/span ids.
    rig = make_rig(ratio=0.0)
    TraceResponseHooks(rig.selector).install()
    with _server_span(rig, traceparent=traceparent) as span:
        headers: list[tuple[str, str]] = []
        hooks.run_set("server_response", span, list_setter(headers))
    assert ("traceresponse" in dict(headers)) is answered


@pytest.mark.parametrize(
    ("host", "rescued"),
    [
        ("api.thirdparty.example", False),
        ("203.0.113.9", False),
        ("orders", True),
        ("10.1.2.3", True),
        ("payments.default.svc.cluster.local", True),
        ("127.0.0.1", True),
    ],
    ids=["public-name", "public-ip", "single-label", "private-ip", "cluster", "loopback"],
)
def test_only_trusted_downstreams_can_rescue(host: str, rescued: bool) -> None:
    rig = make_rig(ratio=0.0)
    TraceResponseHooks(rig.selector).install()
    with (
        rig.tracer.start_as_current_span("job") as root,
        rig.tracer.start_as_current_span(
            "GET", kind=SpanKind.CLIENT, attributes={"server.address": host}
        ) as client,
    ):
        tid = root.get_span_context().trace_id
        hooks.run_get("client_response", client, {"traceresponse": f"00-{tid:032x}-{0xAB:016x}-01"}.get)
    assert (tid in rig.queue.trace_ids()) is rescued


@pytest.mark.parametrize(
    ("client", "kept"), [("198.51.100.4", False), ("10.0.0.7", True)], ids=["public", "private"]
)
def test_a_callers_ot_rv_is_honoured_only_from_trusted_callers(client: str, kept: bool) -> None:
    # Any caller could force keeps with ot=rv:ffffffffffffff.
    rig = make_rig(ratio=0.0001)
    with _server_span(rig, traceparent=True, client=client, ot="rv:ffffffffffffff"):
        pass
    assert bool(rig.queue.spans) is kept


def test_a_chatty_trusted_downstream_does_not_displace_local_errors() -> None:
    # Rescues were charged to the error budget: a downstream answering -01 to every call starved real errors.
    rig = make_rig(ratio=0.0, max_errors_per_s=5, max_rescues_per_s=2)
    TraceResponseHooks(rig.selector).install()
    rescued, failed = [], []
    for _ in range(20):
        with (
            rig.tracer.start_as_current_span("job") as root,
            rig.tracer.start_as_current_span(
                "GET", kind=SpanKind.CLIENT, attributes={"server.address": "orders"}
            ) as c,
        ):
            tid = root.get_span_context().trace_id
            hooks.run_get("client_response", c, {"traceresponse": f"00-{tid:032x}-{0xAB:016x}-01"}.get)
        rescued.append(tid)
    for _ in range(5):
        with rig.tracer.start_as_current_span("job") as root:
            root.set_status(Status(StatusCode.ERROR))
        failed.append(root.get_span_context().trace_id)
    kept = rig.queue.trace_ids()
    assert set(failed) <= kept
    assert len(set(rescued) & kept) == 2
