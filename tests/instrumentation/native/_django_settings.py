"""A settings module for tests/instrumentation/native/test_django_insert.py (MIDDLEWARE as a tuple, as allowed)."""

SECRET_KEY = "insert-test"
MIDDLEWARE = ("django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware")
