"""Decide whether a stream ends up on this process's stdout or stderr, whatever wrappers it is behind.

Servers and frameworks rarely hand a logging handler ``sys.stderr`` itself: Flask's ``default_handler``
writes to a werkzeug ``LocalProxy`` that resolves, inside a request, to gunicorn's ``WSGIErrorsWrapper``,
which has no file descriptor and fans out to the error log's streams. So the decision follows the chain
(proxies, ``.streams`` fan-outs, ``.stream``/``.buffer``/``.wrapped`` attributes) to the objects that
really write, and compares those with ``sys.stdout``/``sys.stderr`` and file descriptors 1 and 2.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

__all__ = ["console_target"]

_CONSOLE_FILES = frozenset({"/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/proc/self/fd/2"})
# Attributes through which wrappers expose what they write to (io: buffer/raw; gunicorn, colorama,
# click, rich, structlog-style wrappers: stream/wrapped/_stream/file).
_INNER_ATTRS = ("stream", "_stream", "wrapped", "_wrapped", "__wrapped__", "buffer", "raw", "file", "_file")
_MAX_DEPTH = 8
_MAX_NODES = 32


def _with_inner(stream: Any, into: list[Any]) -> None:
    if stream is None:
        return
    into.append(stream)
    for attr in ("buffer", "raw"):
        inner = getattr(stream, attr, None)
        if inner is not None:
            into.append(inner)
            raw = getattr(inner, "raw", None)
            if raw is not None:
                into.append(raw)


def _console_objects() -> tuple[list[Any], list[Any]]:
    """Return (the interpreter's original stdout/stderr and their buffers, the current ones)."""
    original: list[Any] = []
    current: list[Any] = []
    _with_inner(sys.__stdout__, original)
    _with_inner(sys.__stderr__, original)
    _with_inner(sys.stdout, current)
    _with_inner(sys.stderr, current)
    return original, current


def _fd_is_console(fd: int) -> bool:
    if fd in (1, 2):
        return True
    try:
        st = os.fstat(fd)
    except OSError:
        return False
    for std in (1, 2):
        try:
            other = os.fstat(std)
        except OSError:
            continue
        # A duplicate of fd 1/2 (os.dup, /dev/stderr opened again) is the console too.
        if (st.st_dev, st.st_ino) == (other.st_dev, other.st_ino) and st.st_ino != 0:
            return True
    return False


def _attr(obj: Any, name: str) -> Any:
    try:
        return getattr(obj, name, None)
    except Exception:  # noqa: BLE001 - a property or a proxy outside its context may raise
        return None


def console_target(stream: Any) -> tuple[bool, bool]:
    """Return (writes to stdout/stderr, the answer can be cached for this object).

    The answer may be cached only when it did not depend on anything that can change: it was read from
    the object alone (its descriptor or name), with no proxy, fan-out or wrapper attribute involved.
    """
    if stream is sys.stdout or stream is sys.stderr:
        return True, False  # sys.stdout/err may be swapped later (pytest capture, gunicorn)
    original, current = _console_objects()
    seen: set[int] = set()
    todo: list[tuple[Any, int]] = [(stream, 0)]
    stable = True
    while todo and len(seen) < _MAX_NODES:
        obj, depth = todo.pop()
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        if any(obj is c for c in original):
            # The interpreter's own streams never change: cacheable when nothing was followed to them.
            return True, stable and depth == 0
        if any(obj is c for c in current):
            # sys.stdout/err may be swapped later (pytest capture, gunicorn): never cache through them.
            return True, False
        if depth:
            stable = False
        try:
            name = getattr(obj, "name", None)
        except Exception:  # noqa: BLE001 - a proxy outside its context may raise
            name = None
        if isinstance(name, str) and name in _CONSOLE_FILES:
            return True, stable
        if isinstance(name, int) and _fd_is_console(name):
            return True, stable  # io.FileIO opened on a descriptor
        try:
            fd = obj.fileno()
        except Exception:  # noqa: BLE001 - StringIO, RawIOBase without a descriptor, proxies
            fd = None
        if isinstance(fd, int) and fd >= 0:
            if _fd_is_console(fd):
                return True, stable
            if depth == 0:
                return False, True  # a real file: what it writes to is fixed
        if depth >= _MAX_DEPTH:
            continue
        resolve = _attr(obj, "_get_current_object")  # werkzeug LocalProxy
        if callable(resolve):
            stable = False
            with contextlib.suppress(Exception):  # outside its context: nothing to follow
                todo.append((resolve(), depth + 1))
        fanout = _attr(obj, "streams")  # gunicorn's WSGIErrorsWrapper
        if isinstance(fanout, (list, tuple)):
            stable = False
            todo.extend((s, depth + 1) for s in fanout)
        for attr in _INNER_ATTRS:
            inner = _attr(obj, attr)
            if inner is not None and inner is not obj and callable(_attr(inner, "write")):
                stable = False
                todo.append((inner, depth + 1))
    return False, stable and len(seen) <= 1
