"""Kinds of questions (select all that apply, numbers) and versions that keep statistics honest."""

import re

import pytest
from django.urls import reverse

from quizzes import numbers, scoring
from quizzes.models import Answer, Choice, Question, QuestionVersion, item_analysis
from tests.conftest import HX
from tests.factories import make_quiz

pytestmark = pytest.mark.django_db

# ---- Pure rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("131072", 131072),
        ("131,072", 131072),
        ("131 072", 131072),
        ("131\u202f072", 131072),
        ("1.31e5", 131000),
        ("1.3 × 10^5", 130000),
        ("1.3x10^5", 130000),
        ("-0.5", -0.5),
        ("\u22120.5", -0.5),
        (".25", 0.25),
    ],
)
def test_numbers_are_read_the_way_people_write_them(typed, value):
    assert numbers.parse(typed) == pytest.approx(value)


def test_a_percent_sign_is_read_only_where_the_unit_is_percent():
    assert numbers.parse("50%", percent=True) == 50
    with pytest.raises(numbers.NotANumber, match="Type a number, for example 2048"):
        numbers.parse("50%")


@pytest.mark.parametrize(
    "typed", ["", "abc", "1,2,3", "12,34", "1e999", "nan", "inf", "1" * 10_000, "4\x002", "1..2"]
)
def test_anything_else_is_refused_with_an_example(typed):
    with pytest.raises(numbers.NotANumber, match="for example"):
        numbers.parse(typed)


def test_tolerance_is_absolute_or_relative():
    assert numbers.close_enough(131000, 131072, 100, relative=False)
    assert not numbers.close_enough(130000, 131072, 100, relative=False)
    assert numbers.close_enough(125000, 131072, 0.05, relative=True)
    assert not numbers.close_enough(120000, 131072, 0.05, relative=True)
    assert numbers.close_enough(0.1 + 0.2, 0.3, 0, relative=False)


def test_select_all_credit_follows_the_published_rule():
    correct, wrong = {1, 2, 3}, {4, 5}
    assert scoring.select_all_credit({1, 2, 4}, correct, wrong) == pytest.approx(
        2 / 3 - 1 / 2, abs=1e-4
    )  # 17 %
    assert scoring.select_all_credit({1, 2, 3}, correct, wrong) == 1
    assert scoring.select_all_credit({1, 2, 3, 4}, correct, wrong) == pytest.approx(0.5)
    assert scoring.select_all_credit({4, 5}, correct, wrong) == 0  # floored at 0
    assert scoring.select_all_credit({1}, correct, wrong) == pytest.approx(1 / 3, abs=1e-4)
    assert str(scoring.score([1, 0.1667, 0.5], 3)) == "1.67 / 3"


# ---- Answering each kind --------------------------------------------------------------------


@pytest.fixture
def kinds():
    quiz = make_quiz(title="Kinds", questions=1)
    multiple = Question.objects.create(
        quiz=quiz,
        position=2,
        kind="multiple",
        prompt="Which help? Select all that apply.",
        explanation="Why.",
    )
    for position, (text, correct) in enumerate(
        [("Replay", True), ("EWC", True), ("LoRA", True), ("Bigger LR", False), ("More epochs", False)]
    ):
        Choice.objects.create(
            question=multiple, position=position, text=text, is_correct=correct, rationale=f"R {text}"
        )
    number = Question.objects.create(
        quiz=quiz,
        position=3,
        kind="numeric",
        prompt="How many parameters does LoRA add at rank 16 to a 4096 x 4096 matrix?",
        explanation="2 x 4096 x 16 = 131,072.",
        accepted_value=131072,
        tolerance=0,
        unit="parameters",
    )
    return quiz, multiple, number


def tokens(question, *texts):
    return [c.token for c in question.choices.all() if c.text in texts]


def post(client, quiz, position, data, htmx=True):
    return client.post(reverse("quizzes:answer", args=[quiz.slug, position]), data, **(HX if htmx else {}))


def test_a_select_all_question_shows_checkboxes_and_no_trace_of_the_key(client, kinds):
    quiz, multiple, _ = kinds

    html = client.get(quiz.get_absolute_url()).content.decode()

    form = re.search(r'<form id="q2".*?</form>', html, re.S).group()
    assert form.count('type="checkbox" name="choice"') == 5
    assert "checked" not in form and "correct" not in form.lower() and "data-" not in form
    number = re.search(r'<form id="q3".*?</form>', html, re.S).group()
    assert 'name="value" inputmode="decimal"' in number and "parameters" in number
    assert "131072" not in number and "131,072" not in number  # the key is not in the page


def test_partial_credit_is_stored_shown_with_the_rule_and_counted_in_the_score(client, kinds):
    quiz, multiple, _ = kinds
    post(client, quiz, 1, {"choice": quiz.questions.get(position=1).choices.get(is_correct=True).token})

    response = post(client, quiz, 2, {"choice": tokens(multiple, "Replay", "EWC", "Bigger LR")})

    html = response.content.decode()
    answer = Answer.objects.get(question=multiple)
    assert answer.credit == pytest.approx(2 / 3 - 1 / 2, abs=1e-4) and not answer.is_correct
    assert "Partly right: 17% of this question." in html
    assert "Ticked: right" in html and "Ticked: wrong" in html and "Not ticked: it applies" in html
    assert "Not ticked: right to leave" in html and "R More epochs" in html  # every rationale
    assert "Scoring: each correct choice you tick earns an equal share" in html
    assert "1.17 right so far" in html


