import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from quizzes.models import Answer, Attempt
from tests.conftest import HX
from tests.factories import make_quiz

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_then_restore_brings_progress_back_to_the_backup(tmp_path):
    quiz = make_quiz(title="Basics", questions=3)
    tokens = [q.choices.get(is_correct=True).token for q in quiz.questions.order_by("position")]
    learner = Client()
    learner.post("/quizzes/basics/questions/1/answer/", {"choice": tokens[0]}, **HX)
    backup = tmp_path / "recall.backup"

    call_command("backup", str(backup))
    learner.post("/quizzes/basics/questions/2/answer/", {"choice": tokens[1]}, **HX)
    learner.post("/quizzes/basics/questions/3/answer/", {"choice": tokens[2]}, **HX)
    assert Answer.objects.count() == 3
    call_command("restore", str(backup), "--yes")

    assert Answer.objects.count() == 1
    assert Attempt.objects.get().finished_at is None
    assert "1 / 3 completed" in learner.get("/quizzes/basics/").content.decode()  # the session came back too


def test_restore_needs_confirmation_and_an_existing_file(tmp_path):
    with pytest.raises(CommandError, match="Add --yes"):
        call_command("restore", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "missing"), "--yes")
