"""@otelward.traced and otelward.span: one span per call, errors marked, context only where it belongs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry import trace
from opentelemetry.trace import StatusCode

import otelward
from otelward.tracing import span, traced
from tests.frameworks.memory import Spans, capture


@pytest.fixture
def spans() -> Iterator[Spans]:
    with capture() as captured:
        yield captured


def test_bare_decorator_names_the_span_after_the_function(spans: Spans) -> None:
    @otelward.traced
    def compute(x: int) -> int:
        return x * 2

    assert compute(21) == 42
    (s,) = spans.finished()
    assert s.name == f"{__name__}.test_bare_decorator_names_the_span_after_the_function.<locals>.compute"
    assert s.status.status_code is StatusCode.UNSET


def test_positional_name_and_arguments_become_attributes(spans: Spans) -> None:
    @traced("charge card", attributes_from=("amount", "customer", "note"))
    def charge(amount: float, customer: object, note: str = "none", secret: str = "") -> str:
        return "ok"

    charge(9.5, {"id": 7}, secret="hunter2")
    s = spans.named("charge card")
    attrs = dict(s.attributes or {})
    assert attrs == {"code.arg.amount": 9.5, "code.arg.customer": "{'id': 7}"}
    assert "hunter2" not in repr(attrs)


def test_long_reprs_are_cut(spans: Spans) -> None:
    @traced(attributes_from=("blob",))
    def store(blob: list[int]) -> None:
        return None

    store(list(range(10_000)))
    value = dict(spans.finished()[0].attributes or {})["code.arg.blob"]
    assert isinstance(value, str)
    assert len(value) == 256
    assert value.endswith("...")


def test_methods_bind_arguments_without_self(spans: Spans) -> None:
    class Cart:
        @traced(name="cart.add", attributes_from=("sku",))
        def add(self, sku: str, qty: int = 1) -> int:
            return qty

    assert Cart().add("A-1", qty=3) == 3
    assert dict(spans.named("cart.add").attributes or {}) == {"code.arg.sku": "A-1"}


def test_exception_sets_error_status_records_event_and_propagates(spans: Spans) -> None:
    @traced(name="fail")
    def fail() -> None:
        raise ValueError("card declined for 4111111111111111")

    with pytest.raises(ValueError, match="card declined"):
        fail()
    s = spans.named("fail")
    assert s.status.status_code is StatusCode.ERROR
    # The status names the type only; the message stays in the exception event, where redaction applies.
    assert s.status.description == "ValueError"
    assert [e.name for e in s.events] == ["exception"]


def test_nested_calls_are_parent_and_child(spans: Spans) -> None:
    @traced(name="inner")
    def inner() -> None:
        return None

    @traced(name="outer")
    def outer() -> None:
        inner()

    outer()
    assert spans.parent_of(spans.named("inner")) == spans.named("outer")


def test_async_function(spans: Spans) -> None:
    @traced(name="fetch")
    async def fetch(n: int) -> int:
        await asyncio.sleep(0)
        assert trace.get_current_span().get_span_context().span_id == _current_id()
        return n + 1

    def _current_id() -> int:
        return trace.get_current_span().get_span_context().span_id

    assert asyncio.run(fetch(1)) == 2
    assert spans.named("fetch").status.status_code is StatusCode.UNSET


def test_async_exception(spans: Spans) -> None:
    @traced(name="afail")
    async def afail() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        asyncio.run(afail())
    assert spans.named("afail").status.status_code is StatusCode.ERROR


def test_decorated_functions_keep_their_kind() -> None:
    import inspect

    @traced
    async def coro() -> None:
        return None

    @traced
    def gen() -> Iterator[int]:
        yield 1

    assert inspect.iscoroutinefunction(coro)
    assert inspect.isgeneratorfunction(gen)
    assert coro.__name__ == "coro"


def test_generator_span_covers_iteration_and_is_current_only_inside(spans: Spans) -> None:
    seen_inside: list[int] = []

    @traced(name="rows")
    def rows() -> Iterator[int]:
        for i in range(3):
            seen_inside.append(trace.get_current_span().get_span_context().span_id)
            yield i

    with span("consumer") as consumer:
        gen = rows()
        assert spans.finished() == []  # nothing starts before the first next()
        out = []
        for item in gen:
            # Between items the consumer's span is current, not the generator's.
            assert trace.get_current_span() is consumer
            out.append(item)
    assert out == [0, 1, 2]
    s = spans.named("rows")
    assert set(seen_inside) == {s.context.span_id}
    assert spans.parent_of(s) == spans.named("consumer")


def test_generator_send_return_value_and_early_close(spans: Spans) -> None:
    @traced(name="echo")
    def echo() -> Iterator[str]:
        got = yield "ready"
        yield f"got {got}"

    gen = echo()
    assert next(gen) == "ready"
    assert gen.send("x") == "got x"
    gen.close()
    s = spans.named("echo")
    assert s.end_time is not None
    assert s.status.status_code is StatusCode.UNSET  # stopping early is not an error


def test_generator_exception_and_throw(spans: Spans) -> None:
    @traced(name="gfail")
    def gfail() -> Iterator[int]:
        yield 1
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        list(gfail())
    assert spans.named("gfail").status.status_code is StatusCode.ERROR

    @traced(name="catcher")
    def catcher() -> Iterator[str]:
        try:
            yield "a"
        except KeyError:
            yield "caught"

    gen = catcher()
    assert next(gen) == "a"
    assert gen.throw(KeyError("k")) == "caught"
    gen.close()
    assert spans.named("catcher").status.status_code is StatusCode.UNSET


def test_async_generator(spans: Spans) -> None:
    @traced(name="stream")
    async def stream(n: int) -> AsyncIterator[int]:
        for i in range(n):
            await asyncio.sleep(0)
            yield i

    @traced(name="astop")
    async def astop() -> AsyncIterator[int]:
        yield 1
        raise ValueError("bad row")

    async def main() -> tuple[list[int], bool]:
        with span("request"):
            items = [i async for i in stream(3)]
        failed = False
        try:
            async for _ in astop():
                pass
        except ValueError:
            failed = True
        return items, failed

    assert asyncio.run(main()) == ([0, 1, 2], True)
    assert spans.parent_of(spans.named("stream")) == spans.named("request")
    assert spans.named("astop").status.status_code is StatusCode.ERROR


def test_span_context_manager_sets_attributes_and_errors(spans: Spans) -> None:
    with span("ok", {"order.id": 3}) as current:
        current.set_attribute("order.items", 2)
    with pytest.raises(ZeroDivisionError), span("bad"):
        _ = 1 / 0
    assert dict(spans.named("ok").attributes or {}) == {"order.id": 3, "order.items": 2}
    assert spans.named("bad").status.status_code is StatusCode.ERROR


def test_package_exports() -> None:
    assert otelward.traced is traced
    assert otelward.span is span
