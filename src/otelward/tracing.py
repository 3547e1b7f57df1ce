"""Manual spans for business operations: ``@otelward.traced`` and ``with otelward.traced(...)``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast, overload

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

__all__ = ["span", "traced"]

F = TypeVar("F", bound=Callable[..., Any])
_TRACER_NAME = "otelward.manual"


@contextmanager
def span(name: str, attributes: Mapping[str, Any] | None = None) -> Iterator[trace.Span]:
    """Run the block in a span called ``name``; an exception is recorded and sets error status."""
    tracer = trace.get_tracer(_TRACER_NAME)
    with tracer.start_as_current_span(
        name, attributes=dict(attributes or {}), record_exception=False, set_status_on_exception=False
    ) as current:
        try:
            yield current
        except BaseException as exc:
            current.record_exception(exc)
            current.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def _bound_attributes(
    fn: Callable[..., Any], names: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    if not names:
        return {}
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
    except TypeError:
        return {}
    out: dict[str, Any] = {}
    for name in names:
        if name in bound.arguments:
            value = bound.arguments[name]
            out[f"code.arg.{name}"] = value if isinstance(value, (str, bool, int, float)) else repr(value)
    return out


@overload
def traced(fn: F, /) -> F: ...
@overload
def traced(*, name: str | None = None, attributes_from: tuple[str, ...] = ()) -> Callable[[F], F]: ...


def traced(fn: Any = None, /, *, name: str | None = None, attributes_from: tuple[str, ...] = ()) -> Any:
    """Trace every call of a function (sync, async, generator or async generator) as its own span.

    Args:
        fn: the function, when used as a bare ``@traced``.
        name: span name; default ``module.qualname``.
        attributes_from: argument names recorded as ``code.arg.<name>`` attributes (redacted on export).
    """
    import wrapt

    def decorate(func: F) -> F:
        span_name = name or f"{func.__module__}.{func.__qualname__}"

        if inspect.isasyncgenfunction(func):

            @wrapt.decorator
            async def agen_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
                with span(span_name, _bound_attributes(func, attributes_from, args, kwargs)):
                    async for item in wrapped(*args, **kwargs):
                        yield item

            return cast(F, agen_wrapper(func))
        if inspect.iscoroutinefunction(func):

            @wrapt.decorator
            async def async_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
                with span(span_name, _bound_attributes(func, attributes_from, args, kwargs)):
                    return await wrapped(*args, **kwargs)

            return cast(F, async_wrapper(func))
        if inspect.isgeneratorfunction(func):

            @wrapt.decorator
            def gen_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
                with span(span_name, _bound_attributes(func, attributes_from, args, kwargs)):
                    yield from wrapped(*args, **kwargs)

            return cast(F, gen_wrapper(func))

        @wrapt.decorator
        def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            with span(span_name, _bound_attributes(func, attributes_from, args, kwargs)):
                return wrapped(*args, **kwargs)

        return cast(F, wrapper(func))

    if fn is not None:
        return decorate(fn)
    return decorate
