import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from learn.core.models import RateLimitBucket
from quizzes.models import Attempt, Card
from tests.conftest import HX
from tests.factories import make_article, make_quiz

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-42"


def make_user(username="ada"):
    return get_user_model().objects.create_user(username, password=PASSWORD)


def answer(client, quiz, position, *, correct=True):
    question = quiz.questions.get(position=position)
    choice = (
        question.choices.get(is_correct=True)
        if correct
        else question.choices.filter(is_correct=False).first()
    )
    return client.post(reverse("quizzes:answer", args=[quiz.slug, position]), {"choice": choice.token}, **HX)


def test_signup_creates_an_account_logs_in_and_returns_to_next(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "grace",
            "email": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "/glossary/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/glossary/"
    assert get_user_model().objects.filter(username="grace").exists()
    assert client.get("/progress/").context["user"].username == "grace"


def test_signup_errors_are_clear_and_create_nothing(client):
    make_user("ada")

    response = client.post(
        reverse("signup"), {"username": "ada", "password1": PASSWORD, "password2": "different-passphrase"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The two password fields didn’t match." in html
    assert "That username is taken" not in html  # said only once the rest is right
    assert get_user_model().objects.count() == 1


def test_unsafe_next_urls_are_ignored(client):
    make_user()

    response = client.post(
        reverse("login"), {"username": "ada", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/progress/"


def test_a_wrong_password_is_a_message_not_an_error(client):
    make_user()

    response = client.post(reverse("login"), {"username": "ada", "password": "nope"})

    assert response.status_code == 400
    assert "Please enter a correct username and password." in response.content.decode()


def test_repeated_failed_logins_are_refused_for_a_while_then_allowed_again(client):
    make_user()
    for _ in range(5):
        client.post(reverse("login"), {"username": "ada", "password": "wrong"})

    refused = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert refused.status_code == 429
    assert (
        "Too many failed sign-in attempts from your connection. Wait 15 minutes" in refused.content.decode()
    )
    assert "_auth_user_id" not in client.session

    # The window passes: the real owner gets in.
    RateLimitBucket.objects.update(window_start=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    allowed = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert allowed.status_code == 302


def test_failed_logins_from_another_client_do_not_lock_the_owner_out():
    make_user()
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        attacker.post(reverse("login"), {"username": "ada", "password": "wrong"})

    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert owner.post(reverse("login"), {"username": "ada", "password": PASSWORD}).status_code == 302


def test_logout_is_a_post_that_returns_to_the_page(client):
    client.force_login(make_user())

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"), {"next": "/learn/"})

    assert response["Location"] == "/learn/"
    assert "_auth_user_id" not in client.session
    page = client.get("/learn/").content.decode()
    assert "You are signed out. Progress you make now stays in this browser until you sign in again." in page


def test_password_change_needs_the_old_password_and_keeps_the_session(client):
    user = make_user()
    client.force_login(user)

    wrong = client.post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "another-long-one-7",
            "new_password2": "another-long-one-7",
        },
    )
    right = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-one-7",
            "new_password2": "another-long-one-7",
        },
    )

    assert wrong.status_code == 400 and "Your old password was entered incorrectly." in wrong.content.decode()
    assert right.status_code == 303
    user.refresh_from_db()
    assert user.check_password("another-long-one-7")
    assert client.get("/progress/").context["user"].is_authenticated


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_visitors_answers_move_to_the_new_account(client):
    quiz = make_quiz(title="Basics", questions=3)
    answer(client, quiz, 1, correct=True)
    answer(client, quiz, 2, correct=False)
    client.post(reverse("learn:mark_read", args=[make_article(title="Intro").slug]))

    client.post(reverse("signup"), {"username": "grace", "password1": PASSWORD, "password2": PASSWORD})
    html = client.get("/progress/").content.decode()

    user = get_user_model().objects.get(username="grace")
    attempt = Attempt.objects.get()
    assert attempt.user == user and attempt.visitor is None
    assert attempt.answers.count() == 2
    assert {c.user for c in Card.objects.all()} == {user}  # both questions are in the account's schedule
    assert "Questions answered</dt><dd>2</dd>" in html
    assert "Articles read</dt><dd>1</dd>" in html
    assert "2 / 3 completed" in client.get(quiz.get_absolute_url()).content.decode()


def test_logging_in_keeps_both_the_accounts_and_the_visitors_attempts(client):
    user = make_user()
    quiz = make_quiz(title="Basics", questions=2)
    earlier = Client()
    earlier.force_login(user)
    answer(earlier, quiz, 1)
    answer(earlier, quiz, 2)

    answer(client, quiz, 1, correct=False)  # as a visitor
    client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

    attempts = list(Attempt.objects.filter(user=user).order_by("number"))
    assert [a.number for a in attempts] == [1, 2]
    assert [a.answers.count() for a in attempts] == [2, 1]
    assert not Attempt.objects.filter(visitor__isnull=False).exists()


# ---- Log-in and sign-up details (issue 18) ------------------------------------------------


def test_logging_in_says_when_the_devices_progress_moved_to_the_account(client):
    make_user()
    quiz = make_quiz(title="Basics", questions=2)
    answer(client, quiz, 1)

    moved = client.post(reverse("login"), {"username": "ada", "password": PASSWORD}, follow=True)
    client.post(reverse("logout"))
    nothing = client.post(reverse("login"), {"username": "ada", "password": PASSWORD}, follow=True)

    assert "Your progress from this device was added to your account." in moved.content.decode()
    assert "Your progress from this device was added" not in nothing.content.decode()


def test_signing_up_says_when_the_devices_progress_moved(client):
    quiz = make_quiz(title="Basics", questions=2)
    answer(client, quiz, 1)

    response = client.post(
        reverse("signup"), {"username": "grace", "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )

    assert "Your progress from this device was added to your account." in response.content.decode()


def test_a_failed_log_in_keeps_the_username_and_puts_the_cursor_on_the_password(client):
    make_user()

    html = client.post(reverse("login"), {"username": "ada", "password": "wrong"}).content.decode()

    assert 'name="username" value="ada"' in html
    password = next(tag for tag in html.split("<input") if 'name="password"' in tag)
    assert "autofocus" in password and "value=" not in password


def test_the_first_field_with_an_error_gets_the_focus(client):
    html = client.post(
        reverse("signup"), {"username": "", "password1": PASSWORD, "password2": "other-passphrase-1"}
    ).content.decode()

    inputs = [tag for tag in html.split("<input") if "autofocus" in tag]
    assert len(inputs) == 1 and 'name="username"' in inputs[0]
    assert 'aria-invalid="true"' in inputs[0]


def test_the_session_key_changes_at_log_in_and_at_sign_up(client):
    make_user()
    quiz = make_quiz(title="Basics", questions=1)
    answer(client, quiz, 1)  # a visitor's session
    before = client.session.session_key

    client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    after_login = client.session.session_key
    client.post(reverse("logout"))
    answer(client, quiz, 1)
    before_signup = client.session.session_key
    client.post(reverse("signup"), {"username": "grace", "password1": PASSWORD, "password2": PASSWORD})

    assert before and after_login and after_login != before
    assert client.session.session_key != before_signup
    assert client.session["_auth_user_id"] == str(get_user_model().objects.get(username="grace").pk)


def test_the_sign_up_page_says_in_words_what_a_good_password_is(client):
    html = client.get(reverse("signup")).content.decode()

    assert "At least 8 characters, not only digits, not a well-known password" in html
    assert "<ul>" not in html.split("Password", 1)[1].split("</form>")[0]  # not Django's list


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short1!", "This password is too short"),
        ("12345678901", "This password is entirely numeric"),
        ("password123", "This password is too common"),
        ("grace-hopper", "The password is too similar to the username"),
    ],
)
def test_the_password_validators_are_on(client, password, error):
    response = client.post(
        reverse("signup"), {"username": "grace-hopper", "password1": password, "password2": password}
    )

    assert response.status_code == 400 and error in response.content.decode()
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("grace@", "Enter an email address such as"),
        ("g" * 10_000 + "@example.org", "at most 254 characters"),
        ("grаce@example.org", "Enter an email address such as"),  # a Cyrillic а
    ],
)
def test_a_bad_address_at_sign_up_is_a_message_and_creates_nothing(client, mailoutbox, address, message):
    response = client.post(
        reverse("signup"),
        {"username": "grace", "email": address, "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 400 and message in response.content.decode()
    assert not get_user_model().objects.exists() and not mailoutbox
