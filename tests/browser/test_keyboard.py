"""The keyboard path through a quiz: 1-9 pick a choice, Enter checks it, all without a page load."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import Answer
from tests.factories import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECKED = "[...document.querySelectorAll('form.question input:checked')].length"


def test_a_learner_answers_a_whole_quiz_with_number_keys_and_enter(live_server, page, axe_check):
    quiz = make_quiz(title="Basics", questions=4)
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    expect(page.get_by_text("Keyboard: 1–9 pick a choice, Enter checks it.")).to_be_visible()  # said once
    assert page.locator("[data-key-hint]").count() == 1
    page.evaluate("window.__sameDocument = true")

    for position in range(1, 5):
        form = page.locator(f"form#q{position}")
        page.keyboard.press("4")  # first the last choice, then changing one's mind
        page.keyboard.press("2")
        picked = form.locator("input[type=radio]").nth(1)
        expect(picked).to_be_checked()
        expect(picked).to_be_focused()
        expect(form.locator("input[type=radio]:checked")).to_have_count(1)
        page.keyboard.press("Enter")
        answered = page.locator(f"section#q{position}.answered")
        expect(answered).to_be_focused()  # where screen readers hear the verdict (role=status)
        expect(answered.locator("[role=status]")).to_have_text(re.compile(r"Right\.|Not quite\."))  # shuffled
        expect(page.locator("#quiz-progress")).to_contain_text(f"{position} / 4 completed")

    assert page.evaluate("window.__sameDocument") is True  # no page load: htmx sent every answer
    assert Answer.objects.count() == 4
    expect(page.locator("#quiz-results")).to_contain_text("Your result")
    axe_check(page)


def test_keys_act_on_the_focused_question_and_never_while_typing(live_server, page):
    quiz = make_quiz(title="Basics", questions=3)
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")

    page.locator("form#q3 input[type=radio]").first.focus()  # the focused question, not the first
    page.keyboard.press("3")
    expect(page.locator("form#q3 input[type=radio]").nth(2)).to_be_checked()
    expect(page.locator("form#q1 input:checked")).to_have_count(0)

    search = page.get_by_role("searchbox", name="Search Recall")
    search.click()
    page.keyboard.type("1 2")
    page.keyboard.press("Home")
    expect(search).to_have_value("1 2")  # typed into the field, nothing picked
    assert page.evaluate(CHECKED) == 1

    page.keyboard.press("Control+1")  # a browser shortcut stays the browser's
    assert page.evaluate(CHECKED) == 1

    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("Enter")  # nothing picked in q1: the browser asks for a choice, nothing is sent
    page.wait_for_timeout(200)
    assert Answer.objects.count() == 0
    expect(page.locator("form#q1")).to_be_visible()
