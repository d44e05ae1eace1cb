"""The account page (issue 18): sessions, the data download and the deletion, only ever for the
signed-in learner; visitors clear their progress from /progress/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learn.accounts import learner_export
from learn.core.models import LearnerSession, RateLimitBucket
from learn.models import ArticleRead, Report
from quizzes.models import Answer, Attempt, Card, Review
from tests.conftest import HX
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-42"


def make_user(username="ada", email=""):
    return get_user_model().objects.create_user(username, email=email, password=PASSWORD)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer(client, quiz, position, *, correct=True):
    question = quiz.questions.get(position=position)
    choice = question.choices.filter(is_correct=correct).first()
    return client.post(reverse("quizzes:answer", args=[quiz.slug, position]), {"choice": choice.token}, **HX)


def learn_something(client, *, quiz, article, term, report="This is wrong."):
    """Answers (each a card; one wrong), a review answer, a read mark and a report."""
    answer(client, quiz, 1, correct=True)
    answer(client, quiz, 2, correct=False)
    now = timezone.now()  # as if days had passed: the missed question is due
    Card.objects.filter(question__position=2).update(
        due_at=now - dt.timedelta(minutes=1), last_review_at=now - dt.timedelta(days=2)
    )
    question = quiz.questions.get(position=2)
    client.post(
        reverse("progress:answer", args=[quiz.slug, 2]),
        {"choice": question.choices.get(is_correct=True).token},
        **HX,
    )
    client.post(reverse("learn:mark_read", args=[article.slug]), {"read": "1"})
    client.post(reverse("learn:report"), {"kind": "term", "slug": term.slug, "text": report})


@pytest.fixture
def content():
    term = make_term(name="Replay")
    return {
        "quiz": make_quiz(title="Basics", questions=3),
        "article": make_article(title="Intro"),
        "term": term,
    }


# ---- The page ----------------------------------------------------------------------------


def test_the_account_page_needs_a_login():
    response = Client().get(reverse("account"))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_account_page_shows_email_password_sessions_and_data(client):
    client.force_login(make_user(email="ada@example.org"))

    html = client.get(reverse("account")).content.decode()

    assert "Signed in as <strong>ada</strong>" in html
    assert "ada@example.org" in html and 'action="/accounts/email/"' in html
    assert 'href="/accounts/password_change/"' in html
    assert "Log out everywhere else" in html and "You are not signed in anywhere else." in html
    assert 'href="/accounts/data.json"' in html and "Delete my account" in html


# session with its user, other sessions, the review count
@pytest.mark.parametrize(("others", "queries"), [(1, 3), (3, 3)])
def test_the_account_page_queries_are_fixed(django_assert_num_queries, others, queries):
    user = make_user()
    for _ in range(others):
        signed_in(user).get("/progress/")  # a session saved elsewhere
    client = signed_in(user)
    client.get(reverse("account"))

    with django_assert_num_queries(queries):
        response = client.get(reverse("account"))

    assert f"You are also signed in on {others} other browser" in response.content.decode()


def test_log_out_everywhere_else_ends_the_other_sessions_only():
    user, other = make_user(), make_user("grace")
    here, there, theirs = signed_in(user), signed_in(user), signed_in(other)
    for browser in (here, there, theirs):
        browser.get("/progress/")

    response = here.post(reverse("log_out_others"))

    assert response.status_code == 303
    page = here.get(reverse("account"))
    assert page.status_code == 200 and "Signed out on 1 other browser." in page.content.decode()
    assert there.get(reverse("account")).status_code == 302
    assert theirs.get(reverse("account")).status_code == 200


def test_log_out_everywhere_else_is_a_fragment_for_htmx_and_a_page_without():
    user = make_user()
    signed_in(user).get("/progress/")
    client = signed_in(user)

    fragment = client.post(reverse("log_out_others"), **HX)
    page = client.post(reverse("log_out_others"), follow=True)

    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert 'id="sessions-section"' in html and "Signed out on 1 other browser." in html
    assert (
        "<html" in page.content.decode() and "You were not signed in anywhere else." in page.content.decode()
    )


def test_a_signed_in_session_lasts_thirty_days(client):
    make_user()

    client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

    expires = LearnerSession.objects.get(user_id__isnull=False).expire_date
    assert abs(expires - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)


# ---- Download my data ----------------------------------------------------------------------


def test_the_download_holds_exactly_what_the_database_keeps_about_the_learner(content):
    user = make_user(email="ada@example.org")
    client = signed_in(user)
    learn_something(client, **content)
    learn_something(signed_in(make_user("grace")), **content, report="Grace's report.")  # not Ada's

    response = client.get(reverse("data_download"))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="recall-data-')
    data = json.loads(response.content)
    user.refresh_from_db()
    assert data["format"] == "recall-learner-data/1"
    assert data["account"] == {
        "username": "ada",
        "email": "ada@example.org",
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat(),
    }
    assert "password" not in response.content.decode()
    assert len(data["sessions"]) == LearnerSession.objects.filter(user_id=user.pk).count() == 1

    attempts = Attempt.objects.filter(user=user)
    assert [a["number"] for a in data["attempts"]] == list(attempts.values_list("number", flat=True))
    stored = Answer.objects.filter(attempt__user=user).select_related("question", "choice")
    exported = [answer for attempt in data["attempts"] for answer in attempt["answers"]]
    assert [(a["question"], a["chosen"], a["correct"]) for a in exported] == [
        (s.question.prompt, s.choice.text, s.is_correct) for s in stored.order_by("question__position")
    ]
    assert exported[0]["choices"] == [c.text for c in stored.first().question.choices.all()]

    assert data["review"] == [
        {
            "question": {
                "quiz": "Basics",
                "position": card.question.position,
                "prompt": card.question.prompt,
            },
            "stability_days": card.stability,
            "difficulty": card.difficulty,
            "due_at": card.due_at.isoformat(),
            "last_review_at": card.last_review_at.isoformat(),
            "reviews": card.reps,
            "lapses": card.lapses,
            "history": [
                {
                    "source": r.source,
                    "chosen": r.choice.text if r.choice else None,
                    "correct": r.correct,
                    "answered_at": r.answered_at.isoformat(),
                    "next_due": r.due_after.isoformat(),
                }
                for r in Review.objects.filter(card=card).order_by("answered_at", "pk")
            ],
        }
        for card in Card.objects.filter(user=user).order_by("pk")
    ]
    assert [len(c["history"]) for c in data["review"]] == [1, 2]  # the missed one was reviewed
    read = ArticleRead.objects.get(user=user)
    assert data["articles_read"] == [
        {"article": "Intro", "slug": "intro", "read_at": read.read_at.isoformat()}
    ]
    report = Report.objects.get(user=user)
    assert data["reports"] == [
        {
            "about": "Replay",
            "text": "This is wrong.",
            "status": "open",
            "created_at": report.created_at.isoformat(),
        }
    ]


def test_the_download_is_only_ever_the_signed_in_learners(content):
    ada, grace = make_user(), make_user("grace")
    learn_something(signed_in(grace), **content, report="Grace's report.")

    mine = json.loads(signed_in(ada).get(reverse("data_download"), {"user": grace.pk}).content)

    assert mine["account"]["username"] == "ada"
    assert mine["attempts"] == mine["review"] == mine["articles_read"] == mine["reports"] == []
    assert Client().get(reverse("data_download")).status_code == 302


def test_the_download_names_every_key_the_readme_documents():
    readme = Path(__file__).parents[2].joinpath("README.md").read_text()
    documented = readme.split("### Your data", 1)[1].split("\n## ", 1)[0]
    data = learner_export(make_user())

    for key in data:
        assert f"`{key}`" in documented or f"`{key}." in documented, key
    for key in data["account"]:
        assert f"`account.{key}`" in documented, key


# ---- Delete my account -----------------------------------------------------------------------


def nothing_of(user_id: int, username: str) -> bool:
    return not (
        get_user_model().objects.filter(pk=user_id).exists()
        or Attempt.objects.filter(user_id=user_id).exists()
        or Answer.objects.filter(attempt__user_id=user_id).exists()
        or Card.objects.filter(user_id=user_id).exists()
        or ArticleRead.objects.filter(user_id=user_id).exists()
        or Report.objects.filter(user_id=user_id).exists()
        or LearnerSession.objects.filter(user_id=user_id).exists()
    )


def test_deleting_the_account_leaves_nothing_of_it_but_unlinked_reports(content):
    ada, grace = make_user(), make_user("grace")
    client, other = signed_in(ada), signed_in(grace)
    learn_something(client, **content)
    learn_something(other, **content, report="Grace's report.")
    elsewhere = signed_in(ada)
    elsewhere.get("/progress/")
    grace_rows = (Attempt.objects.filter(user=grace).count(), Review.objects.filter(source="review").count())

    response = client.post(reverse("account_delete"), {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 303)]
    assert "Your account and everything it held were deleted." in response.content.decode()
    assert nothing_of(ada.pk, "ada")
    kept = Report.objects.get(text="This is wrong.")
    assert kept.user is None and kept.visitor is None
    assert elsewhere.get(reverse("account")).status_code == 302
    assert "_auth_user_id" not in client.session
    # The other learner is untouched.
    assert (Attempt.objects.filter(user=grace).count(), Review.objects.filter(source="review").count()) == (
        grace_rows[0],
        1,
    )
    assert Report.objects.get(text="Grace's report.").user == grace
    assert other.get(reverse("account")).status_code == 200


@pytest.mark.parametrize("password", ["", "wrong-password", "x" * 300])
def test_deleting_needs_the_right_password_and_changes_nothing_otherwise(content, password):
    user = make_user()
    client = signed_in(user)
    learn_something(client, **content)

    response = client.post(reverse("account_delete"), {"password": password})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was deleted" in html or "at most 256 characters" in html
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert Attempt.objects.filter(user=user).count() == 1


def test_password_guesses_on_the_delete_form_count_like_log_ins():
    client = signed_in(make_user())
    for _ in range(5):
        client.post(reverse("account_delete"), {"password": "wrong"})

    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response.status_code == 429 and "Too many failed sign-in attempts" in response.content.decode()
    assert get_user_model().objects.exists()


def test_one_learner_cannot_delete_another(content):
    ada, grace = make_user(), make_user("grace")
    learn_something(signed_in(grace), **content)

    signed_in(ada).post(reverse("account_delete"), {"password": PASSWORD, "user": grace.pk})

    assert get_user_model().objects.filter(username="grace").exists()
    assert Attempt.objects.filter(user=grace).exists()
    assert not get_user_model().objects.filter(username="ada").exists()  # only their own


def test_a_failure_midway_deletes_nothing(content, monkeypatch):
    user = make_user()
    client = signed_in(user)
    learn_something(client, **content)
    import learn.models

    def broken(learner):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(learn.models, "delete_learner_data", broken)
    client.raise_request_exception = False

    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response.status_code == 500
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert Attempt.objects.filter(user=user).count() == 1 and Card.objects.filter(user=user).exists()


# ---- Visitors clear their progress on this device ---------------------------------------------


def test_a_visitor_clears_their_progress_and_only_theirs(content):
    visitor, other = Client(), Client()
    learn_something(visitor, **content)
    learn_something(other, **content, report="Other's report.")
    page = visitor.get("/progress/").content.decode()
    assert "Clear my progress" in page and 'action="/progress/clear/"' in page

    response = visitor.post(reverse("progress:clear"), follow=True)

    assert "Your progress on this device was cleared." in response.content.decode()
    assert "Questions answered</dt><dd>0</dd>" in response.content.decode()
    assert Attempt.objects.count() == 1 and Card.objects.count() == 2 and ArticleRead.objects.count() == 1
    assert Report.objects.count() == 2
    assert Report.objects.get(text="This is wrong.").visitor is None
    assert Report.objects.get(text="Other's report.").visitor is not None


def test_clearing_is_for_visitors_only(content):
    user = make_user()
    client = signed_in(user)
    learn_something(client, **content)

    assert "Clear my progress" not in client.get("/progress/").content.decode()
    assert client.post(reverse("progress:clear")).status_code == 404
    assert Attempt.objects.filter(user=user).exists()


def test_clearing_with_nothing_to_clear_is_harmless():
    response = Client().post(reverse("progress:clear"))

    assert response.status_code == 303
    assert not RateLimitBucket.objects.filter(scope="new-visitor").exists()
