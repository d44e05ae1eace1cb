"""The move to FSRS: a database with the old 1-3-7 review queue is migrated by replaying every
learner's history; nobody's queue is lost."""

import datetime as dt
import os
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("quizzes", "0002_reviewitem_reviewanswer_and_more")]
AFTER = [("quizzes", "0003_fsrs_cards")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Leave the database fully migrated for the next test, whatever this one did."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="migrating a PostgreSQL test database back and forth inside the suite leaves it half-migrated "
    "for the tests after it (an open lead, see the closing note); runs on SQLite",
)
def test_old_review_items_and_answers_become_cards_replayed_in_time_order(back_to_latest):
    old = migrate(BEFORE)
    Quiz, Question, Choice = (old.get_model("quizzes", n) for n in ("Quiz", "Question", "Choice"))
    Attempt, Answer = old.get_model("quizzes", "Attempt"), old.get_model("quizzes", "Answer")
    ReviewItem, ReviewAnswer = (
        old.get_model("quizzes", "ReviewItem"),
        old.get_model("quizzes", "ReviewAnswer"),
    )
    quiz = Quiz.objects.create(title="Old", slug="old", goal="Goal.")
    questions = [Question.objects.create(quiz=quiz, position=p, prompt="?", explanation="!") for p in (1, 2)]
    right = [Choice.objects.create(question=q, text="yes", is_correct=True, rationale="r") for q in questions]
    wrong = [Choice.objects.create(question=q, text="no", is_correct=False, rationale="r") for q in questions]
    visitor = uuid.uuid4()
    start = dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)
    attempt = Attempt.objects.create(quiz=quiz, visitor=visitor, number=1, seed=1, started_at=start)
    Answer.objects.create(
        attempt=attempt, question=questions[0], choice=right[0], is_correct=True, answered_at=start
    )
    Answer.objects.create(
        attempt=attempt, question=questions[1], choice=wrong[1], is_correct=False, answered_at=start
    )
    item = ReviewItem.objects.create(
        question=questions[1], visitor=visitor, step=1, due_on=dt.date(2026, 11, 5)
    )
    ReviewAnswer.objects.create(
        item=item, choice=right[1], is_correct=True, answered_at=start + dt.timedelta(days=1)
    )

    new = migrate(AFTER)

    Card, Review = new.get_model("quizzes", "Card"), new.get_model("quizzes", "Review")
    cards = {c.question_id: c for c in Card.objects.all()}
    assert set(cards) == {questions[0].pk, questions[1].pk}  # every answered question, right ones too
    missed = cards[questions[1].pk]
    assert missed.visitor == visitor and missed.reps == 2 and missed.lapses == 1
    assert [(r.source, r.correct) for r in Review.objects.filter(card=missed).order_by("answered_at")] == [
        ("quiz", False),
        ("review", True),
    ]
    assert missed.last_review_at == start + dt.timedelta(days=1)
    assert missed.due_at <= dt.datetime(2026, 11, 5, tzinfo=dt.UTC)  # never later than the old queue
    assert Review.objects.filter(source="quiz", answer__isnull=False).count() == 2
