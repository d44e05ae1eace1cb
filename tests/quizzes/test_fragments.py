"""The learner's path at cache speed (issue 19): question fragments shared by state, never by
learner; the learner's state read in pinned queries; the answer's short write path."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learn.core.fragments import FRAGMENTS
from learn.core.learners import Learner, insert_row
from quizzes.models import Answer, Attempt, Card, Question, due_count, end_of_today
from tests.conftest import HX
from tests.factories import make_article, make_quiz

pytestmark = pytest.mark.django_db


def signed_in(name: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_user(name, password="a-long-passphrase-42"))
    return client


def choice_of(quiz, position: int, correct: bool):
    question = Question.objects.get(quiz=quiz, position=position)
    return question.choices.filter(is_correct=correct).first()


def answer(client, quiz, position, correct=True):
    url = reverse("quizzes:answer", args=[quiz.slug, position])
    return client.post(url, {"choice": choice_of(quiz, position, correct).token}, **HX)


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def section(html: str, anchor: str) -> str:
    """The question partial with this id, up to the next question."""
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</li>", start)]


def test_two_learners_on_one_quiz_page_never_see_each_other(client):
    quiz = make_quiz(title="Basics", questions=3)
    ada, bob = signed_in("ada"), signed_in("bob")
    answer(ada, quiz, 1, correct=False)
    ada_page = ada.get(quiz.get_absolute_url()).content.decode()
    bob_page = bob.get(quiz.get_absolute_url()).content.decode()
    visitor_page = client.get(quiz.get_absolute_url()).content.decode()
    assert "Not quite." in section(ada_page, "q1")
    assert "Not quite." not in bob_page and "Your answer" not in bob_page
    assert "1 / 3 completed" in ada_page and "0 / 3 completed" in bob_page
    assert "Not quite." not in visitor_page
    # Each page carries its own learner's CSRF token, in every form of every fragment.
    assert csrf_tokens(ada_page) and csrf_tokens(bob_page)
    assert not csrf_tokens(ada_page) & csrf_tokens(bob_page)
    assert all(len(token) == 64 for token in csrf_tokens(ada_page) | csrf_tokens(bob_page))


def test_two_learners_in_the_same_state_share_a_fragment_but_not_a_token():
    quiz = make_quiz(title="Basics", questions=2)
    ada, bob = signed_in("ada"), signed_in("bob")
    Attempt.objects.create(quiz=quiz, user=get_user_model().objects.get(username="ada"), seed=7)
    Attempt.objects.create(quiz=quiz, user=get_user_model().objects.get(username="bob"), seed=7)
    first = answer(ada, quiz, 1).content.decode()
    kept = len(FRAGMENTS)
    second = answer(bob, quiz, 1).content.decode()
    assert len(FRAGMENTS) == kept  # the same state (order, choice): the fragment made for ada
    assert section(first, "q1").replace(next(iter(csrf_tokens(first))), "") == section(second, "q1").replace(
        next(iter(csrf_tokens(second))), ""
    )
    assert csrf_tokens(first).isdisjoint(csrf_tokens(second))
    bob_page = bob.get(quiz.get_absolute_url()).content.decode()
    assert "1 / 2 completed" in bob_page and csrf_tokens(bob_page).isdisjoint(csrf_tokens(first))


def test_an_edit_shows_in_the_next_fragment(client):
    quiz = make_quiz(title="Basics", questions=1)
    ada = signed_in("ada")
    answer(ada, quiz, 1)
    assert "Right." in ada.get(quiz.get_absolute_url()).content.decode()
    question = Question.objects.get(quiz=quiz)
    question.explanation = "A freshly edited explanation."
    question.save()
    assert "A freshly edited explanation." in ada.get(quiz.get_absolute_url()).content.decode()


def test_a_learners_quiz_page_and_answer_take_pinned_queries():
    quiz = make_quiz(title="Basics", questions=3)
    ada, bob = signed_in("ada"), signed_in("bob")
    # The question's version exists, as once anyone answered it; bob's wrong answer is a state
    # (a fragment) other than the one ada's right answer makes.
    answer(bob, quiz, 2, correct=False)
    answer(ada, quiz, 1)
    ada.get(quiz.get_absolute_url())
    with CaptureQueriesContext(connection) as page:
        assert ada.get(quiz.get_absolute_url()).status_code == 200
    # content version, session with its user, attempt, its answers, the header's review count
    assert len(page.captured_queries) == 5
    url, token = reverse("quizzes:answer", args=[quiz.slug, 2]), choice_of(quiz, 2, True).token
    with CaptureQueriesContext(connection) as post:
        assert ada.post(url, {"choice": token}, **HX).status_code == 200
    sql = [q["sql"] for q in post.captured_queries]
    # The test runs inside a transaction, so the answer's own transaction is a savepoint here
    # (BEGIN and COMMIT outside tests): one, and no other (inserts skip conflicts instead).
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1
    statements = [s for s in sql if "SAVEPOINT" not in s]
    # content version, session with user, rate count; lock the attempt, insert the answer,
    # finish if complete, lock the card, insert it, insert the review; the attempt's answers; and
    # the content version once more, as the glossary's linker checks it while this new state's
    # fragment is rendered (a state some learner was in before costs nothing)
    assert len(statements) == 11, "\n".join(s[:90] for s in statements)


def test_a_repeated_answer_is_stored_once_and_shown_as_stored():
    quiz = make_quiz(title="Basics", questions=2)
    ada = signed_in("ada")
    answer(ada, quiz, 1, correct=False)
    again = answer(ada, quiz, 1, correct=True)
    assert "Not quite." in again.content.decode()
    assert Answer.objects.count() == 1 and Card.objects.count() == 1


def test_insert_row_skips_a_conflict_and_returns_the_new_key():
    quiz = make_quiz(title="Basics", questions=1)
    question = Question.objects.get(quiz=quiz)
    attempt = Attempt.objects.create(quiz=quiz, visitor="6a0f5a3e-9b1c-4c6e-8f8e-0d7c3b1a2e4f", seed=1)
    row = {
        "attempt_id": attempt.pk,
        "question_id": question.pk,
        "version_id": None,
        "choice_id": None,
        "choices": [1, 2],
        "value": None,
        "typed": "",
        "credit": 0.5,
        "is_correct": False,
        "answered_at": attempt.started_at,
    }
    pk = insert_row(Answer, row, skip_conflict=True)
    assert Answer.objects.get(pk=pk).choices == [1, 2]
    assert insert_row(Answer, row, skip_conflict=True) is None
    assert Answer.objects.count() == 1


def test_due_count_agrees_with_the_queryset():
    quiz = make_quiz(title="Basics", questions=3)
    ada = signed_in("ada")
    for position in (1, 2, 3):
        answer(ada, quiz, position, correct=position != 2)
    learner = Learner(user_id=get_user_model().objects.get().pk)
    for moment in (end_of_today(), end_of_today() + __import__("datetime").timedelta(days=5)):
        assert due_count(learner, moment) == Card.objects.for_learner(learner).due_before(moment).count()
    assert due_count(None, end_of_today()) == 0


def test_two_learners_on_one_article_see_only_their_own_read_mark(client):
    article = make_article(title="Intro")
    ada, bob = signed_in("ada"), signed_in("bob")
    bob.get(article.get_absolute_url())  # the copy learners share, built from bob's request
    ada.post(reverse("learn:mark_read", args=[article.slug]))
    ada_page = ada.get(article.get_absolute_url()).content.decode()
    bob_page = bob.get(article.get_absolute_url()).content.decode()
    assert "Marked as read" in ada_page and "Marked as read" not in bob_page
    assert "Marked as read" not in client.get(article.get_absolute_url()).content.decode()
    assert 'Log out <span class="visually-hidden">ada</span>' in ada_page and "ada" not in bob_page
    assert csrf_tokens(ada_page) and csrf_tokens(ada_page).isdisjoint(csrf_tokens(bob_page))
    bob.post(reverse("learn:mark_read", args=[article.slug]), {"read": "1"})
    ada.post(reverse("learn:mark_read", args=[article.slug]), {"read": "0"})
    assert "Marked as read" in bob.get(article.get_absolute_url()).content.decode()
    assert "Marked as read" not in ada.get(article.get_absolute_url()).content.decode()


def test_visitors_without_a_session_each_get_a_working_token_on_the_shared_quiz_page():
    # The quiz page for visitors without a session is cached whole; its question fragments' CSRF
    # holes must stay holes in the stored copy (each request fills its own), or every visitor
    # after the first gets the first one's token and every answer is refused (it was: a 403).
    quiz = make_quiz(title="Basics", questions=2)
    for name in ("first", "second", "third"):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(quiz.get_absolute_url()).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = visitor.post(
            reverse("quizzes:answer", args=[quiz.slug, 1]),
            {"choice": choice_of(quiz, 1, True).token, "csrfmiddlewaretoken": token},
            **HX,
        )
        assert response.status_code == 200, name
    assert Answer.objects.count() == 3
