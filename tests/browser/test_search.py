"""Search in Chromium: the keyboard path ("/" and Ctrl+K, arrows, Enter, Escape), results as you
type without a history entry per keystroke, the count for screen readers, no JavaScript, axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_article, make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content():
    make_term(
        name="Catastrophic forgetting",
        short_definition="Losing old skills while learning new ones.",
        aliases=("Catastrophic interference",),
    )
    make_term(name="Catastrophe theory", short_definition="Sudden jumps in a smooth system.")
    make_term(name="Replay", short_definition="Old examples mixed back in.")
    make_term(name="Fine-tuning", short_definition="Training a trained model further.")
    make_article(title="Why fine-tuned models forget", body="Catastrophic forgetting, shown step by step.")


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_keyboard_from_any_page_to_a_result_and_back_in_one_step(live_server, page, content, axe_check):
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/glossary/")
    header_box = page.locator("#site-search")
    expect(header_box).to_have_attribute("aria-keyshortcuts", "/ Control+K")  # announced once

    page.keyboard.press("/")
    expect(header_box).to_be_focused()
    page.keyboard.type("catas")
    page.keyboard.press("Enter")  # a plain GET form: the search page, one history entry

    expect(page).to_have_url(re.compile(r"/search/\?q=catas$"))
    box = page.locator("#search-q")
    expect(box).to_be_focused()  # "/" again would focus it: it is this page's search box
    expect(page.locator("#r-terms + ul")).to_contain_text("Catastrophe theory")
    page.evaluate("window.__sameDocument = true")

    for letter in "trophic forg":  # a pause after each key: every one asks for results
        box.press(letter)
        page.wait_for_timeout(60)
    expect(page.locator(".result-link").first).to_have_text("Catastrophic forgetting")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"results? for “catastrophic forg”"))
    expect(page).to_have_url(re.compile(r"/search/\?q=catastrophic(\+|%20)forg$"))  # replaced, not pushed
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator(".result-link mark").first).to_have_text("Catastrophic forgetting")  # whole words
    axe_check(page)

    links = page.locator(".result-link")
    box.press("ArrowDown")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/glossary/catastrophic-forgetting/")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/search/\?q=catastrophic(\+|%20)forg$"))
    page.go_back()  # one step back leaves the search page, however much was typed
    expect(page).to_have_url(f"{live_server.url}/glossary/")
    assert errors == []


def test_escape_clears_the_box_and_the_results(live_server, page, content):
    page.goto(f"{live_server.url}/search/?q=replay")
    box = page.locator("#search-q")
    expect(page.locator(".result-link")).to_have_count(1)
    page.locator(".result-link").first.focus()

    page.keyboard.press("Escape")

    expect(box).to_be_focused()
    expect(box).to_have_value("")
    expect(page.locator("#search-results")).to_contain_text("Type a word to search")
    expect(page).to_have_url(re.compile(r"/search/\?q=$"))


def test_the_shortcuts_never_take_keys_from_a_field(live_server, page, content):
    page.goto(f"{live_server.url}/glossary/")
    glossary_box = page.get_by_label("Search the glossary")
    glossary_box.focus()

    page.keyboard.type("a/b")
    page.keyboard.press("Control+k")

    expect(glossary_box).to_be_focused()
    expect(glossary_box).to_have_value("a/b")
    page.locator("h1").click()
    page.keyboard.press("Control+k")
    expect(page.locator("#site-search")).to_be_focused()


def test_zero_results_offer_the_nearest_terms(live_server, page, content, axe_check):
    page.goto(f"{live_server.url}/search/?q=replsy+zzzz")
    expect(page.locator("#search-results")).to_contain_text("No results for “replsy zzzz”.")

    page.goto(f"{live_server.url}/search/?q=replqq")
    did_you_mean = page.locator(".did-you-mean a")
    expect(did_you_mean).to_have_text("Replay")
    axe_check(page)
    did_you_mean.click()
    expect(page.locator(".result-link").first).to_have_text("Replay")


def test_without_javascript_search_is_a_plain_form(live_server, browser, content):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/")

    page.locator("#site-search").fill("fine tuning")
    page.locator("#site-search").press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=fine\+tuning$"))
    expect(page.locator(".result-link").first).to_have_text("Fine-tuning")
    expect(page.locator("#search-keys")).to_be_hidden()  # the arrow keys need the script
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 360])
def test_search_pages_have_no_axe_violations(live_server, page, content, axe_check, scheme, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    for query in ("forgetting", "zzqx"):
        page.goto(f"{live_server.url}/search/?q={query}")
        axe_check(page)
