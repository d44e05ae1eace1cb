import pytest
from playwright.sync_api import expect

from quizzes.models import Answer, Attempt
from tests.factories import make_quiz, make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_learner_answers_every_question_in_place_and_takes_the_quiz_again(live_server, page, axe_check):
    term = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=5, terms=(term,))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    expect(page.get_by_text("0 / 5 completed")).to_be_visible()
    axe_check(page)
    page.evaluate("window.__sameDocument = true")

    for position in range(1, 6):
        form = page.locator(f"form#q{position}")
        # Choice 0 is the right one; answer the first two right and the rest wrong.
        label = "Choice 0" if position <= 2 else "Choice 1"
        form.get_by_label(f"{label} of question {position}").check()
        form.get_by_role("button", name="Check").click()
        answered = page.locator(f"section#q{position}.answered")
        expect(answered).to_contain_text("Right." if position <= 2 else "Not quite.")
        expect(answered).to_contain_text("Review: Replay")
        expect(page.locator("#quiz-progress")).to_contain_text(f"{position} / 5 completed")

    assert page.evaluate("window.__sameDocument") is True  # no page load happened
    results = page.locator("#quiz-results")
    expect(results).to_contain_text("2 / 5")
    expect(results).to_contain_text("(40%)")
    expect(results).to_contain_text("Question 3")
    assert Answer.objects.count() == 5
    axe_check(page)

    page.get_by_role("button", name="Take it again").click()
    expect(page.get_by_text("0 / 5 completed")).to_be_visible()
    assert Attempt.objects.count() == 2
    assert errors == []


def test_without_javascript_the_form_posts_and_returns_to_the_question(live_server, browser):
    quiz = make_quiz(title="Basics", questions=3)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")

    page.locator("form#q2").get_by_label("Choice 0 of question 2").check()
    page.locator("form#q2").get_by_role("button", name="Check").click()

    expect(page.locator("section#q2.answered")).to_contain_text("Right.")
    assert page.url.endswith("/quizzes/basics/#q2")
    expect(page.get_by_text("1 / 3 completed")).to_be_visible()
    context.close()
