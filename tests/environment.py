"""A pytest plugin loaded with ``-p`` before pytest-django sets Django up: the test environment."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
# Playwright's sync API runs an event loop in the test thread, next to the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
