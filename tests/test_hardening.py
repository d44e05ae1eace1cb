"""Production settings, headers, CSRF, limits and error pages."""

import os
import re
import sqlite3
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import Client
from django.urls import include, path, reverse

from learn.core.models import HealthCheck
from learn.models import ArticleRead, Report
from quizzes.models import Answer, Attempt
from tests.conftest import HX
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db

CSP = {
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
}


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x9" * 30 + "-production-like-key-with-enough-entropy",
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "true",
    "DJANGO_TRUSTED_PROXIES": "1",
    "DJANGO_ALLOWED_HOSTS": "recall.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://recall.example.org",
}


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_warns_when_https_is_on_and_no_proxy_is_trusted():
    result = check_deploy(**{**PRODUCTION_ENV, "DJANGO_TRUSTED_PROXIES": "0"})

    assert result.returncode != 0
    assert "(recall.W001) HTTPS is on" in result.stderr + result.stdout
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr + result.stdout


def test_the_readme_production_recipe_sets_every_variable_the_check_needs():
    recipe = (settings.BASE_DIR / "README.md").read_text().split("## Serving in production", 1)[1]
    recipe = recipe.split("```", 2)[1]
    for name in PRODUCTION_ENV:
        if name not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG"):
            assert f"{name}=" in recipe, name
    assert "DJANGO_TRUSTED_PROXIES=1" in recipe


def test_check_deploy_passes_with_the_documented_production_environment():
    result = check_deploy(**PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "url", ["/", "/glossary/", "/no-such-page/", "/healthz", "/admin/login/", "/quizzes/"]
)
def test_every_response_carries_the_security_headers(client, url):
    make_quiz(title="Basics", questions=1)

    response = client.get(url)

    assert {d.strip() for d in response["Content-Security-Policy"].split(";")} == CSP
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_htmx_is_configured_for_the_strict_policy(client):
    html = client.get("/").content.decode()

    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)
    assert '"allowEval": false' in config and '"includeIndicatorStyles": false' in config
    assert "<script>" not in html and " on" + "click=" not in html and "hx-on" not in html
    assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", html))


def test_session_and_csrf_cookies_are_httponly_and_lax(client):
    quiz = make_quiz(title="Basics", questions=1)
    client.get(quiz.get_absolute_url())
    token = quiz.questions.get().choices.get(is_correct=True).token
    client.post(reverse("quizzes:answer", args=["basics", 1]), {"choice": token}, **HX)

    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


def test_healthz_answers_200_with_the_database_and_503_without(client):
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200

    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503 and b"database unavailable" in response.content


def test_healthz_commits_a_write_on_every_probe(client):
    client.get("/healthz")
    first = HealthCheck.objects.get(pk=1).checked_at
    client.get("/healthz")

    assert HealthCheck.objects.get(pk=1).checked_at > first


def test_healthz_is_unhealthy_when_the_database_reads_but_refuses_writes(client):
    client.get("/healthz")
    full = OperationalError("database or disk is full")
    with mock.patch("django.db.models.query.QuerySet.update", side_effect=full):
        response = client.get("/healthz")
    readable = client.get("/glossary/")

    assert response.status_code == 503 and b"refusing writes" in response.content
    assert readable.status_code == 200  # reads still work: only a write shows the fault


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a read-only SQLite file")
@pytest.mark.django_db(transaction=True)
def test_healthz_is_unhealthy_on_a_read_only_database(client):
    client.get("/healthz")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON")
    try:
        response = client.get("/healthz")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")

    assert response.status_code == 503


def make_learner_with_a_session(client):
    quiz = make_quiz(title="Basics", questions=2)
    token = quiz.questions.get(position=1).choices.get(is_correct=True).token
    client.post("/quizzes/basics/questions/1/answer/", {"choice": token}, **HX)
    return quiz


@pytest.mark.parametrize("url", ["/progress/", "/progress/review/", "/quizzes/basics/", "/", "/glossary/"])
def test_pages_made_from_a_learners_session_are_private(client, url):
    make_learner_with_a_session(client)

    response = client.get(url)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"], url
    assert "Cookie" in response["Vary"]


def test_the_account_page_and_the_data_download_are_private_and_not_stored(client):
    client.force_login(get_user_model().objects.create_user("ada", password="a-long-passphrase-42"))

    for url in ("/accounts/", "/accounts/data.json"):
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


