"""Semantic-convention fixes applied to the spans of upstream's framework instrumentations, from their hooks.

Upstream's Flask and Django spans carry ``server.address`` with the port (``127.0.0.1:8000``) and name an
unmatched request after its raw path (``GET /nope-1fd3``: unbounded names, and secrets in paths), and
write captured header keys with underscores (``http.response.header.content_type``; semconv keeps the
header's own dashes). otelward's
own server instrumentation never does either; these bring the framework spans in line.
"""

from __future__ import annotations

from typing import Any

__all__ = ["dash_header_keys", "name_without_route", "split_server_address"]

_HEADER_PREFIXES = ("http.request.header.", "http.response.header.")


def split_server_address(span: Any) -> None:
    """Move a ``:port`` suffix of ``server.address`` to ``server.port``."""
    attributes = getattr(span, "attributes", None)
    if not attributes or not span.is_recording():
        return
    address = attributes.get("server.address")
    if not isinstance(address, str) or ":" not in address:
        return
    from otelward.instrumentation._server import split_host

    host, port = split_host(address, None)
    if host == address:
        return
    span.set_attribute("server.address", host)
    if port is not None:  # the Host header names the port the client used, whatever the socket says
        span.set_attribute("server.port", port)


def name_without_route(span: Any) -> None:
    """Name a server span that matched no route after its method alone (``GET``), as semconv says."""
    attributes = getattr(span, "attributes", None)
    if attributes is None or not span.is_recording() or attributes.get("http.route"):
        return
    from otelward.instrumentation._server import method_attributes, span_name

    method = attributes.get("http.request.method")
    if isinstance(method, str):
        span.update_name(span_name(method_attributes(method)[0], None))


def dash_header_keys(span: Any) -> None:
    """Rename captured header attributes to the header's name with dashes (``content-type``), as semconv says.

    Upstream captures the headers just before it calls the response hook; an SDK span's attributes are a
    mutable mapping until the span ends, so the old keys can go.
    """
    attributes = getattr(span, "_attributes", None)
    if attributes is None or not span.is_recording():
        return
    renamed = {
        key: key[: len(prefix)] + key[len(prefix) :].replace("_", "-")
        for key in list(attributes)
        for prefix in _HEADER_PREFIXES
        if key.startswith(prefix) and "_" in key[len(prefix) :]
    }
    for old, new in renamed.items():
        value = attributes[old]
        del attributes[old]
        span.set_attribute(new, value)
