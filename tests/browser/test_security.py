"""Every kind of page under the strict Content-Security-Policy: no violations, no console errors."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Card
from tests.factories import make_article, make_quiz, make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_every_kind_of_page_runs_under_the_csp_without_errors(live_server, page):
    make_term(name="Replay", short_definition="Old examples mixed back in.")
    quiz = make_quiz(title="Basics", questions=2)
    article = make_article(
        title="Forgetting", body="Replay helps.\n\n```python\nx = 1\n```\n\n```chart\nA | 1\n```\n", quiz=quiz
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.add_init_script(RECORD_VIOLATIONS)
    violations: list[str] = []

    def visit(path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        violations.extend(page.evaluate("window.__violations"))

    for path in [
        "/",
        "/glossary/",
        "/glossary/replay/",
        "/glossary/replay/preview/",
        "/learn/",
        "/search/?q=replay",
        "/quizzes/",
        "/progress/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ]:
        visit(path)

    visit(article.get_absolute_url())
    page.locator("a.term", has_text="Replay").hover()
    expect(page.locator("#term-card")).to_contain_text("Old examples mixed back in.")
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("Marked as read.")).to_be_visible()
    violations.extend(page.evaluate("window.__violations"))

    visit(quiz.get_absolute_url())
    page.locator("form#q1").get_by_label("Choice 1 of question 1").check()
    page.locator("form#q1").get_by_role("button", name="Check").click()
    expect(page.locator("section#q1")).to_contain_text("Not quite.")
    page.locator("form#q2").get_by_role("button", name="Check").click()  # no choice: the browser asks
    violations.extend(page.evaluate("window.__violations"))

    Card.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    visit("/progress/review/")
    visit("/progress/")

    assert violations == []
    assert [e for e in errors if "404" not in e or "/no-such-page/" not in e] == []


def test_hostile_content_runs_nothing_in_the_browser(live_server, page):
    from tests.test_xss import PAGES, hostile_content

    quiz = hostile_content()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_timeout(50)
        assert page.evaluate("window.__xss") is None, path
    page.goto(f"{live_server.url}{quiz.get_absolute_url()}")
    page.locator("form#q1 input[type=radio]").first.check()
    page.locator("form#q1").get_by_role("button", name="Check").click()
    expect(page.locator("section#q1")).to_be_visible()  # rationales and explanation swapped in
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
