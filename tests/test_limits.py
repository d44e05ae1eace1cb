"""Limits that hold on every door (issue 22): each finding reproduced, then shown fixed."""

from __future__ import annotations

import io
import threading
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from learn.core import ratelimit
from learn.core.models import RateLimitBucket
from learn.forms import USERNAME_TAKEN, SignupForm
from learn.models import ArticleRead, Report
from quizzes.models import Attempt
from tests.conftest import HX
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-42"
LIMITED = "Too many failed sign-in attempts"


def make_user(username="ada", **extra):
    return get_user_model().objects.create_user(username, password=PASSWORD, **extra)


def hits(scope: str) -> int:
    return RateLimitBucket.objects.filter(scope=scope).aggregate(n=Sum("hits"))["n"] or 0


# ---- 1. The admin's log-in counts like the site's ------------------------------------------


def test_admin_login_is_refused_after_five_failures_even_with_the_right_password():
    make_user(is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="203.0.113.1")
    for _ in range(5):
        wrong = client.post("/admin/login/", {"username": "ada", "password": "wrong"})
        assert wrong.status_code == 200  # the admin's own "please enter the correct..." form

    right = client.post("/admin/login/", {"username": "ada", "password": PASSWORD, "next": "/admin/"})

    assert right.status_code == 429
    assert LIMITED in right.content.decode() and "Slow down a little" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_failures_count_towards_the_sites_login_and_the_account():
    make_user(is_staff=True)
    for _ in range(5):
        Client(REMOTE_ADDR="203.0.113.2").post("/admin/login/", {"username": "ada", "password": "wrong"})

    site = Client(REMOTE_ADDR="203.0.113.2").post(reverse("login"), {"username": "ada", "password": PASSWORD})

    assert site.status_code == 429
    assert hits("login-failed") == 5 and hits("login-failed-account") == 5


def test_failures_from_many_clients_lock_the_account_for_a_while_with_a_way_out():
    make_user(is_staff=True)
    for i in range(10):
        Client(REMOTE_ADDR=f"198.51.100.{i}").post("/admin/login/", {"username": "ADA", "password": "no"})

    owner = Client(REMOTE_ADDR="192.0.2.77").post(reverse("login"), {"username": "ada", "password": PASSWORD})

    html = owner.content.decode()
    assert owner.status_code == 429
    assert "Too many failed sign-in attempts for this account" in html and "reset it" in html


def test_a_successful_login_gives_its_reserved_hits_back(client):
    make_user()
    client.post(reverse("login"), {"username": "ada", "password": "wrong"})
    client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

    assert hits("login-failed") == 1 and hits("login-failed-account") == 1


# ---- 2. Request bodies: refused before they are read ---------------------------------------


def big_file(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.bin", b"x" * size, content_type="application/octet-stream")


def test_a_large_multipart_body_is_refused_with_413_before_csrf_or_the_disk():
    client = Client(enforce_csrf_checks=True)
    with mock.patch("django.core.files.uploadhandler.TemporaryUploadedFile") as temporary:
        response = client.post(
            "/accounts/login/",
            {
                "username": "x",
                "password": "y",
                "csrfmiddlewaretoken": "A" * 64,
                "file": big_file(3 * 1024 * 1024),
            },
        )
        report = client.post("/report/", {"text": "x", "file": big_file(2 * 1024 * 1024)})

    for refused in (response, report):
        assert refused.status_code == 413
        html = refused.content.decode()
        assert "That was more than we accept" in html and "(1 MB)" in html
    assert not temporary.called


def test_no_view_writes_file_parts_anywhere(client):
    term = make_term(name="Replay")
    with mock.patch("django.core.files.uploadhandler.TemporaryUploadedFile") as temporary:
        response = client.post(
            "/report/",
            {"kind": "term", "slug": term.slug, "text": "A real mistake.", "file": big_file(900 * 1024)},
        )

    assert response.status_code == 303  # the report is taken, the file part dropped unread
    assert Report.objects.get().text == "A real mistake."
    assert not temporary.called


def chunked(client: Client, url: str, body: bytes, content_type="application/x-www-form-urlencoded"):
    return client.generic(
        "POST",
        url,
        b"",
        content_type=content_type,
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body), "CONTENT_TYPE": content_type},
    )


def test_a_chunked_body_that_grows_past_the_limit_is_refused(client):
    response = chunked(client, "/report/", b"text=" + b"x" * (1024 * 1024 + 1))

    assert response.status_code == 413
    assert not Report.objects.exists()


