"""Issue 21, lists and analysis: the question list with statistics and flags, the item analysis
page's charts and CSV, and the open reports on the admin index."""

import uuid

import pytest

from quizzes.models import Question, item_analyses, item_analysis
from tests.factories import make_attempt, make_quiz

pytestmark = pytest.mark.django_db


# ---- Statistics for many quizzes at once -------------------------------------------------------


def test_item_analyses_of_several_quizzes_match_each_quiz_alone(django_assert_num_queries):
    first, second = make_quiz(questions=2), make_quiz(questions=3)
    learner = uuid.uuid4()  # the same learner in both: each quiz counts its own first attempt
    make_attempt(quiz=first, visitor=learner, picks=[0, 1])
    make_attempt(quiz=first, visitor=learner, number=2, picks=[0, 0])
    make_attempt(quiz=second, visitor=learner, picks=[1, 0, 0])
    make_attempt(quiz=second, picks=[0, 0, 2])

    with django_assert_num_queries(4):
        together = item_analyses([first.pk, second.pk])

    alone = item_analysis(first) | item_analysis(second)
    assert together == alone
    q1 = first.questions.get(position=2)
    assert together[q1.pk].attempts == 1 and together[q1.pk].facility == 0  # the first attempt only
    q3 = second.questions.get(position=3)
    assert together[q3.pk].attempts == 2 and together[q3.pk].facility == 0.5
    assert item_analyses([]) == {}


def test_item_analyses_leave_out_answers_to_an_older_version():
    quiz = make_quiz(questions=2)
    make_attempt(quiz=quiz, picks=[0, 0])
    question = quiz.questions.get(position=1)
    Question.objects.filter(pk=question.pk).update(version=2)

    stats = item_analyses([quiz.pk])

    assert stats[question.pk].attempts == 0
    assert stats[quiz.questions.get(position=2).pk].attempts == 1