@pytest.mark.parametrize("url", ["/", "/glossary/", "/quizzes/basics/"])
def test_pages_for_clients_without_a_session_stay_shareable(url):
    make_quiz(title="Basics", questions=1)

    response = Client().get(url)

    assert "private" not in response.get("Cache-Control", ""), url


def boom(request):
    raise RuntimeError("the page broke")


@pytest.mark.urls("tests.test_hardening")
def test_a_server_error_is_logged_with_its_context_and_the_page_promises_nothing_untrue(caplog, settings):
    settings.ADMINS = []
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.create_user("ada", password="a-long-passphrase-42"))

    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get("/boom/?q=secret")

    assert response.status_code == 500
    html = response.content.decode()
    assert "has been sent a report" not in html and "The error was written to the site’s log" in html
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info and "the page broke" in str(record.exc_info[1])
    assert "[GET /boom/ status=500 user=" in record.request_context and "secret" not in record.request_context


@pytest.mark.urls("tests.test_hardening")
def test_a_server_error_is_mailed_to_the_admins_when_there_are_some(settings, mailoutbox):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.DEBUG = False

    response = Client(raise_request_exception=False).get("/boom/")

    assert "The site’s team has been sent a report" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["ops@example.org"]]
    assert "the page broke" in mailoutbox[0].body


