"""python manage.py cleanup: expired sessions, old rate-limit rows, visitors who never came back."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learn.core import ratelimit
from learn.core.models import LearnerSession, RateLimitBucket
from learn.models import ArticleRead, Report
from quizzes.models import Answer, Attempt, Card
from tests.conftest import HX
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db


def visit(quiz, article, term, text="A mistake here."):
    client = Client()
    question = quiz.questions.get(position=1)
    wrong = question.choices.filter(is_correct=False).first()
    client.post(reverse("quizzes:answer", args=[quiz.slug, 1]), {"choice": wrong.token}, **HX)
    client.post(reverse("learn:mark_read", args=[article.slug]), {"read": "1"})
    client.post(reverse("learn:report"), {"kind": "term", "slug": term.slug, "text": text})
    return client


def age(visitor, days: int) -> None:
    """Make a visitor's rows and session as old as if they had last come ``days`` ago."""
    then = timezone.now() - dt.timedelta(days=days)
    Attempt.objects.filter(visitor=visitor).update(started_at=then)
    Answer.objects.filter(attempt__visitor=visitor).update(answered_at=then)
    Card.objects.filter(visitor=visitor).update(last_review_at=then)
    ArticleRead.objects.filter(visitor=visitor).update(read_at=then)
    Report.objects.filter(visitor=visitor).update(created_at=then)
    LearnerSession.objects.filter(visitor=visitor).update(expire_date=then + dt.timedelta(days=180))


def test_cleanup_removes_what_nobody_can_reach_and_keeps_the_rest():
    quiz, article, term = make_quiz(title="Basics", questions=2), make_article(title="Intro"), make_term()
    gone = visit(quiz, article, term, "Gone visitor's report.")
    back = visit(quiz, article, term)
    gone_id = LearnerSession.objects.get(session_key=gone.session.session_key).visitor
    back_id = LearnerSession.objects.get(session_key=back.session.session_key).visitor
    age(gone_id, 200)  # did not come back for the session lifetime (180 days): the session expired
    age(back_id, 100)  # came back within it: the session is live
    user = get_user_model().objects.create_user("ada", password="a-long-passphrase-42")
    signed = Client()
    signed.force_login(user)
    signed.get("/progress/")
    old = timezone.now() - dt.timedelta(hours=3)
    RateLimitBucket.objects.create(scope="signup", key="k", window_start=old, hits=3)
    ratelimit.take(ratelimit.SIGNUP, "fresh")
    out = StringIO()

    call_command("cleanup", stdout=out)

    assert "1 expired session" in out.getvalue() and "the data of 1 visitor" in out.getvalue()
    assert not LearnerSession.objects.filter(visitor=gone_id).exists()
    for model in (Attempt, Card, ArticleRead):
        assert not model.objects.filter(visitor=gone_id).exists(), model
        assert model.objects.filter(visitor=back_id).exists(), model
    assert not Answer.objects.filter(attempt__visitor=gone_id).exists()
    kept = Report.objects.get(text="Gone visitor's report.")
    assert kept.visitor is None  # the report stays, without the link
    assert LearnerSession.objects.filter(user_id=user.pk).exists()
    assert not RateLimitBucket.objects.filter(key="k").exists()
    assert RateLimitBucket.objects.filter(key="fresh").exists()


def test_cleanup_never_takes_a_visitor_whose_session_is_still_being_saved():
    quiz, article, term = make_quiz(title="Basics", questions=2), make_article(title="Intro"), make_term()
    client = visit(quiz, article, term)
    LearnerSession.objects.all().delete()  # as if the rows were written and the session not yet

    call_command("cleanup", stdout=StringIO())

    assert Attempt.objects.exists() and ArticleRead.objects.exists()
    assert client.get("/progress/").status_code == 200


def test_cleanup_twice_changes_nothing_more():
    call_command("cleanup", stdout=StringIO())
    out = StringIO()

    call_command("cleanup", stdout=out)

    assert "Deleted 0 expired sessions, 0 old rate-limit rows and the data of 0 visitors" in out.getvalue()
