import pytest
from playwright.sync_api import expect

from tests.factories import make_article, make_quiz, make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = """Training further can cause catastrophic forgetting.

## Why

Replay mixes old examples back in.

```python
print("hello")
```
"""


@pytest.fixture
def article():
    make_term(name="Catastrophic forgetting", short_definition="Losing old skills while learning new ones.")
    make_term(name="Replay", short_definition="Old examples mixed back in.")
    return make_article(title="Forgetting", body=BODY, quiz=make_quiz(title="Forgetting quiz", questions=1))


def test_hovering_and_focusing_a_term_shows_its_preview_in_place(live_server, page, article, axe_check):
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    axe_check(page)
    page.evaluate("window.__sameDocument = true")
    card = page.locator("#term-card")

    page.locator("a.term", has_text="catastrophic forgetting").hover()
    expect(card).to_be_visible()
    expect(card).to_contain_text("Losing old skills while learning new ones.")
    expect(card.get_by_role("link", name="Read the full entry")).to_have_attribute(
        "href", "/glossary/catastrophic-forgetting/"
    )
    axe_check(page)

    page.keyboard.press("Escape")
    expect(card).to_be_hidden()

    replay = page.locator("a.term", has_text="Replay")
    replay.focus()
    expect(card).to_contain_text("Old examples mixed back in.")
    expect(card).to_be_visible()
    expect(replay).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")  # the card comes next in the tab order
    expect(card.get_by_role("link")).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(replay).to_be_focused()

    assert page.evaluate("window.__sameDocument") is True
    assert page.url.endswith(article.get_absolute_url())


def test_code_blocks_get_a_copy_button(live_server, page, article, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}{article.get_absolute_url()}")

    page.get_by_role("button", name="Copy this code").click()

    expect(page.get_by_role("button", name="Copy this code")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == 'print("hello")'


def test_without_javascript_a_term_is_simply_a_link(live_server, browser, article):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")

    page.locator("a.term", has_text="Replay").click()

    expect(page).to_have_url(f"{live_server.url}/glossary/replay/")
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_shipped_articles_have_no_axe_violations(live_server, page, axe_check, scheme):
    from django.core.management import call_command

    from learn.models import Article

    call_command("load_content")
    page.emulate_media(color_scheme=scheme)
    for article in Article.objects.published():  # real code blocks (with comments) and charts
        page.goto(f"{live_server.url}{article.get_absolute_url()}")
        axe_check(page)
