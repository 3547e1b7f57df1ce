"""Native instrumentation of Django: otelward's middleware first in ``settings.MIDDLEWARE``, where upstream puts its own.

Django's handler builds its middleware chain from the setting when it loads (``get_wsgi_application``,
``get_asgi_application``, the test client), which otelward's loader runs this before (``_django.arm_on_setup``).
Unlike upstream's instrumentor, a process without a settings module (``DJANGO_SETTINGS_MODULE`` unset or not
importable) is left alone: upstream would ``settings.configure()`` Django's global defaults, and every request
would answer 500.
"""

from __future__ import annotations

__all__ = ["MIDDLEWARE", "instrument", "uninstrument"]

MIDDLEWARE = "otelward.instrumentation.native._django_middleware.OtelwardDjangoMiddleware"
"""The dotted path inserted first in ``settings.MIDDLEWARE``."""


def instrument() -> None:
    """Insert otelward's middleware first in ``settings.MIDDLEWARE`` (idempotent)."""
    from django.conf import settings  # type: ignore[import-untyped]
    from django.core.exceptions import ImproperlyConfigured  # type: ignore[import-untyped]

    try:
        current = list(getattr(settings, "MIDDLEWARE", None) or [])  # loads DJANGO_SETTINGS_MODULE
    except (ImproperlyConfigured, ImportError):
        return  # no settings to add to: leave Django unconfigured, as the app expects
    if MIDDLEWARE in current:
        return
    settings.MIDDLEWARE = [MIDDLEWARE, *current]


def uninstrument() -> None:
    """Remove otelward's middleware from ``settings.MIDDLEWARE`` (tests; loaded handlers keep their chain)."""
    from django.conf import settings

    if settings.configured:
        settings.MIDDLEWARE = [m for m in getattr(settings, "MIDDLEWARE", None) or [] if m != MIDDLEWARE]
