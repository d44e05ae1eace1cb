"""Hostile content in every field an admin edits and every field a learner submits."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from glossary.models import Alias, Category, Source, Term
from learn.models import Article, Report, Topic
from learn.models import Source as ArticleSource
from quizzes.models import Choice, Question, Quiz
from tests.conftest import HX
from tests.xss import CORPUS, TEXT, problems

pytestmark = pytest.mark.django_db

SHORT = CORPUS[1][:110]  # fits every short field


def hostile_content():
    category = Category.objects.create(name=SHORT, slug="hostile")
    term = Term.objects.create(
        name="Hostile " + SHORT[:60],
        slug="hostile",
        short_definition=SHORT,
        definition=TEXT,
        why_it_matters=TEXT,
        how_it_works=TEXT,
        example=TEXT,
        common_mistakes=TEXT,
    )
    term.categories.add(category)
    other = Term.objects.create(name="Replay", slug="replay", short_definition=SHORT, definition=TEXT)
    term.related.add(other)
    Alias.objects.create(term=term, name="xss alias " + CORPUS[0][:80], slug="xss-alias")
    Source.objects.create(term=term, title=SHORT, url="https://example.org/?q=<script>xss</script>")
    topic = Topic.objects.create(name=SHORT, slug="hostile-topic", description=SHORT)
    quiz = Quiz.objects.create(title=SHORT, slug="hostile-quiz", goal=SHORT, description=TEXT)
    quiz.related_terms.add(term)
    for position in (1, 2):
        question = Question.objects.create(quiz=quiz, position=position, prompt=TEXT, explanation=TEXT)
        question.related_terms.add(term)
        for i, text in enumerate([SHORT, CORPUS[0], CORPUS[5][:100]]):
            Choice.objects.create(question=question, position=i, text=text, is_correct=i == 0, rationale=TEXT)
    article = Article.objects.create(
        title=SHORT,
        slug="hostile-article",
        summary=SHORT,
        body=TEXT,
        topic=topic,
        key_takeaways=TEXT,
        quiz=quiz,
    )
    article.related_terms.add(term)
    ArticleSource.objects.create(article=article, title=SHORT, url="https://example.org/<svg/onload=xss>")
    return quiz


PAGES = [
    "/",
    "/glossary/",
    "/glossary/?q=hostile",
    "/glossary/hostile/",
    "/glossary/hostile/preview/",
    "/learn/",
    "/learn/hostile-article/",
    "/quizzes/",
    "/quizzes/hostile-quiz/",
    "/search/?q=xss",
    "/progress/",
    f"/search/?q={CORPUS[1]}",
    f"/glossary/?q={CORPUS[0]}",
]


def test_hostile_content_never_becomes_live_markup(client):
    quiz = hostile_content()
    question = quiz.questions.get(position=1)
    client.post(
        "/quizzes/hostile-quiz/questions/1/answer/",
        {"choice": question.choices.get(is_correct=True).token},
        **HX,
    )

    for url in PAGES + ["/quizzes/hostile-quiz/", "/glossary/hostile/preview/"]:
        for headers in ({}, HX):
            response = client.get(url, **headers)
            assert response.status_code == 200, url
            assert problems(response.content.decode()) == [], url
    answered = client.post("/quizzes/hostile-quiz/questions/2/answer/", {"choice": CORPUS[0]}, **HX)
    assert problems(answered.content.decode()) == []


def test_hostile_learner_input_is_refused_or_shown_inert(client):
    hostile_content()

    signup = client.post("/accounts/signup/", {"username": CORPUS[0], "password1": "x", "password2": "y"})
    login = client.post("/accounts/login/", {"username": CORPUS[1], "password": CORPUS[0]})
    report = client.post(
        "/report/", {"kind": "term", "slug": "hostile", "text": CORPUS[1], "next": CORPUS[5]}
    )
    bad_report = client.post("/report/", {"kind": "term", "slug": CORPUS[0], "text": CORPUS[0]}, **HX)

    for response in (signup, login, bad_report):
        assert problems(response.content.decode()) == []
    assert report.status_code == 303 and report["Location"] == "/"  # the hostile next is ignored
    assert not get_user_model().objects.exists()
    stored = Report.objects.get()
    admin = get_user_model().objects.create_superuser("boss", "b@example.org", "a-boss-passphrase-1")
    staff = Client()
    staff.force_login(admin)
    for url in ["/admin/learn/report/", f"/admin/learn/report/{stored.pk}/change/", "/admin/glossary/term/"]:
        assert problems(staff.get(url).content.decode()) == [], url


def test_a_page_whose_csrf_token_spells_xss_is_not_a_finding():
    # A token is random letters and digits: about one run in twenty, one contained "xss".
    token = "Q7xssZ1XSSxss9kP" * 4
    page = (
        f'<body hx-headers=\'{{"X-CSRFToken": "{token}"}}\'>'
        f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{token}"></form></body>'
    )

    assert problems(page) == []


def test_the_checker_still_finds_an_injected_htmx_attribute_and_script():
    assert problems('<div hx-get="/_xss" hx-trigger="load">x</div>') == ["<div hx-get=/_xss>"]
    assert problems("<script>window.__xss=1</script>") == ["<script> with payload"]
