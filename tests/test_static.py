"""The scripts as production serves them: collected with hashed names, as JavaScript."""

import re

import pytest
from django.core.management import call_command
from django.template import Context, Template
from whitenoise.media_types import MediaTypes

from learn.settings import BASE_DIR


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "--ignore", "admin", verbosity=0)
    return tmp_path


def test_the_keys_module_is_collected_under_a_hashed_name_and_served_as_javascript(collected):
    url = Template("{% load static %}{% static 'js/keys.mjs' %}").render(Context())

    hashed = collected / url.removeprefix("/static/")
    assert hashed.name != "keys.mjs" and hashed.name.startswith("keys.") and hashed.suffix == ".mjs"
    # It imports nothing, so the storage has nothing to rewrite: the file is the source as it is.
    source = (BASE_DIR / "static/js/keys.mjs").read_text()
    assert re.search(r"^\s*(import|export .* from)\b|\bimport\(", source, re.M) is None
    assert hashed.read_text() == source
    assert MediaTypes().get_type(hashed.name) == "text/javascript"  # a module needs a script type
