"""Settings of the Django benchmark service (benchmarks/app_django.py)."""

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "benchmark-only"
ROOT_URLCONF = "benchmarks.app_django"
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
LOGGING_CONFIG = None
USE_TZ = True
