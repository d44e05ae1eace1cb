import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.factories import make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_term_editor_previews_markdown_as_the_author_types(live_server, page):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "an-editor-passphrase-9")
    make_term(name="Replay")
    term = make_term(name="Catastrophic forgetting")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/glossary/term/{term.pk}/change/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("an-editor-passphrase-9")
    page.get_by_role("button", name="Log in").click()
    page.evaluate("window.__sameDocument = true")

    page.locator("#id_definition").fill(
        "Use **replay** to keep old skills.\n\n```chart\ntitle: Scores\nA | 3\n```\n"
    )

    preview = page.locator("#id_definition-preview")
    expect(preview.locator("strong")).to_have_text("replay")
    expect(preview.locator('a.term[href="/glossary/replay/"]')).to_be_visible()
    expect(preview.locator("figure.chart svg")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
