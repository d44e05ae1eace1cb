import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from glossary.models import Term
from quizzes.models import Answer, Attempt, Quiz

pytestmark = pytest.mark.django_db


def test_load_content_twice_changes_nothing_and_keeps_learner_data():
    call_command("load_content")
    user = get_user_model().objects.create_user("learner", password="pw-long-enough-1")
    quiz = Quiz.objects.get(slug="vocabulary-of-forgetting")
    question = quiz.questions.get(position=1)
    attempt = Attempt.objects.create(quiz=quiz, user=user, seed=1)
    Answer.objects.create(
        attempt=attempt, question=question, choice=question.choices.first(), is_correct=False
    )
    terms_before = list(Term.objects.values().order_by("pk"))

    call_command("load_content")

    assert list(Term.objects.values().order_by("pk")) == terms_before
    assert Attempt.objects.get().pk == attempt.pk
    assert Answer.objects.get().attempt_id == attempt.pk


def test_debug_off_refuses_the_built_in_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr
