import pytest
from django.test import Client
from django.urls import reverse

from learn.models import Report
from tests.conftest import HX
from tests.factories import make_article, make_quiz, make_term

pytestmark = pytest.mark.django_db
URL = "/report/"


@pytest.fixture
def content():
    return {
        "term": make_term(name="Replay"),
        "article": make_article(title="Intro"),
        "quiz": make_quiz(title="Basics", questions=2),
    }


@pytest.mark.parametrize(
    ("data", "target"),
    [
        ({"kind": "term", "slug": "replay"}, "term"),
        ({"kind": "article", "slug": "intro"}, "article"),
        ({"kind": "question", "slug": "basics", "position": "2"}, "question"),
    ],
)
def test_a_report_with_htmx_is_stored_and_confirmed_in_place(client, content, data, target):
    response = client.post(URL, {**data, "text": "The second sentence is wrong."}, **HX)

    html = response.content.decode()
    assert response.status_code == 201
    assert "<html" not in html and "Thank you." in html
    report = Report.objects.get()
    assert getattr(report, target) is not None
    assert report.text == "The second sentence is wrong." and report.status == "open"


def test_a_report_without_javascript_returns_to_the_page_with_a_message(client, content):
    response = client.post(
        URL, {"kind": "term", "slug": "replay", "text": "Typo in the example.", "next": "/glossary/replay/"}
    )

    assert response.status_code == 303 and response["Location"] == "/glossary/replay/"
    assert "Thank you: your report reached the team." in client.get("/glossary/replay/").content.decode()
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"kind": "term", "slug": "replay", "text": ""}, 400, "Tell us what is wrong, in a sentence or two."),
        (
            {"kind": "term", "slug": "replay", "text": "   "},
            400,
            "Tell us what is wrong, in a sentence or two.",
        ),
        (
            {"kind": "term", "slug": "replay", "text": "x" * 1001},
            400,
            "Please keep it under 1,000 characters (it has 1001).",
        ),
        (
            {"kind": "term", "slug": "no-such-term", "text": "Wrong definition."},
            404,
            "We couldn’t find what this report is about.",
        ),
        (
            {"kind": "question", "slug": "basics", "position": "9", "text": "Wrong answer."},
            404,
            "We couldn’t find what this report is about.",
        ),
        (
            {"kind": "question", "slug": "basics", "text": "Wrong answer."},
            404,
            "We couldn’t find what this report is about.",
        ),
        (
            {"kind": "user", "slug": "admin", "text": "Let me in."},
            400,
            "We couldn’t find what this report is about.",
        ),
        (
            {"kind": "term", "slug": "../etc", "text": "Wrong definition."},
            400,
            "We couldn’t find what this report is about.",
        ),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_bad_reports_get_a_clear_message_and_store_nothing(client, content, data, status, message, htmx):
    response = client.post(URL, data, **(HX if htmx else {}))

    assert response.status_code == status
    assert message in response.content.decode()
    assert ("<html" in response.content.decode()) is not htmx
    assert not Report.objects.exists()


def test_reports_on_unpublished_content_are_refused(client):
    make_term(name="Draft", is_published=False)

    response = client.post(URL, {"kind": "term", "slug": "draft", "text": "Wrong definition."}, **HX)

    assert response.status_code == 404 and not Report.objects.exists()


def test_reports_are_rate_limited_per_client(client, content):
    for i in range(5):
        assert (
            client.post(
                URL, {"kind": "term", "slug": "replay", "text": f"Report number {i}."}, **HX
            ).status_code
            == 201
        )

    response = client.post(URL, {"kind": "term", "slug": "replay", "text": "One more report."}, **HX)

    assert response.status_code == 429
    assert "You have sent many reports in a short time." in response.content.decode()
    assert Report.objects.count() == 5
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert (
        other.post(URL, {"kind": "term", "slug": "replay", "text": "Another learner."}, **HX).status_code
        == 201
    )


def test_reports_need_a_csrf_token(content):
    client = Client(enforce_csrf_checks=True)

    response = client.post(URL, {"kind": "term", "slug": "replay", "text": "Typo."})

    assert response.status_code == 403 and not Report.objects.exists()


def test_report_forms_appear_on_terms_articles_and_answered_questions(client, content):
    quiz = content["quiz"]
    choice = quiz.questions.get(position=1).choices.get(is_correct=True)

    term_html = client.get("/glossary/replay/").content.decode()
    article_html = client.get("/learn/intro/").content.decode()
    answered = client.post(
        reverse("quizzes:answer", args=["basics", 1]), {"choice": choice.token}, **HX
    ).content.decode()

    assert 'name="kind" value="term"' in term_html
    assert 'name="kind" value="article"' in article_html
    assert 'name="kind" value="question"' in answered and 'name="position" value="1"' in answered


def test_admin_lists_reports_with_status_and_a_link_to_the_content(admin_client, content):
    Report.objects.create(term=content["term"], text="Typo in the example.")

    html = admin_client.get("/admin/learn/report/").content.decode()

    assert "Typo in the example." in html
    assert 'href="/glossary/replay/"' in html
    assert 'name="form-0-status"' in html  # status editable from the list
