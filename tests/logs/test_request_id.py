from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry import baggage
from opentelemetry import context as otel_context
from opentelemetry.baggage.propagation import W3CBaggagePropagator

from otelward.instrumentation import hooks
from otelward.logs import RequestIdHooks, current_request_id, new_request_id, parse_request_id
from tests.logs.conftest import Installed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3f2a9c", "3f2a9c"),
        ("  123e4567-e89b-12d3-a456-426614174000 ", "123e4567-e89b-12d3-a456-426614174000"),
        ("Root=1-5759e988-bd862e3fe1be46a994272793", "Root=1-5759e988-bd862e3fe1be46a994272793"),
        ("a" * 128, "a" * 128),
        ("a" * 129, None),
        ("x" * 100_000, None),
        ("", None),
        ("id with space", None),
        ("evil\nINFO forged", None),
        ("\x1b[31mred", None),
        ('"><script>', None),
        ("-leading-dash", None),
        (None, None),
        (42, None),
    ],
    ids=[
        "hex",
        "uuid-padded",
        "aws",
        "max-len",
        "too-long",
        "huge",
        "empty",
        "space",
        "newline",
        "ansi",
        "markup",
        "dash",
        "none",
        "int",
    ],
)
def test_parse_request_id_accepts_only_safe_bounded_ids(raw: object, expected: str | None) -> None:
    assert parse_request_id(raw) == expected


@given(st.text())
def test_parsed_ids_are_always_short_and_printable(raw: str) -> None:
    parsed = parse_request_id(raw)
    assert parsed is None or (len(parsed) <= 128 and re.fullmatch(r"[A-Za-z0-9._:=+/@-]+", parsed))


def test_new_request_ids_are_unique_hex() -> None:
    ids = {new_request_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", x) for x in ids)


def test_forked_workers_do_not_repeat_each_others_request_ids() -> None:
    # Pre-fork servers (gunicorn) fork after import: each worker must draw its own ids.
    import os

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, "".join(new_request_id() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 4096).decode()
    os.close(read)
    theirs = {child[i : i + 32] for i in range(0, len(child), 32)}
    ours = {new_request_id() for _ in range(5)}
    assert len(theirs) == 5
    assert not theirs & ours


class FakeSpan:
    """Stands in for a server span the framework's instrumentation passes to the hooks."""

    def __init__(self, real: object) -> None:
        self._real = real
        self.attributes: dict[str, object] = {}

    def get_span_context(self) -> object:
        return self._real.get_span_context()  # type: ignore[attr-defined]

    def set_attribute(self, key: str, value: object) -> None:
        self.attributes[key] = value


def _serve(
    installed: Installed, headers: dict[str, str], outgoing: dict[str, str], log_body: str
) -> tuple[FakeSpan, list[tuple[str, str]]]:
    """Run the hooks the way a WSGI/ASGI adapter does: request hook, app code, response hook."""
    response: list[tuple[str, str]] = []
    lower = {k.lower(): v for k, v in headers.items()}
    extracted = W3CBaggagePropagator().extract(lower)
    token = otel_context.attach(extracted)  # what the instrumentation does with incoming headers
    try:
        with installed.tracer.start_as_current_span("server") as real:
            span = FakeSpan(real)
            hooks.run_get("server_request", span, lambda name: lower.get(name.lower()))
            installed.logger().info(log_body)
            W3CBaggagePropagator().inject(outgoing)  # what an instrumented HTTP client does
            hooks.run_set("server_response", span, lambda k, v: response.append((k, v)))
    finally:
        otel_context.detach(token)
    return span, response


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("otelward.request.id", id="otelward-name"),
        # undefined in the OTel conventions; written beside the new name for one release (deprecated)
        pytest.param("http.request.id", id="deprecated-name"),
    ],
)
def test_a_well_formed_incoming_id_is_reused_everywhere(installed: Installed, name: str) -> None:
    outgoing: dict[str, str] = {}
    span, response = _serve(installed, {"X-Request-ID": "req-42"}, outgoing, "handling")
    assert span.attributes[name] == "req-42"
    assert response == [("X-Request-ID", "req-42")]
    assert f"{name}=req-42" in outgoing["baggage"].split(",")
    (rec,) = installed.records()
    assert rec["attributes"][name] == "req-42"
    assert installed.exported.get_finished_logs()[0].log_record.attributes[name] == "req-42"


