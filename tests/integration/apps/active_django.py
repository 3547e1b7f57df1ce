"""A one-file Django project whose ``/slow`` answers once the test lets it (see ``active_app``)."""

from __future__ import annotations

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="active-requests-test",
    MIDDLEWARE=[],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after settings, as Django requires
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from tests.integration.apps.active_app import _held  # noqa: E402


def slow(request: HttpRequest) -> HttpResponse:
    _held()
    return HttpResponse("done")


urlpatterns = [path("slow", slow)]
application = get_wsgi_application()
