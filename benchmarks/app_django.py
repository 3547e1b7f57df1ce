"""The Django benchmark service: the Flask benchmark's route (one sqlite3 query, one log line) as a Django view.

URLs and the WSGI app ``benchmarks.app_django:application``; settings in ``benchmarks.django_settings`` (a
separate module, so that an instrumentor reading the settings at start-up does not import the app). Run by
``benchmarks/run_frameworks.py`` under gunicorn; it knows nothing about OpenTelemetry.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

logging.basicConfig(
    level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s"
)

log = logging.getLogger("bench")
_local = threading.local()


def _conn() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO users VALUES (?, ?)", [(1, "Ada"), (2, "Bob")])
        _local.conn = conn
    return conn


def get_user(request: HttpRequest, user_id: int) -> HttpResponse:
    cur = _conn().cursor()
    cur.execute("SELECT id, name FROM users WHERE id = ?", (user_id,))
    row = cur.fetchone()
    cur.close()
    log.info("served user %s", user_id)
    if row is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse({"id": row[0], "name": row[1]})


urlpatterns = [path("users/<int:user_id>", get_user)]


def _application() -> object:
    import os

    from django.core.wsgi import get_wsgi_application

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.django_settings")
    return get_wsgi_application()


application = _application()
