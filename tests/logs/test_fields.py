from __future__ import annotations

import asyncio
import io
import logging
import threading

from tests.logs.conftest import Installed


def test_app_extras_with_otelward_field_names_do_not_raise(installed: Installed) -> None:
    log = installed.logger()
    with installed.tracer.start_as_current_span("work") as span:
        log.info("mine", extra={"request_id": "app-123", "trace_id": "app-trace"})
    (rec,) = installed.records()
    # the app's values are kept as its extras; otelward's ids stay the real ones
    assert rec["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert rec["attributes"]["request_id"] == "app-123"
    assert rec["attributes"]["trace_id"] == "app-trace"


def test_format_strings_can_use_the_fields_inside_and_outside_spans(installed: Installed) -> None:
    log = installed.logger()
    out = io.StringIO()  # not the console: the app's format applies
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        logging.Formatter("%(trace_id)s|%(span_id)s|%(service.name)s|%(request_id)s|%(message)s")
    )
    log.addHandler(handler)
    log.info("outside")
    with installed.tracer.start_as_current_span("work") as span:
        log.info("inside")
    ctx = span.get_span_context()
    assert out.getvalue().splitlines() == [
        "||svc||outside",
        f"{ctx.trace_id:032x}|{ctx.span_id:016x}|svc||inside",
    ]


def test_threads_and_asyncio_tasks_get_their_own_span_ids(installed: Installed) -> None:
    log = installed.logger()
    spans: dict[str, str] = {}

    def in_thread(name: str) -> None:
        with installed.tracer.start_as_current_span(name) as span:
            spans[name] = format(span.get_span_context().span_id, "016x")
            log.info(name)

    async def in_task(name: str) -> None:
        with installed.tracer.start_as_current_span(name) as span:
            spans[name] = format(span.get_span_context().span_id, "016x")
            await asyncio.sleep(0)
            log.info(name)

    async def tasks() -> None:
        await asyncio.gather(in_task("task-a"), in_task("task-b"))

    threads = [threading.Thread(target=in_thread, args=(f"thread-{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    asyncio.run(tasks())
    by_body = {r["body"]: r["span_id"] for r in installed.records()}
    assert by_body == spans
    assert len(set(spans.values())) == 5


def test_a_line_logged_after_the_request_span_ended_carries_that_request(installed: Installed) -> None:
    """Django logs "Not Found: /x" after its middleware ended the span; the request still holds the ids."""
    from types import SimpleNamespace

    from otelward.logs._fields import SAVED_KEY, RequestScope

    with installed.tracer.start_as_current_span("GET") as span:
        ctx = span.get_span_context()
    request = SimpleNamespace(META={SAVED_KEY: (ctx, RequestScope("req-77", f"{ctx.span_id:016x}"))})
    log = installed.logger()
    log.warning("Not Found: /x", extra={"request": request})
    log.warning("no request")
    first, second = installed.records()
    assert (first["trace_id"], first["span_id"]) == (f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}")
    assert first["attributes"]["http.request.id"] == "req-77"
    assert "trace_id" not in second
