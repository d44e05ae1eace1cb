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
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(replay).to_be_focused()

    # The card adds no Tab stop: Tab goes on to the article's next link and the card closes.
    catastrophic = page.locator("a.term", has_text="catastrophic forgetting")
    catastrophic.focus()
    expect(card).to_contain_text("Losing old skills while learning new ones.")
    page.keyboard.press("Tab")
    expect(replay).to_be_focused()
    assert page.evaluate("document.getElementById('term-card').contains(document.activeElement)") is False
    expect(card).to_contain_text("Old examples mixed back in.")  # now the next term's card
    assert card.get_by_role("link", name="Read the full entry").get_attribute("tabindex") == "-1"

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


# Times how long after the pointer reached the link its card was shown (window.__cardTiming).
TIME_THE_CARD = """(selector) => {
  const link = document.querySelector(selector);
  window.__cardTiming = new Promise((resolve) => {
    let start = null;
    link.addEventListener("mouseover", () => { start = start ?? performance.now(); });
    const watch = new MutationObserver(() => {
      const card = document.getElementById("term-card");
      if (card && !card.hidden && start !== null) { watch.disconnect(); resolve(performance.now() - start); }
    });
    watch.observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ["hidden"]});
  });
}"""


def test_a_preview_opens_after_a_short_hover_and_closes_when_the_pointer_leaves(live_server, page, article):
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    card = page.locator("#term-card")
    page.evaluate(TIME_THE_CARD, "a.term[href='/glossary/replay/']")

    page.locator("a.term", has_text="Replay").hover()
    shown_after = page.evaluate("window.__cardTiming")

    assert shown_after >= 290  # about 300 ms, as on Wikipedia: passing over a link opens nothing
    expect(card).to_be_visible()
    page.mouse.move(5, 5)  # away from the link and the card
    expect(card).to_be_hidden()

    page.locator("a.term", has_text="Replay").hover()
    expect(card).to_be_visible()
    card.hover()  # moving into the card keeps it open
    page.wait_for_timeout(400)
    expect(card).to_be_visible()
    page.mouse.move(5, 5)
    expect(card).to_be_hidden()

    page.locator("a.term", has_text="catastrophic forgetting").hover()
    page.mouse.move(5, 5)  # a pass over a link, shorter than the delay
    page.wait_for_timeout(500)
    expect(card).to_be_hidden()
    expect(card).not_to_contain_text("Losing old skills")  # not even fetched


def test_previews_turn_off_in_one_click_and_stay_off_in_this_browser(live_server, page, article):
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    card = page.locator("#term-card")
    switch = page.locator("[data-previews-switch]")
    expect(switch).to_have_text("Turn term previews off")

    page.locator("a.term", has_text="Replay").hover()
    card.get_by_role("button", name="Turn previews off").click()

    expect(card).to_be_hidden()
    expect(switch).to_have_text("Turn term previews on")
    page.reload()  # remembered without an account
    page.locator("a.term", has_text="Replay").hover()
    page.wait_for_timeout(700)
    expect(page.locator("#term-card")).to_have_count(0)
    expect(switch).to_have_text("Turn term previews on")
    expect(switch).to_have_attribute("aria-pressed", "false")

    switch.click()  # and back on, from the footer (where the keyboard reaches it too)
    expect(switch).to_have_text("Turn term previews off")
    page.locator("a.term", has_text="Replay").hover()
    expect(page.locator("#term-card")).to_contain_text("Old examples mixed back in.")


LONG_BODY = "Intro about replay.\n\n" + "\n\n".join(
    f"## Part {n}\n\n" + " ".join(["Replay keeps old examples in the mix."] * 40) for n in range(1, 5)
)


def test_reaching_the_end_marks_the_article_read_and_the_list_shows_it(live_server, page, axe_check):
    from learn.models import ArticleRead

    make_term(name="Replay")
    article = make_article(title="A long read", body=LONG_BODY)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.evaluate("window.__sameDocument = true")
    toc = page.get_by_role("navigation", name="On this page")

    page.wait_for_timeout(300)
    assert ArticleRead.objects.count() == 0  # opening it is not reading it
    page.evaluate("document.getElementById('h-part-3').scrollIntoView()")  # to the top of the window
    page.mouse.wheel(0, 50)
    expect(toc.get_by_role("link", name="Part 3")).to_have_attribute("aria-current", "location")
    assert toc.bounding_box()["y"] >= 0  # the contents stay in view beside the article
    expect(toc.locator("[aria-current]")).to_have_count(1)

    page.mouse.wheel(0, 20_000)  # to the end
    expect(page.locator("#read")).to_contain_text("Marked as read.")
    assert ArticleRead.objects.count() == 1
    assert page.evaluate("window.__sameDocument") is True
    axe_check(page)

    page.get_by_role("button", name="Mark as unread").click()  # the learner's choice stands
    expect(page.locator("#read")).to_contain_text("Finished?")
    page.mouse.wheel(0, -600)
    page.mouse.wheel(0, 20_000)
    page.wait_for_timeout(300)
    assert ArticleRead.objects.count() == 0

    page.get_by_role("button", name="Mark as read").click()
    page.goto(f"{live_server.url}/learn/")
    expect(page.get_by_role("listitem").filter(has_text="A long read")).to_contain_text("✓ Read")
