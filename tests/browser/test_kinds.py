import pytest
from playwright.sync_api import expect

from quizzes.models import Answer, Choice, Question
from tests.factories import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_kind_of_question_is_answered_in_place(live_server, page, axe_check):
    quiz = make_quiz(title="Kinds", questions=1)
    multiple = Question.objects.create(
        quiz=quiz,
        position=2,
        kind="multiple",
        prompt="Which help? Select all that apply.",
        explanation="Why.",
    )
    for position, (text, correct) in enumerate([("Replay", True), ("EWC", True), ("Bigger LR", False)]):
        Choice.objects.create(
            question=multiple, position=position, text=text, is_correct=correct, rationale="R"
        )
    Question.objects.create(
        quiz=quiz,
        position=3,
        kind="numeric",
        prompt="How many?",
        explanation="2 x 4096 x 16.",
        accepted_value=131072,
        unit="parameters",
    )
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    axe_check(page)
    page.evaluate("window.__sameDocument = true")

    first = page.locator("form#q1")
    first.get_by_label("Choice 0 of question 1").check()
    first.get_by_role("button", name="Check").click()
    expect(page.locator("section#q1")).to_contain_text("Right.")

    second = page.locator("form#q2")
    second.get_by_label("Replay").check()  # one of the two that apply, and no wrong one
    second.get_by_role("button", name="Check").click()
    expect(page.locator("section#q2")).to_contain_text("Partly right: 50% of this question.")

    third = page.locator("form#q3")
    third.get_by_label("Your answer").fill("131,072")
    third.get_by_role("button", name="Check").click()
    expect(page.locator("section#q3")).to_contain_text("Right.")

    expect(page.locator("#quiz-results")).to_contain_text("2.5 / 3")
    assert page.evaluate("window.__sameDocument") is True
    assert sorted(Answer.objects.values_list("credit", flat=True)) == [0.5, 1.0, 1.0]
    axe_check(page)
