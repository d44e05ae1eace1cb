"""The session and its signed-in user in one query, and every way a session ends still ending it."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learn.core.sessions import SessionStore

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"


def signed_in(name: str) -> tuple[Client, object]:
    user = get_user_model().objects.create_user(name, password=PASSWORD)
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client, user


def test_the_session_brings_its_user_in_one_query():
    client, user = signed_in("ada")
    client.get("/progress/")
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/progress/")
    assert "Logged in as ada" in page.content.decode()
    users = [q["sql"] for q in captured.captured_queries if "auth_user" in q["sql"]]
    assert len(users) == 1 and "learn_session" in users[0]
    loaded = SessionStore(client.session.session_key)
    loaded.load()
    assert (
        loaded.loaded_user == user
        and loaded.loaded_user.last_login == user.__class__.objects.get().last_login
    )


def test_a_password_change_ends_other_sessions_and_a_deactivated_user_is_signed_out():
    ada, user = signed_in("ada")
    other = Client()
    assert other.login(username="ada", password=PASSWORD)
    user.set_password("another-long-passphrase-43")
    user.save()
    assert "Logged in as" not in other.get("/progress/").content.decode()
    bob, bob_user = signed_in("bob")
    bob_user.is_active = False
    bob_user.save()
    assert "Logged in as" not in bob.get("/progress/").content.decode()


def test_logging_out_ends_the_session_everywhere():
    ada, _ = signed_in("ada")
    key = ada.cookies["sessionid"].value
    ada.post("/accounts/logout/")
    copy = Client()
    copy.cookies["sessionid"] = key
    assert "Logged in as" not in copy.get("/progress/").content.decode()


def test_a_malformed_or_unknown_key_is_no_session():
    for key in ("x" * 8, "bad\x00key-with-nul", "a" * 32):
        store = SessionStore(key)
        assert store.load() == {} and store.loaded_user is None