def test_a_small_chunked_body_is_read_as_usual(client):
    term = make_term(name="Replay")

    response = chunked(client, "/report/", f"kind=term&slug={term.slug}&text=Chunked+report.".encode())

    assert response.status_code == 303
    assert Report.objects.get().text == "Chunked report."


@pytest.mark.urls("tests.upload_urls")
def test_a_view_marked_for_uploads_takes_files_under_its_own_limit(client, settings):
    settings.UPLOAD_MAX_BYTES = 3 * 1024 * 1024

    taken = client.post("/upload/", {"file": big_file(2 * 1024 * 1024)})
    refused = client.post("/upload/", {"file": big_file(4 * 1024 * 1024)})
    elsewhere = client.post("/plain/", {"file": big_file(10)})

    assert taken.status_code == 200 and taken.content == b"big.bin 2097152"
    assert refused.status_code == 413 and "(3 MB)" in refused.content.decode()
    assert elsewhere.content == b"no files"


def test_a_malformed_content_length_is_a_400(client):
    response = client.generic("POST", "/report/", b"text=x", CONTENT_LENGTH="lots")

    assert response.status_code == 400


# ---- 5. Every door that starts a visitor goes through the new-visitor limit ------------------


@pytest.fixture
def two_new_visitors(monkeypatch):
    monkeypatch.setattr(ratelimit, "NEW_VISITOR", ratelimit.Limit("new-visitor", hits=2, seconds=3600))


def test_answering_without_a_session_counts_as_a_new_visitor(two_new_visitors):
    quiz = make_quiz(title="Basics", questions=1)
    token = quiz.questions.get().choices.get(is_correct=True).token
    url = reverse("quizzes:answer", args=["basics", 1])

    statuses = [Client().post(url, {"choice": token}, **HX).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert Attempt.objects.count() == 2 and hits("new-visitor") == 2


def test_take_it_again_without_a_session_counts_as_a_new_visitor(two_new_visitors):
    make_quiz(title="Basics", questions=1)
    url = reverse("quizzes:retake", args=["basics"])

    statuses = [Client().post(url).status_code for _ in range(3)]

    assert statuses == [303, 303, 429]
    assert Attempt.objects.count() == 2 and hits("new-visitor") == 2


def test_mark_as_read_without_a_session_counts_as_a_new_visitor(two_new_visitors):
    article = make_article(title="Intro")
    url = reverse("learn:mark_read", args=[article.slug])

    statuses = [Client().post(url, {"read": "1"}).status_code for _ in range(3)]
    unmark = Client().post(url, {"read": "0"})  # un-marking starts nobody

    assert statuses == [303, 303, 429]
    assert unmark.status_code == 303
    assert ArticleRead.objects.count() == 2 and hits("new-visitor") == 2


def test_reporting_and_reviewing_without_a_session_start_no_visitor(two_new_visitors):
    term = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=1)
    token = quiz.questions.get().choices.get(is_correct=True).token
    for _ in range(3):
        Client().post("/report/", {"kind": "term", "slug": term.slug, "text": "A real mistake."})
        assert Client().post("/progress/review/basics/1/", {"choice": token}).status_code == 404

    assert hits("new-visitor") == 0


# ---- 6. Sign-ups: failures count, names confirmed only when they must be -----------------------


def signup_data(username="grace", password=PASSWORD, confirm=None):
    return {"username": username, "password1": password, "password2": confirm or password}


def test_failed_sign_ups_count_towards_the_limit():
    make_user("ada")
    client = Client(REMOTE_ADDR="203.0.113.6")
    for _ in range(10):
        assert client.post(reverse("signup"), signup_data("ada")).status_code == 400

    response = client.post(reverse("signup"), signup_data("grace"))

    assert response.status_code == 429
    assert "Too many sign-up attempts from your connection" in response.content.decode()
    assert not get_user_model().objects.filter(username="grace").exists()


def test_a_taken_name_is_said_only_once_the_rest_of_the_form_is_right(client):
    make_user("ada")

    mismatch = client.post(reverse("signup"), signup_data("ada", confirm="different-passphrase"))
    weak = client.post(reverse("signup"), signup_data("ada", password="12345678"))
    right = client.post(reverse("signup"), signup_data("ada"))

    assert "didn’t match" in mismatch.content.decode()
    assert "This password is entirely numeric" in weak.content.decode()
    for response in (mismatch, weak):
        assert USERNAME_TAKEN not in response.content.decode()
    assert right.status_code == 400 and USERNAME_TAKEN in right.content.decode()