def test_a_number_in_tolerance_is_right_and_shows_the_accepted_answer(client, kinds):
    quiz, _, number = kinds

    response = post(client, quiz, 3, {"value": "131,072"})

    html = response.content.decode()
    assert "Right." in html and "Accepted answer</dt><dd>131,072 parameters</dd>" in html
    assert Answer.objects.get(question=number).value == 131072


def test_a_number_outside_the_tolerance_is_wrong_with_the_worked_explanation(client, kinds):
    quiz, _, number = kinds

    html = post(client, quiz, 3, {"value": "65536"}).content.decode()

    assert "Not quite." in html and "2 x 4096 x 16 = 131,072." in html
    assert Answer.objects.get(question=number).credit == 0


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize(
    ("position", "data", "message"),
    [
        (3, {"value": "lots"}, "Type a number, for example 2048."),
        (3, {"value": "9" * 10_000}, "too long to be a number"),
        (3, {"value": "1\x002"}, "too long to be a number"),
        (3, {"value": ["1", "2"]}, "Type one number"),
        (3, {}, "Type a number"),
        (2, {}, "Tick every answer that applies"),
        (2, {"choice": "nope"}, "not one of this question’s choices"),
        (1, {"choice": ["a", "b"]}, "Choose one answer only"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(client, kinds, htmx, position, data, message):
    quiz, multiple, _ = kinds

    response = post(client, quiz, position, data, htmx=htmx)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Answer.objects.exists()


def test_a_choice_of_another_question_or_ticked_twice_is_refused(client, kinds):
    quiz, multiple, _ = kinds
    other = quiz.questions.get(position=1).choices.first().token
    twice = tokens(multiple, "Replay") * 2

    for data in ({"choice": [other]}, {"choice": twice}):
        assert post(client, quiz, 2, data).status_code == 400
    assert not Answer.objects.exists()


# ---- Versions ---------------------------------------------------------------------------------


def edit(admin_client, question, **changes):
    choices = list(question.choices.order_by("position"))
    data = {
        "quiz": question.quiz_id,
        "position": question.position,
        "kind": question.kind,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "tolerance": question.tolerance,
        "tolerance_kind": question.tolerance_kind,
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(choices):
        data.update(
            {
                f"choices-{i}-id": c.pk,
                f"choices-{i}-question": question.pk,
                f"choices-{i}-position": c.position,
                f"choices-{i}-text": c.text,
                f"choices-{i}-rationale": c.rationale,
            }
        )
        if c.is_correct:
            data[f"choices-{i}-is_correct"] = "on"
    data.update(changes)
    return admin_client.post(f"/admin/quizzes/question/{question.pk}/change/", data, follow=True)


def test_an_edit_that_changes_the_key_makes_a_new_version_and_old_answers_keep_theirs(admin_client, client):
    quiz = make_quiz(title="Basics", questions=1, choices=3)
    question = quiz.questions.get()
    post(client, quiz, 1, {"choice": question.choices.get(position=0).token})  # right, in version 1
    old = Answer.objects.get()
    assert old.version.number == 1

    response = edit(admin_client, question, **{"choices-0-is_correct": "", "choices-1-is_correct": "on"})

    question.refresh_from_db()
    assert question.version == 2
    assert "it is now version 2 (which choices are correct)" in response.content.decode()
    old.refresh_from_db()
    assert old.version.number == 1 and old.is_correct  # its meaning is kept
    assert old.version.snapshot["choices"][0]["correct"] is True
    page = admin_client.get(f"/admin/quizzes/question/{question.pk}/change/").content.decode()
    assert "Now version 2" in page and "Version 1" in page and "1 answer(s)" in page
    # Statistics are for the current version: the old answer is not counted.
    assert item_analysis(quiz)[question.pk].attempts == 0


def test_a_typo_fix_can_be_saved_as_the_same_version(admin_client, client):
    quiz = make_quiz(title="Basics", questions=1)
    question = quiz.questions.get()
    post(client, quiz, 1, {"choice": question.choices.get(position=0).token})

    edit(admin_client, question, prompt="Prompt of question 1 (typo fixed)?", same_version="on")
    question.refresh_from_db()
    edit(admin_client, question, explanation="A better explanation.")

    question.refresh_from_db()
    assert question.version == 1 and QuestionVersion.objects.count() == 1
    assert QuestionVersion.objects.get().snapshot["prompt"] == "Prompt of question 1 (typo fixed)?"
    edit(admin_client, question, prompt="A different question now?")
    question.refresh_from_db()
    assert question.version == 2 and QuestionVersion.objects.get(number=2).note == "prompt"


def test_the_attempt_review_shows_what_the_learner_saw(client, admin_client):
    quiz = make_quiz(title="Basics", questions=1)
    question = quiz.questions.get()
    post(client, quiz, 1, {"choice": question.choices.get(position=0).token})
    attempt = Answer.objects.get().attempt

    edit(admin_client, question, prompt="A rewritten prompt?", **{"choices-0-text": "A rewritten choice"})

    html = client.get(reverse("quizzes:attempt", args=[quiz.slug, attempt.public_id])).content.decode()
    assert "Prompt of question 1?" in html and "Choice 0 of question 1" in html
    assert "A rewritten prompt?" not in html


def test_admin_refuses_choices_that_do_not_fit_the_kind(admin_client):
    quiz = make_quiz(title="Basics", questions=1, choices=2)
    question = quiz.questions.get()

    every = edit(admin_client, question, kind="multiple", **{"choices-1-is_correct": "on"}).content.decode()
    numeric = edit(admin_client, question, kind="numeric").content.decode()

    assert "at least one correct and one wrong choice (now 2 of 2 are correct)" in every
    assert "A number question needs the accepted value." in numeric
    assert Question.objects.get().kind == "single"
