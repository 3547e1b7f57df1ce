"""The example's one model."""

from __future__ import annotations

from django.db import models


class Order(models.Model):
    """An order placed by a user."""

    user_id = models.IntegerField()
    total = models.DecimalField(max_digits=10, decimal_places=2)
    email = models.CharField(max_length=200)

    class Meta:
        app_label = "shop"
