"""Issue 21 in Chromium: no CSP violation on admin edit pages, a preview that looks like the
learner's page (its own styles in a shadow root), live item-writing checks, pages that fit 1,280 px."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from quizzes.models import Objective
from tests.factories import make_article, make_quiz, make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(location.pathname + ": " + e.violatedDirective + " " + e.blockedURI);
});
"""
PASSWORD = "an-editor-passphrase-9"


@pytest.fixture
def editor(live_server, page):
    get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Site administration")).to_be_visible()
    return page


@pytest.fixture
def content():
    term = make_term(name="Replay")
    quiz = make_quiz(title="Basics", questions=2)
    question = quiz.questions.get(position=1)
    question.objective = Objective.objects.create(
        key="long", text="Explain why further training degrades abilities a model already had " * 3
    )
    question.save()
    return {
        "term": term,
        "quiz": quiz,
        "question": question,
        "article": make_article(title="Forgetting", quiz=quiz),
    }


def test_admin_edit_pages_run_under_the_csp_and_fit_1280_px(live_server, editor, content):
    page = editor
    page.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.add_init_script(RECORD_VIOLATIONS)
    violations: list[str] = []
    for path in [
        f"/admin/glossary/term/{content['term'].pk}/change/",
        f"/admin/learn/article/{content['article'].pk}/change/",
        f"/admin/quizzes/question/{content['question'].pk}/change/",
        f"/admin/quizzes/quiz/{content['quiz'].pk}/change/",
        "/admin/quizzes/question/add/",
        "/admin/",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")  # the previews and checks have come back
        violations.extend(page.evaluate("window.__violations"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{path} is {width} px wide"

    assert violations == []
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_preview_looks_like_the_learners_page(live_server, editor, content, scheme):
    page = editor
    page.emulate_media(color_scheme=scheme)
    article = content["article"]
    page.goto(f"{live_server.url}/admin/learn/article/{article.pk}/change/")
    page.evaluate("window.__sameDocument = true")

    page.locator("#id_body").fill(
        "Intro.\n\n## First part\n\n- one point\n- another point\n\nText.\n\n## Second part\n\nMore text."
    )
    preview = page.locator("#id_body-preview")
    expect(preview.locator("li").first).to_have_text("one point")
    expect(preview.locator("h2").first).to_have_text("First part")
    looks = """(root) => {
      const h2 = root.querySelector('h2'), ul = root.querySelector('ul'), li = root.querySelector('li');
      const s = (el, p) => getComputedStyle(el)[p];
      return {h2size: s(h2, 'fontSize'), h2bg: s(h2, 'backgroundColor'), h2color: s(h2, 'color'),
              bullet: s(li, 'listStyleType'), indent: s(ul, 'paddingLeft'), margin: s(ul, 'marginLeft'),
              font: s(li, 'fontFamily'), text: s(li, 'color'), link: s(root.querySelector('p'), 'color')};
    }"""
    in_preview = page.evaluate(f"({looks})(document.getElementById('id_body-preview').shadowRoot)")
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=f"/tmp/authoring-preview-{scheme}.png", full_page=True)

    # The same Markdown on the learner's page (published, so the public page shows it).
    article.body = (
        "Intro.\n\n## First part\n\n- one point\n- another point\n\nText.\n\n## Second part\n\nMore text."
    )
    article.save()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    on_site = page.evaluate(f"({looks})(document.querySelector('.article-body'))")

    assert in_preview == on_site
    assert in_preview["bullet"] == "disc"
    assert in_preview["h2bg"] == "rgba(0, 0, 0, 0)"  # not the admin's blue section bar


def test_checks_update_beside_the_field_as_the_author_types(live_server, editor, content):
    page = editor
    page.goto(f"{live_server.url}/admin/quizzes/question/{content['question'].pk}/change/")
    page.evaluate("window.__sameDocument = true")
    prompt_checks = page.locator("#live-checks-prompt")

    page.locator("#id_prompt").fill("Which of these is not a cure?")
    expect(prompt_checks).to_contain_text("negative prompt: put “not” in bold")
    page.locator("#id_prompt").fill("Which of these is **not** a cure?")
    expect(prompt_checks).to_be_empty()

    page.locator("#id_choices-1-text").fill(page.locator("#id_choices-0-text").input_value())
    expect(page.locator("#live-checks-choices")).to_contain_text("two choices have the same text")
    page.locator("#id_choices-1-is_correct").check()
    expect(page.locator("#live-checks-choices")).to_contain_text("needs exactly one correct choice (has 2)")
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path="/tmp/authoring-checks.png", full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_draft_and_the_cheat_sheet_have_no_axe_violations(live_server, editor, axe_check, scheme):
    make_term(name="Unfinished term", is_published=False)
    page = editor
    page.emulate_media(color_scheme=scheme)
    for path in ["/glossary/unfinished-term/draft/", "/preview/markdown/help/"]:
        page.goto(f"{live_server.url}{path}")
        axe_check(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/preview/markdown/help/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"/tmp/authoring-cheatsheet-360-{scheme}.png", full_page=True)