def test_a_hostile_incoming_id_is_replaced_and_never_written(installed: Installed) -> None:
    hostile = "evil\r\nX-Injected: 1 \x1b[2J" + "A" * 5000
    _, response = _serve(installed, {"X-Request-ID": hostile}, {}, "handling")
    (rec,) = installed.records()
    chosen = rec["attributes"]["http.request.id"]
    assert re.fullmatch(r"[0-9a-f]{32}", chosen)
    assert response == [("X-Request-ID", chosen)]
    assert "evil" not in installed.stream.getvalue()
    assert "AAAA" not in installed.stream.getvalue()


@pytest.mark.parametrize(
    "baggage",
    [
        pytest.param("other=1,otelward.request.id=from-upstream", id="otelward-name"),
        pytest.param("other=1,http.request.id=from-upstream", id="deprecated-name-from-an-older-otelward"),
        pytest.param("http.request.id=older,otelward.request.id=from-upstream", id="new-name-wins"),
    ],
)
def test_the_id_from_upstream_baggage_is_reused(installed: Installed, baggage: str) -> None:
    _, response = _serve(installed, {"baggage": baggage}, {}, "downstream")
    assert response == [("X-Request-ID", "from-upstream")]
    assert installed.records()[0]["attributes"]["otelward.request.id"] == "from-upstream"


def test_garbage_baggage_gives_a_fresh_id(installed: Installed) -> None:
    garbage = ",".join(["=;;", "http.request.id=%0A%1Bforged", "k" * 5000 + "=v"] * 50)
    _, response = _serve(installed, {"baggage": garbage}, {}, "garbage")
    assert re.fullmatch(r"[0-9a-f]{32}", response[0][1])


def test_each_request_gets_its_own_id_and_none_leaks_after(installed: Installed) -> None:
    _, first = _serve(installed, {}, {}, "first")
    _, second = _serve(installed, {}, {}, "second")
    installed.logger().info("after")
    assert first != second
    bodies = {r["body"]: r["attributes"].get("http.request.id") for r in installed.records()}
    assert bodies == {"first": first[0][1], "second": second[0][1], "after": None}
    assert current_request_id() == ""
    assert baggage.get_baggage("http.request.id") is None


def test_the_header_name_is_configurable(logging_state: None) -> None:
    from tests.logs.conftest import install

    inst = install({"OTELWARD_REQUEST_ID_HEADER": "X-Correlation-ID"})
    _, response = _serve(inst, {"X-Correlation-ID": "corr-1", "X-Request-ID": "ignored"}, {}, "x")
    assert response == [("X-Correlation-ID", "corr-1")]


def test_hooks_work_with_a_bare_span_and_asgi_style_headers() -> None:
    # ASGI adapters pass a getter over `scope["headers"]` (bytes pairs); the hook only sees the getter.
    scope_headers = [(b"x-request-id", b"asgi-7"), (b"host", b"x")]

    def get(name: str) -> str | None:
        for key, value in scope_headers:
            if key.decode("latin-1") == name.lower():
                return value.decode("latin-1")
        return None

    hook = RequestIdHooks()
    token = otel_context.attach(otel_context.Context())
    try:
        hook.on_request(None, get)
        assert current_request_id() == "asgi-7"
        sent: list[tuple[str, str]] = []
        hook.on_response(None, lambda k, v: sent.append((k, v)))
        assert sent == [("X-Request-ID", "asgi-7")]
    finally:
        otel_context.detach(token)
