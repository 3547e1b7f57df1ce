"""A CLI command's span must not stay open around a server the command starts.

The ``click`` instrumentation (installed by ``opentelemetry-bootstrap``; typer runs on click) opens a span
around each command. A command that runs a server (``myapp serve``) would hold it for the life of the
process: every request becomes a child of one endless trace, and the threads the server starts inherit it.
When a server starts inside such a span, otelward ends the span there (it measured the command's start-up)
and runs the server with no current span, so each request starts its own trace.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

__all__ = ["CLI_SCOPES", "SERVER_STARTS", "apply", "leave_cli_span", "wrap_server_start"]

CLI_SCOPES = frozenset({"opentelemetry.instrumentation.click"})
"""Instrumentation scopes whose spans are a command's whole run."""

SERVER_STARTS: tuple[tuple[str, str, str], ...] = (
    ("socketserver", "BaseServer", "serve_forever"),  # http.server, wsgiref, werkzeug (Flask's dev server)
    ("werkzeug.serving", "", "run_simple"),
    ("uvicorn.server", "Server", "run"),
    ("waitress", "", "serve"),
    ("gunicorn.arbiter", "Arbiter", "run"),
    ("hypercorn.run", "", "run"),
)
"""(module, class or "", function): the calls that run a server until the process stops."""

ATTRIBUTE = "otelward.cli.server_started"
"""Set on a command's span ended because the command started a server."""


def _noop(*_args: Any, **_kwargs: Any) -> None:
    return None


def leave_cli_span() -> object | None:
    """End the current span if it is a CLI command's; return the token of a context without it, or None."""
    from opentelemetry import context, trace

    span = trace.get_current_span()
    scope = getattr(span, "instrumentation_scope", None)
    if scope is None or scope.name not in CLI_SCOPES or not span.is_recording():
        return None
    span.set_attribute(ATTRIBUTE, True)
    span.end()
    # click's wrapper ends (and on an exception, annotates) the span again when the command returns; the SDK
    # would log a warning for each call on an ended span.
    for name in ("end", "set_status", "set_attribute", "record_exception", "add_event"):
        setattr(span, name, _noop)
    return context.attach(trace.set_span_in_context(trace.INVALID_SPAN))


def wrap_server_start(owner: Any, attr: str) -> None:
    """Wrap ``owner.attr`` so that a CLI span open around it is ended first (once per function)."""
    original = getattr(owner, attr, None)
    if original is None or getattr(original, "__otelward_cli__", False):
        return

    @functools.wraps(original)
    def start(*args: Any, **kwargs: Any) -> Any:
        from opentelemetry import context

        token = None
        with contextlib.suppress(Exception):  # telemetry must never stop the server from starting
            token = leave_cli_span()
        try:
            return original(*args, **kwargs)
        finally:
            if token is not None:
                context.detach(token)  # type: ignore[arg-type]

    start.__otelward_cli__ = True  # type: ignore[attr-defined]
    setattr(owner, attr, start)


def _hook(cls: str, attr: str) -> Callable[[Any], None]:
    def hook(module: Any) -> None:
        owner = getattr(module, cls, None) if cls else module
        if owner is not None:
            wrap_server_start(owner, attr)

    return hook


def apply() -> None:
    """Arm the server-start wrappers; runs once the click instrumentation is active."""
    from otelward.instrumentation._post_import import register_post_import_hook

    for module, cls, attr in SERVER_STARTS:
        register_post_import_hook(_hook(cls, attr), module)
