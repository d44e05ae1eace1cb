"""The question list and the item analysis page in a real browser: accessible in light and dark
mode, and nothing refused by the Content-Security-Policy (no inline style, no inline script)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import AXE_TAGS
from tests.factories import make_attempt, make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_content(page) -> None:
    """axe on the page's content: Django's own header and breadcrumbs (links told apart from the
    text by colour alone) are Django's to fix, not this page's."""
    result = Axe().run(page, context="#content", options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert result.violations_count == 0, result.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_item_analysis_and_question_list_are_accessible_and_within_the_csp(live_server, browser, scheme):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "an-editor-passphrase-9")
    quiz = make_quiz(title="Forgetting", questions=3)
    for n in range(12):
        make_attempt(quiz=quiz, picks=[0, n % 3, 1 if n % 4 else 0])
    page = browser.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    refused = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/quizzes/quiz/{quiz.pk}/analysis/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("an-editor-passphrase-9")
    page.get_by_role("button", name="Log in").click()

    chart = page.get_by_role("table", name="Question 2: the share of learners who picked each choice")
    expect(chart.get_by_role("row")).to_have_count(4)
    expect(chart.get_by_role("row").first).to_contain_text("✓ correct")
    bar = chart.locator("rect.fill").first.bounding_box()
    track = chart.locator("rect.track").first.bounding_box()
    assert bar and track and abs(bar["width"] / track["width"] - 4 / 12) < 0.02  # 33% drawn as a third
    check_content(page)

    page.goto(f"{live_server.url}/admin/quizzes/question/?flag=too+easy")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list tbody td.field-flags")).to_have_text("too easy")
    check_content(page)
    assert refused == []
