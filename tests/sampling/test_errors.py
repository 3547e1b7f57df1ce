"""Issue 16 item 7: what "error" means for sampling — the request failed, not "an exception was seen"."""

from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind, Status, StatusCode

from tests.sampling.conftest import Rig, make_rig


class TemplateNotFoundError(Exception):
    pass


def _page(rig: Rig, status: int, *, caught_on_internal: bool = False, handled_404: bool = False) -> int:
    """Serve one request the way Flask+Jinja or Django instrumentation records it."""
    tracer = rig.tracer
    with tracer.start_as_current_span("GET /page", kind=SpanKind.SERVER) as server:
        if caught_on_internal:
            # a template loader's normal fallback: the jinja2 span records the exception, the app catches it
            try:
                with tracer.start_as_current_span("jinja2.load", kind=SpanKind.INTERNAL):
                    raise TemplateNotFoundError("theme/page.html")
            except TemplateNotFoundError:
                pass
        if handled_404:
            # Django's instrumentation exits the span with the Http404 the framework turned into a response
            server.record_exception(LookupError("Http404"))
            server.set_status(Status(StatusCode.ERROR))
        server.set_attribute("http.response.status_code", status)
        trace_id: int = server.get_span_context().trace_id
    return trace_id


CASES = [
    pytest.param({"status": 200, "caught_on_internal": True}, False, id="caught-template-not-found"),
    pytest.param({"status": 404, "handled_404": True}, False, id="django-handled-404"),
    pytest.param({"status": 400, "handled_404": True}, False, id="django-handled-400"),
    pytest.param({"status": 500}, True, id="5xx"),
    pytest.param({"status": 503, "caught_on_internal": True}, True, id="5xx-with-internal-exception"),
]


@pytest.mark.parametrize(("request_kw", "kept"), CASES)
def test_only_failed_requests_keep_their_trace(request_kw: dict[str, object], kept: bool) -> None:
    rig = make_rig(ratio=0.0)
    trace_id = _page(rig, **request_kw)  # type: ignore[arg-type]
    assert (trace_id in rig.queue.trace_ids()) is kept


def test_sixty_ordinary_page_views_keep_nothing() -> None:
    rig = make_rig(ratio=0.0)
    for i in range(60):
        _page(rig, 404 if i % 3 == 0 else 200, caught_on_internal=True, handled_404=i % 3 == 0)
    assert rig.queue.spans == []
    assert rig.selector.counts.get(("traces", "kept", "error"), 0) == 0


def test_failed_client_call_and_unanswered_exception_keep_the_trace() -> None:
    rig = make_rig(ratio=0.0)
    with rig.tracer.start_as_current_span("GET /a", kind=SpanKind.SERVER) as a:
        a.set_attribute("http.response.status_code", 200)
        with rig.tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT) as db:
            db.set_status(Status(StatusCode.ERROR))
    with rig.tracer.start_as_current_span("job", record_exception=True) as job:
        job.record_exception(RuntimeError("crashed"))  # a local root without an HTTP answer
    assert rig.queue.trace_ids() == {a.get_span_context().trace_id, job.get_span_context().trace_id}


def test_internal_errors_keep_the_trace_when_configured() -> None:
    rig = make_rig(ratio=0.0, keep_internal_errors=True)
    trace_id = _page(rig, 200, caught_on_internal=True)
    assert rig.queue.trace_ids() == {trace_id}


def test_internal_errors_variable_is_read() -> None:
    from otelward.config import Settings

    assert Settings.from_env({}).sampling.keep_internal_errors is False
    on = Settings.from_env({"OTELWARD_SAMPLING_KEEP_INTERNAL_ERRORS": "true"})
    assert on.sampling.keep_internal_errors is True
