"""Pages cost the same number of queries at 10 and at 10,000 terms (and quizzes of 5 and 50
questions); the glossary index stays small at scale; an edit shows on the next request."""

import gzip

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from glossary.models import Alias, Term
from learn.core.models import bump_content_version
from tests.conftest import HX
from tests.factories import make_article, make_category, make_quiz, make_term

pytestmark = pytest.mark.django_db


def add_terms(n: int, start: int = 0) -> None:
    now = timezone.now()
    terms = Term.objects.bulk_create(
        [
            Term(
                name=f"Generated term {i:05d}",
                slug=f"generated-{i}",
                short_definition=f"Definition number {i}.",
                definition=f"Body of generated term {i}.",
                created_at=now,
                updated_at=now,
            )
            for i in range(start, start + n)
        ],
        batch_size=2000,
    )
    Alias.objects.bulk_create(
        [Alias(term=t, name=f"Other name {t.pk}", slug=f"other-{t.pk}") for t in terms[::4]]
    )
    bump_content_version()  # bulk_create sends no signals, so say that the content changed


# Queries to build each page for a visitor without a session; from the page cache, every one
# costs a single query (the content version).
PAGES = {
    "/": 3,  # its content and the paths are kept apart per content version (see learn.views)
    "/glossary/": 4,
    "/glossary/?q=replay": 4,  # the categories, the index's versions and vocabulary, the search
    "/glossary/replay/": 12,  # with where it is used and its questions
    "/glossary/replay/preview/": 2,
    "/learn/": 3,
    "/learn/intro/": 6,
    "/search/?q=replay": 3,  # the index's versions and vocabulary, then one search for every kind
    "/quizzes/": 3,
    "/quizzes/basics/": 2,  # the quiz and its questions are cached apart (see quizzes.views)
}


@pytest.fixture
def site():
    replay = make_term(name="Replay", definition="Replay uses a learning rate.")
    make_term(name="Learning rate")
    quiz = make_quiz(title="Basics", questions=5, terms=(replay,))
    make_article(
        title="Intro", body="Replay and a learning rate.\n\n## Part\n\nMore.", quiz=quiz, terms=(replay,)
    )
    return quiz


def count_queries(client, django_assert_num_queries, url, n):
    client.get(url)  # warm: the glossary matcher is built once
    with django_assert_num_queries(n):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("url", "queries"), list(PAGES.items()))
def test_query_counts_are_the_same_at_10_and_10000_terms(client, page_queries, site, url, queries):
    headers = HX if "preview" in url else {}
    add_terms(8)
    page_queries(client, url, queries, **headers)
    add_terms(10_000 - 10, start=8)
    assert Term.objects.count() == 10_000
    page_queries(client, url, queries, **headers)


@pytest.mark.parametrize("questions", [5, 50])
def test_quiz_page_and_answer_cost_the_same_for_5_and_50_questions(
    client, django_assert_num_queries, page_queries, questions
):
    quiz = make_quiz(title="Basics", questions=questions, terms=(make_term(name="Replay"),))
    page_queries(client, quiz.get_absolute_url(), 2, cold=8)
    token = quiz.questions.get(position=2).choices.get(is_correct=True).token
    client.post(
        "/quizzes/basics/questions/1/answer/",
        {"choice": quiz.questions.get(position=1).choices.first().token},
        **HX,
    )
    # its first version made in a savepoint; the answer, the card and its review each one INSERT
    with django_assert_num_queries(20):
        response = client.post("/quizzes/basics/questions/2/answer/", {"choice": token}, **HX)
    assert "Right." in response.content.decode()


def test_progress_page_costs_the_same_with_big_content(django_assert_num_queries):
    learner = Client()
    learner.force_login(get_user_model().objects.create_user("ada", password="a-long-passphrase-42"))
    quiz = make_quiz(title="Basics", questions=5, terms=(make_term(name="Replay"),))
    learner.post(
        "/quizzes/basics/questions/1/answer/",
        {"choice": quiz.questions.get(position=1).choices.first().token},
        **HX,
    )
    count_queries(learner, django_assert_num_queries, "/progress/", 12)
    add_terms(5000)
    count_queries(learner, django_assert_num_queries, "/progress/", 12)


def test_the_glossary_index_at_10000_terms_is_one_letter_and_under_30_kb(client):
    add_terms(10_000)
    make_term(name="Adapter")

    response = client.get("/glossary/")

    html = response.content.decode()
    assert "10001 terms in all; 1 under A." in html and "Adapter" in html
    assert 'href="?letter=G"' in html
    crowded = client.get("/glossary/?letter=G")
    page = crowded.content.decode()
    assert "10000 under G: 1 to 100." in page
    assert page.count('<li><a href="/glossary/generated-') == 100
    assert 'href="?letter=G&amp;page=2"' in page
    for response in (client.get("/glossary/"), crowded, client.get("/glossary/?letter=G&page=100")):
        size = len(gzip.compress(response.content))
        assert size < 30_000, size
    last = client.get("/glossary/?letter=G&page=100").content.decode()
    assert "10000 under G: 9901 to 10000." in last
    assert client.get("/glossary/?letter=G&page=999").status_code == 200  # out of range: the last page
    assert client.get("/glossary/?letter=G&page=x").status_code == 200


def test_glossary_search_at_scale_shows_the_best_50(client):
    add_terms(10_000)

    html = client.get("/glossary/", {"q": "generated"}).content.decode()

    assert "The first 50 terms that match “generated”" in html
    assert html.count('<a class="result-link" href="/glossary/generated-') == 50


def test_an_edit_in_admin_shows_on_the_next_request(admin_client, site):
    client = Client()
    term = Term.objects.get(slug="replay")
    category = make_category(name="Training")
    assert "Replay uses a <a" in client.get("/glossary/replay/").content.decode()
    for url in ("/learn/intro/", "/glossary/", "/search/?q=replay"):  # now in the page cache
        assert "Now edited." not in client.get(url).content.decode()

    saved = admin_client.post(
        f"/admin/glossary/term/{term.pk}/change/",
        {
            "name": "Replay",
            "slug": "replay",
            "short_definition": "Now edited.",
            "definition": "A brand-new definition.",
            "why_it_matters": "",
            "how_it_works": "",
            "example": "",
            "common_mistakes": "",
            "is_published": "on",
            "categories": [category.pk],
            "related": [],
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Rehearsal",
            "aliases-0-slug": "rehearsal",
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
        },
    )

    assert saved.status_code == 302  # the admin accepted the edit
    page = client.get("/glossary/replay/").content.decode()
    assert "A brand-new definition." in page and "Replay uses a" not in page
    assert "Also called <strong>Rehearsal</strong>" in page
    for url in ("/glossary/", "/search/?q=replay"):
        assert "Now edited." in client.get(url).content.decode()
