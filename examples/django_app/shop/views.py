"""Views: an ORM lookup plus a call to a downstream service (here: the same server)."""

from __future__ import annotations

import logging
import os

import requests
from django.http import HttpRequest, JsonResponse

from examples.django_app.shop.models import Order

log = logging.getLogger("shop")
DOWNSTREAM = os.environ.get("DOWNSTREAM_URL", "http://127.0.0.1:8000")


def order(request: HttpRequest, order_id: int) -> JsonResponse:
    found = Order.objects.filter(id=order_id).first()
    if found is None:
        found = Order.objects.create(id=order_id, user_id=order_id, total="12.50", email="ada@example.com")
    profile = requests.get(f"{DOWNSTREAM}/profile/{found.user_id}/", timeout=5).json()
    log.info("served order %s", order_id)
    return JsonResponse({"id": found.id, "total": str(found.total), "profile": profile})


def profile(request: HttpRequest, user_id: int) -> JsonResponse:
    return JsonResponse({"user_id": user_id, "tier": "gold"})
