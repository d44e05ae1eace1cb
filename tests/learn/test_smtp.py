"""Email end to end through a real SMTP server (aiosmtpd on 127.0.0.1, started by the test) and
Django's SMTP backend, configured as the DJANGO_EMAIL_* variables configure it in production."""

from __future__ import annotations

import email
import os
import re
import socket
import subprocess
import sys
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-42"
NEW = "a-fresh-passphrase-77"


class Inbox:
    """What the SMTP server received: (sender, recipients, parsed message)."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Recall <recall@example.org>"
    try:
        yield inbox
    finally:
        controller.stop()


def link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.get_content()).group(1)


def test_sign_up_confirm_and_reset_through_a_real_smtp_server(smtp):
    client = Client()
    client.post(
        reverse("signup"),
        {"username": "grace", "email": "grace@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    sender, recipients, confirm = smtp.received[0]
    assert (sender, recipients) == ("recall@example.org", ["grace@example.org"])
    assert confirm["Subject"] == "Confirm your email address for Recall"
    client.post(link_in(confirm))
    assert get_user_model().objects.get(username="grace").email == "grace@example.org"

    stranger = Client()
    stranger.post(reverse("password_reset"), {"email": "grace@example.org"})
    stranger.post(reverse("password_reset"), {"email": "nobody@example.org"})  # nothing sent
    assert len(smtp.received) == 2
    _, recipients, reset = smtp.received[1]
    assert recipients == ["grace@example.org"] and reset["Subject"] == "Reset your Recall password"
    set_url = stranger.get(link_in(reset), follow=True).redirect_chain[-1][0]
    stranger.post(set_url, {"new_password1": NEW, "new_password2": NEW})

    assert client.get(reverse("account")).status_code == 302  # the sign-up session was ended
    signed = stranger.post(reverse("login"), {"username": "grace", "password": NEW})
    assert signed.status_code == 302


def test_an_unreachable_mail_server_does_not_reveal_whether_an_account_exists(settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = False
    get_user_model().objects.create_user("ada", email="ada@example.org", password=PASSWORD)

    known = Client().post(reverse("password_reset"), {"email": "ada@example.org"})
    unknown = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert "Failed to send password reset email" in caplog.text  # logged for the team


def test_the_email_settings_come_from_the_environment():
    code = (
        "import learn.settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
        "s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL, s.ADMINS)"
    )

    def start(**env):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        environment.update(DJANGO_SECRET_KEY="test-only-not-a-secret", **env)
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=django_settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    production = start(
        DJANGO_EMAIL_HOST="smtp.example.org",
        DJANGO_EMAIL_PORT="465",
        DJANGO_EMAIL_HOST_USER="recall",
        DJANGO_EMAIL_USE_SSL="true",
        DJANGO_DEFAULT_FROM_EMAIL="Recall <hello@example.org>",
        DJANGO_ADMINS="Ops <ops@example.org>, dev@example.org",
    )
    development = start(DJANGO_DEBUG="true")

    assert production == (
        "django.core.mail.backends.smtp.EmailBackend smtp.example.org 465 recall False True "
        "Recall <hello@example.org> [('Ops', 'ops@example.org'), ('dev@example.org', 'dev@example.org')]"
    )
    assert development.startswith("django.core.mail.backends.console.EmailBackend localhost 587")


def test_a_mail_server_that_fails_never_breaks_a_sign_up_or_an_email_change(settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = False
    client = Client()

    signed_up = client.post(
        reverse("signup"),
        {"username": "grace", "email": "grace@example.org", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    changed = client.post(reverse("email_change"), {"email": "grace@example.org"}, HTTP_HX_REQUEST="true")

    assert "We could not send an email to grace@example.org just now" in signed_up.content.decode()
    assert get_user_model().objects.get(username="grace").email == ""
    assert changed.status_code == 503 and "Nothing changed" in changed.content.decode()
    assert (
        "Could not send 'Confirm your email address for Recall' to an address at example.org" in caplog.text
    )
