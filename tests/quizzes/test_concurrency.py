"""Double clicks and two tabs: parallel identical submissions store one answer.

Runs against the configured database: SQLite (a file, IMMEDIATE transactions) in one CI pass,
PostgreSQL in the other.
"""

import datetime as dt
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from quizzes.models import Answer, Attempt, Question
from tests.conftest import HX
from tests.factories import make_quiz

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


def post_in_parallel(cookies, url: str, data: dict) -> list:
    barrier = threading.Barrier(PARALLEL)
    results: list = [None] * PARALLEL

    def worker(index: int) -> None:
        client = Client()
        client.cookies = cookies
        barrier.wait()
        try:
            response = client.post(url, data, **HX)
            results[index] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_parallel_first_answers_store_one_attempt_and_one_answer():
    user = get_user_model().objects.create_user("ada", password="a-long-password-1")
    quiz = make_quiz(title="Basics", questions=3)
    question = Question.objects.get(quiz=quiz, position=1)
    wrong = question.choices.filter(is_correct=False).first()
    client = Client()
    client.force_login(user)

    results = post_in_parallel(
        client.cookies, f"/quizzes/{quiz.slug}/questions/1/answer/", {"choice": wrong.token}
    )

    assert [status for status, _ in results] == [200] * PARALLEL
    assert all("Not quite." in body and "1 / 3 completed" in body for _, body in results)
    assert Attempt.objects.count() == 1
    assert Answer.objects.count() == 1
    assert Answer.objects.get().choice == wrong


def test_twenty_parallel_answers_from_one_visitor_store_one_answer():
    quiz = make_quiz(title="Basics", questions=3)
    first = Question.objects.get(quiz=quiz, position=1).choices.get(is_correct=True)
    second = Question.objects.get(quiz=quiz, position=2).choices.get(is_correct=True)
    visitor = Client()
    visitor.post(f"/quizzes/{quiz.slug}/questions/1/answer/", {"choice": first.token}, **HX)

    results = post_in_parallel(
        visitor.cookies, f"/quizzes/{quiz.slug}/questions/2/answer/", {"choice": second.token}
    )

    assert [status for status, _ in results] == [200] * PARALLEL
    bodies = {re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body) for _, body in results}
    assert len(bodies) == 1  # everyone saw the same result (CSRF tokens differ by design)
    assert Attempt.objects.count() == 1
    assert Answer.objects.filter(question__position=2).count() == 1


def test_the_last_two_answers_arriving_together_still_finish_the_attempt():
    quiz = make_quiz(title="Basics", questions=2)
    visitor = Client()
    tokens = [Question.objects.get(quiz=quiz, position=p).choices.get(is_correct=True).token for p in (1, 2)]
    visitor.post(f"/quizzes/{quiz.slug}/questions/1/answer/", {"choice": tokens[0]}, **HX)
    Answer.objects.all().delete()  # the attempt exists; both answers now race
    barrier = threading.Barrier(2)

    def worker(position: int) -> None:
        client = Client()
        client.cookies = visitor.cookies
        barrier.wait()
        try:
            client.post(
                f"/quizzes/{quiz.slug}/questions/{position}/answer/", {"choice": tokens[position - 1]}, **HX
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    attempt = Attempt.objects.get()
    assert attempt.answers.count() == 2
    assert attempt.finished_at is not None


def test_twenty_parallel_identical_review_answers_store_one_review():
    from django.utils import timezone

    from quizzes.models import Card, Review

    quiz = make_quiz(title="Basics", questions=1)
    client = Client()
    wrong = Question.objects.get().choices.filter(is_correct=False).first().token
    client.post(f"{quiz.get_absolute_url()}questions/1/answer/", {"choice": wrong}, **HX)
    now = timezone.now()
    Card.objects.update(due_at=now - dt.timedelta(minutes=1), last_review_at=now - dt.timedelta(days=1))
    right = Question.objects.get().choices.get(is_correct=True).token

    results = post_in_parallel(client.cookies, "/progress/review/basics/1/", {"choice": right})

    assert all(status == 200 for status, _ in results), {status for status, _ in results}
    assert Review.objects.filter(source=Review.Source.REVIEW).count() == 1
    assert Card.objects.get().reps == 2
    assert sum("was not due for review" in html for _, html in results) == PARALLEL - 1
