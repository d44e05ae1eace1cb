import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Card
from tests.factories import make_quiz, make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_answers_signs_up_and_finds_the_progress_kept(live_server, page, axe_check):
    term = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=2, terms=(term,))
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.locator("form#q1").get_by_label("Choice 0 of question 1").check()
    page.locator("form#q1").get_by_role("button", name="Check").click()
    expect(page.locator("section#q1")).to_contain_text("Right.")
    page.locator("form#q2").get_by_label("Choice 1 of question 2").check()
    page.locator("form#q2").get_by_role("button", name="Check").click()
    expect(page.locator("#quiz-results")).to_contain_text("1 / 2")

    page.get_by_role("link", name="Create an account").click()
    axe_check(page)
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password", exact=True).fill("a-long-passphrase-42")
    page.get_by_label("Password confirmation").fill("a-long-passphrase-42")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{live_server.url}{quiz.get_absolute_url()}")
    expect(page.get_by_text("Welcome, grace.")).to_be_visible()
    page.get_by_role("link", name="Progress", exact=True).click()
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    expect(page.locator(".stats").first).to_contain_text("Questions answered2")
    expect(page.get_by_text("Completed · best 1 / 2")).to_be_visible()
    expect(page.get_by_text("Logged in as grace")).to_be_visible()
    axe_check(page)


def test_review_queue_in_the_browser(live_server, page, axe_check):
    quiz = make_quiz(title="Basics", questions=2)
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    for position, label in ((1, "Choice 0"), (2, "Choice 1")):
        form = page.locator(f"form#q{position}")
        form.get_by_label(f"{label} of question {position}").check()
        form.get_by_role("button", name="Check").click()
        expect(page.locator(f"section#q{position}")).to_be_visible()
    Card.objects.filter(question__position=2).update(due_at=timezone.now() - dt.timedelta(minutes=1))

    page.goto(f"{live_server.url}/progress/review/")
    expect(page.get_by_role("link", name="1 to review")).to_be_visible()
    axe_check(page)
    page.evaluate("window.__sameDocument = true")
    form = page.locator("form.question", has_text="Prompt of question 2?")
    form.get_by_label("Choice 0 of question 2").check()
    form.get_by_role("button", name="Check").click()

    expect(page.locator("section.answered", has_text="Prompt of question 2?")).to_contain_text("Next review:")
    expect(page.get_by_role("link", name="1 to review")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    axe_check(page)