def post_endpoints():
    quiz = make_quiz(title="Basics", questions=1)
    make_article(title="Intro")
    make_term(name="Replay")
    token = quiz.questions.get().choices.get(is_correct=True).token
    return [
        ("/quizzes/basics/questions/1/answer/", {"choice": token}),
        ("/quizzes/basics/retake/", {}),
        ("/progress/review/basics/1/", {"choice": token}),
        ("/learn/intro/read/", {"read": "1"}),
        ("/report/", {"kind": "term", "slug": "replay", "text": "A real mistake."}),
        (
            "/accounts/signup/",
            {"username": "mallory", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"},
        ),
        ("/accounts/login/", {"username": "mallory", "password": "a-long-passphrase-42"}),
        ("/accounts/logout/", {}),
        ("/preview/markdown/", {"preview_field": "body", "body": "x"}),
        ("/admin/login/", {"username": "mallory", "password": "a-long-passphrase-42"}),
        ("/accounts/password_change/", {"old_password": "x", "new_password1": "y", "new_password2": "y"}),
        ("/accounts/password_reset/", {"email": "mallory@example.org"}),
        ("/accounts/reset/MQ/set-password/", {"new_password1": "y", "new_password2": "y"}),
        ("/accounts/email/", {"email": "mallory@example.org"}),
        ("/accounts/email/confirm/not-a-token/", {}),
        ("/accounts/sessions/", {}),
        ("/accounts/delete/", {"password": "a-long-passphrase-42"}),
        ("/progress/clear/", {}),
    ]


def nothing_stored():
    return not (
        Answer.objects.exists()
        or Attempt.objects.exists()
        or ArticleRead.objects.exists()
        or Report.objects.exists()
        or get_user_model().objects.exists()
    )


@pytest.mark.parametrize("attack", ["no token", "wrong token", "foreign origin"])
def test_every_post_without_a_valid_token_or_from_elsewhere_is_refused(attack):
    client = Client(enforce_csrf_checks=True)
    client.get("/")  # a CSRF cookie, as a browser would have
    real = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else "x" * 32
    for url, data in post_endpoints():
        extra, payload = {}, dict(data)
        if attack == "wrong token":
            payload["csrfmiddlewaretoken"] = "A" * 64
        if attack == "foreign origin":
            payload["csrfmiddlewaretoken"] = real
            extra["HTTP_ORIGIN"] = "https://evil.example"

        response = client.post(url, payload, **extra)

        assert response.status_code == 403, (url, attack)
        assert "Reload the page and try again" in response.content.decode(), url
    assert nothing_stored()


def test_the_csrf_403_is_a_fragment_for_htmx():
    response = Client(enforce_csrf_checks=True).post("/report/", {}, **HX)

    assert response.status_code == 403
    assert "<html" not in response.content.decode() and "This form has expired" in response.content.decode()


def test_admin_pages_need_staff():
    learner = Client()
    learner.force_login(get_user_model().objects.create_user("ada", password="a-long-passphrase-42"))
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for client in (Client(), learner):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_answer_posts_beyond_the_limit_get_a_429_in_place(client, settings):
    settings.ANSWERS_PER_MINUTE = 2
    quiz = make_quiz(title="Basics", questions=3)
    tokens = [q.choices.get(is_correct=True).token for q in quiz.questions.order_by("position")]
    for position in (1, 2):
        client.post(f"/quizzes/basics/questions/{position}/answer/", {"choice": tokens[position - 1]}, **HX)

    response = client.post("/quizzes/basics/questions/3/answer/", {"choice": tokens[2]}, **HX)

    assert response.status_code == 429
    assert "You are answering very fast." in response.content.decode()
    assert '<form id="q3"' in response.content.decode()  # the question stays, ready to try again
    assert Answer.objects.count() == 2


def test_new_visitors_from_one_address_are_limited(monkeypatch):
    from learn.core import ratelimit

    monkeypatch.setattr(ratelimit, "NEW_VISITOR", ratelimit.Limit("new-visitor", hits=2, seconds=3600))
    quiz = make_quiz(title="Basics", questions=1)
    token = quiz.questions.get().choices.get(is_correct=True).token
    statuses = [
        Client().post("/quizzes/basics/questions/1/answer/", {"choice": token}, **HX).status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert Attempt.objects.count() == 2


def test_sign_ups_are_limited_per_address(client):
    for i in range(10):
        client.post(
            "/accounts/signup/",
            {
                "username": f"user{i}",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        client.post("/accounts/logout/")

    response = client.post(
        "/accounts/signup/",
        {"username": "user9", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"},
    )

    assert response.status_code == 429
    assert "Too many sign-up attempts from your connection" in response.content.decode()
    assert get_user_model().objects.count() == 10


def test_overlong_fields_get_a_clear_message(client):
    long_password = "p" * 300
    signup = client.post(
        "/accounts/signup/", {"username": "u" * 151, "password1": long_password, "password2": long_password}
    )
    login = client.post("/accounts/login/", {"username": "someone", "password": long_password})

    html = signup.content.decode()
    assert "Ensure this value has at most 150 characters (it has 151)." in html
    assert "Passwords can be at most 256 characters long." in html
    assert "Passwords can be at most 256 characters long." in login.content.decode()


def test_a_request_body_over_the_limit_is_refused_cleanly(client):
    make_quiz(title="Basics", questions=1)

    response = client.post("/report/", {"kind": "term", "slug": "x", "text": "x" * (1024 * 1024 + 10)})
    htmx = client.post("/report/", {"kind": "term", "slug": "x", "text": "x" * (1024 * 1024 + 10)}, **HX)

    assert response.status_code == htmx.status_code == 413
    assert "That was more than we accept" in response.content.decode()
    assert "<html" not in htmx.content.decode() and "(1 MB)" in htmx.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("status", [400, 403, 404, 413, 429, 500, 503])
def test_error_pages_are_the_sites_own_with_nothing_revealing(rf, status):
    from learn.core.errors import error_page
    from learn.core.views import server_error

    for htmx in (False, True):
        request = rf.get("/somewhere/", **(HX if htmx else {}))
        request.htmx = htmx
        request.user = mock.Mock(is_authenticated=False)
        request.session = {}
        response = server_error(request) if status == 500 else error_page(request, status)
        html = response.content.decode()
        assert response.status_code == status
        assert ("<html" in html) is not htmx
        for leak in ("Traceback", "Django", "Python", "SECRET", "DEBUG", "5.2", 'File "'):
            assert leak not in html, (status, leak)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
@pytest.mark.django_db(transaction=True)
def test_a_held_write_lock_gives_a_clean_503_and_the_site_recovers():
    quiz = make_quiz(title="Basics", questions=2)
    token = quiz.questions.get(position=1).choices.get(is_correct=True).token
    client = Client()
    holder = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = client.post("/quizzes/basics/questions/1/answer/", {"choice": token}, **HX)
    finally:
        holder.rollback()
        holder.close()

    assert busy.status_code == 503
    assert "The site is busy" in busy.content.decode() and "Nothing was saved" in busy.content.decode()
    assert busy["Retry-After"] == "5"
    assert not Answer.objects.exists()
    recovered = client.post("/quizzes/basics/questions/1/answer/", {"choice": token}, **HX)
    assert recovered.status_code == 200 and Answer.objects.count() == 1


urlpatterns = [path("boom/", boom), path("", include("learn.urls"))]  # for the server error tests
handler500 = "learn.core.views.server_error"
