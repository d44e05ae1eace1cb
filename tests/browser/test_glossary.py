import pytest
from playwright.sync_api import expect

from tests.factories import make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_glossary_search_filters_as_you_type_without_a_page_load(live_server, page, axe_check):
    make_term(name="LoRA", short_definition="Low-rank updates to frozen weights.")
    make_term(name="Replay", short_definition="Old examples mixed back in.")
    page.goto(f"{live_server.url}/glossary/")
    axe_check(page)
    page.evaluate("window.__sameDocument = true")

    page.get_by_label("Search the glossary").press_sequentially("repl", delay=40)

    results = page.locator("#glossary-results")
    expect(results).to_contain_text("1 term matches “repl”")
    expect(results).to_contain_text("Old examples mixed back in.")
    expect(results).not_to_contain_text("LoRA")
    # A page load would have wiped the marker: htmx swapped the results in place.
    assert page.evaluate("window.__sameDocument") is True
    assert "q=repl" in page.url  # the search is in the address bar, so it can be shared
    axe_check(page)


def test_term_page_has_no_axe_violations(live_server, page, axe_check):
    term = make_term(
        name="Catastrophic forgetting", example="A model *forgets*.", aliases=("Catastrophic interference",)
    )
    other = make_term(name="Replay")
    term.related.add(other)

    page.goto(f"{live_server.url}/glossary/catastrophic-forgetting/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Catastrophic forgetting")
    axe_check(page)
