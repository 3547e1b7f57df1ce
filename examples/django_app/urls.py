"""Routes of the Django example."""

from __future__ import annotations

from django.urls import path

from examples.django_app.shop import views

urlpatterns = [
    path("orders/<int:order_id>/", views.order, name="order"),
    path("profile/<int:user_id>/", views.profile, name="profile"),
]
