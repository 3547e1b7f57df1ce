"""WSGI entry point: opentelemetry-instrument gunicorn -w 2 examples.django_app.wsgi:application

``DJANGO_SETTINGS_MODULE`` is set before Django is imported: the Django instrumentation reads the
settings when it activates, which is on that import.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_app.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
