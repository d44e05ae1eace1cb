"""Issue 21, authoring: the preview's frame and cheat sheet, live item-writing checks, drafts seen
as learners see them (staff only), and admin edit pages carrying the site's htmx configuration."""

import pytest
from django.contrib.auth import get_user_model

from quizzes.models import Question
from tests.conftest import HX
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db

HTMX_CONFIG = '<meta name="htmx-config" content=\'{"allowEval": false, "includeIndicatorStyles": false'


def checks_form(**fields) -> dict:
    """A question form as the admin posts it while the author types."""
    choices = fields.pop("choices", [])
    data = {
        "kind": "single",
        "prompt": "Which change protects the old task?",
        "explanation": "Because replay keeps old examples in the mix.",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
    } | fields
    for i, (text, correct, rationale) in enumerate(choices):
        data |= {f"choices-{i}-text": text, f"choices-{i}-rationale": rationale}
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


GOOD_CHOICES = [("Replay", True, "Keeps old data."), ("A higher rate", False, "Moves weights further.")]


def places(html: str) -> dict[str, str]:
    """Each out-of-band place of the checks response and what it says."""
    import re

    return {
        m.group(1): m.group(2)
        for m in re.finditer(
            r'<div id="live-checks-([a-z_]+)" hx-swap-oob="innerHTML">(.*?)</div>', html, re.S
        )
    }


def test_live_checks_put_each_warning_beside_its_field(admin_client):
    response = admin_client.post(
        "/admin/quizzes/question/checks/",
        checks_form(
            prompt="Which of these is not a cure?",
            explanation="",
            choices=[("Replay", True, ""), ("Replay", False, "Same text.")],
        ),
        **HX,
    )

    assert response.status_code == 200
    found = places(response.content.decode())
    assert set(found) == {"prompt", "explanation", "choices", "accepted_value", "general"}
    assert "negative prompt: put “not” in bold" in found["prompt"]
    assert "the explanation is missing" in found["explanation"]
    assert "“Replay” has no rationale" in found["choices"]
    assert "two choices have the same text" in found["choices"]
    assert found["accepted_value"] == found["general"] == ""


def test_live_checks_clear_when_the_question_is_fine(admin_client):
    response = admin_client.post("/admin/quizzes/question/checks/", checks_form(choices=GOOD_CHOICES))

    assert all(text == "" for text in places(response.content.decode()).values())


def test_live_checks_know_the_kinds_and_deleted_rows(admin_client):
    numeric = admin_client.post(
        "/admin/quizzes/question/checks/", checks_form(kind="numeric", accepted_value="not a number")
    )
    assert "a number question needs an accepted value" in places(numeric.content.decode())["accepted_value"]

    form = checks_form(kind="multiple", choices=[("A", True, "r"), ("B", True, "r"), ("C", False, "r")])
    form["choices-2-DELETE"] = "on"  # the only wrong choice, ticked for deletion
    found = places(admin_client.post("/admin/quizzes/question/checks/", form).content.decode())
    assert "every choice is correct" in found["choices"]
    assert "Select all that apply" in found["prompt"]


def test_live_checks_name_an_unpublished_related_term(admin_client):
    draft = make_term(name="Elastic weight consolidation", is_published=False)
    response = admin_client.post(
        "/admin/quizzes/question/checks/",
        checks_form(choices=GOOD_CHOICES, related_terms=[str(draft.pk), "x"]),
    )
    assert (
        "related term “Elastic weight consolidation” does not exist or is not published"
        in (places(response.content.decode())["general"])
    )


@pytest.mark.parametrize(
    "form",
    [
        {"kind": "<script>", "choices-TOTAL_FORMS": "-5"},
        {"choices-TOTAL_FORMS": "99999999999999999999"},
        {"choices-TOTAL_FORMS": "2", "tolerance": "nan", "accepted_value": "inf"},
        {"related_terms": ["²", "１", "-1", "9" * 30]},  # digits isdigit() knows, int() does not
        {},
    ],
)
def test_live_checks_take_any_input_without_error(admin_client, form):
    response = admin_client.post("/admin/quizzes/question/checks/", {"prompt": "", **form})
    assert response.status_code == 200
    assert "the prompt is empty" in places(response.content.decode())["prompt"]


def test_live_checks_are_for_staff_and_posts_only(client, admin_client):
    assert admin_client.get("/admin/quizzes/question/checks/").status_code == 405
    assert client.post("/admin/quizzes/question/checks/", checks_form()).status_code == 302  # to login
    learner = get_user_model().objects.create_user("learner", password="a-learner-passphrase-1")
    client.force_login(learner)
    assert client.post("/admin/quizzes/question/checks/", checks_form()).status_code == 302


def test_the_question_form_has_a_place_for_each_check_and_asks_for_them(admin_client):
    question = make_quiz(questions=1).questions.get()

    html = admin_client.get(f"/admin/quizzes/question/{question.pk}/change/").content.decode()

    assert 'hx-post="/admin/quizzes/question/checks/"' in html
    assert 'hx-trigger="load, input delay:700ms from:closest form' in html
    for field in ("prompt", "explanation", "choices", "accepted_value", "general"):
        assert f'id="live-checks-{field}"' in html
    assert 'aria-describedby="id_prompt-help live-checks-prompt"' in html  # read out with the field
    assert 'aria-describedby="live-checks-accepted_value"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/glossary/term/{term}/change/",
        "/admin/learn/article/{article}/change/",
        "/admin/quizzes/question/{question}/change/",
        "/admin/quizzes/quiz/{quiz}/change/",
        "/admin/",
    ],
)
def test_admin_pages_carry_the_sites_htmx_configuration(admin_client, url):
    quiz = make_quiz(questions=1)
    ids = {"term": make_term().pk, "article": make_article().pk, "quiz": quiz.pk}
    ids["question"] = quiz.questions.get().pk

    html = admin_client.get(url.format(**ids)).content.decode()

    assert HTMX_CONFIG in html
    assert html.index(HTMX_CONFIG) < html.index("<body")
    if "htmx-2.min.js" in html:
        assert html.index(HTMX_CONFIG) < html.index("htmx-2.min.js")


