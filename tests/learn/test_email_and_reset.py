"""Email addresses (confirmed by a signed link) and password reset on Django's views (issue 18)."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from learn.core.models import LearnerSession
from tests.conftest import without_tokens

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-42"
NEW = "a-fresh-passphrase-77"


def make_user(username="ada", email="ada@example.org"):
    return get_user_model().objects.create_user(username, email=email, password=PASSWORD)


def link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


# ---- Email at sign-up and on the account page ------------------------------------------------


def test_sign_up_asks_for_an_optional_email_and_says_what_it_is_for(client):
    html = client.get(reverse("signup")).content.decode()

    assert 'type="email"' in html and "Email address (optional)" in html
    assert "reset a forgotten password" in html and "review reminders" in html


def test_an_address_given_at_sign_up_is_confirmed_by_a_link_before_it_is_kept(client, mailoutbox):
    response = client.post(
        reverse("signup"),
        {"username": "grace", "email": "Grace@Example.ORG", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )

    user = get_user_model().objects.get(username="grace")
    assert user.email == ""  # not until the link is opened
    assert "We sent a link to Grace@example.org" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["Grace@example.org"]]

    link = link_in(mailoutbox[0])
    page = client.get(link)
    assert page.status_code == 200 and "Confirm this address" in page.content.decode()
    user.refresh_from_db()
    assert user.email == ""  # opening the link (a mail scanner does) changes nothing
    confirmed = client.post(link)

    user.refresh_from_db()
    assert confirmed.status_code == 303 and user.email == "Grace@example.org"
    assert len(mailoutbox) == 1  # there was no old address to tell


def test_changing_the_address_mails_the_new_one_and_tells_the_old_one(client, mailoutbox):
    user = make_user()
    client.force_login(user)

    sent = client.post(reverse("email_change"), {"email": "ada@new.example"})
    assert sent.status_code == 303
    assert [m.to for m in mailoutbox] == [["ada@new.example"]]
    user.refresh_from_db()
    assert user.email == "ada@example.org"

    client.post(link_in(mailoutbox[0]))

    user.refresh_from_db()
    assert user.email == "ada@new.example"
    told = mailoutbox[1]
    assert told.to == ["ada@example.org"] and "changed" in told.subject
    assert "ada@new.example" not in told.body  # the old address is told, not given the new one


def test_the_email_form_is_a_fragment_for_htmx_and_a_page_without(client, mailoutbox):
    client.force_login(make_user())

    fragment = client.post(reverse("email_change"), {"email": "ada@new.example"}, HTTP_HX_REQUEST="true")
    bad_fragment = client.post(reverse("email_change"), {"email": "nope"}, HTTP_HX_REQUEST="true")
    bad_page = client.post(reverse("email_change"), {"email": "nope"})

    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert (
        "<html" not in html and 'id="email-section"' in html and "We sent a link to ada@new.example" in html
    )
    assert bad_fragment.status_code == 400 and "<html" not in bad_fragment.content.decode()
    assert "Enter an email address such as" in bad_fragment.content.decode()
    assert bad_page.status_code == 400 and "<html" in bad_page.content.decode()


def test_a_confirmation_link_works_once(client, mailoutbox):
    user = make_user()
    client.force_login(user)
    client.post(reverse("email_change"), {"email": "first@example.org"})
    client.post(reverse("email_change"), {"email": "second@example.org"})
    first, second = (link_in(m) for m in mailoutbox)

    client.post(second)
    again = client.post(second)
    stale = client.post(first)  # sent before the address changed: void now

    user.refresh_from_db()
    assert user.email == "second@example.org"
    for response in (again, stale):
        assert response.status_code == 400 and "This link does not work" in response.content.decode()


def test_an_expired_or_tampered_confirmation_link_changes_nothing(client, mailoutbox, settings):
    user = make_user()
    client.force_login(user)
    client.post(reverse("email_change"), {"email": "new@example.org"})
    link = link_in(mailoutbox[0])

    settings.EMAIL_CHANGE_TIMEOUT = -1
    expired = client.post(link)
    settings.EMAIL_CHANGE_TIMEOUT = 3600
    tampered = client.post(link.replace("/confirm/", "/confirm/x"))

    user.refresh_from_db()
    assert user.email == "ada@example.org"
    assert expired.status_code == tampered.status_code == 400


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not-an-address", "Enter an email address such as"),
        ("ada@", "Enter an email address such as"),
        ("a" * 10_000 + "@example.org", "at most 254 characters"),
        ("аda@example.org", "Enter"),  # a Cyrillic а
        ("ada@exаmple.org", "plain letters"),  # a Cyrillic а in the domain
        ("ada@example.org\n", "That is already your address."),
    ],
)
def test_bad_addresses_get_a_clear_message_and_change_nothing(client, mailoutbox, address, message):
    user = make_user()
    client.force_login(user)

    response = client.post(reverse("email_change"), {"email": address})

    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.email == "ada@example.org" and not mailoutbox


def test_confirmation_emails_are_limited_per_account(client, mailoutbox):
    client.force_login(make_user())
    for i in range(5):
        client.post(reverse("email_change"), {"email": f"n{i}@example.org"})

    refused = client.post(reverse("email_change"), {"email": "n9@example.org"})

    assert refused.status_code == 429 and "several confirmation emails" in refused.content.decode()
    assert len(mailoutbox) == 5


# ---- Password reset ----------------------------------------------------------------------


def test_the_login_page_offers_a_reset_and_says_so_again_after_a_failure(client):
    make_user()

    page = client.get(reverse("login")).content.decode()
    failed = client.post(reverse("login"), {"username": "ada", "password": "wrong"}).content.decode()

    assert 'href="/accounts/password_reset/"' in page and "Forgot password?" in page
    assert "Forgot your password?" in failed and "Reset it by email" in failed


def test_the_reset_answer_is_the_same_whether_or_not_the_address_is_known(client, mailoutbox):
    make_user()

    known = client.post(reverse("password_reset"), {"email": "ada@example.org"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password_reset/done/", 302)]
    assert without_tokens(known.content) == without_tokens(unknown.content)
    assert "If an account has that address" in known.content.decode()
    assert "works once, within 2 hours" in known.content.decode()
    assert [m.to for m in mailoutbox] == [["ada@example.org"]]
    assert "works once, within 2 hours" in mailoutbox[0].body


def test_the_reset_pages_state_how_long_the_link_works(client):
    assert "within 2 hours" in client.get(reverse("password_reset")).content.decode()


def test_a_reset_sets_the_password_works_once_and_signs_out_every_session(client, mailoutbox):
    user = make_user()
    elsewhere = Client()
    elsewhere.force_login(user)
    elsewhere.get("/progress/")
    assert LearnerSession.objects.filter(user_id=user.pk).count() == 1

    client.post(reverse("password_reset"), {"email": "ada@example.org"})
    link = link_in(mailoutbox[0])
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)

    user.refresh_from_db()
    assert user.check_password(NEW)
    assert "Your password is changed" in done.content.decode()
    assert not LearnerSession.objects.filter(user_id=user.pk).exists()
    assert elsewhere.get("/accounts/").status_code == 302  # signed out there
    reused = Client().get(link, follow=True)
    assert "This link does not work" in reused.content.decode()


def test_a_reset_token_for_another_user_does_not_work(client):
    ada, grace = make_user(), make_user("grace", "grace@example.org")
    token = default_token_generator.make_token(ada)
    uid = urlsafe_base64_encode(force_bytes(grace.pk))

    response = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    posted = client.post(
        reverse("password_reset_confirm", args=[uid, "set-password"]),
        {"new_password1": NEW, "new_password2": NEW},
    )

    assert "This link does not work" in response.content.decode()
    assert "This link does not work" in posted.content.decode()
    grace.refresh_from_db()
    assert grace.check_password(PASSWORD)


def test_an_expired_reset_link_does_not_work(client, settings):
    user = make_user()
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    settings.PASSWORD_RESET_TIMEOUT = 1
    time.sleep(2.1)  # the token's timestamp has a resolution of seconds

    response = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)

    assert (
        "This link does not work" in response.content.decode()
        and "links work for" in response.content.decode()
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_new_password_gets_the_sites_words(client, mailoutbox):
    make_user()
    client.post(reverse("password_reset"), {"email": "ada@example.org"})
    set_url = client.get(link_in(mailoutbox[0]), follow=True).redirect_chain[-1][0]

    response = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "entirely numeric" in html and "A few unrelated words make a strong one" in html
    assert "autofocus" in html


def test_reset_requests_are_limited_per_address_and_per_client(mailoutbox):
    make_user()
    for i in range(3):
        Client(REMOTE_ADDR=f"198.51.100.{i}").post(reverse("password_reset"), {"email": "ada@example.org"})

    by_address = Client(REMOTE_ADDR="198.51.100.9").post(
        reverse("password_reset"), {"email": "ADA@example.org"}
    )
    client = Client(REMOTE_ADDR="203.0.113.3")
    for i in range(5):
        client.post(reverse("password_reset"), {"email": f"someone{i}@example.org"})
    by_client = client.post(reverse("password_reset"), {"email": "other@example.org"})

    assert by_address.status_code == 429 and "several reset emails" in by_address.content.decode()
    assert by_client.status_code == 429 and "Too many password reset requests" in by_client.content.decode()
    assert len(mailoutbox) == 3


@pytest.mark.parametrize("address", ["not-an-address", "x" * 10_000 + "@example.org", ""])
def test_bad_reset_addresses_get_a_message_and_send_nothing(client, mailoutbox, address):
    make_user()

    response = client.post(reverse("password_reset"), {"email": address})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode()
    assert not mailoutbox


def test_a_look_alike_address_gets_no_reset_link(client, mailoutbox):
    make_user()

    client.post(reverse("password_reset"), {"email": "аda@example.org"})  # a Cyrillic а

    assert not mailoutbox
