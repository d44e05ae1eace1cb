import os

# Before Django loads: a key for the test run, and Playwright's sync API next to the ORM.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.cache import cache

from glossary import linking

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _isolated_caches(settings):
    """Plain static storage (the manifest needs collectstatic) and fresh caches per test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    linking._current = None
    yield
    cache.clear()
    linking._current = None
