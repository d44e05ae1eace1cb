"""The question import's preview in the admin, under the site's strict CSP."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.factories import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

FILE = """// From Moodle
::Q1:: Which layer does LoRA leave **frozen**? {
=The base weights #LoRA trains small adapters beside them.
~The adapters #These are what LoRA trains.
~Neither #One of them is frozen.
####LoRA adds low-rank adapters and freezes the base model.
}

Select all that apply: which reduce forgetting? {
~%50%Replay #Old examples mixed back in.
~%50%EWC #A penalty on moving important weights.
~%-100%A higher learning rate #It makes forgetting worse.
####Replay and EWC both protect old skills.
}

// unit: parameters
How many parameters does a rank-8 adapter add to a 128 x 128 matrix? {#2048:0 ####8 x (128 + 128).}

Grant is buried in {=his tomb ~the sea} in New York.
"""


def test_the_preview_lists_questions_and_problems_without_csp_violations(live_server, page, tmp_path):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "an-editor-passphrase-9")
    quiz = make_quiz(title="Fine-tuning without forgetting", questions=2)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/quizzes/quiz/{quiz.pk}/import/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("an-editor-passphrase-9")
    page.get_by_role("button", name="Log in").click()
    upload = tmp_path / "questions.gift"
    upload.write_text(FILE, encoding="utf-8")

    page.get_by_label("File").set_input_files(upload)
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="3 questions to add, after question 2")).to_be_visible()
    expect(page.locator("#preview tbody tr")).to_have_count(3)
    expect(page.get_by_text("a missing-word or cloze question")).to_be_visible()
    expect(page.get_by_text("2,048 parameters (exactly)")).to_be_visible()
    expect(page.get_by_role("button", name="Import 3 questions")).to_be_visible()
    assert page.evaluate("window.__violations") == []
    assert errors == []
