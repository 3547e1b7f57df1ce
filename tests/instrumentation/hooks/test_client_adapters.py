"""The httpx, urllib3 and aiohttp client adapters hand the response headers to ``client_response`` hooks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import urllib3

from otelward.instrumentation import hooks


@pytest.fixture
def seen() -> Iterator[list[str | None]]:
    got: list[str | None] = []
    hooks.clear()
    hooks.register("client_response", lambda span, get: got.append(get("traceresponse")))
    yield got
    hooks.clear()


def test_registered_for_the_entry_points() -> None:
    for name in ("httpx", "urllib3", "aiohttp-client"):
        assert "response_hook" in hooks.instrumentor_kwargs(name), name


def test_httpx_sync_and_async(seen: list[str | None]) -> None:
    kwargs = hooks.instrumentor_kwargs("httpx")
    headers = httpx.Headers({"TraceResponse": "00-a-b-01"})
    kwargs["response_hook"](None, None, SimpleNamespace(headers=headers))
    asyncio.run(
        kwargs["async_response_hook"](None, None, SimpleNamespace(headers=[(b"traceresponse", b"x")]))
    )
    assert seen == ["00-a-b-01", "x"]


def test_urllib3(seen: list[str | None]) -> None:
    response = SimpleNamespace(headers=urllib3.HTTPHeaderDict({"Traceresponse": "v"}))
    hooks.instrumentor_kwargs("urllib3")["response_hook"](None, None, response)
    assert seen == ["v"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (SimpleNamespace(response=SimpleNamespace(headers={"traceresponse": "v"})), ["v"]),
        (SimpleNamespace(exception=OSError("refused")), []),
    ],
    ids=["response", "request-failed"],
)
def test_aiohttp(seen: list[str | None], params: Any, expected: list[str]) -> None:
    hooks.instrumentor_kwargs("aiohttp-client")["response_hook"](None, params)
    assert seen == expected
