import pytest
from django.test import Client

from quizzes.models import Question
from tests.conftest import HX
from tests.factories import make_quiz, make_term
from tests.quizzes.test_admin import question_form

pytestmark = pytest.mark.django_db


def test_saving_a_question_shows_warnings_but_saves(admin_client):
    quiz = make_quiz(title="Basics", questions=1, choices=2)
    question = quiz.questions.get()
    data = question_form(question, [("All of the above", True, "r"), ("B", False, "r")])
    data["prompt"] = "Which is NOT true?"

    response = admin_client.post(f"/admin/quizzes/question/{question.pk}/change/", data, follow=True)

    html = response.content.decode()
    assert "avoid “all/none of the above”" in html
    assert "the correct choice is much longer than the others" in html
    assert "negative prompt" in html
    assert Question.objects.get().prompt == "Which is NOT true?"  # saved all the same


def answer_all(quiz, pattern):
    client = Client()
    for position, right in enumerate(pattern, start=1):
        question = quiz.questions.get(position=position)
        choice = (
            question.choices.get(is_correct=True)
            if right
            else question.choices.filter(is_correct=False).first()
        )
        client.post(f"/quizzes/{quiz.slug}/questions/{position}/answer/", {"choice": choice.token}, **HX)


def test_question_admin_shows_item_statistics(admin_client):
    quiz = make_quiz(title="Basics", questions=2)
    for pattern in ([True, True], [True, False], [False, False], [False, True]):
        answer_all(quiz, pattern)
    question = quiz.questions.get(position=1)

    html = admin_client.get(f"/admin/quizzes/question/{question.pk}/change/").content.decode()

    assert "4 attempts · facility 50% · discrimination +0.00" in html
    chart = html.split('<table class="pick-chart">', 1)[1].split("</table>", 1)[0]
    rows = [
        (row.split("</th>")[0], row.split('<td class="rate">')[1].split("<")[0])
        for row in chart.split("<tr")[1:]
    ]
    assert [(text.rsplit("</span> ", 1)[1], rate) for text, rate in rows] == [
        ('Choice 0 of question 1 <strong class="mark">✓ correct</strong>', "50%"),
        ("Choice 1 of question 1", "50%"),
        ("Choice 2 of question 1", "0%"),
        ("Choice 3 of question 1", "0%"),
    ]
    assert 'href="/static/css/admin-analysis.css"' in html


def test_quiz_analysis_lists_questions_sortable_by_facility(admin_client):
    quiz = make_quiz(title="Basics", questions=3)
    for _ in range(3):
        answer_all(quiz, [True, False, True])
    answer_all(quiz, [True, True, False])

    by_facility = admin_client.get(f"/admin/quizzes/quiz/{quiz.pk}/analysis/?sort=facility").content.decode()
    descending = admin_client.get(f"/admin/quizzes/quiz/{quiz.pk}/analysis/?sort=-facility").content.decode()
    bogus = admin_client.get(f"/admin/quizzes/quiz/{quiz.pk}/analysis/?sort=%00drop")

    order = lambda html: [html.index(f"Prompt of question {n}?") for n in (1, 2, 3)]  # noqa: E731
    first, second, third = order(by_facility)
    assert second < third < first  # 25%, 75%, 100%
    first, second, third = order(descending)
    assert first < third < second
    assert bogus.status_code == 200


def test_item_analysis_needs_staff(client):
    quiz = make_quiz(title="Basics", questions=1)

    assert client.get(f"/admin/quizzes/quiz/{quiz.pk}/analysis/").status_code == 302


def test_markdown_preview_renders_links_and_charts_for_staff(admin_client):
    make_term(name="Replay")

    response = admin_client.post(
        "/preview/markdown/",
        {"preview_field": "body", "body": "Use **replay**.\n\n```chart\nA | 1\n```\n", "slug": "intro"},
        **HX,
    )

    html = response.content.decode()
    assert '<a class="term" href="/glossary/replay/"' in html
    assert "<svg" in html and "<strong>" in html


def test_markdown_preview_is_for_staff_only_and_with_csrf(client):
    assert client.post("/preview/markdown/", {"preview_field": "body", "body": "x"}).status_code == 403
    assert Client(enforce_csrf_checks=True).post("/preview/markdown/", {"body": "x"}).status_code == 403


def test_admin_forms_carry_the_live_preview(admin_client):
    term = make_term(name="Replay")

    html = admin_client.get(f"/admin/glossary/term/{term.pk}/change/").content.decode()

    assert 'hx-post="/preview/markdown/"' in html
    assert 'id="id_definition-preview"' in html
    assert "django_htmx/htmx-2.min.js" in html
