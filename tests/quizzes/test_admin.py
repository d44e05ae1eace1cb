import pytest
from django.db import IntegrityError, transaction

from quizzes.models import Choice, Question
from tests.factories import make_quiz

pytestmark = pytest.mark.django_db


def question_form(question: Question, choices: list[tuple[str, bool, str]]) -> dict:
    existing = list(question.choices.order_by("pk"))
    data = {
        "quiz": question.quiz_id,
        "position": question.position,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(existing)),
        "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, (text, correct, rationale) in enumerate(choices):
        data |= {
            f"choices-{i}-position": str(i),
            f"choices-{i}-text": text,
            f"choices-{i}-rationale": rationale,
            f"choices-{i}-question": str(question.pk),
        }
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
        if i < len(existing):
            data[f"choices-{i}-id"] = str(existing[i].pk)
    return data


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([("A", False, "r"), ("B", False, "r")], "Mark exactly one choice as correct (now 0 are)."),
        ([("A", True, "r"), ("B", True, "r")], "Mark exactly one choice as correct (now 2 are)."),
    ],
)
def test_question_admin_explains_what_is_wrong_with_the_choices(admin_client, choices, message):
    quiz = make_quiz(title="Basics", questions=1, choices=2)
    question = quiz.questions.get()

    response = admin_client.post(
        f"/admin/quizzes/question/{question.pk}/change/", question_form(question, choices)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(question.choices.values_list("is_correct", flat=True).order_by("pk")) == [True, False]


def test_question_admin_needs_at_least_two_choices(admin_client):
    quiz = make_quiz(title="Basics", questions=1, choices=0)
    question = quiz.questions.get()

    response = admin_client.post(
        f"/admin/quizzes/question/{question.pk}/change/", question_form(question, [("Only", True, "r")])
    )

    assert response.status_code == 200
    assert (
        "Please submit at least 2 forms." in response.content.decode()
        or "at least two choices" in response.content.decode()
    )
    assert not Choice.objects.exists()


def test_question_admin_saves_valid_choices(admin_client):
    quiz = make_quiz(title="Basics", questions=1, choices=2)
    question = quiz.questions.get()

    response = admin_client.post(
        f"/admin/quizzes/question/{question.pk}/change/",
        question_form(question, [("Old right", False, "now wrong"), ("New right", True, "now right")]),
    )

    assert response.status_code == 302
    assert question.correct_choice().text == "New right"


def test_the_database_refuses_what_no_kind_of_question_allows():
    # Several correct choices are allowed now (select all that apply); a one-best-answer question
    # with two is an error that the admin and check_content report (see the tests of checks).
    quiz = make_quiz(title="Basics", questions=1, choices=2)
    question = quiz.questions.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(tolerance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(kind="numeric", accepted_value=None)


def test_quiz_admin_lists_questions_in_order_and_links_to_the_learners_view(admin_client):
    quiz = make_quiz(title="Basics", questions=3)

    html = admin_client.get(f"/admin/quizzes/quiz/{quiz.pk}/change/").content.decode()

    assert (
        html.index("Prompt of question 1?")
        < html.index("Prompt of question 2?")
        < html.index("Prompt of question 3?")
    )
    assert 'href="/quizzes/basics/"' in html
    assert "Edit this question and its choices" in html


def test_quiz_admin_list_shows_question_counts(admin_client):
    make_quiz(title="Basics", questions=4)

    html = admin_client.get("/admin/quizzes/quiz/").content.decode()

    assert "Basics" in html and '<td class="field-question_total">4</td>' in html
