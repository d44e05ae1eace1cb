import pytest
from playwright.sync_api import expect

from learn.models import PathStep
from quizzes.models import Review
from tests.factories import make_article, make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practise_the_misses_in_place_then_follow_the_next_step(live_server, page, axe_check):
    quiz = make_quiz(title="Basics", questions=3)
    after = make_article(title="What comes next")
    PathStep.objects.create(topic=after.topic, position=1, quiz=quiz)
    PathStep.objects.create(topic=after.topic, position=2, article=after)
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.evaluate("window.__sameDocument = true")
    for position in range(1, 4):
        form = page.locator(f"form#q{position}")
        label = "Choice 0" if position == 1 else "Choice 1"  # two misses
        form.get_by_label(f"{label} of question {position}").check()
        form.get_by_role("button", name="Check").click()
        expect(page.locator(f"section#q{position}.answered")).to_be_visible()

    page.get_by_role("link", name="Practise the 2 you missed").click()
    practice = page.locator("#practice")
    expect(practice).to_contain_text("0 of 2 fixed.")
    axe_check(page)
    for position in (2, 3):
        form = practice.locator("form.question", has_text=f"Prompt of question {position}?")
        form.get_by_label(f"Choice 0 of question {position}").check()
        form.get_by_role("button", name="Check").click()
        expect(
            practice.locator("section.answered", has_text=f"Prompt of question {position}?")
        ).to_contain_text("Fixed.")
    expect(practice).to_contain_text("All 2 fixed.")
    assert page.evaluate("window.__sameDocument") is True  # all of it without a page load
    assert Review.objects.filter(source=Review.Source.PRACTICE, correct=True).count() == 2
    expect(page.locator("#quiz-results")).to_contain_text("1 / 3")  # the score stays
    axe_check(page)

    page.locator("#quiz-results").get_by_role("link", name="What comes next").click()
    expect(page.get_by_role("heading", level=1, name="What comes next")).to_be_visible()
    axe_check(page)
