"""Content goes from the database back into fixture files, and comes back the same."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from glossary.models import Category, Term
from learn.models import Article, Topic
from quizzes.models import Quiz
from tests.conftest import forget_everything

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/glossary/",
    "/glossary/catastrophic-forgetting/",
    "/glossary/lora/preview/",
    "/learn/",
    "/learn/what-is-catastrophic-forgetting/",
    "/learn/measuring-forgetting/",
    "/quizzes/",
    "/quizzes/vocabulary-of-forgetting/",
    "/search/?q=replay",
]


def snapshot() -> dict[str, str]:
    forget_everything()
    client = Client()
    pages = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)  # tokens differ per request by design
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        pages[url] = re.sub(r"chart-\d+", "chart-N", html)  # a per-process counter
    return pages


def test_export_then_load_into_an_empty_database_renders_every_page_the_same(tmp_path):
    call_command("load_content")
    Term.objects.filter(slug="lora").update(definition="Edited in **admin**.")  # an admin edit
    before = snapshot()

    call_command("export_content", to=tmp_path)
    for model in (Article, Topic, Quiz, Term, Category):
        model.objects.all().delete()
    assert not Term.objects.exists()
    call_command("load_content", source=tmp_path)

    after = snapshot()
    assert after == before
    assert Term.objects.get(slug="lora").definition == "Edited in **admin**."


def test_exporting_unchanged_content_reproduces_the_committed_fixtures(tmp_path, settings):
    call_command("load_content")

    call_command("export_content", to=tmp_path)

    for name in [
        "glossary/fixtures/glossary.yaml",
        "quizzes/fixtures/quizzes.yaml",
        "learn/fixtures/learn.yaml",
    ]:
        assert (tmp_path / name).read_text() == (settings.BASE_DIR / name).read_text(), name


def test_check_content_passes_on_the_shipped_content(capsys):
    call_command("load_content")

    call_command("check_content", "--strict")

    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_check_content_fails_on_errors_and_names_them(capsys):
    call_command("load_content")
    quiz = Quiz.objects.get(slug="vocabulary-of-forgetting")
    question = quiz.questions.filter(kind="single").order_by("position").first()
    question.choices.update(is_correct=False)

    with pytest.raises(Exception, match="content check failed"):
        call_command("check_content")

    out = capsys.readouterr().out
    assert (
        f"Quiz “{quiz.title}”, question {question.position}: error: needs exactly one correct choice (has 0)"
        in out
    )
