"""Run a callback right after a module is first imported (a post-import hook).

The same mechanism as ``wrapt.register_post_import_hook``, in a few lines of the standard library: wrapt
imports asyncio, ~45 ms that every process would pay at start-up just to wait for its libraries.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importlib.abc imports importlib.resources: not at start-up
    from importlib.machinery import ModuleSpec

__all__ = ["register_post_import_hook"]

Hook = Callable[[ModuleType], None]

_lock = threading.RLock()
_hooks: dict[str, list[Hook]] = {}
_searching = threading.local()


def register_post_import_hook(hook: Hook, name: str) -> None:
    """Call ``hook(module)`` once module ``name`` is imported; at once if it already is."""
    with _lock:
        module = sys.modules.get(name)
        if module is None:
            _hooks.setdefault(name, []).append(hook)
            if not any(isinstance(f, _Finder) for f in sys.meta_path):
                sys.meta_path.insert(0, _Finder())
            return
    hook(module)


def _fire(name: str, module: ModuleType) -> None:
    with _lock:
        hooks = _hooks.pop(name, [])
    for hook in hooks:
        hook(module)


class _Loader:
    """Run the real loader, then the hooks; the module keeps the real loader as its ``__loader__``."""

    def __init__(self, loader: Any, name: str) -> None:
        self.loader = loader
        self.name = name

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        create = getattr(self.loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        # importlib.resources, pkgutil and others inspect the loader: give them the real one.
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        _fire(self.name, sys.modules.get(self.name, module))


class _Finder:
    """Ask the other finders for a watched module's spec, and wrap its loader."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in _hooks:
            return None
        busy: set[str] = _searching.__dict__.setdefault("names", set())
        if fullname in busy:
            return None
        busy.add(fullname)
        try:
            spec = _find_elsewhere(self, fullname, path, target)
        finally:
            busy.discard(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _Loader(spec.loader, fullname)  # type: ignore[assignment]
        return spec


def _find_elsewhere(
    me: _Finder, fullname: str, path: Sequence[str] | None, target: ModuleType | None
) -> ModuleSpec | None:
    for finder in sys.meta_path:
        if finder is me:
            continue
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        spec: ModuleSpec | None = find(fullname, path, target)
        if spec is not None:
            return spec
    return None


def register_first_thread_hook(
    hook: Callable[[], object],
    ignore_prefix: str | tuple[str, ...] = ("otelward-", "Otel"),
    wait_s: float = 5.0,
) -> None:
    """Call ``hook()`` when the app first starts a thread or submits to a thread pool, just before.

    Threads and pools named with ``ignore_prefix`` (otelward's own, and the SDK's ``Otel…`` threads) pass
    through without firing it: the SDK restarts its reader thread inside ``os.fork()``'s after-fork handlers, and
    the hook's imports there could wait for ever on an import lock a parent thread held at the fork. The
    wrappers stay in place and pass straight through once the hook is done, so the hook may wrap them (the
    threading instrumentation does) and the call that fired it goes through that wrapper. A second thread
    that starts a thread meanwhile waits until the hook is done (at most ``wait_s``, on an event: no lock is
    held across the hook's imports), so no thread of the app starts before the instrumentation exists and none
    recurses; threads the hook itself starts go straight through.
    """
    from concurrent.futures import ThreadPoolExecutor

    original_start = threading.Thread.start
    original_submit = ThreadPoolExecutor.submit
    claim = threading.Lock()
    done = threading.Event()
    firing: list[int] = []
    released: list[bool] = []  # a forked child whose parent was running the hook on another thread

    def fire() -> None:
        if claim.acquire(blocking=False):
            firing.append(threading.get_ident())
            try:
                hook()
            except Exception:  # noqa: BLE001, S110 - telemetry must never raise into the app
                pass
            finally:
                done.set()
            return
        if not released:
            done.wait(wait_s)

    def passes(name: str) -> bool:
        return (
            done.is_set()
            or bool(released)
            or name.startswith(ignore_prefix)
            or threading.get_ident() in firing
        )

    def after_fork_in_child() -> None:
        # The thread running the hook did not come along: waiting for it stalled every thread start in the
        # child for wait_s (a fork Pool's workers: ~20 s in the SDK's after-fork resource detection). Let the
        # child's threads through un-hooked instead. Touches no lock (the event's may be held by that thread).
        if firing and not done.is_set() and threading.get_ident() not in firing:
            released.append(True)

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=after_fork_in_child)

    def start(self: threading.Thread) -> None:
        if passes(self.name):
            original_start(self)
            return
        fire()
        # Through what is in place now (the instrumentation's wrapper around this one), never this one again.
        current = threading.Thread.start
        (original_start if current is start else current)(self)

    def submit(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if passes(getattr(self, "_thread_name_prefix", "")):
            return original_submit(self, fn, *args, **kwargs)
        fire()
        current = ThreadPoolExecutor.submit
        return (original_submit if current is submit else current)(self, fn, *args, **kwargs)

    threading.Thread.start = start  # type: ignore[method-assign]
    ThreadPoolExecutor.submit = submit  # type: ignore[method-assign,assignment]
