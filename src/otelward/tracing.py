"""Manual spans for business operations: ``@otelward.traced`` and ``with otelward.span(...)``.

Both are thin layers over ``opentelemetry.trace``, which stays the full API. Arguments recorded as
attributes are ordinary span attributes, so the export-side redaction sees them like any other.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast, overload

from opentelemetry import context, trace
from opentelemetry.trace import Span, Status, StatusCode
from opentelemetry.util.types import AttributeValue

__all__ = ["span", "traced"]

F = TypeVar("F", bound=Callable[..., Any])
_TRACER_NAME = "otelward.manual"
_MAX_REPR = 256  # an argument's repr is a hint, not a dump of the object


def _tracer() -> trace.Tracer:
    return trace.get_tracer(_TRACER_NAME)


def _fail(current: Span, exc: BaseException) -> None:
    current.record_exception(exc)
    # The type only: the message may hold data the redaction rules would have to find again.
    current.set_status(Status(StatusCode.ERROR, type(exc).__name__))


@contextmanager
def span(name: str, attributes: Mapping[str, AttributeValue] | None = None) -> Iterator[Span]:
    """Run the block in a span called ``name``; an exception is recorded and sets error status.

    Args:
        name: the span name (keep it low-cardinality: ``charge card``, not ``charge card 4242``).
        attributes: attributes set when the span starts.

    Returns:
        A context manager yielding the current :class:`opentelemetry.trace.Span`.
    """
    with _tracer().start_as_current_span(
        name if type(name) is str else _attribute(name),  # type: ignore[arg-type]
        attributes=_attributes_of(attributes),
        record_exception=False,
        set_status_on_exception=False,
    ) as current:
        try:
            yield current
        except BaseException as exc:
            _fail(current, exc)
            raise


_INT64 = (-(2**63), 2**63)
_UNREPRESENTABLE = "<unrepresentable>"


def _short_repr() -> Any:
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = _MAX_REPR
    short.maxlevel, short.maxlist, short.maxtuple, short.maxdict, short.maxset = 3, 100, 100, 50, 100
    return short


_SHORT = _short_repr()


def _attribute(value: Any) -> AttributeValue:
    """Return an argument as an attribute value; hostile or huge objects cost one short string, never an error."""
    kind = type(value)
    if kind is str or kind is bool or kind is float:
        return cast(AttributeValue, value)
    if kind is int and _INT64[0] <= value < _INT64[1]:
        return cast(int, value)
    try:
        # reprlib bounds containers and long strings before building them (a huge list is not joined whole).
        text = str(_SHORT.repr(value))
    except Exception:  # noqa: BLE001 - an argument's broken __repr__ must not reach the caller
        return _UNREPRESENTABLE
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _bound_attributes(
    fn: Callable[..., Any], names: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, AttributeValue]:
    if not names:
        return {}
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
        return {f"code.arg.{n}": _attribute(bound.arguments[n]) for n in names if n in bound.arguments}
    except Exception:  # noqa: BLE001 - recording arguments must never break the call
        return {}


def _attributes_of(attributes: Any) -> dict[str, AttributeValue]:
    if attributes is None:
        return {}
    try:
        return {str(k): v for k, v in dict(attributes).items()}
    except Exception:  # noqa: BLE001 - a broken mapping costs its attributes, not the block
        return {}


def _traced_generator(gen: Generator[Any, Any, Any], start: Callable[[], Span]) -> Generator[Any, Any, Any]:
    # The span starts on the first next() (a generator never iterated leaves no open span) and is
    # current only while the generator body runs, never in the consumer between items.
    current = start()
    ctx = trace.set_span_in_context(current)
    to_send: Any = None
    to_throw: BaseException | None = None
    try:
        while True:
            token = context.attach(ctx)
            try:
                if to_throw is not None:
                    exc, to_throw = to_throw, None
                    item = gen.throw(exc)
                else:
                    item = gen.send(to_send)
            except StopIteration as stop:
                return stop.value
            finally:
                context.detach(token)
            try:
                to_send = yield item
            except GeneratorExit:
                raise
            except BaseException as exc:  # noqa: BLE001 - forwarded into the wrapped generator
                to_throw = exc
    except GeneratorExit:
        # The consumer stopped early: not an error.
        token = context.attach(ctx)
        try:
            gen.close()
        finally:
            context.detach(token)
        raise
    except BaseException as exc:
        _fail(current, exc)
        raise
    finally:
        current.end()


async def _traced_async_generator(
    agen: AsyncGenerator[Any, Any], start: Callable[[], Span]
) -> AsyncGenerator[Any, Any]:
    current = start()
    ctx = trace.set_span_in_context(current)
    to_send: Any = None
    to_throw: BaseException | None = None
    try:
        while True:
            token = context.attach(ctx)
            try:
                if to_throw is not None:
                    exc, to_throw = to_throw, None
                    item = await agen.athrow(exc)
                else:
                    item = await agen.asend(to_send)
            except StopAsyncIteration:
                return
            finally:
                context.detach(token)
            try:
                to_send = yield item
            except GeneratorExit:
                raise
            except BaseException as exc:  # noqa: BLE001 - forwarded into the wrapped generator
                to_throw = exc
    except GeneratorExit:
        token = context.attach(ctx)
        try:
            await agen.aclose()
        finally:
            context.detach(token)
        raise
    except BaseException as exc:
        _fail(current, exc)
        raise
    finally:
        current.end()


def _decorate(func: F, span_name: str, attributes_from: tuple[str, ...]) -> F:
    import wrapt

    def start(wrapped: Any, args: Any, kwargs: Any) -> Callable[[], Span]:
        # `wrapped` is the bound method for methods, so argument names line up with `args`.
        attrs = _bound_attributes(wrapped, attributes_from, args, kwargs)
        return lambda: _tracer().start_span(span_name, attributes=attrs)

    if inspect.isasyncgenfunction(func):

        @wrapt.decorator
        def agen_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            return _traced_async_generator(wrapped(*args, **kwargs), start(wrapped, args, kwargs))

        return cast(F, agen_wrapper(func))
    if inspect.isgeneratorfunction(func):

        @wrapt.decorator
        def gen_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            return _traced_generator(wrapped(*args, **kwargs), start(wrapped, args, kwargs))

        return cast(F, gen_wrapper(func))
    if inspect.iscoroutinefunction(func):

        @wrapt.decorator
        async def async_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            with span(span_name, _bound_attributes(wrapped, attributes_from, args, kwargs)):
                return await wrapped(*args, **kwargs)

        return cast(F, async_wrapper(func))

    @wrapt.decorator
    def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        with span(span_name, _bound_attributes(wrapped, attributes_from, args, kwargs)):
            return wrapped(*args, **kwargs)

    return cast(F, wrapper(func))


@overload
def traced(fn: F, /) -> F: ...
@overload
def traced(name: str, /, *, attributes_from: tuple[str, ...] = ()) -> Callable[[F], F]: ...
@overload
def traced(*, name: str | None = None, attributes_from: tuple[str, ...] = ()) -> Callable[[F], F]: ...


def traced(fn: Any = None, /, *, name: str | None = None, attributes_from: tuple[str, ...] = ()) -> Any:
    """Trace every call of a function (sync, async, generator or async generator) as its own span.

    A generator's span lasts from the first ``next()`` to exhaustion (or ``close()``) and is current
    inside the generator body only. An exception ends the span with error status and an exception event.

    Args:
        fn: the function, when used as a bare ``@traced``; or the span name, as in ``@traced("charge")``.
        name: span name; default ``module.qualname``.
        attributes_from: argument names recorded as ``code.arg.<name>`` attributes (redacted on export).

    Returns:
        The wrapped function, or a decorator when called with options.
    """
    if isinstance(fn, str):
        name, fn = fn, None

    def decorate(func: F) -> F:
        return _decorate(func, name or f"{func.__module__}.{func.__qualname__}", tuple(attributes_from))

    if fn is not None:
        return decorate(fn)
    return decorate
