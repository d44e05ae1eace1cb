"""Fixtures shared by the suite. The environment itself is set up in tests/environment.py, a
plugin loaded before Django (see pyproject.toml's addopts)."""

import re

import pytest
from django.core.cache import caches

from glossary import linking
from learn.core import inprocess

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _isolated_caches(settings):
    """Plain static storage (the manifest needs collectstatic) and fresh caches per test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    forget_everything()
    yield
    forget_everything()


def forget_everything() -> None:
    """Every cache empty and the glossary's matcher gone: as a new process starts."""
    for cache in caches.all():
        cache.clear()
    inprocess.forget_all()
    linking.forget_matcher()


TOKEN_RE = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def without_tokens(html: bytes) -> str:
    """A page with its CSRF tokens blanked: the one part that differs between two visitors."""
    return TOKEN_RE.sub(r"\1…", html.decode())


@pytest.fixture
def page_queries(django_assert_num_queries):
    """Pin a page's queries for a visitor without a session: ``cold`` from empty caches,
    ``rendered`` when it is built again for the page cache, one (the content version) when it
    comes from the page cache; the built and the cached page are the same."""

    def check(client, url, rendered, *, cold=None, **headers):
        if cold is not None:  # first, from nothing: every cache empty
            forget_everything()
            with django_assert_num_queries(cold):
                client.get(url, **headers)
        client.get(url, **headers)  # warm: what is built once per content version (the linker)
        with django_assert_num_queries(1):
            cached = client.get(url, **headers)
        caches["pages"].clear()
        with django_assert_num_queries(rendered):
            response = client.get(url, **headers)
        assert response.status_code == cached.status_code == 200
        assert without_tokens(cached.content) == without_tokens(response.content)
        return response

    return check