def test_markdown_fields_link_the_cheat_sheet_and_preview_in_the_learners_frame(admin_client):
    question = make_quiz(questions=1).questions.get()

    html = admin_client.get(f"/admin/quizzes/question/{question.pk}/change/").content.decode()

    assert 'href="/preview/markdown/help/"' in html
    assert "names of glossary terms link themselves" in html
    assert 'data-stylesheets="/static/css/site.css /static/css/pygments.css"' in html
    assert '<div class="question"><div class="prompt" data-preview-slot></div></div>' in html  # the prompt's
    assert '<div class="explanation prose"><h3>Why</h3>' in html  # the explanation's


def test_the_cheat_sheet_shows_each_construct_rendered_by_the_site(admin_client):
    make_term(name="Catastrophic forgetting")

    response = admin_client.get("/preview/markdown/help/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    for heading in ("Headings", "Lists", "Code", "Tables", "Glossary terms", "Charts"):
        assert f">{heading}</h2>" in html
    assert '<a class="term" href="/glossary/catastrophic-forgetting/"' in html
    assert "<svg" in html and "<table>" in html and "<li>a point</li>" in html


def test_the_cheat_sheet_is_staff_only(client):
    assert client.get("/preview/markdown/help/").status_code == 404


# Drafts, as a learner will see them


@pytest.fixture
def drafts():
    quiz = make_quiz(title="Unfinished quiz", questions=2, is_published=False)
    return {
        "term": make_term(name="Unfinished term", definition="A draft **definition**.", is_published=False),
        "article": make_article(title="Unfinished article", is_published=False),
        "quiz": quiz,
    }


def test_staff_see_drafts_as_learners_will(admin_client, drafts):
    term = admin_client.get("/glossary/unfinished-term/draft/")
    article = admin_client.get("/learn/unfinished-article/draft/")
    quiz = admin_client.get("/quizzes/unfinished-quiz/draft/")

    for response, text in (
        (term, "A draft <strong>definition</strong>."),
        (article, "First part"),
        (quiz, "Prompt of question 2?"),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Draft preview, for staff only." in html
        assert text in html
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex"
    assert "answering is off" in quiz.content.decode()
    assert quiz.content.decode().count("<fieldset aria-describedby") == quiz.content.decode().count(
        " disabled>"
    )
    assert f'href="/admin/glossary/term/{drafts["term"].pk}/change/">Back to editing' in term.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/glossary/unfinished-term/draft/",
        "/learn/unfinished-article/draft/",
        "/quizzes/unfinished-quiz/draft/",
    ],
)
def test_drafts_do_not_exist_for_anyone_but_staff(client, drafts, url):
    assert client.get(url).status_code == 404
    learner = get_user_model().objects.create_user("learner", password="a-learner-passphrase-1")
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 404
    assert "Unfinished" not in response.content.decode()
    assert client.get(url.replace("draft/", "")).status_code == 404  # nor the public page


def test_a_published_items_draft_link_goes_to_its_page(admin_client):
    make_term(name="Replay")
    response = admin_client.get("/glossary/replay/draft/")
    assert response.status_code == 302 and response["Location"] == "/glossary/replay/"


def test_the_admin_links_each_item_as_a_learner_sees_it(admin_client, drafts):
    term = admin_client.get(f"/admin/glossary/term/{drafts['term'].pk}/change/").content.decode()
    article = admin_client.get(f"/admin/learn/article/{drafts['article'].pk}/change/").content.decode()
    quiz = admin_client.get(f"/admin/quizzes/quiz/{drafts['quiz'].pk}/change/").content.decode()

    assert 'href="/glossary/unfinished-term/draft/" target="_blank" rel="noopener">View as learner' in term
    assert 'href="/learn/unfinished-article/draft/" target="_blank" rel="noopener">View as learner' in article
    assert 'href="/quizzes/unfinished-quiz/draft/" target="_blank" rel="noopener">View as learner' in quiz
    published = make_term(name="Replay")
    html = admin_client.get(f"/admin/glossary/term/{published.pk}/change/").content.decode()
    assert 'href="/glossary/replay/" target="_blank" rel="noopener">View as learner' in html


def test_a_draft_quiz_records_nothing(admin_client, drafts):
    question = drafts["quiz"].questions.get(position=1)
    choice = question.choices.get(is_correct=True)
    response = admin_client.post(
        "/quizzes/unfinished-quiz/questions/1/answer/", {"choice": choice.token}, **HX
    )
    assert response.status_code == 404
    assert not Question.objects.get(pk=question.pk).answers.exists()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/glossary/unfinished-term/draft/", 13),
        ("/learn/unfinished-article/draft/", 8),
        ("/quizzes/unfinished-quiz/draft/", 8),
    ],
)
def test_draft_pages_pin_their_queries(admin_client, drafts, django_assert_num_queries, url, queries):
    """The session with its user, the item with what its page shows (as a learner's page)."""
    admin_client.get(url)  # warm: the glossary's matcher, built once per content version
    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200