@pytest.mark.parametrize(
    "lookalike",
    [
        "ADA",  # a case variant
        "Ada",
        "ａｄａ",  # fullwidth letters: NFKC makes them "ada"
        "аda",  # Cyrillic а
        "adа",  # Cyrillic а at the end
        "ada\u200b",  # a zero-width space
        "ádá",  # accented
    ],
)
def test_names_that_only_look_like_an_existing_one_are_refused(client, lookalike):
    make_user("ada")

    response = client.post(reverse("signup"), signup_data(lookalike))

    assert response.status_code == 400
    html = response.content.decode()
    assert USERNAME_TAKEN in html or "Use only the letters a–z" in html
    assert get_user_model().objects.count() == 1


# ---- 7. Parallel sign-ups with one name: one account, form errors for the rest ---------------


def in_parallel(n: int, work) -> list:
    """Run ``work(i)`` in n threads released together; each closes its database connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # reported by the test, not lost in the thread
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_sign_ups_with_one_name_give_one_account_and_form_errors():
    def sign_up(i):
        response = Client(REMOTE_ADDR=f"203.0.113.{10 + i}").post(reverse("signup"), signup_data("grace"))
        return response.status_code, USERNAME_TAKEN in response.content.decode()

    results = in_parallel(4, sign_up)

    assert sorted(results) == [(302, False), (400, True), (400, True), (400, True)], results
    assert get_user_model().objects.filter(username="grace").count() == 1


def test_a_name_taken_between_the_check_and_the_insert_is_a_form_error(client):
    make_user("grace")
    with mock.patch.object(SignupForm, "_post_clean", UserCreationForm._post_clean):  # the check misses it
        response = client.post(reverse("signup"), signup_data("grace"))

    assert response.status_code == 400
    assert USERNAME_TAKEN in response.content.decode()
    assert get_user_model().objects.count() == 1


# ---- 8. Log-in attempts are reserved before the password is checked --------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_get_exactly_five_checks():
    make_user()
    checked = []
    lock = threading.Lock()
    from django.contrib.auth import base_user

    real = base_user.check_password

    def counting(password, encoded, setter=None, preferred="default"):
        with lock:
            checked.append(password)
        return real(password, encoded, setter, preferred)

    def attempt(i):
        client = Client(REMOTE_ADDR="203.0.113.50")
        return [
            client.post(reverse("login"), {"username": "ada", "password": f"guess-{i}-{j}"}).status_code
            for j in range(5)
        ]

    with mock.patch.object(base_user, "check_password", counting):
        statuses = [s for thread in in_parallel(4, attempt) for s in thread]

    assert len(checked) == 5, f"{len(checked)} of 20 passwords were tried"
    assert sorted(statuses) == [400] * 5 + [429] * 15
    assert hits("login-failed") == 5


# ---- 9. The old password on the change form counts like a log-in ------------------------------


def test_guesses_of_the_old_password_are_limited_like_a_login(client):
    user = make_user()
    client.force_login(user)
    new = {"new_password1": "another-long-one-7", "new_password2": "another-long-one-7"}
    for i in range(5):
        wrong = client.post(reverse("password_change"), {"old_password": f"guess-{i}", **new})
        assert wrong.status_code == 400

    right = client.post(reverse("password_change"), {"old_password": PASSWORD, **new})

    assert right.status_code == 429 and LIMITED in right.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# ---- The limits themselves -----------------------------------------------------------------


def test_take_refuses_once_used_up_and_counts_nothing_then():
    limit = ratelimit.Limit("test", hits=2, seconds=60)
    ratelimit.take(limit, "k")
    hit = ratelimit.take(limit, "k")

    with pytest.raises(ratelimit.Limited):
        ratelimit.take(limit, "k")
    assert ratelimit.used(limit, "k") == 2

    hit.release()
    assert ratelimit.used(limit, "k") == 1


def test_take_all_gives_back_what_it_took_when_one_is_used_up():
    open_limit = ratelimit.Limit("open", hits=5, seconds=60)
    full = ratelimit.Limit("full", hits=1, seconds=60)
    ratelimit.take(full, "k")

    with pytest.raises(ratelimit.Limited):
        ratelimit.take_all((open_limit, "k"), (full, "k"))

    assert ratelimit.used(open_limit, "k") == 0
