"""Run a callback right after a module is first imported (a post-import hook).

The same mechanism as ``wrapt.register_post_import_hook``, in a few lines of the standard library: wrapt
imports asyncio, ~45 ms that every process would pay at start-up just to wait for its libraries.
"""

from __future__ import annotations

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


def register_first_thread_hook(hook: Callable[[], object], ignore_prefix: str = "otelward-") -> None:
    """Call ``hook()`` when the app first starts a thread or submits to a thread pool, just before.

    Threads and pools named with ``ignore_prefix`` (otelward's own) pass through without firing it. The
    hook runs with the original methods back in place, so it may wrap them (the threading instrumentation
    does), and the call that fired it goes through the wrapped method.
    """
    from concurrent.futures import ThreadPoolExecutor

    original_start = threading.Thread.start
    original_submit = ThreadPoolExecutor.submit
    fired = threading.Lock()

    def fire() -> None:
        if fired.acquire(blocking=False):
            threading.Thread.start = original_start  # type: ignore[method-assign]
            ThreadPoolExecutor.submit = original_submit  # type: ignore[method-assign]
            hook()

    def start(self: threading.Thread) -> None:
        if not self.name.startswith(ignore_prefix):
            fire()
            threading.Thread.start(self)
        else:
            original_start(self)

    def submit(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if not getattr(self, "_thread_name_prefix", "").startswith(ignore_prefix):
            fire()
            return ThreadPoolExecutor.submit(self, fn, *args, **kwargs)
        return original_submit(self, fn, *args, **kwargs)

    threading.Thread.start = start  # type: ignore[method-assign]
    ThreadPoolExecutor.submit = submit  # type: ignore[method-assign,assignment]
