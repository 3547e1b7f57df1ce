"""Arm the Django instrumentation on ``django.setup()``, not on ``import django``.

A generated project's ``wsgi.py`` imports django *before* its ``os.environ.setdefault(
"DJANGO_SETTINGS_MODULE", ...)``. Instrumenting at that import reads ``settings.MIDDLEWARE`` with no
settings module, and the instrumentor then calls ``settings.configure()`` with Django's global defaults:
every request answers 500 ("no attribute ROOT_URLCONF"). ``django.setup()`` is where Django itself first
reads the settings (``get_wsgi_application``, ``get_asgi_application``, ``manage.py``), so instrumenting
just before it sees the project's settings and still adds the middleware before the handler loads it.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["arm_on_setup"]


def _configured() -> bool:
    conf = sys.modules.get("django.conf")
    settings = getattr(conf, "settings", None)
    return bool(getattr(settings, "configured", False))


def arm_on_setup(
    django: Any, load: Callable[[], object], configured: Callable[[], bool] = _configured
) -> None:
    """Run ``load`` now if settings are configured, else when ``django.setup()`` is first called.

    Args:
        django: the ``django`` module.
        load: instruments Django (``load_now`` of its entry point).
        configured: whether the settings are configured already (tests pass a stand-in).
    """
    if configured():
        load()
        return
    original = django.setup
    if getattr(original, "__otelward_armed__", False):
        return

    @functools.wraps(original)
    def setup(*args: Any, **kwargs: Any) -> Any:
        django.setup = original  # once: later calls (and `from django import setup` users) see Django's own
        # telemetry must never stop the app from starting
        with contextlib.suppress(Exception):
            load()
        return original(*args, **kwargs)

    setup.__otelward_armed__ = True  # type: ignore[attr-defined]
    django.setup = setup
